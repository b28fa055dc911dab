"""考评 v2 — the one module that scores and ranks units (SPEC §6), rules in the SPEC's order.

Principles: a unit that was not assessed gets no score; scores are rates; a month's figures are
final once it has ended (everything is counted as of the month's end, and published months are
read from their snapshots); every number comes with the counts behind it.

- Site visit 得分率: saved on each SiteVisit when the inspection is submitted
  (``civility.supervision.inspections.visits``): 100 × Σ points passed / Σ points applicable of the site
  type's checklist, or max(0, 100 − Σ deductions) without a checklist. A visit counts in the
  month of its inspection's date if the inspection was submitted before the month's end.
- Field score 现场分 (streets, communities): mean 得分率 of the month's visits in the unit's
  area (a street's area includes its communities' sites). Also per site type
  (``field_by_site_type``) and per indicator (``items_by_indicator``).
- Rectification score 整改分, over the problems where the unit is primary, as of the month's
  end (or now, for the running month):
  按期办结率 = closed by deadline / deadline fell in the month and has passed;
  返工率 = 退回重改 in the month / 提交整改 in the month (0 when nothing was submitted);
  督办率 = problems 督办 in the month / problems open at any time in the month (0 when none);
  score = 100 × 按期办结率 − 20 × 返工率 − 30 × 督办率 (policy weights), floored at 0.
  Each event counts in its own month, for the unit that was primary when it happened. Unit and
  deadline changes (改派, 批准延期) are replayed from ProblemEvent rows, so nothing after the
  month's end moves it.
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
  on the 黑榜, or with a veto of that year, is not on the 红榜 (published months stay frozen).
  Every entry carries a one-line reason.
- 同奖同罚: entries of streets and communities name their paired departments and linked leaders;
  ``partner_listings`` gives the partners' view; in the annual assessment a department scores
  0.8 × its own + 0.2 × its paired communities' average.
- Annual assessment of the 文明委成员单位: published months from their snapshots, unpublished
  ended months live (marked 未通报); 0.7 × mean of the assessed months' totals + 0.3 × 责任分解
  completion (assignments due that year, by today, done by their due date); with no assignment
  due the monthly part alone; with fewer than 3 assessed months the completion part alone;
  with neither 未考评. 计分月数 counts assessed months only. 一票否决 makes the grade 不合格;
  eligible (评先评优) means no veto and a grade of 优秀 or 良好.

Every function runs a fixed number of queries whatever the number of problems and visits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from civility.core.periods import Period
from civility.org.models import Assignment, Linkage, Unit
from civility.reports.models import Report, ScoringPolicy, Veto
from civility.supervision.commentary.models import CommentaryReceipt
from civility.supervision.inspections.models import Inspection
from civility.supervision.inspections.visits import SiteVisit, SiteVisitItem
from civility.supervision.problems.models import Problem, ProblemEvent

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
NOT_ASSESSED = "未考评"
# Workflow actions (civility.supervision.workflow.Action values) the rules read from events.
ASSIGN, REASSIGN, EXTEND = "assign", "reassign", "approve_extension"
SUBMIT, RETURN, ESCALATE, APPROVE = "submit", "return", "escalate", "approve"
CHANGING = (REASSIGN, EXTEND)


def q1(value) -> Decimal | None:
    """Round half up to one decimal place, as score tables print them."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def percent(rate: Decimal | None) -> str:
    """A rate (0–1) as a whole percentage, half up: "61%"."""
    if rate is None:
        return "—"
    return f"{(rate * HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def _previous(year: int, month: int) -> tuple[int, int]:
    before = Period.month(year, month).previous()
    return before.year, before.number


def _cutoff(year: int, month: int, now: datetime | None) -> tuple[datetime, bool]:
    """The instant the month is counted up to, and whether the month is still running."""
    now = now or timezone.now()
    end = Period.month(year, month).end
    return (now, True) if now < end else (end, False)


# --- results ------------------------------------------------------------------------------------


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
    vetoed: bool = False
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


# --- field ---------------------------------------------------------------------------------------


def month_visits(headquarters, year: int, month: int, *, now: datetime | None = None):
    """The month's scored site visits (a queryset): inspection dated in the month and submitted
    before the month's end (or now, for the running month)."""
    period = Period.month(year, month)
    first, last = period.first, period.last
    cutoff, _ = _cutoff(year, month, now)
    return SiteVisit.objects.filter(
        inspection__headquarters=headquarters,
        inspection__status=Inspection.Status.SUBMITTED,
        inspection__submitted_at__lt=cutoff,
        inspection__date__gte=first,
        inspection__date__lte=last,
        score_rate__isnull=False,
    )


def _area(visits, unit: Unit | None):
    if unit is None:
        return visits
    key = "site__street" if unit.kind == Unit.Kind.STREET else "site__community"
    return visits.filter(**{key: unit.pk})


