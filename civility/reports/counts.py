"""The counts behind every score (SPEC §6), read for several months in one pass.

``civility.reports.scoring`` turns these counts into scores; this module only counts, as of each
month's end (or now, for the running month), so that nothing that happens after a month has
ended moves its figures:

- field: the month's scored site visits per area unit (a street's area includes its
  communities' sites): how many, their mean 得分率 (unrounded) and the items they failed. A visit
  counts in the month of its inspection's date when the inspection was submitted before the
  month's end.
- rectification, over the problems where the unit is primary: problems due (deadline in the
  month and passed) and closed by their deadline, 提交整改 and 退回重改 in the month, problems
  督办 in the month, and problems open at any time in the month. Problems whose unit and deadline
  never changed after 交办 are read as rows; the few that were 改派 or got an extension are
  replayed from their events, each month up to its own end.

Every function runs a fixed number of queries whatever the number of months, problems and
visits (it reads a row per visit or problem concerned, which it counts in Python).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Case, Count, Exists, F, OuterRef, Q, When
from django.utils import timezone

from civility.core.periods import Period
from civility.org.models import Unit
from civility.supervision.inspections.models import Inspection
from civility.supervision.inspections.visits import SiteVisit, SiteVisitItem
from civility.supervision.problems.models import Problem, ProblemEvent

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")
# Workflow actions (civility.supervision.problems.workflow.Action values) read from events.
ASSIGN, REASSIGN, EXTEND = "assign", "reassign", "approve_extension"
SUBMIT, RETURN, ESCALATE, APPROVE = "submit", "return", "escalate", "approve"
CHANGING = (REASSIGN, EXTEND)
RECTIFICATION_KEYS = ("due", "on_time", "submitted", "returned", "escalated", "open")
# The most problem ids passed as one list of query parameters (SQLite allows 32766).
MAX_LISTED = 10_000


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


def cutoff(period: Period, now: datetime) -> datetime:
    """The instant ``period`` is counted up to: its end, or now while it runs."""
    return min(period.end, now)


def is_running(period: Period, now: datetime) -> bool:
    return now < period.end


def empty_counts() -> dict:
    return dict.fromkeys(RECTIFICATION_KEYS, 0)


def _span(periods: Iterable[Period], now: datetime) -> tuple[datetime, datetime]:
    """[earliest start, latest cutoff) covering ``periods``."""
    periods = list(periods)
    return min(p.start for p in periods), max(cutoff(p, now) for p in periods)


class _Months:
    """The wanted months with their bounds computed once; ``of`` finds the month of an instant
    (when the instant is before that month's cutoff) without converting time zones."""

    def __init__(self, wanted: dict[Period, datetime]):
        self.rows = sorted((p.start, p.end, until, p) for p, until in wanted.items())
        self.starts = [row[0] for row in self.rows]

    def of(self, moment: datetime) -> Period | None:
        i = bisect_right(self.starts, moment) - 1
        if i < 0:
            return None
        _start, end, until, period = self.rows[i]
        return period if moment < end and moment < until else None


# --- field ---------------------------------------------------------------------------------------


def month_visits(headquarters, period: Period, *, now: datetime | None = None):
    """The month's scored site visits (a queryset), for the pages' breakdowns."""
    return SiteVisit.objects.filter(
        inspection__headquarters=headquarters,
        inspection__status=Inspection.Status.SUBMITTED,
        inspection__submitted_at__lt=cutoff(period, now or timezone.now()),
        inspection__date__gte=period.first,
        inspection__date__lte=period.last,
        score_rate__isnull=False,
    )


def field_counts(
    headquarters, periods: Iterable[Period], *, now: datetime
) -> dict[Period, dict[int, dict]]:
    """{month: {area unit id: {"visits", "mean" (unrounded), "items_failed"}}} (one query)."""
    wanted = {p: cutoff(p, now) for p in periods}
    if not wanted:
        return {}
    first, last = min(p.first for p in wanted), max(p.last for p in wanted)
    rows = SiteVisit.objects.filter(
        inspection__headquarters=headquarters,
        inspection__status=Inspection.Status.SUBMITTED,
        inspection__submitted_at__lt=max(wanted.values()),
        inspection__date__gte=first,
        inspection__date__lte=last,
        score_rate__isnull=False,
    ).values_list(
        "site__street",
        "site__community",
        "inspection__date",
        "inspection__submitted_at",
        "score_rate",
        "items_failed",
    )
    sums: dict[Period, dict[int, list]] = {p: {} for p in wanted}
    by_number = {(p.year, p.number): p for p in wanted}
    for street, community, day, submitted_at, rate, failed in rows:
        period = by_number.get((day.year, day.month))
        if period is None or submitted_at >= wanted[period]:
            continue
        for unit in (street, community):
            if unit is not None:
                total = sums[period].setdefault(unit, [0, Decimal(0), 0])
                total[0] += 1
                total[1] += rate
                total[2] += failed
    return {
        period: {
            unit: {"visits": n, "mean": rates / n, "items_failed": failed}
            for unit, (n, rates, failed) in units.items()
        }
        for period, units in sums.items()
    }


def _area(visits, unit: Unit | None):
    if unit is None:
        return visits
    key = "site__street" if unit.kind == Unit.Kind.STREET else "site__community"
    return visits.filter(**{key: unit.pk})


def field_by_site_type(headquarters, period: Period, unit=None, *, now=None) -> list[dict]:
    """Mean 得分率 per site type: [{"site_type", "name", "visits", "score"}], worst first."""
    rows = (
        _area(month_visits(headquarters, period, now=now), unit)
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


def items_by_indicator(headquarters, period: Period, unit=None, *, now=None) -> list[dict]:
    """Checklist results per Ⅲ indicator: [{"indicator", "code", "name", "checked", "failed",
    "failure_rate"}], most failed first — which 测评 items fail most."""
    visits = _area(month_visits(headquarters, period, now=now), unit)
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


def _problems(headquarters):
    """The headquarters' problems, its id compared as "+ 0": one value for a whole city, it must
    not be the index SQLite walks (every query below has a narrow indexed range of its own)."""
    return Problem.objects.alias(hq=F("headquarters_id") + 0).filter(hq=headquarters.pk)


def _events(headquarters):
    """The events of the headquarters' problems, the headquarters compared as in ``_problems``."""
    return ProblemEvent.objects.alias(hq=F("problem__headquarters_id") + 0).filter(
        hq=headquarters.pk
    )


def rectification_counts(
    headquarters,
    periods: Iterable[Period],
    *,
    now: datetime,
    units: dict[str, int] | None = None,
) -> dict[Period, dict[int, dict]]:
    """{month: {unit id: {"due", "on_time", "submitted", "returned", "escalated", "open"}}}.

    Three queries whatever the number of months and problems (four when ``units``, the unit ids
    by name that events record, is not given and some problem was 改派 or extended)."""
    wanted = {p: cutoff(p, now) for p in periods}
    counts: dict[Period, dict[int, dict]] = {p: {} for p in wanted}
    if not wanted:
        return counts
    start, until = _span(wanted, now)
    months = _Months(wanted)

    def row(period: Period, unit: int) -> dict:
        return counts[period].setdefault(unit, empty_counts())

    # One scan of the problems the months can see (still open, closed in or after them, or due
    # in them; closed problems of past years no longer cost the running month), each with
    # whether it was 改派 or extended: the others are counted from their row, those are
    # replayed from their events.
    changed = ProblemEvent.objects.filter(problem=OuterRef("pk"), action__in=CHANGING)
    # No ORDER BY: the default one (reported_at) would pick its index over the narrow ranges.
    window = (
        _problems(headquarters)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start) | Q(deadline__gte=start))
        .annotate(changed=Exists(changed))
        # Those never assigned (voided or waiting for 交办) count for nothing unless replayed.
        .filter(Q(primary_unit__isnull=False) | Q(changed=True))
        .order_by()
        .values_list(
            "pk", "primary_unit", "assigned_at", "deadline", "status", "closed_at", "changed"
        )
    )
    replayed: list[int] = []
    for pk, unit, assigned_at, deadline, status, closed_at, was_changed in window:
        if was_changed:
            replayed.append(pk)
            continue
        if unit is not None:
            count_problem(row, months, start, until, unit, assigned_at, deadline, status, closed_at)
    events = (
        _events(headquarters)
        .filter(
            problem__primary_unit__isnull=False,
            at__gte=start,
            at__lt=until,
            action__in=(SUBMIT, RETURN, ESCALATE),
        )
        .exclude(
            Exists(ProblemEvent.objects.filter(problem=OuterRef("problem"), action__in=CHANGING))
        )
        .values_list("problem__primary_unit", "problem_id", "action", "at")
        .order_by()
    )
    escalated: set[tuple[Period, int, int]] = set()
    for unit, problem_id, action, at in events:
        period = months.of(at)
        if period is not None:
            _count_event(row(period, unit), action, (period, unit, problem_id), escalated)
    _replay_changed(headquarters, months, until, row, units, replayed)
    return counts


