"""Give the secretariat's group its permissions on the participation models (SPEC §1)."""

from django.db import migrations

from civility.core.roles import sync_roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0001_initial"),
        ("reports", "0004_roles"),
    ]

    operations = [migrations.RunPython(sync_roles_migration, migrations.RunPython.noop)]