def field_counts(headquarters, year: int, month: int, *, now=None) -> dict[int, dict]:
    """{area unit id: {"visits", "mean" (unrounded), "items_failed"}} (two queries)."""
    visits = month_visits(headquarters, year, month, now=now)
    result: dict[int, dict] = {}
    for key in ("site__street", "site__community"):
        rows = (
            visits.exclude(**{f"{key}__isnull": True})
            .values(key)
            .annotate(n=Count("id"), mean=Avg("score_rate"), failed=Sum("items_failed"))
            .order_by()
        )
        for row in rows:
            result[row[key]] = {
                "visits": row["n"],
                "mean": Decimal(str(row["mean"])),
                "items_failed": row["failed"] or 0,
            }
    return result


def field_by_site_type(headquarters, year: int, month: int, unit=None, *, now=None) -> list[dict]:
    """Mean 得分率 per site type: [{"site_type", "name", "visits", "score"}], worst first."""
    rows = (
        _area(month_visits(headquarters, year, month, now=now), unit)
        .values("site__type", "site__type__name")
        .annotate(n=Count("id"), mean=Avg("score_rate"))
        .order_by()
    )
    result = [
        {
            "site_type": row["site__type"],
            "name": row["site__type__name"],
            "visits": row["n"],
            "score": q1(row["mean"]),
        }
        for row in rows
    ]
    return sorted(result, key=lambda r: (r["score"], r["name"]))


def items_by_indicator(headquarters, year: int, month: int, unit=None, *, now=None) -> list[dict]:
    """Checklist results per Ⅲ indicator: [{"indicator", "code", "name", "checked", "failed",
    "failure_rate"}], most failed first — which 测评 items fail most."""
    visits = _area(month_visits(headquarters, year, month, now=now), unit)
    rows = (
        SiteVisitItem.objects.filter(visit__in=visits)
        .exclude(result=SiteVisitItem.Result.NA)
        .values("item__indicator", "item__indicator__code", "item__indicator__name")
        .annotate(
            checked=Count("id"), failed=Count("id", filter=Q(result=SiteVisitItem.Result.FAIL))
        )
        .order_by()
    )
    result = [
        {
            "indicator": row["item__indicator"],
            "code": row["item__indicator__code"],
            "name": row["item__indicator__name"],
            "checked": row["checked"],
            "failed": row["failed"],
            "failure_rate": q1(HUNDRED * row["failed"] / row["checked"]),
        }
        for row in rows
    ]
    return sorted(result, key=lambda r: (-r["failed"], r["code"]))


# --- rectification ---------------------------------------------------------------------------


def _empty_counts() -> dict:
    return {"due": 0, "on_time": 0, "submitted": 0, "returned": 0, "escalated": 0, "open": 0}


