"""Problems as they stood at a moment, replayed from their events (SPEC §5: "figures as at the end
of the period").

A problem's row holds its state *now*; a bulletin needs its state at the period's end, so that
compiling an ended month on the 3rd gives the numbers compiled on the 1st. ``ProblemEvent`` is
append-only and every change writes one, so the state at a moment is the state its last event
before that moment left it in:

- status: the ``to_status`` of the last event before the moment;
- deadline and primary unit: from the last event before the moment that set them (``data``);
- 销号 time: the time of its 复查通过 event, if that came before the moment;
- 督办 and 退回 counts: the events of those kinds before the moment.

One query annotates every problem with those (correlated subqueries); Python only parses the
deadline (an ISO string in the event's JSON, which SQLite cannot compare as a time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from civility.org.models import Unit
from civility.supervision.problems.models import Action, Problem, ProblemEvent

Status = Problem.Status
OPEN = frozenset(Problem.OPEN_STATUSES)


@dataclass
class ProblemAt:
    """One problem at a moment (``status`` etc. as they were then, not as they are now)."""

    problem: Problem
    status: str
    deadline: datetime | None
    closed_at: datetime | None
    unit: Unit | None
    escalations: int
    reworks: int

    @property
    def pk(self) -> int:
        return self.problem.pk

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def counts(self) -> bool:
        """A problem that was 待交办 or 已作废 then has no unit and no deadline to count."""
        return self.status in OPEN or self.status == Status.CLOSED

    def overdue_at(self, moment: datetime) -> bool:
        """逾期未办结: open at ``moment`` and past its deadline."""
        return self.is_open and self.deadline is not None and self.deadline < moment

    @property
    def closed_late(self) -> bool:
        """逾期办结: closed, but after its deadline."""
        return (
            self.is_closed
            and self.deadline is not None
            and self.closed_at is not None
            and self.closed_at > self.deadline
        )

    @property
    def closed_on_time(self) -> bool:
        return self.is_closed and not self.closed_late

    @property
    def status_label(self) -> str:
        return Status(self.status).label


def _before(moment: datetime, **filters) -> QuerySet:
    return ProblemEvent.objects.filter(problem=OuterRef("pk"), at__lt=moment, **filters).order_by(
        "-at", "-id"
    )


def _count_before(moment: datetime, action: str) -> Coalesce:
    counted = (
        ProblemEvent.objects.filter(problem=OuterRef("pk"), at__lt=moment, action=action)
        .order_by()
        .values("problem")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def annotate_as_of(queryset: QuerySet, moment: datetime) -> QuerySet:
    """``queryset`` of problems with ``then_*`` annotations: their state at ``moment``."""
    return queryset.filter(reported_at__lt=moment).annotate(
        then_status=Subquery(_before(moment).values("to_status")[:1]),
        then_closed=Subquery(_before(moment, action=Action.APPROVE).values("at")[:1]),
        then_deadline=Subquery(
            _before(moment, data__has_key="deadline")
            .annotate(value=KT("data__deadline"))
            .values("value")[:1]
        ),
        then_unit=Subquery(
            _before(moment, data__has_key="unit_id")
            .annotate(value=KT("data__unit_id"))
            .values("value")[:1]
        ),
        then_escalations=_count_before(moment, Action.ESCALATE),
        then_reworks=_count_before(moment, Action.RETURN),
    )


def still_open_at(moment: datetime) -> Q:
    """Problems not closed or voided before ``moment`` (whatever they are now)."""
    finished = ProblemEvent.objects.filter(
        problem=OuterRef("pk"), at__lt=moment, action__in=[Action.APPROVE, Action.VOID]
    )
    return ~Q(Exists(finished))


def _parse(value) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def states(queryset: QuerySet, moment: datetime) -> list[ProblemAt]:
    """Every problem of ``queryset`` reported before ``moment``, as it stood then.

    ``queryset`` should select_related what the caller reads (site, category, primary_unit).
    Problems without any event (never written by the workflow) keep their present state.
    """
    return replay(list(annotate_as_of(queryset, moment)))


def replay(rows: list[Problem]) -> list[ProblemAt]:
    """``rows`` (problems with the ``then_*`` annotations of ``annotate_as_of``) as they stood."""
    # The unit of a problem that was 改派 after the moment: load the earlier unit (one query).
    wanted = {
        int(p.then_unit)
        for p in rows
        if p.then_unit and str(p.then_unit).isdigit() and int(p.then_unit) != p.primary_unit_id
    }
    units = Unit.objects.in_bulk(wanted) if wanted else {}
    result = []
    for p in rows:
        if p.then_status is None:  # no event at all: not replayable
            status, deadline, closed = p.status, p.deadline, p.closed_at
            unit = p.primary_unit if p.primary_unit_id else None
        else:
            status = p.then_status
            deadline = _parse(p.then_deadline) or (
                p.deadline if status != Status.REPORTED else None
            )
            closed = p.then_closed if status == Status.CLOSED else None
            unit = None
            if status != Status.REPORTED and status != Status.VOID:
                unit_id = int(p.then_unit) if str(p.then_unit or "").isdigit() else None
                if unit_id is None or unit_id == p.primary_unit_id:
                    unit = p.primary_unit if p.primary_unit_id else None
                else:
                    unit = units.get(unit_id)
        result.append(
            ProblemAt(
                problem=p,
                status=status,
                deadline=deadline,
                closed_at=closed,
                unit=unit,
                escalations=p.then_escalations,
                reworks=p.then_reworks,
            )
        )
    return result
