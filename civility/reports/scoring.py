"""考评 — the one module that scores and ranks units (SPEC §6).

Monthly scores are computed with a fixed number of aggregate queries whatever the number of
problems: site-visit scores are summed in SQL, averaged per street and per community, and
rectification counts are grouped per primary unit. Python only combines the per-unit rows.

Rules (defaults; the year's ScoringPolicy may change the numbers):
- a site visit is one (inspection, site) pair of a submitted inspection; it scores
  max(0, 100 − Σ deductions of the problems found there), a 督办 problem counting double;
- field score (块 units only) = mean visit score in the unit's area that month (a street's area
  includes its communities' sites);
- rectification score = 100 × closed-by-deadline / due-that-month (primary unit), minus 2 per
  退回重改 and 5 per 督办 among them, floored at 0; 100 when nothing was due;
- total: 块 units 0.9 × field + 0.1 × rectification (rectification alone when no visits);
  other units the rectification score;
- fewer than 3 visits (块) or 3 problems due (others): ranked after the units with enough
  sample and marked 样本不足, never on a list (not even through commentary);
- 红榜: top 3 per kind with total ≥ 90, plus units praised in the month's commentary;
  黑榜: total < 85 or last of its kind (when the kind has more units than red places), plus
  units criticised in the month's commentary; a unit on the 黑榜 is never also on the 红榜;
- 同奖同罚: a community's (or street's) list entry names its paired departments and linked
  leaders; in the annual assessment a department scores 0.8 × own + 0.2 × paired communities;
- annual average: the mean monthly total over the months with enough sample (all months when
  there was never enough); 一票否决 makes the grade 不合格 and the unit ineligible for honours;
  eligible (评先评优) means no veto and a grade of 优秀 or 良好.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from civility.core.periods import Period
from civility.org.models import Linkage, Unit
from civility.reports.models import ScoringPolicy, Veto
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.inspections.models import Inspection
from civility.supervision.problems.models import Problem

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")
AREA_KINDS = (Unit.Kind.STREET, Unit.Kind.COMMUNITY)
RANKED_KINDS = (
    Unit.Kind.STREET,
    Unit.Kind.COMMUNITY,
    Unit.Kind.DEPARTMENT,
    Unit.Kind.STATIONED,
    Unit.Kind.OTHER,
)


def q1(value) -> Decimal | None:
    """Round half up to one decimal place, as score tables print them."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass
class UnitScore:
    unit_id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    is_committee_member: bool
    visits: int = 0
    field_score: Decimal | None = None
    due: int = 0
    on_time: int = 0
    reworks: int = 0
    escalations: int = 0
    rectification: Decimal = HUNDRED
    total: Decimal = HUNDRED
    band: str = ""
    insufficient: bool = False
    rank: int | None = None
    praised: bool = False
    criticised: bool = False
    red_reasons: list[str] = field(default_factory=list)
    black_reasons: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)

    @property
    def is_area(self) -> bool:
        return self.kind in AREA_KINDS

    @property
    def on_red_list(self) -> bool:
        return bool(self.red_reasons)

    @property
    def on_black_list(self) -> bool:
        return bool(self.black_reasons)


@dataclass
class MonthlyScores:
    year: int
    month: int
    policy: ScoringPolicy
    units: list[UnitScore]

    def of_kind(self, kind: str) -> list[UnitScore]:
        return sorted(
            (u for u in self.units if u.kind == kind), key=lambda u: (u.rank or 10**6, u.name)
        )

    @property
    def kinds(self) -> list[tuple[str, str, list[UnitScore]]]:
        """(kind, label, ranked units) for every kind that has units."""
        result = []
        for kind in RANKED_KINDS:
            rows = self.of_kind(kind)
            if rows:
                result.append((kind, Unit.Kind(kind).label, rows))
        return result

    @property
    def red_list(self) -> list[UnitScore]:
        return [u for u in self._ordered() if u.on_red_list]

    @property
    def black_list(self) -> list[UnitScore]:
        return [u for u in self._ordered() if u.on_black_list]

    def by_unit(self) -> dict[int, UnitScore]:
        return {u.unit_id: u for u in self.units}

    def _ordered(self) -> list[UnitScore]:
        order = {kind: i for i, kind in enumerate(RANKED_KINDS)}
        return sorted(self.units, key=lambda u: (order[u.kind], u.rank or 10**6, u.name))


def _visit_scores(headquarters, first: date, last: date):
    """One row per site visit with its score, as a queryset (not evaluated here)."""
    doubled = Case(
        When(escalation_level__gt=0, then=F("deduction") * 2),
        default=F("deduction"),
        output_field=DecimalField(max_digits=7, decimal_places=1),
    )
    found = (
        Problem.objects.filter(inspection=OuterRef("inspection"), site=OuterRef("site"))
        .exclude(status=Problem.Status.VOID)
        .values("inspection")
        .annotate(total=Sum(doubled))
        .values("total")
    )
    score = Greatest(
        ExpressionWrapper(
            Value(HUNDRED) - Coalesce(Subquery(found), Value(Decimal(0))),
            output_field=DecimalField(max_digits=7, decimal_places=1),
        ),
        Value(Decimal(0)),
        output_field=DecimalField(max_digits=7, decimal_places=1),
    )
    visits = Inspection.sites.through.objects.filter(
        inspection__headquarters=headquarters,
        inspection__status=Inspection.Status.SUBMITTED,
        inspection__date__gte=first,
        inspection__date__lte=last,
    )
    return visits.annotate(score=score)


