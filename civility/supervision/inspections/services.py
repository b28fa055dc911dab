"""Writes for inspections (督查, SPEC §4): open a draft, record sites and summary, submit.

Problems found on an inspection are created by ``workflow.report_problem``; this module only
handles the inspection itself. Views check who may act (``civility.core.permissions``); the
functions here keep the record consistent: drafts only, sites of the same headquarters, and a
compare-and-swap on the status so that a double-clicked submit is recorded once.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civility.core.errors import Refused
from civility.supervision.inspections import visits
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.notifications.models import Notification
from civility.supervision.notifications.services import notify, secretariat
from civility.supervision.problems.models import Problem

InspectionError = Refused


class AlreadySubmitted(InspectionError):
    def __init__(self):
        super().__init__(_("该督查已提交，不能再修改。"))


def _require_draft(inspection: Inspection) -> None:
    if not Inspection.objects.filter(pk=inspection.pk, status=Inspection.Status.DRAFT).exists():
        raise AlreadySubmitted


def create_inspection(
    *,
    by,
    team: InspectionTeam,
    kind: str = Inspection.Kind.ROUTINE,
    date: date | None = None,
    street=None,
    client_token=None,
) -> tuple[Inspection, bool]:
    """Open a draft for ``team`` with ``by`` as its first inspector; (inspection, created).

    A repeated ``client_token`` (a double-clicked or re-sent form) returns the first inspection.
    """
    if client_token is not None:
        existing = Inspection.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing, False
    if street is not None and street.headquarters_id != team.headquarters_id:
        raise ValidationError({"street": _("所选街道不属于该督查组的指挥部。")})
    fields = {
        "headquarters_id": team.headquarters_id,
        "team": team,
        "kind": kind,
        "date": date or timezone.localdate(),
        "street": street,
        "created_by": by,
    }
    if client_token is not None:
        fields["client_token"] = client_token
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(**fields)
            inspection.inspectors.add(by)
    except IntegrityError:
        if client_token is not None:
            existing = Inspection.objects.filter(client_token=client_token).first()
            if existing is not None:
                return existing, False
        raise
    return inspection, True


def add_site(*, inspection: Inspection, site) -> None:
    """Record a visited site on a draft (adding it twice is harmless)."""
    if site.headquarters_id != inspection.headquarters_id or not site.active:
        raise InspectionError(_("该点位不属于本指挥部或已停用。"))
    _require_draft(inspection)
    inspection.sites.add(site)


def remove_site(*, inspection: Inspection, site) -> None:
    """Take a site off a draft, unless a problem was already recorded there."""
    _require_draft(inspection)
    if inspection.problems.filter(site=site).exists():
        raise InspectionError(_("「%(site)s」已记录问题，不能移除。") % {"site": site})
    inspection.sites.remove(site)


def save_summary(*, inspection: Inspection, summary: str) -> None:
    saved = Inspection.objects.filter(pk=inspection.pk, status=Inspection.Status.DRAFT).update(
        summary=summary.strip()
    )
    if saved != 1:
        raise AlreadySubmitted
    inspection.summary = summary.strip()


def submit_inspection(
    inspection: Inspection,
    by,
    *,
    summary: str | None = None,
    marks: visits.Marks | None = None,
    now: datetime | None = None,
) -> Inspection:
    """Draft → submitted, once. Refuses an inspection without any site visited.

    ``by`` is the person submitting (the view has checked that they may). Raises AlreadySubmitted
    when someone (or a second click) submitted it first, ValidationError when it is incomplete.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if not inspection.sites.exists():
            raise ValidationError(_("请至少添加一个督查点位。"))
        updates = {"status": Inspection.Status.SUBMITTED, "submitted_at": now}
        if summary is not None:
            updates["summary"] = summary.strip()
        swapped = Inspection.objects.filter(
            pk=inspection.pk, status=Inspection.Status.DRAFT
        ).update(**updates)
        if swapped != 1:
            raise AlreadySubmitted
        # Each site visit's 得分率 is fixed now (SPEC §6); bad marks undo the submit.
        visits.record_visit_results(inspection, marks, now=now)
        transaction.on_commit(lambda: _notify_submitted(inspection, by=by))
    inspection.refresh_from_db()
    return inspection


def _notify_submitted(inspection, *, by) -> None:
    """Tell the secretariat (but not the one who submitted) how many of the inspection's problems
    wait for 交办; nothing when every problem was handed over on the spot, or none was found."""
    count = inspection.problems.filter(status=Problem.Status.REPORTED).count()
    if not count:
        return
    text = ngettext(
        "%(date)s %(team)s督查已提交，%(count)s 个问题待交办。",
        "%(date)s %(team)s督查已提交，%(count)s 个问题待交办。",
        count,
    ) % {"date": f"{inspection.date:%Y-%m-%d}", "team": inspection.team, "count": count}
    notify(
        secretariat().exclude(pk=by.pk),
        Notification.Kind.TO_ASSIGN,
        text,
        url=reverse("inspection_detail", args=[inspection.pk]),
    )
