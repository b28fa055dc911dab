"""Who may see, open, start and edit inspections (督查)."""

from django.db.models import Q, QuerySet

from civility.core.permissions import has_role, is_secretariat, sees_everything, signed_in
from civility.core.roles import Role
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.problems.permissions import can_report_problem


def inspections_visible_to(user) -> QuerySet:

    qs = Inspection.objects.all()
    if sees_everything(user) or has_role(user, Role.INSPECTOR):
        return qs
    if has_role(user, Role.REPRESENTATIVE):
        return qs.filter(pk__in=Inspection.objects.filter(team__members=user).values("pk"))
    return qs.none()


def can_view_inspections(user) -> bool:
    return (
        sees_everything(user)
        or has_role(user, Role.INSPECTOR)
        or has_role(user, Role.REPRESENTATIVE)
    )


def can_edit_inspection(user, inspection) -> bool:
    return inspection.is_draft and (inspection.created_by_id == user.pk or is_secretariat(user))


def can_start_inspection(user) -> bool:
    """Inspectors and the secretariat log inspections (an inspector for the teams they are on)."""
    return can_report_problem(user)


def inspection_teams_for(user) -> QuerySet:
    """The active teams this person may log an inspection for: their own, or all for the
    secretariat."""
    qs = InspectionTeam.objects.filter(active=True)
    if is_secretariat(user):
        return qs
    if has_role(user, Role.INSPECTOR):
        return qs.filter(members=user)
    return qs.none()


def is_inspection_author(user, inspection) -> bool:
    """The person who opened the inspection, or the secretariat (whatever its status)."""
    return signed_in(user) and (inspection.created_by_id == user.pk or is_secretariat(user))


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
    qs = inspections_visible_to(user)
    if sees_everything(user):
        return qs
    # Two indexed lookups rather than an OR across the inspectors join.
    own = Inspection.objects.filter(created_by=user).values("pk")
    joined = Inspection.inspectors.through.objects.filter(user_id=user.pk).values("inspection_id")
    return qs.filter(Q(status=Inspection.Status.SUBMITTED) | Q(pk__in=own.union(joined)))
