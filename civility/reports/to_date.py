"""The running month's rectification counts (本月至今) kept current (issue 11).

Counting the running month reads every open problem of the headquarters: a city has tens of
thousands, and the leader's home page, the rankings and the unit pages count it on every view.
``rectification_counts`` returns exactly what ``counts.rectification_counts`` returns for the
running month at ``now``, but counts the whole month only once: the counts are kept (in the
cache, per headquarters and month) with the instant they were counted up to (``at``) and the
last event then (``mark``). A later read adds what changed since, problem by problem:

- the problems with an event dated in [at, now) (found among the events after the mark and
  those dated since ``at``), and
- the problems whose deadline fell in [at, now) (due now, not then),

are each replayed from their events (``counts._replay_month``, as the 改派 problems are) up to
``at`` and up to ``now``, and the difference is added. Every other problem counts the same at
``now`` as at ``at``: its row did not change (a problem changes with an event) and no instant of
it was passed. The result is kept for the next read, so each read looks at what changed since
the last one only.

What it cannot follow is counted again from scratch: an event dated before ``at`` that arrived
later (an import, a correction), a read earlier than ``at``, a new month, or more problems to
replay than a recount costs.

An event's id does not tell when it became visible: on PostgreSQL a transaction that took id 100
may commit after one that took 101, and a read in between sees 101 but not 100. So an event
arriving later is recognised by id *and* by time: besides the events after the mark, a read
looks at every event dated since ``at - SETTLE`` and compares them with the ids that were
visible then (kept with the counts); one dated before ``at`` that was not visible arrived later,
and the month is counted again. This holds as long as no transaction commits more than
``SETTLE`` after taking its event's time (a workflow transition takes milliseconds).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Subquery

from civility.core.periods import Period
from civility.org.models import Unit
from civility.reports import counts as counting
from civility.supervision.problems.models import ProblemEvent

# Longer than any transaction stays open between taking its event's time and committing.
SETTLE = timedelta(minutes=10)
# Kept for a day: any age is exact (the counts only ever move forward), the cache bounds memory.
KEEP_SECONDS = 24 * 3600
# More problems to replay than this and the month is counted again (a recount reads a row per
# unit; a replay reads each problem's events).
MAX_REPLAYED = 2_000
REPLAYED_ACTIONS = (
    counting.ASSIGN,
    counting.REASSIGN,
    counting.EXTEND,
    counting.SUBMIT,
    counting.RETURN,
    counting.ESCALATE,
    counting.APPROVE,
)


def _key(headquarters, period: Period) -> str:
    return f"reports:to-date:v2:{headquarters.pk}:{period.slug}"


def rectification_counts(
    headquarters, periods: list[Period], *, now: datetime, units: dict[str, int] | None = None
) -> dict[Period, dict[int, dict]]:
    """What ``counts.rectification_counts_aggregated`` returns for ``periods``, the running month
    among them kept current: four queries when it is counted (with the others), three when it
    is followed (and three for the others if any); three when it is not among them."""
    # The month ``now`` is in (a month not begun yet is simply counted: it has nothing).
    running = [p for p in periods if p.start <= now < p.end]
    others = [p for p in periods if p not in running]
    if not running:
        return counting.rectification_counts_aggregated(headquarters, others, now=now, units=units)
    (period,) = running
    key = _key(headquarters, period)
    kept = cache.get(key)
    mark, seen, counts = _follow(headquarters, period, kept, now, units) if kept else (None,) * 3
    if counts is None:
        if mark is None:  # read first: an event written meanwhile is looked at next time
            mark, seen = _visible(headquarters, now)
        result = counting.rectification_counts_aggregated(
            headquarters, periods, now=now, units=units
        )
        counts = result[period]
    else:
        result = (
            counting.rectification_counts_aggregated(headquarters, others, now=now, units=units)
            if others
            else {}
        )
        result[period] = counts
    if kept is None or now >= kept[0]:
        cache.set(key, (now, mark, seen, _packed(counts)), KEEP_SECONDS)
    return result


def _packed(counts: dict[int, dict]) -> dict[int, tuple]:
    keys = counting.RECTIFICATION_KEYS
    return {unit: tuple(row[k] for k in keys) for unit, row in counts.items()}


def _unpacked(packed: dict[int, tuple]) -> dict[int, dict]:
    keys = counting.RECTIFICATION_KEYS
    return {unit: dict(zip(keys, row, strict=True)) for unit, row in packed.items()}


def _values(events, fields):
    return events.order_by().values_list(*fields)


def _visible(headquarters, now: datetime) -> tuple[int, frozenset[int]]:
    """(the last event's id, the ids of the headquarters' events dated in [now - SETTLE, now))
    as visible now: one query (the at index and the primary key)."""
    fields = ("id", "at", "problem__headquarters_id")
    last = Subquery(ProblemEvent.objects.order_by("-id").values("id")[:1])
    # A union, each part on its index (an OR of the two makes SQLite scan the table).
    rows = _values(ProblemEvent.objects.filter(at__gte=now - SETTLE, at__lt=now), fields).union(
        _values(ProblemEvent.objects.filter(id__gte=last), fields), all=True
    )
    mark, seen = 0, set()
    # Unordered: the model's ordering would sort the union and walk the at index whole.
    for pk, moment, owner in rows.order_by():
        mark = max(mark, pk)
        if owner == headquarters.pk and now - SETTLE <= moment < now:
            seen.add(pk)
    return mark, frozenset(seen)


def _follow(headquarters, period: Period, kept, now: datetime, units):
    """(mark, seen, counts) at ``now`` from the kept counts. Three queries: the events after the
    mark or dated since ``at - SETTLE``, the problems come due, their events. When the month
    must be counted again, counts is None, with the mark and the ids seen read by the first
    query (read before the count, as ``_visible`` reads them) or None when ``now`` is before
    ``at`` or in another month (no query)."""
    at, mark, seen, packed = kept
    if now < at or not counting.is_running(period, now):
        return None, None, None
    hq = headquarters.pk
    # The events after the mark (by primary key: few) and those dated since ``at - SETTLE``
    # (the at index): one query, a union of the two (an OR makes SQLite scan the table), in no
    # order (the model's ordering would walk the whole at index); an event in both comes twice.
    fields = ("id", "at", "problem_id", "problem__headquarters_id")
    rows = list(
        _values(ProblemEvent.objects.filter(id__gt=mark), fields)
        .union(_values(ProblemEvent.objects.filter(at__gte=at - SETTLE), fields), all=True)
        .order_by()
    )
    own = [r for r in rows if r[3] == hq]
    visible = max([mark, *(r[0] for r in rows)])
    window = frozenset(pk for pk, moment, _p, _o in own if now - SETTLE <= moment < now)
    # Dated before what was counted and not visible then (after the mark, or committed after
    # the count with a smaller id): the month is counted again.
    if any(moment < at and (pk > mark or pk not in seen) for pk, moment, _p, _o in own):
        return visible, window, None
    mark, seen = visible, window
    changed = {problem for _pk, moment, problem, _o in own if at <= moment < now}
    changed.update(
        counting._problems(headquarters)
        .filter(deadline__gte=at, deadline__lt=now)
        .values_list("pk", flat=True)
    )
    if len(changed) > MAX_REPLAYED:
        return mark, seen, None
    # The query runs with none to replay too (no problem has id 0): the same queries every time.
    events = (
        ProblemEvent.objects.filter(
            problem__in=changed or [0], at__lt=now, action__in=REPLAYED_ACTIONS
        )
        .values_list("problem_id", "action", "at", "data")
        .order_by("problem_id", "at", "id")
    )
    trails: dict[int, list] = {}
    for problem_id, action, moment, data in events:
        trails.setdefault(problem_id, []).append((action, moment, data or {}))
    if trails and units is None:
        units = dict(Unit.objects.filter(headquarters=headquarters).values_list("name", "pk"))
    before: dict[int, dict] = {}
    after: dict[int, dict] = {}
    for side, cut in ((before, at), (after, now)):

        def row(_period, unit, side=side):
            return side.setdefault(unit, counting.empty_counts())

        escalated: set[tuple] = set()
        for problem_id, trail in trails.items():
            counting._replay_month(
                problem_id, trail, period, period.start, cut, row, units, escalated
            )
    counts = _unpacked(packed)
    for unit in set(before) | set(after):
        was = before.get(unit) or counting.empty_counts()
        now_ = after.get(unit) or counting.empty_counts()
        total = counts.setdefault(unit, counting.empty_counts())
        for k in counting.RECTIFICATION_KEYS:
            total[k] += now_[k] - was[k]
        if not any(total.values()):
            del counts[unit]
    return mark, seen, counts
