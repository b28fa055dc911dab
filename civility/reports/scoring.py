"""考评 v2 — the one module that scores and ranks units for a month (SPEC §6).

Principles: a unit that was not assessed gets no score; scores are rates; a month's figures are
final once it has ended (everything is counted as of the month's end, and published months are
read from their snapshots, see ``civility.reports.annual``); every number comes with the counts
behind it (``civility.reports.counts`` counts them).

- Site visit 得分率: saved on each SiteVisit when the inspection is submitted
  (``civility.supervision.inspections.visits``): 100 × Σ points passed / Σ points applicable of
  the site type's checklist, or max(0, 100 − Σ deductions) without a checklist.
- Field score 现场分 (streets, communities): mean 得分率 of the month's visits in the unit's
  area (a street's area includes its communities' sites).
- Rectification score 整改分, over the problems where the unit is primary, as of the month's
  end (or now, for the running month): 按期办结率 = closed by deadline / deadline fell in the
  month and has passed; 返工率 = 退回重改 / 提交整改 in the month (0 when nothing was
  submitted); 督办率 = problems 督办 in the month / problems open at any time in the month (0
  when none); score = 100 × 按期办结率 − 20 × 返工率 − 30 × 督办率 (policy weights), floored
  at 0. Each event counts in its own month, for the unit that was primary when it happened.
- Total: 块 units 0.7 × field + 0.3 × rectification; others the rectification score. When one
  part of a 块 unit is 未考评 the total is the other part alone (``total_note`` says so). Parts
  are combined unrounded; the total is rounded once (half up, one decimal). Bands 优秀 ≥ 90,
  良好 ≥ 80, 合格 ≥ 60, else 不合格.
- 未考评: fewer than 3 visits (块) → no field part; fewer than 3 problems due → no
  rectification part; no part → 未考评: no total, band or rank, never on a list by score.
- The running month is 本月至今: counts, rates and parts so far, no band, rank or lists.
- Ranks within each kind among assessed units; ties share a rank (1, 1, 3); 名次变化 only
  between two months in which the unit was assessed.
- 红榜: top 3 assessed units of a kind with total ≥ 90, plus units praised in the month's
  commentary (assessed or not). 黑榜: assessed units with total < 75, the last of a kind with at
  least 5 assessed units when below 90, plus units criticised in the month's commentary. A unit
  on the 黑榜 is not on the 红榜, nor is a unit made ineligible that year — a veto or a
  取消评先评优资格 (``civility.reports.eligibility``) — from the moment it was decided (a month
  that had ended before keeps its lists). Every entry carries a one-line reason.
- 同奖同罚: entries of streets and communities name their paired departments and linked
  leaders; ``partner_listings`` gives the partners' view.

``scores_for_months`` scores any number of months in one pass: a fixed number of queries
whatever the number of months, problems and visits. ``monthly_scores`` is one month of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from civility.core.periods import MONTH, Period
from civility.org.models import Linkage, Unit
from civility.reports import counts as counting
from civility.reports import eligibility, facts
from civility.reports.counts import HUNDRED, percent, q1
from civility.reports.models import ScoringPolicy
from civility.supervision.commentary.models import CommentaryReceipt

__all__ = ["HUNDRED", "percent", "q1"]  # re-exported: callers round with scoring.q1

AREA_KINDS = (Unit.Kind.STREET, Unit.Kind.COMMUNITY)
RANKED_KINDS = (
    Unit.Kind.STREET,
    Unit.Kind.COMMUNITY,
    Unit.Kind.DEPARTMENT,
    Unit.Kind.STATIONED,
    Unit.Kind.OTHER,
)
NOT_ASSESSED = "未考评"


@dataclass
class UnitScore:
    unit_id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    is_committee_member: bool
    # field part (块 units)
    visits: int = 0
    items_failed: int = 0
    field_raw: Decimal | None = None
    # rectification counts and rates
    due: int = 0
    on_time: int = 0
    submitted: int = 0
    returned: int = 0
    escalated: int = 0
    open: int = 0
    rectification_raw: Decimal | None = None
    # total
    total: Decimal | None = None
    total_note: str = ""
    band: str = ""
    rank: int | None = None
    rank_change: int | None = None
    ineligible: str = ""  # why the unit may not be on the 红榜 (veto, 取消评先评优资格)
    praised: list[str] = field(default_factory=list)
    criticised: list[str] = field(default_factory=list)
    red_reasons: list[str] = field(default_factory=list)
    black_reasons: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)

    @property
    def is_area(self) -> bool:
        return self.kind in AREA_KINDS

    @property
    def field_score(self) -> Decimal | None:
        return q1(self.field_raw)

    @property
    def rectification(self) -> Decimal | None:
        return q1(self.rectification_raw)

    @property
    def assessed(self) -> bool:
        return self.total is not None

    @property
    def on_time_rate(self) -> Decimal | None:
        return Decimal(self.on_time) / self.due if self.due else None

    @property
    def rework_rate(self) -> Decimal:
        return Decimal(self.returned) / self.submitted if self.submitted else Decimal(0)

    @property
    def escalation_rate(self) -> Decimal:
        return Decimal(self.escalated) / self.open if self.open else Decimal(0)

    @property
    def on_red_list(self) -> bool:
        return bool(self.red_reasons)

    @property
    def on_black_list(self) -> bool:
        return bool(self.black_reasons)

    def score_reason(self) -> str:
        """ "总分72.4，按期办结率61%，返工率18%" — the line a list entry by score carries."""
        parts = [f"总分{self.total}"]
        if self.field_raw is not None:
            parts.append(f"现场分{self.field_score}")
        if self.rectification_raw is not None:
            parts.append(f"按期办结率{percent(self.on_time_rate)}")
            parts.append(f"返工率{percent(self.rework_rate)}")
            if self.escalated:
                parts.append(f"督办率{percent(self.escalation_rate)}")
        return "，".join(parts)


@dataclass
class MonthlyScores:
    year: int
    month: int
    policy: ScoringPolicy
    units: list[UnitScore]
    running: bool = False
    as_of: datetime | None = None

    def of_kind(self, kind: str) -> list[UnitScore]:
        """Assessed units of ``kind``, best first (the running month: by total, no ranks)."""
        return sorted(
            (u for u in self.units if u.kind == kind and u.assessed),
            key=lambda u: (u.rank or 0, -u.total, u.name),
        )

    def unassessed(self, kind: str) -> list[UnitScore]:
        return [u for u in self.units if u.kind == kind and not u.assessed]

    @property
    def kinds(self) -> list[tuple[str, str, list[UnitScore]]]:
        """(kind, label, assessed units) for every kind that has units."""
        result = []
        for kind in RANKED_KINDS:
            if any(u.kind == kind for u in self.units):
                result.append((kind, Unit.Kind(kind).label, self.of_kind(kind)))
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


# --- rules -------------------------------------------------------------------------------------


def policies(headquarters, years: Iterable[int]) -> dict[int, ScoringPolicy]:
    """Each year's policy, the defaults (unsaved) where none was set (one query)."""
    years = set(years)
    saved = {
        p.year: p for p in ScoringPolicy.objects.filter(headquarters=headquarters, year__in=years)
    }
    return {y: saved.get(y) or ScoringPolicy(headquarters=headquarters, year=y) for y in years}


