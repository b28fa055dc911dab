"""Role basics every app's permission rules are built from. Knows no app.

Each app keeps its own rules in its ``permissions.py``: ``can_<action>(user, obj)`` predicates and
``<things>_visible_to(user)`` querysets that every list, report, export and photo starts from.
"""

from civility.core.roles import Role


def signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def has_role(user, role: Role) -> bool:
    return signed_in(user) and user.has_role(role)


def has_any_role(user) -> bool:
    """Anyone with a role (or a superuser): the pages open to every role."""
    return signed_in(user) and (user.is_superuser or bool(user.role_names))


def sees_everything(user) -> bool:
    """Secretariat and leaders see every unit's records."""
    return signed_in(user) and (
        user.is_superuser or user.has_role(Role.SECRETARIAT) or user.has_role(Role.LEADER)
    )


def is_secretariat(user) -> bool:
    return signed_in(user) and (user.is_superuser or user.has_role(Role.SECRETARIAT))


def is_unit_liaison(user, unit_id) -> bool:
    return has_role(user, Role.LIAISON) and unit_id is not None and user.unit_id == unit_id
