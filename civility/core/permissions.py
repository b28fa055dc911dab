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


# --- problems (督查问题) -----------------------------------------------------------------------


def _is(user, role: Role) -> bool:
    return _signed_in(user) and user.has_role(role)


def is_secretariat(user) -> bool:
    return _signed_in(user) and (user.is_superuser or user.has_role(Role.SECRETARIAT))


def is_unit_liaison(user, unit_id) -> bool:
    return _is(user, Role.LIAISON) and unit_id is not None and user.unit_id == unit_id


def problems_visible_to(user) -> QuerySet:
    """Secretariat, leaders and inspectors see every problem; a liaison sees problems where their
    unit is primary or cooperating; a representative sees what they reported or their teams
    found."""
    from django.db.models import Q

    from civility.supervision.models import Problem

    qs = Problem.objects.all()
    if not _signed_in(user):
        return qs.none()
    if sees_everything(user) or user.has_role(Role.INSPECTOR):
        return qs
    condition = Q(pk__in=[])
    if user.has_role(Role.LIAISON) and user.unit_id:
        condition |= Q(primary_unit_id=user.unit_id) | Q(cooperating_units=user.unit_id)
    if user.has_role(Role.REPRESENTATIVE):
        condition |= Q(reported_by=user) | Q(inspection__team__members=user)
    if condition == Q(pk__in=[]):
        return qs.none()
    return qs.filter(pk__in=Problem.objects.filter(condition).values("pk"))


def can_view_problem(user, problem) -> bool:
    return problems_visible_to(user).filter(pk=problem.pk).exists()


def can_view_problems(user) -> bool:
    return _signed_in(user) and (
        user.is_superuser
        or bool(
            user.role_names
            & {
                r.value
                for r in (Role.SECRETARIAT, Role.LEADER, Role.INSPECTOR, Role.REPRESENTATIVE)
            }
        )
        or (user.has_role(Role.LIAISON) and user.unit_id is not None)
    )


def can_report_problem(user) -> bool:
    """Inspectors log inspections and problems; the secretariat may too."""
    return _is(user, Role.INSPECTOR) or is_secretariat(user)


# Transition predicates (SPEC §4, column "who"). They answer "may this person take this action on
# this problem", the state part is checked by the workflow table.


def can_assign(user, problem) -> bool:
    if is_secretariat(user):
        return True
    # 现场交办: an inspector may hand a problem on the spot to the site's default unit.
    return _is(user, Role.INSPECTOR) and problem.site.default_unit_id is not None


def can_void(user, problem) -> bool:
    return is_secretariat(user)


def can_acknowledge(user, problem) -> bool:
    return is_unit_liaison(user, problem.primary_unit_id) and problem.acknowledged_at is None


def can_submit(user, problem) -> bool:
    return is_unit_liaison(user, problem.primary_unit_id)


def can_dispute(user, problem) -> bool:
    return is_unit_liaison(user, problem.primary_unit_id)


def can_reassign(user, problem) -> bool:
    return is_secretariat(user)


def can_reject_dispute(user, problem) -> bool:
    return is_secretariat(user)


def can_review(user, problem) -> bool:
    return _is(user, Role.INSPECTOR) or is_secretariat(user)


def can_escalate(user, problem) -> bool:
    return _is(user, Role.LEADER) or is_secretariat(user)


def can_request_extension(user, problem) -> bool:
    return (
        is_unit_liaison(user, problem.primary_unit_id)
        and problem.deadline is not None
        and not problem.extension_requests.filter(status="pending").exists()
    )


def can_decide_extension(user, problem) -> bool:
    return is_secretariat(user) and problem.extension_requests.filter(status="pending").exists()


def can_bulk_assign(user) -> bool:
    """批量交办 from the problem list: the secretariat only (inspectors 交办 one at a time)."""
    return is_secretariat(user)


# --- inspections and commentary ---------------------------------------------------------------


def inspections_visible_to(user) -> QuerySet:
    from civility.supervision.models import Inspection

    qs = Inspection.objects.all()
    if sees_everything(user) or _is(user, Role.INSPECTOR):
        return qs
    if _is(user, Role.REPRESENTATIVE):
        return qs.filter(pk__in=Inspection.objects.filter(team__members=user).values("pk"))
    return qs.none()


def can_view_inspections(user) -> bool:
    return sees_everything(user) or _is(user, Role.INSPECTOR) or _is(user, Role.REPRESENTATIVE)


def can_edit_inspection(user, inspection) -> bool:
    return inspection.is_draft and (inspection.created_by_id == user.pk or is_secretariat(user))