def rectification_score(policy: ScoringPolicy, counts: dict) -> Decimal | None:
    """100 × 按期办结率 − 20 × 返工率 − 30 × 督办率, floored at 0 (unrounded); None (未考评)
    with fewer problems due than the policy's minimum."""
    if counts["due"] < policy.min_problems_due or not counts["due"]:
        return None
    on_time = Decimal(counts["on_time"]) / counts["due"]
    rework = Decimal(counts["returned"]) / counts["submitted"] if counts["submitted"] else 0
    escalation = Decimal(counts["escalated"]) / counts["open"] if counts["open"] else 0
    raw = (
        policy.on_time_weight * on_time
        - policy.rework_weight * rework
        - policy.escalation_weight * escalation
    )
    return max(Decimal(0), raw)


def _total(policy: ScoringPolicy, row: UnitScore) -> None:
    """The unit's total from its parts, rounded once; a 块 unit with one part 未考评 has the
    other part alone, and says so."""
    if not row.is_area:
        row.total = q1(row.rectification_raw)
    elif row.field_raw is not None and row.rectification_raw is not None:
        row.total = q1(
            policy.field_weight * row.field_raw
            + policy.rectification_weight * row.rectification_raw
        )
    elif row.field_raw is not None:
        row.total, row.total_note = q1(row.field_raw), "整改分未考评，总分为现场分"
    elif row.rectification_raw is not None:
        row.total, row.total_note = q1(row.rectification_raw), "现场分未考评，总分为整改分"


# --- lists and partners --------------------------------------------------------------------------


