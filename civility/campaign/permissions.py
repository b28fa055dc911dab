"""Who may see and do what with drives, 问责 and honours (SPEC §1, §7).

- Drives: every role reads the drive pages; a liaison only the drives that involve their unit
  (district-wide ones, or those listing it), with the figures of their own unit's problems; the
  secretariat manages them (admin).
- 问责: the secretariat and leaders see every record and decide; a liaison sees their unit's.
- Honours: the secretariat manages them and decides the yearly review; leaders see everything;
  a liaison sees their unit's.
"""

from django.db.models import Q, QuerySet

from civility.campaign.models import Accountability, Honour
from civility.core.permissions import has_any_role, is_secretariat, sees_everything, signed_in
from civility.core.roles import Role
from civility.supervision.drives.models import Drive
from civility.supervision.problems.models import Problem


def _liaison_unit(user) -> int | None:
    if signed_in(user) and user.has_role(Role.LIAISON):
        return user.unit_id
    return None


def _liaison_only(user) -> bool:
    """A liaison with no role that sees further (secretariat, leader, inspector, representative)."""
    if not signed_in(user) or user.is_superuser:
        return False
    wider = {Role.SECRETARIAT, Role.LEADER, Role.INSPECTOR, Role.REPRESENTATIVE}
    return user.has_role(Role.LIAISON) and not (user.role_names & {r.value for r in wider})


# --- drives -----------------------------------------------------------------------------------


def can_view_drives(user) -> bool:
    if _liaison_only(user):
        return user.unit_id is not None
    return has_any_role(user)


def drives_visible_to(user) -> QuerySet:
    qs = Drive.objects.all()
    if not can_view_drives(user):
        return qs.none()
    if _liaison_only(user):
        # Listing the unit, district-wide (no units listed), or with problems of the unit.
        involved = Q(units=user.unit_id) | Q(units__isnull=True)
        involved |= Q(pk__in=Problem.objects.filter(primary_unit_id=user.unit_id).values("drive"))
        return qs.filter(pk__in=Drive.objects.filter(involved).values("pk"))
    return qs


def drive_scope(user) -> QuerySet | None:
    """The problems a person's drive figures count: None (all) or their unit's."""
    if _liaison_only(user):
        return Problem.objects.filter(primary_unit_id=user.unit_id)
    return None


def can_manage_drives(user) -> bool:
    return is_secretariat(user)


# --- 问责 --------------------------------------------------------------------------------------


def can_view_accountability(user) -> bool:
    return sees_everything(user) or _liaison_unit(user) is not None


def accountability_visible_to(user) -> QuerySet:
    qs = Accountability.objects.all()
    if sees_everything(user):
        return qs
    unit_id = _liaison_unit(user)
    return qs.filter(unit_id=unit_id) if unit_id is not None else qs.none()


def can_decide_accountability(user) -> bool:
    """记录问责 / 不予问责: the secretariat and leaders (SPEC §1)."""
    return sees_everything(user)


# --- honours ----------------------------------------------------------------------------------


def can_view_honours(user) -> bool:
    return sees_everything(user) or _liaison_unit(user) is not None


def honours_visible_to(user) -> QuerySet:
    qs = Honour.objects.all()
    if sees_everything(user):
        return qs
    unit_id = _liaison_unit(user)
    return qs.filter(unit_id=unit_id) if unit_id is not None else qs.none()


def can_manage_honours(user) -> bool:
    return is_secretariat(user)


def can_view_honour_review(user) -> bool:
    return sees_everything(user)


def can_decide_honour_review(user) -> bool:
    return is_secretariat(user)