def field_scores(headquarters, first: date, last: date) -> dict[int, tuple[int, Decimal]]:
    """{unit id: (visits, mean visit score)} for streets and communities (two queries)."""
    visits = _visit_scores(headquarters, first, last)
    result: dict[int, tuple[int, Decimal]] = {}
    for key in ("site__street", "site__community"):
        rows = (
            visits.exclude(**{f"{key}__isnull": True})
            .values(key)
            .annotate(n=Count("id"), mean=Avg("score"))
            .order_by()
        )
        for row in rows:
            result[row[key]] = (row["n"], Decimal(str(row["mean"])))
    return result


def rectification_counts(headquarters, start: datetime, end: datetime) -> dict[int, dict]:
    """{unit id: due, on_time, reworks, escalations} for problems due in [start, end)."""
    rows = (
        Problem.objects.filter(
            headquarters=headquarters,
            deadline__gte=start,
            deadline__lt=end,
            primary_unit__isnull=False,
        )
        .exclude(status=Problem.Status.VOID)
        .values("primary_unit")
        .annotate(
            due=Count("id"),
            on_time=Count(
                "id", filter=Q(status=Problem.Status.CLOSED, closed_at__lte=F("deadline"))
            ),
            reworks=Coalesce(Sum("rework_count"), 0),
            escalations=Coalesce(Sum("escalation_level"), 0),
        )
        .order_by()
    )
    return {row["primary_unit"]: row for row in rows}


def rectification_score(
    policy: ScoringPolicy, due: int, on_time: int, reworks: int, escalations: int
) -> Decimal:
    if not due:
        return HUNDRED
    raw = (
        HUNDRED * on_time / due
        - policy.rework_penalty * reworks
        - policy.escalation_penalty * escalations
    )
    return max(Decimal(0), raw)


def _commentary_tones(headquarters, first: date, last: date) -> dict[int, set[str]]:
    rows = (
        CommentaryReceipt.objects.filter(
            commentary__headquarters=headquarters,
            commentary__date__gte=first,
            commentary__date__lte=last,
        )
        .values_list("unit_id", "commentary__tone")
        .distinct()
    )
    tones: dict[int, set[str]] = {}
    for unit_id, tone in rows:
        tones.setdefault(unit_id, set()).add(tone)
    return tones


