"""文明荣誉称号动态管理 (SPEC §7): award an honour, change its status (every change an append-only
HonourChange), and the yearly review: the data proposes warnings and revocations, the secretariat
confirms or dismisses each one with a note.

Review rules for year Y, for each honour a unit holds (有效 or 黄牌警告):
- 撤销 proposed for a 一票否决 of Y, or a 取消评先评优资格 of Y;
- 黄牌警告 proposed for any other 问责 of Y, for 2 or more months on the published 黑榜 in Y,
  and for an annual grade of 不合格 (``civility.reports.annual.annual_assessment``);
- a warning reason for an honour already warned before (not by this review) proposes 撤销.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from civility.campaign.listings import black_listings
from civility.campaign.models import (
    Accountability,
    Honour,
    HonourChange,
    HonourReviewDecision,
)
from civility.campaign.permissions import can_decide_honour_review, can_manage_honours
from civility.core.errors import Conflict, NotAllowed, Refused
from civility.reports import annual
from civility.reports.models import Veto

Status = Honour.Status
Proposal = HonourReviewDecision.Proposal
BLACK_LIST_MONTHS_WARN = 2


def award(
    *,
    hq,
    by,
    unit,
    kind: str,
    level: str,
    year_awarded: int,
    title: str = "",
    awarded_by: str = "",
    note: str = "",
    at: datetime | None = None,
) -> Honour:
    """Record an honour a unit was awarded (有效), with its first history row."""
    if not can_manage_honours(by):
        raise NotAllowed("只有创建办可以登记荣誉称号。")
    at = at or timezone.now()
    honour = Honour(
        headquarters=hq,
        unit=unit,
        kind=kind,
        level=level,
        year_awarded=year_awarded,
        title=title.strip(),
        awarded_by=awarded_by.strip(),
        note=note.strip(),
    )
    if unit.headquarters_id != hq.pk:
        raise ValidationError({"unit": "所选单位不属于本指挥部。"})
    honour.full_clean(exclude=["headquarters"])
    with transaction.atomic():
        honour.save()
        HonourChange.objects.create(
            honour=honour,
            from_status="",
            to_status=Status.ACTIVE,
            reason=f"{year_awarded}年度授予",
            decided_by=by,
            at=at,
        )
    return honour


def change_status(
    honour: Honour,
    *,
    to: str,
    reason: str,
    by,
    review_year: int | None = None,
    at: datetime | None = None,
) -> Honour:
    """Move an honour to ``to`` with a compare-and-swap on its status; one HonourChange row."""
    if not can_manage_honours(by):
        raise NotAllowed("只有创建办可以变更荣誉称号状态。")
    to = Status(to)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写变更理由。"})
    if to == honour.status:
        raise Refused(f"该荣誉称号已是「{honour.get_status_display()}」状态。")
    at = at or timezone.now()
    with transaction.atomic():
        swapped = Honour.objects.filter(pk=honour.pk, status=honour.status).update(status=to)
        if swapped != 1:
            current = Honour.objects.get(pk=honour.pk)
            raise Conflict(
                f"已被他人处理：该荣誉称号当前状态为「{current.get_status_display()}」。"
            )
        HonourChange.objects.create(
            honour=honour,
            from_status=honour.status,
            to_status=to,
            reason=reason,
            review_year=review_year,
            decided_by=by,
            at=at,
        )
    honour.status = to
    return honour


# --- the yearly review ------------------------------------------------------------------------


@dataclass
class ReviewRow:
    honour: Honour
    proposal: str  # Proposal value
    reasons: list[str] = field(default_factory=list)
    decision: HonourReviewDecision | None = None

    @property
    def proposal_label(self) -> str:
        return Proposal(self.proposal).label

    @property
    def reasons_text(self) -> str:
        return "；".join(self.reasons)


def _annual_grades(hq, year: int) -> dict[int, str]:
    """{unit pk: annual grade} of the 文明委成员单位 (a year not begun has no ended month: its
    units are 未考评)."""
    return {row.unit_id: row.grade for row in annual.annual_assessment(hq, year) if row.grade}


def review(hq, year: int, *, grades: dict[int, str] | None = None) -> list[ReviewRow]:
    """The honours with a proposal for ``year``: held now, or already decided in this review."""
    decisions = {
        d.honour_id: d
        for d in HonourReviewDecision.objects.filter(
            honour__headquarters=hq, year=year
        ).select_related("decided_by")
    }
    honours = list(
        Honour.objects.filter(headquarters=hq, year_awarded__lte=year)
        .filter(status__in=Honour.HELD)
        .select_related("unit")
        | Honour.objects.filter(pk__in=decisions).select_related("unit")
    )
    if not honours:
        return []
    unit_ids = {h.unit_id for h in honours}
    vetoes = dict(
        Veto.objects.filter(headquarters=hq, year=year, unit__in=unit_ids).values_list(
            "unit_id", "reason"
        )
    )
    measures: dict[int, Counter] = {}
    for unit_id, measure in Accountability.objects.filter(
        headquarters=hq, year=year, unit__in=unit_ids
    ).values_list("unit_id", "measure"):
        measures.setdefault(unit_id, Counter())[measure] += 1
    black = {pk: len(months) for pk, months in black_listings(hq, years={year}).items()}
    if grades is None:
        grades = _annual_grades(hq, year)
    warned_before = set(
        HonourChange.objects.filter(honour__in=honours, to_status=Status.WARNING)
        .exclude(review_year=year)
        .values_list("honour_id", flat=True)
    )
    rows = []
    for honour in honours:
        unit = honour.unit_id
        revoke, warn = [], []
        if unit in vetoes:
            revoke.append(f"{year}年度被一票否决")
        counted = measures.get(unit, Counter())
        if counted.get(Accountability.Measure.DISQUALIFY):
            revoke.append("被取消评先评优资格")
        others = sum(n for m, n in counted.items() if m != Accountability.Measure.DISQUALIFY)
        if others:
            labels = "、".join(
                str(Accountability.Measure(m).label)
                for m in Accountability.Measure
                if m != Accountability.Measure.DISQUALIFY and counted.get(m)
            )
            warn.append(f"被问责{others}次（{labels}）")
        if black.get(unit, 0) >= BLACK_LIST_MONTHS_WARN:
            warn.append(f"{black[unit]}个月列入黑榜")
        if grades.get(unit) == "不合格":
            warn.append("年度考评不合格")
        decision = decisions.get(honour.pk)
        if decision is not None:
            rows.append(
                ReviewRow(honour, decision.proposal, decision.reasons.split("；"), decision)
            )
            continue
        if revoke or (warn and honour.pk in warned_before):
            reasons = revoke + warn
            if not revoke:
                reasons.append("此前已被黄牌警告")
            rows.append(ReviewRow(honour, Proposal.REVOKE, reasons))
        elif warn:
            rows.append(ReviewRow(honour, Proposal.WARN, warn))
    rows.sort(
        key=lambda r: (
            r.decision is not None,
            r.proposal != Proposal.REVOKE,
            r.honour.unit.kind,
            r.honour.unit.order,
            r.honour.pk,
        )
    )
    return rows


def decide(
    *,
    hq,
    year: int,
    honour: Honour,
    confirm: bool,
    note: str,
    by,
    rows: list[ReviewRow] | None = None,
) -> HonourReviewDecision:
    """Confirm (the honour's status changes) or dismiss one proposal of the year's review."""
    if not can_decide_honour_review(by):
        raise NotAllowed("只有创建办可以确认荣誉复核结果。")
    note = (note or "").strip()
    if not confirm and not note:
        raise ValidationError({"note": "不予采纳时请填写意见。"})
    rows = rows if rows is not None else review(hq, year)
    row = next((r for r in rows if r.honour.pk == honour.pk), None)
    if row is None:
        raise Refused("该荣誉称号本年度没有复核建议。")
    if row.decision is not None:
        raise Refused("该复核建议已由他人处理。")
    try:
        with transaction.atomic():
            decision = HonourReviewDecision.objects.create(
                honour=honour,
                year=year,
                proposal=row.proposal,
                reasons=row.reasons_text,
                decision=(
                    HonourReviewDecision.Decision.CONFIRMED
                    if confirm
                    else HonourReviewDecision.Decision.DISMISSED
                ),
                note=note,
                decided_by=by,
            )
            if confirm:
                target = Status.REVOKED if row.proposal == Proposal.REVOKE else Status.WARNING
                reason = f"{year}年度复核：{row.reasons_text}" + (f"。{note}" if note else "")
                change_status(honour, to=target, reason=reason, by=by, review_year=year)
    except IntegrityError:
        raise Refused("该复核建议已由他人处理。") from None
    return decision
