"""Give the role groups their permissions on the reports models."""

from django.db import migrations

from civility.core.roles import sync_roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("supervision", "0002_roles"),
    ]

    operations = [migrations.RunPython(sync_roles_migration, migrations.RunPython.noop)]