def count_problem(row, months, start, until, unit, assigned_at, deadline, status, closed_at):
    """Count one problem never 改派 or extended, from its row, for ``unit``: due (and closed on
    time) in the month of its deadline, open in every month it was assigned and not closed."""
    if deadline is not None and start <= deadline < until:
        period = months.of(deadline)
        if period is not None:
            counts_row = row(period, unit)
            counts_row["due"] += 1
            if status == Problem.Status.CLOSED and closed_at <= deadline:
                counts_row["on_time"] += 1
    if assigned_at is None or assigned_at >= until:
        return
    if closed_at is not None and closed_at < start:
        return
    for first, _end, end, period in months.rows:
        if assigned_at < end and (closed_at is None or closed_at >= first):
            row(period, unit)["open"] += 1


def rectification_counts_aggregated(
    headquarters,
    periods: Iterable[Period],
    *,
    now: datetime,
    units: dict[str, int] | None = None,
) -> dict[Period, dict[int, dict]]:
    """What ``rectification_counts`` returns, added up by the database: a row per unit instead of
    a row per problem and per event (a city's running month sees every open problem). The
    problems never 改派 or extended are counted per unit and month in one aggregate, their
    提交整改, 退回重改 and 督办 in another; the others are replayed from their events as there,
    their ids read in the same scan. Three queries whatever the number of months and problems
    (four as there when ``units`` is not given and some problem is replayed)."""
    wanted = {p: cutoff(p, now) for p in periods}
    counts: dict[Period, dict[int, dict]] = {p: {} for p in wanted}
    if not wanted:
        return counts
    start, until = _span(wanted, now)
    months = _Months(wanted)

    def row(period: Period, unit: int) -> dict:
        return counts[period].setdefault(unit, empty_counts())

    changed = ProblemEvent.objects.filter(problem=OuterRef("pk"), action__in=CHANGING)
    window = (
        _problems(headquarters)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start) | Q(deadline__gte=start))
        .order_by()
    )
    per_month = {}
    for i, (first, end, cut, _period) in enumerate(months.rows):
        # The month of a deadline or an event: inside the month and before its cutoff.
        due = Q(deadline__gte=first, deadline__lt=min(end, cut))
        per_month[f"due{i}"] = Count("pk", filter=due)
        per_month[f"on_time{i}"] = Count(
            "pk", filter=due & Q(status=Problem.Status.CLOSED, closed_at__lte=F("deadline"))
        )
        per_month[f"open{i}"] = Count(
            "pk",
            filter=Q(assigned_at__lt=cut) & (Q(closed_at__isnull=True) | Q(closed_at__gte=first)),
        )
    # One scan: the problems never 改派 or extended added up per unit, the others one group each
    # (their id, to replay). The unit as "+ 0": grouped by its index, SQLite would walk every
    # problem in unit order.
    rows = (
        window.annotate(
            unit=F("primary_unit_id") + 0,
            replay=Case(When(Exists(changed), then="pk"), default=None),
        )
        .values("unit", "replay")
        .annotate(**per_month)
        .values_list("unit", "replay", *per_month)
    )
    replayed: list[int] = []
    for unit, replay, *values in rows:
        if replay is not None:
            replayed.append(replay)
            continue
        if unit is None:
            continue
        for i, (_first, _end, _cut, period) in enumerate(months.rows):
            due, on_time, open_ = values[3 * i : 3 * i + 3]
            if due or open_:
                counts_row = row(period, unit)
                counts_row["due"] += due
                counts_row["on_time"] += on_time
                counts_row["open"] += open_
    per_month = {}
    for i, (first, end, cut, _period) in enumerate(months.rows):
        in_month = Q(at__gte=first, at__lt=min(end, cut))
        per_month[f"submitted{i}"] = Count("id", filter=in_month & Q(action=SUBMIT))
        per_month[f"returned{i}"] = Count("id", filter=in_month & Q(action=RETURN))
        # A problem counts once a month as 督办.
        per_month[f"escalated{i}"] = Count(
            "problem_id", filter=in_month & Q(action=ESCALATE), distinct=True
        )
    events = (
        _events(headquarters)
        .filter(
            problem__primary_unit__isnull=False,
            at__gte=start,
            at__lt=until,
            action__in=(SUBMIT, RETURN, ESCALATE),
        )
        .exclude(
            Exists(ProblemEvent.objects.filter(problem=OuterRef("problem"), action__in=CHANGING))
        )
        .order_by()
        .values("problem__primary_unit")
        .annotate(**per_month)
        .values_list("problem__primary_unit", *per_month)
    )
    for unit, *values in events:
        for i, (_first, _end, _cut, period) in enumerate(months.rows):
            submitted, returned, escalated = values[3 * i : 3 * i + 3]
            if submitted or returned or escalated:
                counts_row = row(period, unit)
                counts_row["submitted"] += submitted
                counts_row["returned"] += returned
                counts_row["escalated"] += escalated
    _replay_changed(headquarters, months, until, row, units, replayed)
    return counts


