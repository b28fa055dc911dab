"""问责 (SPEC §7): record a measure, and the suggestions the rules raise — never applied by
themselves. A person records one (``record``, prefilled from the suggestion) or dismisses it
(``dismiss``, 不予问责); either way it is not suggested again.

Rules (SPEC §7):
- a unit on the published 黑榜 twice within three months (two listings at most two months apart;
  each listing is used once);
- a problem under 督办 twice (its primary unit);
- a 书面点评 (批评) whose reply deadline passed without a reply (the unit that ignored it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from civility.campaign.listings import black_listings
from civility.campaign.models import Accountability, AccountabilityDismissal
from civility.campaign.permissions import can_decide_accountability
from civility.core.errors import NotAllowed, Refused
from civility.org.models import Unit
from civility.supervision.commentary.services import overdue_receipts
from civility.supervision.problems.models import Action, Problem

Measure = Accountability.Measure


@dataclass
class Suggestion:
    key: str
    rule: str
    rule_label: str
    unit: Unit
    measure: str
    summary: str
    reason: str
    raised_on: date
    problem_ids: list[int] = field(default_factory=list)
    commentary_ids: list[int] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (url, label) of the record behind it

    @property
    def measure_label(self) -> str:
        return Measure(self.measure).label


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _blacklist(hq, units: dict[int, Unit], today: date) -> list[Suggestion]:
    result = []
    since = date(today.year - 1, today.month, 1)  # a year back is enough for "three months"
    for unit_id, months in black_listings(hq, since=since).items():
        unit = units.get(unit_id)
        if unit is None:
            continue
        previous = None
        for year, month in sorted(months):
            if previous is not None and _month_index(year, month) - _month_index(*previous) <= 2:
                first = f"{previous[0]}年{previous[1]}月"
                second = f"{year}年{month}月"
                result.append(
                    Suggestion(
                        key=f"blacklist:{unit_id}:{year}-{month:02d}",
                        rule="blacklist",
                        rule_label="三个月内两次列入黑榜",
                        unit=unit,
                        measure=Measure.INTERVIEW,
                        summary=f"{unit.name}{first}、{second}两次列入黑榜",
                        reason=f"{first}、{second}月度通报中两次列入黑榜（三个月内两次）。",
                        raised_on=date(year, month, 1),
                    )
                )
                previous = None  # each listing counts once
            else:
                previous = (year, month)
    return result


def _escalated(hq, units: dict[int, Unit]) -> list[Suggestion]:
    problems = (
        Problem.objects.filter(headquarters=hq, escalation_level__gte=2, primary_unit__isnull=False)
        .annotate(last=Max("events__at", filter=Q(events__action=Action.ESCALATE)))
        .order_by("last", "pk")
        .values_list("pk", "number", "primary_unit_id", "escalation_level", "last")
    )
    result = []
    for pk, number, unit_id, level, last in problems:
        unit = units.get(unit_id)
        if unit is None:
            continue
        result.append(
            Suggestion(
                key=f"escalated:{pk}",
                rule="escalated",
                rule_label="问题两次督办",
                unit=unit,
                measure=Measure.INTERVIEW,
                summary=f"{unit.name}：问题 {number} 被督办 {level} 次",
                reason=f"问题 {number} 被督办 {level} 次仍未整改到位。",
                raised_on=timezone.localdate(last) if last else timezone.localdate(),
                problem_ids=[pk],
                link=(reverse("problem_detail", args=[number]), number),
            )
        )
    return result


def _ignored_replies(hq, units: dict[int, Unit], today: date) -> list[Suggestion]:
    receipts = (
        overdue_receipts(today)
        .filter(commentary__headquarters=hq, replied_at__isnull=True)
        .select_related("commentary")
        .order_by("commentary__date", "pk")
    )
    result = []
    for receipt in receipts:
        unit = units.get(receipt.unit_id)
        if unit is None:
            continue
        commentary = receipt.commentary
        due = commentary.reply_due
        result.append(
            Suggestion(
                key=f"reply:{receipt.pk}",
                rule="reply",
                rule_label="逾期未回复书面点评",
                unit=unit,
                measure=Measure.CRITICISM,
                summary=f"{unit.name}：书面点评「{commentary.title}」逾期未回复",
                reason=(
                    f"书面点评「{commentary.title}」（{commentary.date:%Y-%m-%d}）要求于"
                    f"{due:%Y-%m-%d}前回复整改措施，逾期未回复。"
                ),
                raised_on=due,
                commentary_ids=[commentary.pk],
                link=(reverse("commentary_detail", args=[commentary.pk]), commentary.title),
            )
        )
    return result


def decided_keys(hq) -> set[str]:
    recorded = Accountability.objects.filter(headquarters=hq).exclude(suggestion_key="")
    dismissed = AccountabilityDismissal.objects.filter(headquarters=hq)
    return set(recorded.values_list("suggestion_key", flat=True)) | set(
        dismissed.values_list("suggestion_key", flat=True)
    )


def suggestions(hq, *, today: date | None = None, unit_ids: Iterable[int] | None = None):
    """The open suggestions (newest first), optionally only for some units."""
    today = today or timezone.localdate()
    units = {u.pk: u for u in Unit.objects.filter(headquarters=hq)}
    if unit_ids is not None:
        wanted = set(unit_ids)
        units = {pk: u for pk, u in units.items() if pk in wanted}
    found = (
        _blacklist(hq, units, today) + _escalated(hq, units) + _ignored_replies(hq, units, today)
    )
    decided = decided_keys(hq)
    open_ = [s for s in found if s.key not in decided]
    open_.sort(key=lambda s: (s.raised_on, s.key), reverse=True)
    return open_


def suggestion(hq, key: str, *, today: date | None = None) -> Suggestion | None:
    return next((s for s in suggestions(hq, today=today) if s.key == key), None)


def record(
    *,
    hq,
    by,
    unit: Unit,
    measure: str,
    reason: str,
    on: date,
    person_name: str = "",
    person_title: str = "",
    problems: Iterable[Problem] = (),
    commentaries: Iterable = (),
    veto=None,
    suggestion_key: str = "",
) -> Accountability:
    """Record a measure decided by ``by``. Raises NotAllowed, ValidationError (nothing saved) or
    Refused when the suggestion was handled by someone else a moment ago."""
    if not can_decide_accountability(by):
        raise NotAllowed("只有创建办和指挥部领导可以决定问责。")
    record = Accountability(
        headquarters=hq,
        unit=unit,
        person_name=(person_name or "").strip(),
        person_title=(person_title or "").strip(),
        measure=measure,
        reason=(reason or "").strip(),
        date=on,
        year=on.year,
        decided_by=by,
        veto=veto,
        suggestion_key=suggestion_key,
    )
    errors = {}
    if unit.headquarters_id != hq.pk:
        errors["unit"] = "所选单位不属于本指挥部。"
    if on > timezone.localdate():
        errors["date"] = "决定日期不能晚于今天。"
    if veto is not None and veto.unit_id != unit.pk:
        errors["veto"] = "所选一票否决不是该单位的。"
    if errors:
        raise ValidationError(errors)
    # Duplicates of a suggestion are the database's to refuse (two people deciding at once).
    record.full_clean(exclude=["headquarters", "decided_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            record.save()
            record.problems.set([p for p in problems if p.headquarters_id == hq.pk])
            record.commentaries.set([c for c in commentaries if c.headquarters_id == hq.pk])
            if (
                suggestion_key
                and AccountabilityDismissal.objects.filter(
                    headquarters=hq, suggestion_key=suggestion_key
                ).exists()
            ):
                raise IntegrityError("dismissed")
    except IntegrityError:
        raise Refused("该问责建议已由他人处理。") from None
    return record


def dismiss(*, hq, by, suggestion: Suggestion, note: str) -> AccountabilityDismissal:
    """不予问责: the suggestion is not raised again."""
    if not can_decide_accountability(by):
        raise NotAllowed("只有创建办和指挥部领导可以决定问责。")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写不予问责的理由。"})
    try:
        with transaction.atomic():
            if Accountability.objects.filter(
                headquarters=hq, suggestion_key=suggestion.key
            ).exists():
                raise IntegrityError("recorded")
            return AccountabilityDismissal.objects.create(
                headquarters=hq,
                suggestion_key=suggestion.key,
                unit=suggestion.unit,
                summary=suggestion.summary[:200],
                note=note,
                decided_by=by,
            )
    except IntegrityError:
        raise Refused("该问责建议已由他人处理。") from None
