"""Create the five role groups of SPEC §1 with their model permissions."""

from django.db import migrations

from civility.core.roles import sync_roles_migration


def remove_roles(apps, schema_editor):
    from civility.core.roles import Role

    apps.get_model("auth", "Group").objects.filter(name__in=[r.value for r in Role]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("core", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_roles_migration, remove_roles)]
