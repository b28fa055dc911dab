"""The leaders' and secretariat's dashboard (SPEC §8 home page): aggregates only.

``dashboard_data(headquarters, today)`` answers "how is the campaign doing this month?" with a
fixed number of queries whatever the number of problems: one aggregate for the counts and the
status distribution, one each for categories and overdue units, the month's ranking from
``scoring.monthly_scores`` and a 12-month street trend computed from two grouped queries (street
visits per month, street rectification per month) instead of twelve full monthly scorings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from civility.core.periods import Period
from civility.org.models import Unit
from civility.reports import scoring
from civility.reports.models import ScoringPolicy
from civility.supervision.problems.models import Problem

TREND_MONTHS = 12
TOP_OVERDUE_UNITS = 10
# The open statuses and their order in the status chart (待交办 is not "open" for deadlines,
# but it is work waiting for the secretariat).
PENDING_STATUSES = (
    Problem.Status.REPORTED,
    Problem.Status.ASSIGNED,
    Problem.Status.DISPUTED,
    Problem.Status.SUBMITTED,
)


def problems_url(**params) -> str:
    """The problem list filtered by ``params`` (values already strings or ints)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse('problem_list')}?{query}" if query else reverse("problem_list")


def _policies(headquarters, years: set[int]) -> dict[int, ScoringPolicy]:
    saved = {
        p.year: p for p in ScoringPolicy.objects.filter(headquarters=headquarters, year__in=years)
    }
    return {y: saved.get(y) or ScoringPolicy(headquarters=headquarters, year=y) for y in years}


def _month_key(value) -> tuple[int, int]:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.year, value.month


