"""Give the role groups their permissions on Report and ReportRead (created after 0002)."""

from django.db import migrations

from civility.core.roles import sync_roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_reports"),
        ("supervision", "0003_notification_report"),
    ]

    operations = [migrations.RunPython(sync_roles_migration, migrations.RunPython.noop)]
