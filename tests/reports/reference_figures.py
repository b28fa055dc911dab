"""The problems a period's figures read, loaded as they were before ``figures._rows`` (model
objects through ``select_related``): the reference its lighter loading is compared with
(tests/reports/test_compile_unchanged.py)."""

from django.db.models import Exists, OuterRef, Q

from civility.reports import asof
from civility.reports.figures import ROW_FIELDS, problem_row
from civility.supervision.problems.models import Problem, ProblemEvent


def reference_states(headquarters, period, moment) -> list[asof.ProblemAt]:
    start = period.start
    touched = ProblemEvent.objects.filter(problem=OuterRef("pk"), at__gte=start, at__lt=moment)
    candidates = (
        Problem.objects.filter(headquarters=headquarters)
        .filter(
            Q(reported_at__gte=start)
            | Q(deadline__gte=start)
            | asof.still_open_at(moment)
            | Q(Exists(touched))
        )
        .select_related("site__street", "category", "primary_unit")
        .only(*ROW_FIELDS)
        .order_by("reported_at", "id")
    )
    return asof.states(candidates, moment)


def state_key(s: asof.ProblemAt) -> tuple:
    """Everything of a problem at a moment that a bulletin reads."""
    p = s.problem
    unit = (s.unit.pk, s.unit.name, str(s.unit.get_kind_display())) if s.unit else None
    return (
        p.pk, p.number, p.description, p.reported_at, p.deadline, p.closed_at, p.status,
        p.deduction, p.site_id, p.site.name, p.site.street_id,
        p.site.street.name if p.site.street_id else None, p.category_id, p.category.name,
        p.primary_unit_id, p.recurrence_of_id, p.drive_id, p.headquarters_id,
        s.status, s.deadline, s.closed_at, unit, s.escalations, s.reworks, problem_row(s),
    )  # fmt: skip
