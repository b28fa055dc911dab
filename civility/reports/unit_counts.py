"""One unit's rectification counts, read narrowly (issue 11): what
``counts.rectification_counts`` gives that unit, without scanning every problem the months can see.

A unit's page shows the running month (本月至今) of that unit alone: it has no ranks or lists,
so no other unit's counts are needed. The unit's problems are found by its index
(``primary_unit``); a problem that was 改派 or extended counts for whoever held it, and the unit
may have held one that is now another's — then the unit's hold ended with a 改派 inside or after
the months (a problem is 交办 once, from 已上报, and only 改派 hands it on), so the 改派 events
from the months' start (the event time index) find the rest. Those problems are replayed exactly
as ``counts`` replays them and the unit's share is kept: a problem's replay never depends on
another's. Equal to ``counts.rectification_counts`` for the unit (tested).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q

from civility.core.periods import Period
from civility.reports import counts as counting
from civility.supervision.problems.models import Problem, ProblemEvent


def rectification_counts_of(
    headquarters,
    periods: Iterable[Period],
    unit_id: int,
    *,
    now: datetime,
    units: dict[str, int] | None = None,
) -> dict[Period, dict]:
    """{month: {"due", "on_time", "submitted", "returned", "escalated", "open"}} of one unit
    (zeros where it has nothing). Three queries whatever the number of months and problems,
    as ``counts`` runs."""
    wanted = {p: counting.cutoff(p, now) for p in periods}
    counts: dict[Period, dict[int, dict]] = {p: {} for p in wanted}
    if not wanted:
        return {}
    start, until = counting._span(wanted, now)
    months = counting._Months(wanted)

    def row(period: Period, unit: int) -> dict:
        return counts[period].setdefault(unit, counting.empty_counts())

    changing = counting.CHANGING
    changed = ProblemEvent.objects.filter(problem=OuterRef("pk"), action__in=changing)
    seen = Q(closed_at__isnull=True) | Q(closed_at__gte=start) | Q(deadline__gte=start)
    # The problems the months can see (as counts' scan) that matter to the unit, in four narrow
    # index ranges: its problems not closed (a closed problem has its closing time), closed
    # since the start, closed and due since the start; and those 改派 since the start, which
    # it may have held before another (all 改派, so replayed, whoever holds them now).
    closed = Problem.Status.CLOSED
    fields = ("pk", "assigned_at", "deadline", "status", "closed_at", "changed")
    mine = F("primary_unit_id") + 0  # the other ranges are narrower than the unit's problems
    handed_on = ProblemEvent.objects.filter(action=counting.REASSIGN, at__gte=start)
    parts = [
        counting._problems(headquarters)
        .filter(primary_unit_id=unit_id)
        .filter(status__in=[s for s in Problem.Status.values if s != closed]),
        counting._problems(headquarters)
        .alias(mine=mine)
        .filter(mine=unit_id, closed_at__gte=start),
        Problem.objects.alias(mine=mine).filter(
            headquarters=headquarters, status=closed, deadline__gte=start, mine=unit_id
        ),
        counting._problems(headquarters).filter(pk__in=handed_on.values("problem_id")),
    ]
    head, *rest = (
        part.filter(seen).annotate(changed=Exists(changed)).order_by().values_list(*fields)
        for part in parts
    )
    window = head.union(*rest).order_by()
    replayed: set[int] = set()
    for pk, assigned_at, deadline, status, closed_at, was_changed in window:
        if was_changed:
            replayed.add(pk)
            continue
        counting.count_problem(
            row, months, start, until, unit_id, assigned_at, deadline, status, closed_at
        )
    # The unit compared as "+ 0": the narrow range is the events' time, not the unit's problems.
    events = (
        counting._events(headquarters)
        .alias(unit=F("problem__primary_unit_id") + 0)
        .filter(
            unit=unit_id,
            at__gte=start,
            at__lt=until,
            action__in=(counting.SUBMIT, counting.RETURN, counting.ESCALATE),
        )
        .exclude(
            Exists(ProblemEvent.objects.filter(problem=OuterRef("problem"), action__in=changing))
        )
        .values_list("problem_id", "action", "at")
        .order_by()
    )
    escalated: set[tuple[Period, int, int]] = set()
    for problem_id, action, at in events:
        period = months.of(at)
        if period is not None:
            key = (period, unit_id, problem_id)
            counting._count_event(row(period, unit_id), action, key, escalated)
    counting._replay_changed(headquarters, months, until, row, units, sorted(replayed))
    empty = counting.empty_counts()
    return {period: counts[period].get(unit_id, dict(empty)) for period in wanted}
