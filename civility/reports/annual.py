"""年度考评 (SPEC §6): the year's assessment of the 文明委成员单位, and the final month totals.

A month's figures are final once it has ended: a published month is read from its bulletin's
frozen snapshot, an ended month not yet published is computed live as of its end (marked 未通报).
``final_month_totals`` gives those totals for any months (the annual assessment and the
dashboard's trend read them); ``annual_assessment`` combines them:

- score = 0.7 × mean of the assessed months' totals + 0.3 × 责任分解 completion (assignments of
  the unit due that year, by today, done by their due date, as a rate); with no assignment due
  the monthly part alone; with fewer than 3 assessed months the completion part alone; with
  neither 未考评 for the year. 计分月数 counts assessed months only.
- a department scores 0.8 × its own + 0.2 × its paired communities' average (同奖同罚).
- 一票否决 makes the grade 不合格; eligible (评先评优) means neither a veto nor a 取消评先评优资格
  of the year (``civility.reports.eligibility``, the path the monthly 红榜 takes too) and a grade
  of 优秀 or 良好; a unit made ineligible carries the reason.

A fixed number of queries whatever the number of months, problems and visits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, F, Q
from django.utils import timezone

from civility.core.periods import Period
from civility.org.models import Assignment, Linkage, Unit
from civility.reports import eligibility, scoring, totals
from civility.reports.models import Report, ScoringPolicy
from civility.reports.scoring import HUNDRED, NOT_ASSESSED, RANKED_KINDS, q1


class MonthTotal(NamedTuple):
    """A tuple of plain values: a city's year has thousands, none for the garbage collector."""

    month: int
    total: Decimal | None
    published: bool


@dataclass
class AnnualScore:
    unit_id: int
    name: str
    kind: str
    kind_label: str
    months: int  # 计分月数: assessed months of the year
    month_totals: list[MonthTotal]
    monthly_average: Decimal | None
    assignments_due: int
    assignments_done: int
    own_score: Decimal | None
    paired_average: Decimal | None
    score: Decimal | None
    grade: str
    vetoed: bool
    veto_reason: str
    eligible: bool
    note: str = ""
    disqualified: bool = False  # 取消评先评优资格 of the year
    ineligible_reason: str = ""  # the veto's or the 取消评先评优资格's line

    @property
    def assessed(self) -> bool:
        return self.score is not None

    @property
    def completion(self) -> Decimal | None:
        if not self.assignments_due:
            return None
        return q1(HUNDRED * self.assignments_done / self.assignments_due)


@dataclass
class AnnualAssessment:
    year: int
    policy: ScoringPolicy
    rows: list[AnnualScore]
    published: list[int]
    unpublished: list[int]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def published_snapshots(headquarters, periods: list[Period]) -> dict[Period, dict]:
    """{month: snapshot data} of the months' published monthly bulletins (one query)."""
    slugs = {str(p): p for p in periods}
    reports = Report.objects.filter(
        headquarters=headquarters,
        kind=Report.Kind.MONTHLY,
        status=Report.Status.PUBLISHED,
        period__in=list(slugs),
    ).values_list("period", "snapshot")
    return {slugs[period]: (snapshot or {}).get("data", {}) for period, snapshot in reports}


def snapshot_totals(data: dict, names: dict[str, int]) -> dict[int, Decimal]:
    """{unit id: total} of the assessed units in a published month's snapshot."""
    totals = {}
    for ranking in data.get("rankings", []):
        for row in ranking.get("rows", []):
            pk = row.get("unit_id") or names.get(row.get("unit"))
            if pk is None or row.get("total") in (None, "") or row.get("assessed") is False:
                continue
            if row.get("insufficient"):  # a v1 snapshot: ranked, but without enough sample
                continue
            totals[pk] = Decimal(str(row["total"]))
    return totals


def final_month_totals(
    headquarters,
    periods: list[Period],
    *,
    names: dict[str, int] | None = None,
    now=None,
    units: Collection[int] | None = None,
) -> dict[Period, tuple[dict[int, Decimal], bool]]:
    """{month: ({unit id: total of the assessed units}, published)} for ended (or running)
    months: published months from their snapshots, the others live in one pass (of the unit
    ids ``units`` alone, when given)."""
    now = now or timezone.now()
    published = published_snapshots(headquarters, periods)
    if names is None and published:
        names = dict(Unit.objects.filter(headquarters=headquarters).values_list("name", "pk"))
    live = totals.month_totals(
        headquarters, [p for p in periods if p not in published], now=now, units=units
    )
    result = {}
    for period in periods:
        if period in published:
            result[period] = (snapshot_totals(published[period], names or {}), True)
        else:
            result[period] = (live[period], False)
    return result


def ended_months(year: int, today: date) -> list[int]:
    if year < today.year:
        return list(range(1, 13))
    if year > today.year:
        return []
    return list(range(1, today.month))


