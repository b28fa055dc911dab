"""The figures of 全民参与 for the monthly 通报 and the dashboard, computed by the database.

``start`` and ``end`` bound a half-open period ``[start, end)``: aware datetimes (a
``core.periods.Period``'s ``start`` and ``end``) or dates.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.fields.json import KT
from django.utils import timezone

from civility.participation.models import (
    Activity,
    ActivitySeries,
    Suggestion,
    SuggestionAction,
    SuggestionEvent,
)

A = SuggestionAction


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def suggestion_figures(hq, start: date | datetime, end: date | datetime) -> dict:
    """建议意见 in ``[start, end)``: received, handled (转为问题 / 交办答复 / 直接答复), replies and
    how many came by their deadline, problems closed for them, the representatives' ratings, and
    the replies still waited for past their deadline at the end of the period."""
    start, end = _as_datetime(start), _as_datetime(end)
    received = Suggestion.objects.filter(
        headquarters=hq, submitted_at__gte=start, submitted_at__lt=end
    ).count()
    events = SuggestionEvent.objects.filter(
        suggestion__headquarters=hq, at__gte=start, at__lt=end
    ).aggregate(
        converted=Count("id", filter=Q(action=A.CONVERT)),
        assigned=Count("id", filter=Q(action=A.ASSIGN)),
        replied=Count("id", filter=Q(action__in=[A.REPLY, A.ANSWER])),
        unit_replies=Count("id", filter=Q(action=A.REPLY)),
        on_time=Count("id", filter=Q(action=A.REPLY, data__on_time=True)),
        closed=Count("id", filter=Q(action=A.CLOSE)),
        satisfied=Count("id", filter=Q(action=A.RATE_SATISFIED)),
        basic=Count("id", filter=Q(action=A.RATE_BASIC)),
        unsatisfied=Count("id", filter=Q(action=A.RATE_UNSATISFIED)),
    )
    rated = events["satisfied"] + events["basic"] + events["unsatisfied"]
    # Waiting for a unit's reply past its deadline at the end of the period, replayed from the
    # events (a reply that came later does not change a closed month's figure).
    last_assign = SuggestionEvent.objects.filter(
        suggestion=OuterRef("pk"), action=A.ASSIGN, at__lt=end
    ).order_by("-at", "-id")
    overdue = (
        Suggestion.objects.filter(headquarters=hq)
        .annotate(
            assigned=Subquery(last_assign.values("at")[:1]),
            deadline=Subquery(last_assign.annotate(due=KT("data__deadline")).values("due")[:1]),
        )
        .filter(assigned__isnull=False, deadline__lt=_as_date(end).isoformat())
        .exclude(
            Exists(
                SuggestionEvent.objects.filter(
                    suggestion=OuterRef("pk"),
                    action=A.REPLY,
                    at__gte=OuterRef("assigned"),
                    at__lt=end,
                )
            )
        )
        .count()
    )
    return {
        "received": received,
        **events,
        "rated": rated,
        "on_time_rate": rate(events["on_time"], events["unit_replies"]),
        "satisfaction_rate": rate(events["satisfied"] + events["basic"], rated),
        "overdue_replies": overdue,
    }


def activity_figures(hq, start: date | datetime, end: date | datetime) -> dict:
    """Activities held in ``[start, end)`` and entered by ``end``: how many, people, volunteers
    and their hours, the organising units, and the same per series (every active series, also
    those without any, and any inactive one that had activities in the period).

    As at ``end``: an activity entered after the period's end (late, by a liaison) is not in the
    period's figures, so that compiling an ended month again gives the same numbers."""
    first, stop = _as_date(start), _as_date(end)
    held = Activity.objects.filter(
        headquarters=hq, date__gte=first, date__lt=stop, created_at__lt=_as_datetime(end)
    )
    sums = {
        "activities": Count("id"),
        "participants": Sum("participants", default=0),
        "volunteers": Sum("volunteers", default=0),
        "volunteer_hours": Sum("volunteer_hours", default=Decimal(0)),
    }
    totals = held.aggregate(**sums, units=Count("organiser", distinct=True))
    per_series = {row["series"]: row for row in held.values("series").annotate(**sums).order_by()}
    series = []
    shown = ActivitySeries.objects.filter(headquarters=hq).filter(
        Q(active=True) | Q(pk__in=list(per_series))
    )
    for item in shown.order_by("order", "id"):
        row = per_series.get(item.pk, {})
        series.append(
            {
                "series": item,
                "name": item.name,
                "activities": row.get("activities", 0),
                "participants": row.get("participants", 0),
                "volunteers": row.get("volunteers", 0),
                "volunteer_hours": row.get("volunteer_hours", Decimal(0)),
            }
        )
    return {**totals, "series": series}
