"""Who may see and compile bulletins (通报), rankings, vetoes and the dashboard."""

from django.db.models import QuerySet

from civility.core.permissions import (
    has_role,
    is_secretariat,
    is_unit_liaison,
    sees_everything,
    signed_in,
)
from civility.core.roles import Role
from civility.reports.models import Report

# Who 签阅 a published bulletin (SPEC §5); representatives read it.
SIGNING_ROLES = (Role.LEADER, Role.LIAISON)


def reports_visible_to(user) -> QuerySet:
    """Drafts are for the secretariat and leaders; published reports (and the ones a 更正
    superseded) are open to every role."""
    qs = Report.objects.all()
    if sees_everything(user):
        return qs
    if signed_in(user) and (user.is_superuser or user.role_names):
        return qs.exclude(status=Report.Status.DRAFT)
    return qs.none()


def can_compile_reports(user) -> bool:
    """生成草稿, edit the narrative, publish, 更正: the secretariat."""
    return is_secretariat(user)


def can_view_reports(user) -> bool:
    """The 通报 pages are open to every role (what each sees is ``reports_visible_to``)."""
    return signed_in(user) and (user.is_superuser or bool(user.role_names))


def can_view_report_readers(user) -> bool:
    """阅读情况 (who has not read a bulletin yet): the secretariat and leaders."""
    return sees_everything(user)


def can_view_rankings(user) -> bool:
    return sees_everything(user)


def can_record_veto(user) -> bool:
    return is_secretariat(user)


def can_view_dashboard(user) -> bool:
    """The campaign dashboard on the home page: leaders and the secretariat."""
    return sees_everything(user)


def can_view_unit_page(user, unit) -> bool:
    """A unit's page (/units/<pk>/): the secretariat and leaders for every unit, a liaison for
    their own unit only."""
    return sees_everything(user) or is_unit_liaison(user, unit.pk)


def own_unit_page(user) -> int | None:
    """The unit whose page a liaison is sent to instead of the district ranking."""
    if not sees_everything(user) and is_unit_liaison(user, getattr(user, "unit_id", None)):
        return user.unit_id
    return None


def is_report_signer(user) -> bool:
    return any(has_role(user, role) for role in SIGNING_ROLES)


def can_sign_report(user, report) -> bool:
    """签阅: leaders and liaisons, on a published bulletin (not a draft, not a superseded one)."""
    return report.status == Report.Status.PUBLISHED and is_report_signer(user)


def can_remind_readers(user, report) -> bool:
    """提醒未阅/未签阅: the secretariat, on a published bulletin."""
    return report.status == Report.Status.PUBLISHED and is_secretariat(user)
