"""The leaders' and secretariat's dashboard (SPEC §8 home page): aggregates only.

``dashboard_data(headquarters, today)`` answers "how is the campaign doing this month?" with a
fixed number of queries whatever the number of problems and months: one aggregate for the counts
and the status distribution, one each for categories and overdue units, and every score from
``civility.reports.scoring`` (本月至今 without bands or ranks, the last ended month's ranking, a
12-month street trend in which published months come from their snapshots and the rest are
scored in one pass, 得分率 by site type and by indicator) — never re-derived here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from civility.core.periods import Period
from civility.org.models import Unit
from civility.reports import annual, scoring
from civility.reports import counts as counting
from civility.reports.participation import participation_data
from civility.supervision.problems.models import Problem

TREND_MONTHS = 12
TOP_OVERDUE_UNITS = 10
TOP_INDICATORS = 8
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


def inspections_url(**params) -> str:
    """The inspection list filtered by ``params``."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse('inspection_list')}?{query}"


def street_trend(
    periods: list[Period],
    streets: list[Unit],
    published: dict[Period, dict],
    live: dict[Period, scoring.MonthlyScores],
) -> dict:
    """Total score of every street for ``periods``: a published month's total from its
    bulletin's snapshot (the month's final figures), any other month live. A month in which the
    street was 未考评 has no value (a gap in the line)."""
    names = {street.name: street.pk for street in streets}
    totals: dict[Period, dict[int, Decimal]] = {}
    for period in periods:
        if period in published:
            totals[period] = annual.snapshot_totals(published[period], names)
        else:
            totals[period] = {u.unit_id: u.total for u in live[period].units if u.assessed}
    series = []
    for street in streets:
        values = [totals[period].get(street.pk) for period in periods]
        series.append(
            {
                "id": street.pk,
                "name": street.name,
                "data": [None if v is None else float(v) for v in values],
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


def _ranking(scores: scoring.MonthlyScores, month_from: str) -> list[dict]:
    return [
        {
            "unit_id": row.unit_id,
            "name": row.name,
            "rank": row.rank,
            "visits": row.visits,
            "due": row.due,
            "field_score": row.field_score,
            "rectification": row.rectification,
            "total": row.total,
            "total_note": row.total_note,
            "band": row.band,
            "assessed": row.assessed,
            "red": row.on_red_list,
            "black": row.on_black_list,
            "url": problems_url(street=row.unit_id, date_from=month_from),
        }
        for row in scores.of_kind(Unit.Kind.STREET) + scores.unassessed(Unit.Kind.STREET)
    ]


def dashboard_data(headquarters, today: date, *, now: datetime | None = None) -> dict:
    """This month so far, for the leaders' and secretariat's home page (see module doc)."""
    now = now or timezone.now()
    period = Period.of(today, "month")
    first, start, end = period.first, period.start, period.end
    month_from = f"{first:%Y-%m-%d}"
    # "+ 0" keeps the headquarters (one value for a whole city) from being the index SQLite
    # walks: every figure below has a narrow indexed condition of its own.
    problems = (
        Problem.objects.alias(hq=F("headquarters_id") + 0)
        .filter(hq=headquarters.pk)
        .exclude(status=Problem.Status.VOID)
    )
    found = Q(reported_at__gte=start, reported_at__lt=end)
    open_ = Q(status__in=Problem.OPEN_STATUSES)
    closed_in_month = Q(closed_at__gte=start, closed_at__lt=end)
    # Only the rows some count needs: the month's (reported_at index), the pending ones
    # (status index) and those closed this month (closed_at index), not the whole table.
    concerned = found | Q(status__in=PENDING_STATUSES) | closed_in_month
    counts = problems.filter(concerned).aggregate(
        found=Count("id", filter=found),
        found_closed=Count("id", filter=found & Q(status=Problem.Status.CLOSED)),
        overdue=Count("id", filter=open_ & Q(deadline__lt=now)),
        escalated=Count("id", filter=open_ & Q(escalation_level__gt=0)),
        closed_this_month=Count("id", filter=Q(status=Problem.Status.CLOSED) & closed_in_month),
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
        # Counted by the unit (never null here), not the id: read from problem_status_figures
        # alone on PostgreSQL too.
        for row in problems.filter(open_, deadline__lt=now, primary_unit__isnull=False)
        .values("primary_unit", "primary_unit__name")
        .annotate(n=Count("primary_unit"))
        .order_by("-n", "primary_unit__name")[:TOP_OVERDUE_UNITS]
    ]

    # 本月至今 (no ranks or bands) beside the last ended month's ranking, and the trend: every
    # month not read from a published snapshot is scored in one pass.
    last = period.previous()
    periods = period.back(TREND_MONTHS)
    published = annual.published_snapshots(headquarters, periods)
    live = scoring.scores_for_months(
        headquarters,
        {period, last, last.previous(), *(p for p in periods if p not in published)},
        now=now,
        kinds=[Unit.Kind.STREET],  # the rankings and the trend are the streets'
    )
    scores = live[period]
    ranking = _ranking(scores, month_from)
    last_scores = live[last]
    scoring.compare_ranks(last_scores, live[last.previous()])
    last_ranking = _ranking(last_scores, f"{last.first:%Y-%m-%d}")
    # The trend keeps the configured order of streets (stable colours from month to month).
    streets = [
        Unit(pk=row.unit_id, name=row.name) for row in scores.units if row.kind == Unit.Kind.STREET
    ]
    trend = street_trend(periods, streets, published, live)
    by_site_type = counting.field_by_site_type(headquarters, period, now=now)
    by_indicator = counting.items_by_indicator(headquarters, period, now=now)
    # Each bar clicks through to the month's visits behind it.
    month = {
        "status": "submitted",
        "date_from": f"{period.first:%Y-%m-%d}",
        "date_to": f"{period.last:%Y-%m-%d}",
    }
    for row in by_site_type:
        row["url"] = inspections_url(site_type=row["site_type"], **month)
    for row in by_indicator:
        row["url"] = inspections_url(failed_indicator=row["indicator"], **month)

    return {
        "headquarters": headquarters,
        "today": today,
        "month_start": first,
        "period_label": date_format(first, gettext("Y年n月")),
        "figures": figures,
        "ranking": ranking,
        "last_ranking": last_ranking,
        "last_period_label": date_format(last.first, gettext("Y年n月")),
        "by_site_type": by_site_type,
        "by_indicator": by_indicator,
        "trend": trend,
        "categories": categories,
        "status": status,
        "overdue_units": overdue_units,
        # 全民参与 month to date: the 通报's 建议意见 and activities of this month so far.
        "participation": participation_data(headquarters, period, now=now),
        # What static/civility/dashboard.js draws (through json_script: numbers, names, links).
        "charts": {
            "trend": trend,
            "categories": categories,
            "status": status,
            "overdue": overdue_units,
            "site_types": [
                {"name": r["name"], "value": float(r["score"]), "url": r["url"]}
                for r in by_site_type
            ],
            "indicators": [
                {"name": f"{r['code']} {r['name']}", "value": r["failed"], "url": r["url"]}
                for r in by_indicator[:TOP_INDICATORS]
                if r["failed"]
            ],
        },
    }