def rectification_counts(
    headquarters, year: int, month: int, *, now=None, units: dict[str, int] | None = None
) -> dict[int, dict]:
    """{unit id: {"due", "on_time", "submitted", "returned", "escalated", "open"}} as of the
    month's end (or now). Five queries whatever the number of problems: problems whose unit and
    deadline never changed after 交办 are counted in the database; the few that were 改派 or
    got an extension are replayed from their events. ``units`` maps unit names to ids (events
    name the unit); it is loaded when not given."""
    start = Period.month(year, month).start
    cutoff, _ = _cutoff(year, month, now)
    changed = ProblemEvent.objects.filter(problem=OuterRef("pk"), action__in=CHANGING)
    problems = Problem.objects.filter(headquarters=headquarters, primary_unit__isnull=False)
    stable = problems.exclude(Exists(changed))
    counts: dict[int, dict] = {}

    due = Q(deadline__gte=start, deadline__lt=cutoff)
    for row in (
        stable.filter(due)
        .values("primary_unit")
        .annotate(
            due=Count("id"),
            on_time=Count(
                "id", filter=Q(status=Problem.Status.CLOSED, closed_at__lte=F("deadline"))
            ),
        )
        .order_by()
    ):
        counts.setdefault(row["primary_unit"], _empty_counts()).update(
            due=row["due"], on_time=row["on_time"]
        )
    open_rows = (
        stable.filter(assigned_at__lt=cutoff)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .values("primary_unit")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in open_rows:
        counts.setdefault(row["primary_unit"], _empty_counts())["open"] = row["n"]
    event_rows = (
        ProblemEvent.objects.filter(
            problem__headquarters=headquarters,
            at__gte=start,
            at__lt=cutoff,
            action__in=(SUBMIT, RETURN, ESCALATE),
            problem__primary_unit__isnull=False,
        )
        .exclude(
            Exists(ProblemEvent.objects.filter(problem=OuterRef("problem"), action__in=CHANGING))
        )
        .values("problem__primary_unit")
        .annotate(
            submitted=Count("id", filter=Q(action=SUBMIT)),
            returned=Count("id", filter=Q(action=RETURN)),
            escalated=Count("problem", filter=Q(action=ESCALATE), distinct=True),
        )
        .order_by()
    )
    for row in event_rows:
        counts.setdefault(row["problem__primary_unit"], _empty_counts()).update(
            submitted=row["submitted"], returned=row["returned"], escalated=row["escalated"]
        )
    _replay_changed(headquarters, start, cutoff, counts, units)
    return counts


def _replay_changed(headquarters, start, cutoff, counts: dict[int, dict], units) -> None:
    """Count the problems that were 改派 or extended by replaying their events up to ``cutoff``."""
    events = (
        ProblemEvent.objects.filter(
            problem__headquarters=headquarters,
            at__lt=cutoff,
            action__in=(ASSIGN, REASSIGN, EXTEND, SUBMIT, RETURN, ESCALATE, APPROVE),
        )
        .filter(
            Exists(ProblemEvent.objects.filter(problem=OuterRef("problem"), action__in=CHANGING))
        )
        .values_list("problem_id", "action", "at", "data")
        .order_by("problem_id", "at", "id")
    )
    by_problem: dict[int, list] = {}
    for problem_id, action, at, data in events:
        by_problem.setdefault(problem_id, []).append((action, at, data or {}))
    if not by_problem:
        return
    if units is None:
        units = dict(Unit.objects.filter(headquarters=headquarters).values_list("name", "pk"))
    for trail in by_problem.values():
        unit = deadline = closed_at = None
        held: list[tuple[int, datetime]] = []  # (unit, since) each time it changed hands
        escalated: set[int] = set()
        for action, at, data in trail:
            if action in (ASSIGN, REASSIGN):
                unit = units.get(data.get("unit"))
                held.append((unit, at))
            if "deadline" in data and action in (ASSIGN, REASSIGN, EXTEND):
                deadline = datetime.fromisoformat(data["deadline"])
            if action == APPROVE:
                closed_at = at
            if unit is None or at < start or action not in (SUBMIT, RETURN, ESCALATE):
                continue
            row = counts.setdefault(unit, _empty_counts())
            if action == SUBMIT:
                row["submitted"] += 1
            elif action == RETURN:
                row["returned"] += 1
            elif unit not in escalated:
                escalated.add(unit)
                row["escalated"] += 1
        if unit is not None and deadline is not None and start <= deadline < cutoff:
            row = counts.setdefault(unit, _empty_counts())
            row["due"] += 1
            if closed_at is not None and closed_at <= deadline:
                row["on_time"] += 1
        # Open at any time in the month: every unit that held it while open in the month.
        holders = set()
        for i, (holder, since) in enumerate(held):
            until = held[i + 1][1] if i + 1 < len(held) else closed_at
            if holder is not None and since < cutoff and (until is None or until >= start):
                holders.add(holder)
        for holder in holders:
            counts.setdefault(holder, _empty_counts())["open"] += 1


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


# --- lists and partners --------------------------------------------------------------------------


def _commentary(headquarters, first: date, last: date) -> dict[int, dict[str, list[str]]]:
    """{unit id: {tone: ["title（3月18日）", …]}} for the month's commentary."""
    rows = (
        CommentaryReceipt.objects.filter(
            commentary__headquarters=headquarters,
            commentary__date__gte=first,
            commentary__date__lte=last,
        )
        .values_list("unit_id", "commentary__tone", "commentary__title", "commentary__date")
        .order_by("commentary__date", "commentary_id")
    )
    result: dict[int, dict[str, list[str]]] = {}
    for unit_id, tone, title, day in rows:
        label = f"{title}（{day.month}月{day.day}日）"
        result.setdefault(unit_id, {}).setdefault(tone, []).append(label)
    return result


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
        if row.black_reasons or row.vetoed:
            row.red_reasons.clear()


# --- the month ---------------------------------------------------------------------------------


def monthly_scores(
    headquarters, year: int, month: int, *, now: datetime | None = None, compare: bool = True
) -> MonthlyScores:
    """Score every active unit of ``headquarters`` for one month, as of its end (or now, for the
    running month: 本月至今, no bands, ranks or lists). ``compare`` adds 名次变化 against the
    previous month."""
    now = now or timezone.now()
    policy = ScoringPolicy.for_year(headquarters, year)
    period = Period.month(year, month)
    first, last = period.first, period.last
    cutoff, running = _cutoff(year, month, now)
    unit_rows = list(
        Unit.objects.filter(headquarters=headquarters, active=True).order_by("kind", "order", "id")
    )
    names = {u.name: u.pk for u in unit_rows}
    fields = field_counts(headquarters, year, month, now=now)
    rectification = rectification_counts(headquarters, year, month, now=now, units=names)
    remarks = _commentary(headquarters, first, last)
    partners = partners_by_unit(headquarters, last)
    # A veto keeps the unit off the 红榜 of the whole year (published months stay as published).
    vetoed = set(
        Veto.objects.filter(headquarters=headquarters, year=year).values_list("unit_id", flat=True)
    )

    units: list[UnitScore] = []
    for unit in unit_rows:
        row = UnitScore(
            unit_id=unit.pk,
            name=unit.name,
            kind=unit.kind,
            kind_label=unit.get_kind_display(),
            parent_id=unit.parent_id,
            is_committee_member=unit.is_committee_member,
            vetoed=unit.pk in vetoed,
        )
        counts = rectification.get(unit.pk, _empty_counts())
        for key, value in counts.items():
            setattr(row, key, value)
        row.rectification_raw = rectification_score(policy, counts)
        if unit.is_area:
            row.partners = partners.get(unit.pk, [])
            visits = fields.get(unit.pk)
            if visits:
                row.visits, row.items_failed = visits["visits"], visits["items_failed"]
                if row.visits >= policy.min_site_visits:
                    row.field_raw = visits["mean"]
            if row.field_raw is not None and row.rectification_raw is not None:
                row.total = q1(
                    policy.field_weight * row.field_raw
                    + policy.rectification_weight * row.rectification_raw
                )
            elif row.field_raw is not None:
                row.total, row.total_note = q1(row.field_raw), "整改分未考评，总分为现场分"
            elif row.rectification_raw is not None:
                row.total, row.total_note = (
                    q1(row.rectification_raw),
                    "现场分未考评，总分为整改分",
                )
        else:
            row.total = q1(row.rectification_raw)
        tones = remarks.get(unit.pk, {})
        row.praised, row.criticised = tones.get("praise", []), tones.get("criticism", [])
        units.append(row)

    if not running:
        for row in units:
            row.band = policy.band(row.total)
        for kind in RANKED_KINDS:
            _rank([u for u in units if u.kind == kind])
        _lists(policy, units)
        if compare:
            before = monthly_scores(headquarters, *_previous(year, month), now=now, compare=False)
            previous = before.by_unit()
            for row in units:
                old = previous.get(row.unit_id)
                if row.rank and old is not None and old.rank:
                    row.rank_change = old.rank - row.rank
    return MonthlyScores(
        year=year, month=month, policy=policy, units=units, running=running, as_of=cutoff
    )


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


# --- the year ----------------------------------------------------------------------------------


@dataclass
class MonthTotal:
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

    @property
    def assessed(self) -> bool:
        return self.score is not None

    @property
    def completion(self) -> Decimal | None:
        if not self.assignments_due:
            return None
        return q1(HUNDRED * self.assignments_done / self.assignments_due)

    @property
    def own_average(self) -> Decimal | None:  # the v1 name, kept for templates and exports
        return self.monthly_average


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


def _published_months(headquarters, year: int) -> dict[int, dict]:
    """{month: snapshot data} of the year's published monthly bulletins (one query)."""
    reports = Report.objects.filter(
        headquarters=headquarters,
        kind=Report.Kind.MONTHLY,
        status=Report.Status.PUBLISHED,
        period__startswith=f"{year}-",
    ).values_list("period", "snapshot")
    result = {}
    for period, snapshot in reports:
        result[int(period[5:7])] = (snapshot or {}).get("data", {})
    return result


def _snapshot_totals(data: dict, names: dict[str, int]) -> dict[int, Decimal]:
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
    policy = ScoringPolicy.for_year(headquarters, year)
    months = ended_months(year, today)
    if through_month is not None:
        months = [m for m in months if m <= through_month]
    unit_rows = list(
        Unit.objects.filter(headquarters=headquarters, active=True).order_by("kind", "order", "id")
    )
    names = {u.name: u.pk for u in unit_rows}
    published = _published_months(headquarters, year)
    per_unit: dict[int, list[MonthTotal]] = {u.pk: [] for u in unit_rows}
    for month in months:
        if month in published:
            totals = _snapshot_totals(published[month], names)
        else:
            scores = monthly_scores(headquarters, year, month, now=now, compare=False)
            totals = {u.unit_id: u.total for u in scores.units if u.assessed}
        for pk, total in totals.items():
            if pk in per_unit:
                per_unit[pk].append(MonthTotal(month, total, month in published))

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
    vetoes = dict(
        Veto.objects.filter(headquarters=headquarters, year=year).values_list("unit_id", "reason")
    )
    pairings: dict[int, list[int]] = {}
    for dept_id, target_id in Linkage.objects.filter(
        headquarters=headquarters, kind=Linkage.Kind.PAIRING
    ).values_list("department_id", "target_id"):
        pairings.setdefault(dept_id, []).append(target_id)

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
                eligible=not vetoed and grade in ("优秀", "良好"),
                note=note,
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
