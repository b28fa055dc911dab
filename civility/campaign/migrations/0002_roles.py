"""Give the role groups their permissions on the campaign models."""

from django.db import migrations

from civility.core.roles import sync_roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0001_initial"),
        ("supervision", "0006_drives_recurrence"),
    ]

    operations = [migrations.RunPython(sync_roles_migration, migrations.RunPython.noop)]
