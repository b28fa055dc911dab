"""Who may do what — the one place for permission rules.

``can_<action>(user, obj=None)`` predicates answer yes/no; ``<things>_visible_to(user)`` return the
querysets that every list, report and export starts from. Views never filter by role themselves.
"""

from django.db.models import QuerySet

from civility.core.roles import Role


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def sees_everything(user) -> bool:
    """Secretariat and leaders see every unit's records."""
    return _signed_in(user) and (
        user.is_superuser or user.has_role(Role.SECRETARIAT) or user.has_role(Role.LEADER)
    )


# --- organisation -------------------------------------------------------------------------


def can_view_org(user) -> bool:
    """The organisation (headquarters, work groups, units, linkages) is open to every role."""
    return _signed_in(user) and (user.is_superuser or bool(user.role_names))


def can_edit_org(user) -> bool:
    return _signed_in(user) and (user.is_superuser or user.has_role(Role.SECRETARIAT))


# --- assignments (责任分解) -----------------------------------------------------------------


def can_view_assignments(user) -> bool:
    """Secretariat and leaders see all assignments; a liaison sees their own unit's."""
    return sees_everything(user) or (
        _signed_in(user) and user.has_role(Role.LIAISON) and user.unit_id is not None
    )


def assignments_visible_to(user) -> QuerySet:
    from civility.org.models import Assignment

    qs = Assignment.objects.all()
    if sees_everything(user):
        return qs
    if can_view_assignments(user):
        return qs.filter(unit_id=user.unit_id)
    return qs.none()