def _commentary(headquarters, periods: list[Period]) -> dict[Period, dict[int, dict]]:
    """{month: {unit id: {tone: ["title（3月18日）", …]}}} of the months' commentary."""
    result: dict[Period, dict[int, dict[str, list[str]]]] = {p: {} for p in periods}
    if not periods:
        return result
    rows = (
        CommentaryReceipt.objects.filter(
            commentary__headquarters=headquarters,
            commentary__date__gte=min(p.first for p in periods),
            commentary__date__lte=max(p.last for p in periods),
        )
        .values_list("unit_id", "commentary__tone", "commentary__title", "commentary__date")
        .order_by("commentary__date", "commentary_id")
    )
    for unit_id, tone, title, day in rows:
        units = result.get(Period.of(day, MONTH))
        if units is not None:
            label = f"{title}（{day.month}月{day.day}日）"
            units.setdefault(unit_id, {}).setdefault(tone, []).append(label)
    return result


def _linkages(headquarters) -> list[Linkage]:
    return list(
        Linkage.objects.filter(
            headquarters=headquarters,
            kind__in=[Linkage.Kind.PAIRING, Linkage.Kind.LEADER_CONTACT],
        )
        .select_related("leader", "department")
        .order_by("kind", "id")
    )


def partners_by_unit(links: list[Linkage], on: date) -> dict[int, list[str]]:
    """同奖同罚 partners of each area unit on a day: paired departments and linked leaders."""
    partners: dict[int, list[str]] = {}
    for link in links:
        if link.start_date > on or (link.end_date is not None and link.end_date < on):
            continue
        label = (
            f"结对：{link.department.name}"
            if link.kind == Linkage.Kind.PAIRING
            else f"挂钩：{link.leader.name}"
        )
        partners.setdefault(link.target_id, []).append(label)
    return partners


def _rank(rows: list[UnitScore]) -> None:
    """Competition ranking (1, 1, 3) by total among assessed units, highest first."""
    ordered = sorted((u for u in rows if u.assessed), key=lambda u: (-u.total, u.name))
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row.total != previous:
            rank, previous = position, row.total
        row.rank = rank


def _lists(policy: ScoringPolicy, units: list[UnitScore]) -> None:
    for kind in RANKED_KINDS:
        assessed = sorted(
            (u for u in units if u.kind == kind and u.assessed), key=lambda u: (u.rank, u.name)
        )
        for row in assessed[: policy.red_list_size]:
            if row.total >= policy.red_list_min:
                row.red_reasons.append(f"{row.score_reason()}，{row.kind_label}第{row.rank}名")
        worst = assessed[-1].rank if assessed else None
        last_counts = len(assessed) >= policy.black_list_last_min_units
        for row in assessed:
            if row.total < policy.black_list_below:
                row.black_reasons.append(row.score_reason())
            elif last_counts and row.rank == worst and row.total < policy.black_list_last_below:
                row.black_reasons.append(f"{row.kind_label}末位，{row.score_reason()}")
    for row in units:
        row.red_reasons += [f"点评表扬：{label}" for label in row.praised]
        row.black_reasons += [f"点评批评：{label}" for label in row.criticised]
        if row.black_reasons or row.ineligible:
            row.red_reasons.clear()


# --- the months --------------------------------------------------------------------------------


def scores_for_months(
    headquarters,
    periods: Iterable[Period],
    *,
    now: datetime | None = None,
    kinds: Iterable[str] = RANKED_KINDS,
) -> dict[Period, MonthlyScores]:
    """Score every active unit of ``headquarters`` for each month of ``periods`` (months not
    after the running one), each as of its end (or now, for the running month: 本月至今, no
    bands, ranks or lists). Eleven queries whatever the number of months, problems and visits.
    ``kinds``: only units of these kinds are scored (ranks and lists are within a kind, so
    their rows are the same; the counts, and the facts stored, are every unit's)."""
    now = now or timezone.now()
    periods = sorted(set(periods))
    if not periods:
        return {}
    if any(p.kind != MONTH for p in periods):
        raise ValueError("scores are kept for months")
    rules = policies(headquarters, {p.year for p in periods})
    unit_rows = list(
        Unit.objects.filter(headquarters=headquarters, active=True, kind__in=RANKED_KINDS).order_by(
            "kind", "order", "id"
        )
    )
    names = {u.name: u.pk for u in unit_rows}
    kinds = set(kinds)
    scored = [u for u in unit_rows if u.kind in kinds]
    # Ended months from the stored facts (built once, as of their end); the running one live.
    # The stored months of the units scored alone (a page of streets needs no department's).
    only = None if len(scored) == len(unit_rows) else [u.pk for u in scored]
    fields, rectification = facts.month_counts(
        headquarters, periods, now=now, units=names, only=only
    )
    remarks = _commentary(headquarters, periods)
    links = _linkages(headquarters)
    decisions = eligibility.decisions(headquarters, {p.year for p in periods})
    result = {}
    for period in periods:
        until = counting.cutoff(period, now)
        # A veto or 取消评先评优资格 keeps the unit off the 红榜 from the moment it was decided.
        ineligible = eligibility.in_effect(decisions, period.year, until)
        result[period] = _score_month(
            rules[period.year],
            period,
            scored,
            fields=fields[period],
            rectification=rectification[period],
            remarks=remarks[period],
            partners=partners_by_unit(links, period.last),
            ineligible=ineligible,
            running=counting.is_running(period, now),
            as_of=until,
        )
    return result