def _count_event(counts_row: dict, action: str, key: tuple, escalated: set) -> None:
    """One 提交整改, 退回重改 or 督办; a problem counts once a month as 督办."""
    if action == SUBMIT:
        counts_row["submitted"] += 1
    elif action == RETURN:
        counts_row["returned"] += 1
    elif key not in escalated:
        escalated.add(key)
        counts_row["escalated"] += 1


def _replay_changed(headquarters, months: _Months, until, row, units, replayed) -> None:
    """Count the problems that were 改派 or extended (``replayed``, their ids, found by
    ``rectification_counts``' scan) by replaying their events, for each month up to its own
    cutoff: the unit that held the problem and the deadline it had then."""
    first = months.rows[0][0]
    # With none to replay the query still runs (no problem has id 0), so that the number of
    # queries stays the same whatever the problems.
    seen = replayed or [0]
    if len(replayed) > MAX_LISTED:
        # Too many ids for one parameter list: the same problems, found again in SQL.
        seen = (
            _problems(headquarters)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=first) | Q(deadline__gte=first))
            .filter(
                Exists(ProblemEvent.objects.filter(problem=OuterRef("pk"), action__in=CHANGING))
            )
            .values("pk")
        )
    events = (
        ProblemEvent.objects.filter(
            problem__in=seen,
            at__lt=until,
            action__in=(ASSIGN, REASSIGN, EXTEND, SUBMIT, RETURN, ESCALATE, APPROVE),
        )
        .values_list("problem_id", "action", "at", "data")
        .order_by("problem_id", "at", "id")
    )
    trails: dict[int, list] = {}
    for problem_id, action, at, data in events:
        trails.setdefault(problem_id, []).append((action, at, data or {}))
    if not trails:
        return
    if units is None:
        units = dict(Unit.objects.filter(headquarters=headquarters).values_list("name", "pk"))
    escalated: set[tuple] = set()
    for problem_id, trail in trails.items():
        for first, _end, end, period in months.rows:
            _replay_month(problem_id, trail, period, first, end, row, units, escalated)


