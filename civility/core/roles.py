"""The five roles of the product (SPEC §1), held as Django groups.

The groups and their model permissions are created by a data migration
(``org/migrations/0002_roles``); ``sync_role_groups`` is shared by that migration and by tests that
flush the database, and takes the model classes so it works with historical models too.
"""

from django.db import models


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", "创建办"
    LEADER = "leader", "指挥部领导"
    INSPECTOR = "inspector", "督查员"
    LIAISON = "liaison", "责任单位联络员"
    REPRESENTATIVE = "representative", "人大代表/政协委员"


# Apps whose models the secretariat maintains in the admin.
MAINTAINED_APPS = ("org", "supervision", "reports")
# Models of those apps that every signed-in role may view.
VIEW_ALL_ROLES = (Role.LEADER, Role.INSPECTOR, Role.LIAISON, Role.REPRESENTATIVE)


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
        group, _ = Group.objects.get_or_create(name=role.value)
        if role == Role.SECRETARIAT:
            group.permissions.set(list(maintained) + list(user_perms))
        else:
            group.permissions.set(maintained.filter(codename__startswith="view_"))
