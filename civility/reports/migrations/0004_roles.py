"""Give the role groups their permissions on Report and ReportRead (created after 0002)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from civility.core.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_reports"),
        ("supervision", "0003_notification_report"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