def annual_assessment(
    headquarters, year: int, through_month: int | None = None, *, now: datetime | None = None
) -> AnnualAssessment:
    """年度考评 of all 文明委成员单位 (see the module doc)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    policy = scoring.policies(headquarters, [year])[year]
    months = ended_months(year, today)
    if through_month is not None:
        months = [m for m in months if m <= through_month]
    unit_rows = list(
        Unit.objects.filter(headquarters=headquarters, active=True).order_by("kind", "order", "id")
    )
    names = {u.name: u.pk for u in unit_rows}
    pairings: dict[int, list[int]] = {}
    for dept_id, target_id in Linkage.objects.filter(
        headquarters=headquarters, kind=Linkage.Kind.PAIRING
    ).values_list("department_id", "target_id"):
        pairings.setdefault(dept_id, []).append(target_id)
    # The months are scored for the units the assessment shows and their paired communities
    # alone (a city's year: ~120 of ~600 units).
    shown = {u.pk for u in unit_rows if u.is_committee_member}
    shown |= {c for dept in shown for c in pairings.get(dept, [])}
    finals = final_month_totals(
        headquarters, [Period.month(year, m) for m in months], names=names, now=now, units=shown
    )
    per_unit: dict[int, list[MonthTotal]] = {u.pk: [] for u in unit_rows}
    published = set()
    for period, (month_totals, is_published) in finals.items():
        if is_published:
            published.add(period.number)
        for pk, total in month_totals.items():
            if pk in per_unit:
                per_unit[pk].append(MonthTotal(period.number, total, is_published))

    # Assignments due that year whose due date has passed, done when completed by that date.
    due_before = min(date(year + 1, 1, 1), today)
    assignments = {
        row["unit"]: row
        for row in Assignment.objects.filter(
            unit__headquarters=headquarters,
            due_date__gte=date(year, 1, 1),
            due_date__lt=due_before,
        )
        .values("unit")
        .annotate(
            due=Count("id"),
            done=Count("id", filter=Q(completed_on__isnull=False, completed_on__lte=F("due_date"))),
        )
        .order_by()
    }
    decided = eligibility.decisions(headquarters, [year])
    ineligible = eligibility.in_effect(decided, year, now)
    vetoes = {item.unit_id: item.detail for item in decided if item.is_veto and item.since < now}
    disqualified = {item.unit_id for item in decided if not item.is_veto and item.since < now}
    own: dict[int, tuple[Decimal | None, Decimal | None, str]] = {}
    for unit in unit_rows:
        assessed = per_unit[unit.pk]
        average = (
            sum(m.total for m in assessed) / len(assessed)
            if len(assessed) >= policy.min_assessed_months
            else None
        )
        counts = assignments.get(unit.pk)
        completion = HUNDRED * counts["done"] / counts["due"] if counts else None
        if average is not None and completion is not None:
            score, note = (
                policy.annual_months_weight * average
                + policy.annual_assignments_weight * completion,
                "",
            )
        elif average is not None:
            score, note = average, "无到期责任分解，按月度总分计"
        elif completion is not None:
            score, note = completion, "参评月数不足，按责任分解完成率计"
        else:
            score, note = None, ""
        own[unit.pk] = (average, score, note)

    rows = []
    for unit in unit_rows:
        if not unit.is_committee_member:
            continue
        average, score, note = own[unit.pk]
        paired_scores = [
            own[c][1] for c in pairings.get(unit.pk, []) if c in own and own[c][1] is not None
        ]
        paired = sum(paired_scores) / len(paired_scores) if paired_scores else None
        final = score
        if unit.kind == Unit.Kind.DEPARTMENT and score is not None and paired is not None:
            final = (1 - policy.pairing_weight) * score + policy.pairing_weight * paired
        final = q1(final)
        vetoed = unit.pk in vetoes
        grade = "不合格" if vetoed else (policy.band(final) if final is not None else NOT_ASSESSED)
        counts = assignments.get(unit.pk) or {"due": 0, "done": 0}
        rows.append(
            AnnualScore(
                unit_id=unit.pk,
                name=unit.name,
                kind=unit.kind,
                kind_label=unit.get_kind_display(),
                months=len(per_unit[unit.pk]),
                month_totals=per_unit[unit.pk],
                monthly_average=q1(average),
                assignments_due=counts["due"],
                assignments_done=counts["done"],
                own_score=q1(score),
                paired_average=q1(paired),
                score=final,
                grade=grade,
                vetoed=vetoed,
                veto_reason=vetoes.get(unit.pk, ""),
                eligible=unit.pk not in ineligible and grade in ("优秀", "良好"),
                note=note,
                disqualified=unit.pk in disqualified,
                ineligible_reason=ineligible[unit.pk].reason if unit.pk in ineligible else "",
            )
        )
    order = {kind: i for i, kind in enumerate(RANKED_KINDS)}
    rows.sort(key=lambda r: (order[r.kind], r.score is None, -(r.score or 0), r.name))
    return AnnualAssessment(
        year=year,
        policy=policy,
        rows=rows,
        published=[m for m in months if m in published],
        unpublished=[m for m in months if m not in published],
    )
