"""Who may see and edit the organisation and the 责任分解 (assignments)."""

from django.db.models import QuerySet

from civility.core.permissions import (
    sees_everything,
    signed_in,
)
from civility.core.roles import Role
from civility.org.models import Assignment


def can_view_org(user) -> bool:
    """The organisation (headquarters, work groups, units, linkages) is open to every role."""
    return signed_in(user) and (user.is_superuser or bool(user.role_names))


def can_edit_org(user) -> bool:
    return signed_in(user) and (user.is_superuser or user.has_role(Role.SECRETARIAT))


def can_view_assignments(user) -> bool:
    """Secretariat and leaders see all assignments; a liaison sees their own unit's."""
    return sees_everything(user) or (
        signed_in(user) and user.has_role(Role.LIAISON) and user.unit_id is not None
    )


def assignments_visible_to(user) -> QuerySet:

    qs = Assignment.objects.all()
    if sees_everything(user):
        return qs
    if can_view_assignments(user):
        return qs.filter(unit_id=user.unit_id)
    return qs.none()
