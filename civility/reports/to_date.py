"""The running month's rectification counts (本月至今) kept current (issue 11).

Counting the running month reads every open problem of the headquarters: a city has tens of
thousands, and the leader's home page, the rankings and the unit pages count it on every view.
``rectification_counts`` returns exactly what ``counts.rectification_counts`` returns for the
running month at ``now``, but counts the whole month only once: the counts are kept (in the
cache, per headquarters and month) with the instant they were counted up to (``at``) and the
last event then (``mark``). A later read adds what changed since, problem by problem:

- the problems with an event after the mark, or an event dated in [at, now) (written earlier
  with a later time), and
- the problems whose deadline fell in [at, now) (due now, not then),

are each replayed from their events (``counts._replay_month``, as the 改派 problems are) up to
``at`` and up to ``now``, and the difference is added. Every other problem counts the same at
``now`` as at ``at``: its row did not change (a problem changes with an event) and no instant of
it was passed. The result is kept for the next read, so each read looks at what changed since
the last one only.

What it cannot follow is counted again from scratch: an event dated before ``at`` that arrived
later (an import, a correction), a read earlier than ``at``, a new month, or more problems to
replay than a recount costs.
"""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache

from civility.core.periods import Period
from civility.org.models import Unit
from civility.reports import counts as counting
from civility.supervision.problems.models import ProblemEvent

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
    return f"reports:to-date:{headquarters.pk}:{period.slug}"


def rectification_counts(
    headquarters, periods: list[Period], *, now: datetime, units: dict[str, int] | None = None
) -> dict[Period, dict[int, dict]]:
    """What ``counts.rectification_counts_aggregated`` returns for ``periods``, the running month
    among them kept current. Four queries when the running month is among them (whether it is
    counted or followed), three when not."""
    # The month ``now`` is in (a month not begun yet is simply counted: it has nothing).
    running = [p for p in periods if p.start <= now < p.end]
    others = [p for p in periods if p not in running]
    if not running:
        return counting.rectification_counts_aggregated(headquarters, others, now=now, units=units)
    (period,) = running
    key = _key(headquarters, period)
    kept = cache.get(key)
    mark, counts = _follow(headquarters, period, kept, now, units) if kept else (None, None)
    if counts is None:
        if mark is None:
            mark = _last_event()  # read first: an event written meanwhile is looked at next time
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
        cache.set(key, (now, mark, _packed(counts)), KEEP_SECONDS)
    return result


def _packed(counts: dict[int, dict]) -> dict[int, tuple]:
    keys = counting.RECTIFICATION_KEYS
    return {unit: tuple(row[k] for k in keys) for unit, row in counts.items()}


def _unpacked(packed: dict[int, tuple]) -> dict[int, dict]:
    keys = counting.RECTIFICATION_KEYS
    return {unit: dict(zip(keys, row, strict=True)) for unit, row in packed.items()}


def _last_event() -> int:
    return ProblemEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _follow(headquarters, period: Period, kept, now: datetime, units):
    """(mark, counts) at ``now`` from the kept counts; (mark or None, None) when the month must
    be counted again. Four queries, as many as a count from scratch (the last event and three):
    the new events, those dated since ``at``, the problems come due, their events; one when an
    event was dated before ``at`` (its id is the mark the count needs), none when ``now`` is
    before ``at`` or in another month; six when more than MAX_REPLAYED problems changed."""
    at, mark, packed = kept
    if now < at or not counting.is_running(period, now):
        return None, None
    fields = ("id", "at", "problem_id", "problem__headquarters_id")
    # Events after the mark (by primary key: few).
    new = list(ProblemEvent.objects.filter(id__gt=mark).order_by().values_list(*fields))
    last = max([mark, *(row[0] for row in new)])
    if any(owner == headquarters.pk and moment < at for _pk, moment, _p, owner in new):
        return last, None  # dated before what was counted: the month is counted again
    # And those written before, dated since ``at`` (the at index).
    new += ProblemEvent.objects.filter(id__lte=mark, at__gte=at, at__lt=now).values_list(*fields)
    changed = {problem for _pk, _at, problem, owner in new if owner == headquarters.pk}
    changed.update(
        counting._problems(headquarters)
        .filter(deadline__gte=at, deadline__lt=now)
        .values_list("pk", flat=True)
    )
    if len(changed) > MAX_REPLAYED:
        return last, None
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
    return last, counts