def _score_month(policy, period, unit_rows, *, fields, rectification, remarks, partners, ineligible,
                 running, as_of) -> MonthlyScores:  # fmt: skip
    units: list[UnitScore] = []
    kind_labels = {kind: str(label) for kind, label in Unit.Kind.choices}  # once, not per unit
    empty = counting.empty_counts()
    for unit in unit_rows:  # thousands of rows for a year of a city: attributes read once
        pk, kind = unit.pk, unit.kind
        counts = rectification.get(pk) or empty  # read only
        row = UnitScore(
            unit_id=pk,
            name=unit.name,
            kind=kind,
            kind_label=kind_labels.get(kind, kind),
            parent_id=unit.parent_id,
            is_committee_member=unit.is_committee_member,
            ineligible=ineligible[pk].reason if pk in ineligible else "",
            **counts,
        )
        row.rectification_raw = rectification_score(policy, counts)
        if kind in Unit.AREA_KINDS:  # unit.is_area
            row.partners = partners.get(pk, [])
            visits = fields.get(pk)
            if visits:
                row.visits, row.items_failed = visits["visits"], visits["items_failed"]
                if row.visits >= policy.min_site_visits:
                    row.field_raw = visits["mean"]
        _total(policy, row)
        tones = remarks.get(pk, {})
        row.praised, row.criticised = tones.get("praise", []), tones.get("criticism", [])
        units.append(row)
    if not running:
        for row in units:
            row.band = policy.band(row.total)
        for kind in RANKED_KINDS:
            _rank([u for u in units if u.kind == kind])
        _lists(policy, units)
    return MonthlyScores(
        year=period.year,
        month=period.number,
        policy=policy,
        units=units,
        running=running,
        as_of=as_of,
    )


def monthly_scores(
    headquarters, year: int, month: int, *, now: datetime | None = None, compare: bool = True
) -> MonthlyScores:
    """One month of ``scores_for_months``; ``compare`` adds 名次变化 against the previous month
    (scored in the same pass)."""
    period = Period.month(year, month)
    before = period.previous()
    months = scores_for_months(headquarters, [before, period] if compare else [period], now=now)
    scores = months[period]
    if compare:
        compare_ranks(scores, months[before])
    return scores


def compare_ranks(scores: MonthlyScores, before: MonthlyScores) -> None:
    """名次变化 of each unit ranked in both months (positive: it moved up)."""
    previous = before.by_unit()
    for row in scores.units:
        old = previous.get(row.unit_id)
        if row.rank and old is not None and old.rank:
            row.rank_change = old.rank - row.rank


def partner_listings(unit: Unit, period: tuple[int, int], *, now=None) -> list[dict]:
    """The partners' view of 同奖同罚 for one month: the streets and communities ``unit`` (a
    department) is paired with that were on the 红榜 or 黑榜, each with its reasons."""
    year, month = period
    last = Period.month(year, month).last
    targets = set(
        Linkage.objects.filter(department=unit, kind=Linkage.Kind.PAIRING, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=last))
        .values_list("target_id", flat=True)
    )
    if not targets:
        return []
    scores = monthly_scores(unit.headquarters, year, month, now=now, compare=False)
    result = []
    for row in scores.units:
        if row.unit_id not in targets:
            continue
        for label, reasons in (("红榜", row.red_reasons), ("黑榜", row.black_reasons)):
            if reasons:
                result.append(
                    {"unit": row.name, "unit_id": row.unit_id, "list": label, "reasons": reasons}
                )
    return result