def commentary_visible_to(user) -> QuerySet:
    from civility.supervision.models import Commentary

    qs = Commentary.objects.all()
    if sees_everything(user) or _is(user, Role.INSPECTOR):
        return qs
    if _is(user, Role.LIAISON) and user.unit_id:
        return qs.filter(pk__in=Commentary.objects.filter(units=user.unit_id).values("pk"))
    return qs.none()


def can_view_commentary_list(user) -> bool:
    return (
        sees_everything(user)
        or _is(user, Role.INSPECTOR)
        or (_is(user, Role.LIAISON) and user.unit_id is not None)
    )


def can_write_commentary(user) -> bool:
    return _is(user, Role.LEADER) or is_secretariat(user)


def can_acknowledge_commentary(user, receipt) -> bool:
    return (
        receipt.commentary.needs_receipt
        and receipt.acknowledged_at is None
        and is_unit_liaison(user, receipt.unit_id)
    )


def can_reply_commentary(user, receipt) -> bool:
    return (
        receipt.commentary.needs_reply
        and receipt.acknowledged_at is not None
        and receipt.replied_at is None
        and is_unit_liaison(user, receipt.unit_id)
    )


def can_view_photo(user, photo) -> bool:
    if photo.problem_id:
        return problems_visible_to(user).filter(pk=photo.problem_id).exists()
    return commentary_visible_to(user).filter(pk=photo.commentary_id).exists()


# --- commentary (点评): receipts, replies, print ---------------------------------------------


def sees_all_commentary_receipts(user) -> bool:
    """Secretariat, leaders and inspectors see every unit's 签收 and reply; a liaison sees only
    their own unit's."""
    return sees_everything(user) or _is(user, Role.INSPECTOR)


def commentary_receipts_visible_to(user) -> QuerySet:
    from civility.supervision.models import CommentaryReceipt

    qs = CommentaryReceipt.objects.all()
    if sees_all_commentary_receipts(user):
        return qs
    if _is(user, Role.LIAISON) and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


# --- reports (通报) and rankings ----------------------------------------------------------------


def reports_visible_to(user) -> QuerySet:
    """Drafts are for the secretariat and leaders; published reports (and the ones a 更正
    superseded) are open to every role."""
    from civility.reports.models import Report

    qs = Report.objects.all()
    if sees_everything(user):
        return qs
    if _signed_in(user) and (user.is_superuser or user.role_names):
        return qs.exclude(status=Report.Status.DRAFT)
    return qs.none()


def can_compile_reports(user) -> bool:
    """生成草稿, edit the narrative, publish, 更正: the secretariat."""
    return is_secretariat(user)


def can_view_reports(user) -> bool:
    """The 通报 pages are open to every role (what each sees is ``reports_visible_to``)."""
    return _signed_in(user) and (user.is_superuser or bool(user.role_names))


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


# --- inspection pages (督查) -----------------------------------------------------------------


def can_start_inspection(user) -> bool:
    """Inspectors and the secretariat log inspections (an inspector for the teams they are on)."""
    return can_report_problem(user)


def inspection_teams_for(user) -> QuerySet:
    """The active teams this person may log an inspection for: their own, or all for the
    secretariat."""
    from civility.supervision.models import InspectionTeam

    qs = InspectionTeam.objects.filter(active=True)
    if is_secretariat(user):
        return qs
    if _is(user, Role.INSPECTOR):
        return qs.filter(members=user)
    return qs.none()


def is_inspection_author(user, inspection) -> bool:
    """The person who opened the inspection, or the secretariat (whatever its status)."""
    return _signed_in(user) and (inspection.created_by_id == user.pk or is_secretariat(user))


def can_open_inspection(user, inspection) -> bool:
    """For an inspection already in ``inspections_visible_to(user)``: a submitted one is open to
    all of them; a draft only to its author, the inspectors on it, the secretariat and leaders."""
    return (
        not inspection.is_draft
        or is_inspection_author(user, inspection)
        or sees_everything(user)
        or inspection.inspectors.filter(pk=user.pk).exists()
    )


def can_view_inspection(user, inspection) -> bool:
    return inspections_visible_to(user).filter(pk=inspection.pk).exists() and (
        can_open_inspection(user, inspection)
    )


def inspections_openable_by(user) -> QuerySet:
    """``inspections_visible_to(user)`` without other people's drafts (see can_open_inspection)."""
    from django.db.models import Q

    from civility.supervision.models import Inspection

    qs = inspections_visible_to(user)
    if sees_everything(user):
        return qs
    mine = Inspection.objects.filter(Q(created_by=user) | Q(inspectors=user)).values("pk")
    return qs.filter(Q(status=Inspection.Status.SUBMITTED) | Q(pk__in=mine))
