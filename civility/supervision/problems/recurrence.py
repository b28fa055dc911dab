"""回潮 (SPEC §7, "反复抓、抓反复"): a problem of the same category found again at the same site
within the headquarters' window (``Headquarters.recurrence_days``, default 30) after one there was
closed. ``earlier_closed`` finds the problem a new report recurs; the rate functions aggregate
recurrence per unit, site and category in the database (one query each).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from civility.supervision.problems.models import Problem

RECURRING = Q(recurrence_of__isnull=False)


def window_start(hq, reported_at: datetime) -> datetime:
    """The earliest close that still makes a report at ``reported_at`` a recurrence: the start
    of the day ``recurrence_days`` calendar days before the report (local time)."""
    day = timezone.localdate(reported_at) - timedelta(days=hq.recurrence_days)
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def earlier_closed(*, site, category, reported_at: datetime, hq=None) -> Problem | None:
    """The most recent problem of ``category`` at ``site`` closed within the window before
    ``reported_at``, or None (a problem still open there is a duplicate, not a recurrence)."""
    hq = hq or site.headquarters
    return (
        Problem.objects.filter(
            site=site,
            category=category,
            status=Problem.Status.CLOSED,
            closed_at__lte=reported_at,
            closed_at__gte=window_start(hq, reported_at),
        )
        .order_by("-closed_at", "-id")
        .first()
    )


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class RecurrenceRow:
    key: int | None
    name: str
    found: int
    recurring: int

    @property
    def rate(self) -> Decimal | None:
        return percent(self.recurring, self.found)


def _counted(problems: QuerySet) -> QuerySet:
    return problems.exclude(status=Problem.Status.VOID).order_by()


def _rows(problems: QuerySet, key: str, name: str, *, only_recurring: bool) -> list[RecurrenceRow]:
    rows = (
        _counted(problems)
        .values(key, name)
        .annotate(found=Count("pk"), recurring=Count("pk", filter=RECURRING))
    )
    if only_recurring:
        rows = rows.filter(recurring__gt=0)
    result = [
        RecurrenceRow(row[key], row[name] or "", row["found"], row["recurring"]) for row in rows
    ]
    result.sort(key=lambda r: (-r.recurring, -(r.rate or 0), r.name))
    return result


def rates_by_unit(problems: QuerySet, *, only_recurring: bool = False) -> list[RecurrenceRow]:
    """Found and recurring problems per primary unit (待交办 problems have none)."""
    return _rows(problems, "primary_unit_id", "primary_unit__name", only_recurring=only_recurring)


def rates_by_site(problems: QuerySet, *, only_recurring: bool = True) -> list[RecurrenceRow]:
    """Per site; by default only the sites where something recurred."""
    return _rows(problems, "site_id", "site__name", only_recurring=only_recurring)


def rates_by_category(problems: QuerySet, *, only_recurring: bool = False) -> list[RecurrenceRow]:
    return _rows(problems, "category_id", "category__name", only_recurring=only_recurring)


def overall(problems: QuerySet) -> RecurrenceRow:
    counts = _counted(problems).aggregate(
        found=Count("pk"), recurring=Count("pk", filter=RECURRING)
    )
    return RecurrenceRow(None, "", counts["found"], counts["recurring"])


def recurrence_gap_days(problem: Problem) -> int | None:
    """Days between the earlier problem's close and this report (for the 回潮 notice)."""
    earlier = problem.recurrence_of
    if earlier is None or earlier.closed_at is None:
        return None
    return (timezone.localdate(problem.reported_at) - timezone.localdate(earlier.closed_at)).days