def street_trend(headquarters, year: int, month: int, streets: list[Unit]) -> dict:
    """Total score of every street for the 12 months ending with (year, month).

    The same rules as ``scoring.monthly_scores`` (a test checks that both agree), but computed
    for all twelve months at once: visits grouped by street and month, problems due grouped by
    primary unit and month. A month in which the street had neither a site visit nor a problem
    due has no score (a gap in the line), rather than the 100 that "nothing due" would give.
    """
    periods = Period.month(year, month).back(TREND_MONTHS)
    months = [(p.year, p.number) for p in periods]
    first, start = periods[0].first, periods[0].start
    last, end = periods[-1].last, periods[-1].end
    policies = _policies(headquarters, {y for y, _ in months})

    visits = (
        scoring._visit_scores(headquarters, first, last)
        .exclude(site__street__isnull=True)
        .values("site__street", month=TruncMonth("inspection__date"))
        .annotate(n=Count("id"), mean=Avg("score"))
        .order_by()
    )
    field = {
        (row["site__street"], _month_key(row["month"])): Decimal(str(row["mean"])) for row in visits
    }
    due_rows = (
        Problem.objects.filter(
            headquarters=headquarters,
            deadline__gte=start,
            deadline__lt=end,
            primary_unit__kind=Unit.Kind.STREET,
        )
        .exclude(status=Problem.Status.VOID)
        .values("primary_unit", month=TruncMonth("deadline"))
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
    due = {(row["primary_unit"], _month_key(row["month"])): row for row in due_rows}

    series = []
    for street in streets:
        values: list[float | None] = []
        for y, m in months:
            mean, counts = field.get((street.pk, (y, m))), due.get((street.pk, (y, m)))
            if mean is None and counts is None:
                values.append(None)
                continue
            policy = policies[y]
            counts = counts or {"due": 0, "on_time": 0, "reworks": 0, "escalations": 0}
            rectification = scoring.q1(
                scoring.rectification_score(
                    policy,
                    counts["due"],
                    counts["on_time"],
                    counts["reworks"],
                    counts["escalations"],
                )
            )
            if mean is None:
                total = rectification
            else:
                total = scoring.q1(
                    policy.field_weight * scoring.q1(mean)
                    + policy.rectification_weight * rectification
                )
            values.append(float(total))
        series.append(
            {
                "id": street.pk,
                "name": street.name,
                "data": values,
                "url": problems_url(street=street.pk),
            }
        )
    return {
        "months": [str(p) for p in periods],
        "labels": [
            date_format(p.first, gettext("n月") if p.number != 1 else gettext("Y年n月"))
            for p in periods
        ],
        "series": series,
    }


def dashboard_data(headquarters, today: date, *, now: datetime | None = None) -> dict:
    """This month so far, for the leaders' and secretariat's home page (see module doc)."""
    now = now or timezone.now()
    period = Period.of(today, "month")
    year, month = period.year, period.number
    first, start, end = period.first, period.start, period.end
    month_from = f"{first:%Y-%m-%d}"
    problems = Problem.objects.filter(headquarters=headquarters).exclude(status=Problem.Status.VOID)
    found = Q(reported_at__gte=start, reported_at__lt=end)
    open_ = Q(status__in=Problem.OPEN_STATUSES)
    counts = problems.aggregate(
        found=Count("id", filter=found),
        found_closed=Count("id", filter=found & Q(status=Problem.Status.CLOSED)),
        overdue=Count("id", filter=open_ & Q(deadline__lt=now)),
        escalated=Count("id", filter=open_ & Q(escalation_level__gt=0)),
        closed_this_month=Count(
            "id", filter=Q(status=Problem.Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        ),
        **{status.value: Count("id", filter=Q(status=status)) for status in PENDING_STATUSES},
    )
    rate = (
        scoring.q1(Decimal(100) * counts["found_closed"] / counts["found"])
        if counts["found"]
        else None
    )
    figures = {
        "found": counts["found"],
        "found_url": problems_url(date_from=month_from),
        "closed": counts["found_closed"],
        "closed_url": problems_url(status=Problem.Status.CLOSED, date_from=month_from),
        "closure_rate": rate,
        "overdue": counts["overdue"],
        "overdue_url": problems_url(due_state=Problem.DueState.OVERDUE),
        "escalated": counts["escalated"],
    }

    status = [
        {
            "status": s.value,
            "name": s.label,
            "value": counts[s.value],
            "url": problems_url(status=s.value),
        }
        for s in PENDING_STATUSES
    ]
    status.append(
        {
            "status": Problem.Status.CLOSED.value,
            "name": gettext("本月销号"),
            "value": counts["closed_this_month"],
            "url": problems_url(status=Problem.Status.CLOSED),
        }
    )

    categories = [
        {
            "id": row["category"],
            "name": row["category__name"],
            "value": row["n"],
            "url": problems_url(category=row["category"], date_from=month_from),
        }
        for row in problems.filter(found)
        .values("category", "category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__name")
    ]
    overdue_units = [
        {
            "id": row["primary_unit"],
            "name": row["primary_unit__name"],
            "value": row["n"],
            "url": problems_url(unit=row["primary_unit"], due_state=Problem.DueState.OVERDUE),
        }
        for row in problems.filter(open_, deadline__lt=now, primary_unit__isnull=False)
        .values("primary_unit", "primary_unit__name")
        .annotate(n=Count("id"))
        .order_by("-n", "primary_unit__name")[:TOP_OVERDUE_UNITS]
    ]

    scores = scoring.monthly_scores(headquarters, year, month)
    street_rows = scores.of_kind(Unit.Kind.STREET)
    ranking = [
        {
            "unit_id": row.unit_id,
            "name": row.name,
            "rank": row.rank,
            "visits": row.visits,
            "field_score": row.field_score,
            "rectification": row.rectification,
            "total": row.total,
            "band": row.band,
            "insufficient": row.insufficient,
            "red": row.on_red_list,
            "black": row.on_black_list,
            "url": problems_url(street=row.unit_id, date_from=month_from),
        }
        for row in street_rows
    ]
    # The trend keeps the configured order of streets (stable colours from month to month).
    streets = [
        Unit(pk=row.unit_id, name=row.name) for row in scores.units if row.kind == Unit.Kind.STREET
    ]
    trend = street_trend(headquarters, year, month, streets)

    return {
        "headquarters": headquarters,
        "today": today,
        "month_start": first,
        "period_label": date_format(first, gettext("Y年n月")),
        "figures": figures,
        "ranking": ranking,
        "trend": trend,
        "categories": categories,
        "status": status,
        "overdue_units": overdue_units,
        # What static/civility/dashboard.js draws (through json_script: numbers, names, links).
        "charts": {
            "trend": trend,
            "categories": categories,
            "status": status,
            "overdue": overdue_units,
        },
    }
