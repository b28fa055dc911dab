"""The five roles of the product (SPEC §1), held as Django groups.

The groups and their model permissions are created by a data migration
(``org/migrations/0002_roles``); ``sync_role_groups`` is shared by that migration and by tests that
flush the database, and takes the model classes so it works with historical models too.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("创建办")
    LEADER = "leader", _("指挥部领导")
    INSPECTOR = "inspector", _("督查员")
    LIAISON = "liaison", _("责任单位联络员")
    REPRESENTATIVE = "representative", _("人大代表/政协委员")


# Apps whose models the secretariat maintains in the admin.
MAINTAINED_APPS = ("org", "supervision", "reports", "campaign", "participation")


def sync_role_groups(Group, Permission) -> None:
    """Create the role groups and give them their permissions; safe to run again."""
    maintained = Permission.objects.filter(content_type__app_label__in=MAINTAINED_APPS)
    user_perms = Permission.objects.filter(
        content_type__app_label="core", content_type__model="user"
    ) | Permission.objects.filter(
        content_type__app_label="core",
        codename__in=["view_loginfailure", "delete_loginfailure"],
    )
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        if role == Role.SECRETARIAT:
            group.permissions.set(list(maintained) + list(user_perms))
        else:
            # What other roles may see is decided by civility.core.permissions, per unit; Django
            # model permissions would open whole tables in the admin, so they get none.
            group.permissions.clear()


def sync_roles_migration(apps, schema_editor) -> None:
    """RunPython body for the migrations that (re)grant role permissions.

    Permissions are normally created after all migrations ran; they are created here first so a
    migration can give them to the groups right after the models it adds.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
