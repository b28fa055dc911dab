"""Give the role groups their permissions on the supervision models."""

from django.db import migrations

from civility.core.roles import sync_roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("org", "0002_roles"),
    ]

    operations = [migrations.RunPython(sync_roles_migration, migrations.RunPython.noop)]