def _replay_month(problem_id, trail, period, first, end, row, units, escalated) -> None:
    unit = deadline = closed_at = None
    held: list[tuple[int | None, datetime]] = []  # (unit, since) each time it changed hands
    for action, at, data in trail:
        if at >= end:
            break
        if action in (ASSIGN, REASSIGN):
            unit = units.get(data.get("unit"))
            held.append((unit, at))
        if "deadline" in data and action in (ASSIGN, REASSIGN, EXTEND):
            deadline = datetime.fromisoformat(data["deadline"])
        if action == APPROVE:
            closed_at = at
        if unit is not None and at >= first and action in (SUBMIT, RETURN, ESCALATE):
            _count_event(row(period, unit), action, (period, unit, problem_id), escalated)
    if unit is not None and deadline is not None and first <= deadline < end:
        counts_row = row(period, unit)
        counts_row["due"] += 1
        if closed_at is not None and closed_at <= deadline:
            counts_row["on_time"] += 1
    # Open at any time in the month: every unit that held it while open in the month.
    holders = set()
    for i, (holder, _since) in enumerate(held):
        left = held[i + 1][1] if i + 1 < len(held) else closed_at
        if holder is not None and (left is None or left >= first):
            holders.add(holder)
    for holder in holders:
        row(period, holder)["open"] += 1
