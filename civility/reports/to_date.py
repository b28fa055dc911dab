"""The running month's rectification counts (本月至今) kept current (issue 11).

Counting the running month reads every open problem of the headquarters: a city has tens of
thousands, and the leader's home page, the rankings and the unit pages count it on every view.
``rectification_to_date`` returns exactly what ``counts.rectification_counts`` returns for the
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
from django.db.models import Q

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


def rectification_to_date(
    headquarters, period: Period, *, now: datetime, units: dict[str, int] | None = None
) -> dict[int, dict]:
    """{unit id: counts} of the running month ``period`` at ``now``, as
    ``counts.rectification_counts(headquarters, [period], now=now)[period]``."""
    key = _key(headquarters, period)
    kept = cache.get(key)
    followed = _follow(headquarters, period, kept, now, units) if kept else None
    if followed is None:
        mark = _last_event()  # read first: an event written meanwhile is looked at next time
        counts = counting.rectification_counts_aggregated(
            headquarters, [period], now=now, units=units
        )[period]
    else:
        mark, counts = followed
    if kept is None or now >= kept[0]:
        cache.set(key, (now, mark, _packed(counts)), KEEP_SECONDS)
    return counts


def _packed(counts: dict[int, dict]) -> dict[int, tuple]:
    keys = counting.RECTIFICATION_KEYS
    return {unit: tuple(row[k] for k in keys) for unit, row in counts.items()}


def _unpacked(packed: dict[int, tuple]) -> dict[int, dict]:
    keys = counting.RECTIFICATION_KEYS
    return {unit: dict(zip(keys, row, strict=True)) for unit, row in packed.items()}


def _last_event() -> int:
    return ProblemEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _follow(headquarters, period: Period, kept, now: datetime, units):
    """(mark, counts) at ``now`` from the kept counts, or None when the month must be counted
    again. Three queries: the new events, the problems come due, their events."""
    at, mark, packed = kept
    if now < at or not counting.is_running(period, now):
        return None
    counts = _unpacked(packed)
    if now == at:
        return mark, counts
    # Events after the mark (by primary key: few) or dated since ``at`` (the at index).
    new = list(
        ProblemEvent.objects.filter(Q(id__gt=mark) | Q(at__gte=at, at__lt=now))
        .order_by()
        .values_list("id", "at", "problem_id", "problem__headquarters_id")
    )
    last = max([mark, *(row[0] for row in new)])
    changed = set()
    for pk, moment, problem, owner in new:
        if owner != headquarters.pk:
            continue
        if pk > mark and moment < at:
            return None  # dated before what was counted: its month is counted again
        changed.add(problem)
    changed.update(
        counting._problems(headquarters)
        .filter(deadline__gte=at, deadline__lt=now)
        .values_list("pk", flat=True)
    )
    if len(changed) > MAX_REPLAYED:
        return None
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
    for unit in set(before) | set(after):
        was = before.get(unit) or counting.empty_counts()
        now_ = after.get(unit) or counting.empty_counts()
        total = counts.setdefault(unit, counting.empty_counts())
        for k in counting.RECTIFICATION_KEYS:
            total[k] += now_[k] - was[k]
        if not any(total.values()):
            del counts[unit]
    return last, counts