def partners_by_unit(headquarters, on: date) -> dict[int, list[str]]:
    """同奖同罚 partners of each area unit: paired departments and linked leaders."""
    links = (
        Linkage.objects.filter(
            headquarters=headquarters,
            kind__in=[Linkage.Kind.PAIRING, Linkage.Kind.LEADER_CONTACT],
            start_date__lte=on,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("leader", "department")
        .order_by("kind", "id")
    )
    partners: dict[int, list[str]] = {}
    for link in links:
        label = (
            f"结对：{link.department.name}"
            if link.kind == Linkage.Kind.PAIRING
            else f"挂钩：{link.leader.name}"
        )
        partners.setdefault(link.target_id, []).append(label)
    return partners


def _rank(rows: list[UnitScore]) -> None:
    """Competition ranking (1, 2, 2, 4) by total, highest first; units with 样本不足 are ranked
    after all units with enough sample (a unit nobody inspected must not top the table)."""
    ordered = sorted(rows, key=lambda u: (u.insufficient, -u.total, u.name))
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        key = (row.insufficient, row.total)
        if key != previous:
            rank, previous = position, key
        row.rank = rank


def monthly_scores(headquarters, year: int, month: int) -> MonthlyScores:
    """Score and rank every active unit of ``headquarters`` for one month."""
    policy = ScoringPolicy.for_year(headquarters, year)
    period = Period.month(year, month)
    first, last, start, end = period.first, period.last, period.start, period.end
    fields = field_scores(headquarters, first, last)
    rectification = rectification_counts(headquarters, start, end)
    tones = _commentary_tones(headquarters, first, last)
    partners = partners_by_unit(headquarters, last)

    units: list[UnitScore] = []
    ranked = Unit.objects.filter(headquarters=headquarters, active=True, kind__in=RANKED_KINDS)
    for unit in ranked.order_by("order"):
        row = UnitScore(
            unit_id=unit.pk,
            name=unit.name,
            kind=unit.kind,
            kind_label=unit.get_kind_display(),
            parent_id=unit.parent_id,
            is_committee_member=unit.is_committee_member,
        )
        counts = rectification.get(unit.pk)
        if counts:
            row.due, row.on_time = counts["due"], counts["on_time"]
            row.reworks, row.escalations = counts["reworks"], counts["escalations"]
        row.rectification = q1(
            rectification_score(policy, row.due, row.on_time, row.reworks, row.escalations)
        )
        if unit.is_area:
            row.visits, mean = fields.get(unit.pk, (0, None))
            row.field_score = q1(mean)
            row.total = q1(
                policy.field_weight * row.field_score
                + policy.rectification_weight * row.rectification
                if row.field_score is not None
                else row.rectification
            )
            row.insufficient = row.visits < policy.min_site_visits
            row.partners = partners.get(unit.pk, [])
        else:
            row.total = row.rectification
            row.insufficient = row.due < policy.min_problems_due
        row.band = policy.band(row.total)
        unit_tones = tones.get(unit.pk, set())
        row.praised = Commentary.Tone.PRAISE in unit_tones
        row.criticised = Commentary.Tone.CRITICISM in unit_tones
        units.append(row)

    for kind in RANKED_KINDS:
        rows = [u for u in units if u.kind == kind]
        _rank(rows)
        eligible = [u for u in rows if not u.insufficient]
        top = sorted(eligible, key=lambda u: (-u.total, u.name))[: policy.red_list_size]
        for row in top:
            if row.total >= policy.red_list_min:
                row.red_reasons.append(f"{row.kind_label}前{policy.red_list_size}名")
        worst_rank = max((u.rank for u in eligible), default=None)
        # "Last of its kind" only means something when the kind has more units than red places.
        rank_last = len(eligible) > policy.red_list_size
        for row in eligible:
            if row.total < policy.black_list_below:
                row.black_reasons.append(f"总分低于{q1(policy.black_list_below)}")
            elif rank_last and row.rank == worst_rank:
                row.black_reasons.append(f"{row.kind_label}末位")
    for row in units:
        if row.insufficient:
            continue  # 样本不足: ranked, never on either list
        if row.praised:
            row.red_reasons.append("受到点评表扬")
        if row.criticised:
            row.black_reasons.append("受到点评批评")
        if row.black_reasons:
            # A unit on the black list is not honoured on the red list in the same month.
            row.red_reasons.clear()
    return MonthlyScores(year=year, month=month, policy=policy, units=units)


@dataclass
class AnnualScore:
    unit_id: int
    name: str
    kind: str
    kind_label: str
    months: int
    own_average: Decimal | None
    paired_average: Decimal | None
    score: Decimal | None
    grade: str
    vetoed: bool
    veto_reason: str
    eligible: bool


def annual_assessment(
    headquarters, year: int, through_month: int | None = None
) -> list[AnnualScore]:
    """年度考评 of all 文明委成员单位 from the monthly totals (SPEC §6)."""
    today = timezone.localdate()
    last_month = through_month or (today.month if year == today.year else 12)
    policy = ScoringPolicy.for_year(headquarters, year)
    sampled: dict[int, list[Decimal]] = {}
    every: dict[int, list[Decimal]] = {}
    unit_rows: dict[int, UnitScore] = {}
    for month in range(1, last_month + 1):
        for row in monthly_scores(headquarters, year, month).units:
            every.setdefault(row.unit_id, []).append(row.total)
            if not row.insufficient:
                sampled.setdefault(row.unit_id, []).append(row.total)
            unit_rows[row.unit_id] = row
    # A unit's average is over the months it had enough sample; all months if it never had.
    totals = {pk: sampled.get(pk) or values for pk, values in every.items()}
    average = {pk: sum(v) / len(v) for pk, v in totals.items() if v}
    pairings: dict[int, list[int]] = {}
    for dept_id, community_id in Linkage.objects.filter(
        headquarters=headquarters, kind=Linkage.Kind.PAIRING
    ).values_list("department_id", "target_id"):
        pairings.setdefault(dept_id, []).append(community_id)
    vetoes = dict(
        Veto.objects.filter(headquarters=headquarters, year=year).values_list("unit_id", "reason")
    )
    weight = policy.pairing_weight
    results = []
    for pk, row in unit_rows.items():
        if not row.is_committee_member:
            continue
        own = average.get(pk)
        paired_values = [average[c] for c in pairings.get(pk, []) if c in average]
        paired = sum(paired_values) / len(paired_values) if paired_values else None
        if own is None:
            score = None
        elif row.kind == Unit.Kind.DEPARTMENT and paired is not None:
            score = (1 - weight) * own + weight * paired
        else:
            score = own
        score = q1(score)
        vetoed = pk in vetoes
        grade = "不合格" if vetoed else policy.band(score)
        results.append(
            AnnualScore(
                unit_id=pk,
                name=row.name,
                kind=row.kind,
                kind_label=row.kind_label,
                months=len(totals.get(pk, [])),
                own_average=q1(own),
                paired_average=q1(paired),
                score=score,
                grade=grade,
                vetoed=vetoed,
                veto_reason=vetoes.get(pk, ""),
                eligible=not vetoed and grade in ("优秀", "良好"),
            )
        )
    order = {kind: i for i, kind in enumerate(RANKED_KINDS)}
    results.sort(key=lambda r: (order[r.kind], -(r.score or 0), r.name))
    return results
