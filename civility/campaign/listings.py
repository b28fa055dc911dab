"""红黑榜 listings read from the published monthly bulletins' frozen snapshots (SPEC §5: a published
month never changes), for 问责 suggestions and the honours review."""

from __future__ import annotations

from collections import defaultdict

from civility.org.models import Unit
from civility.reports.models import Report


def published_months(hq, *, years: set[int] | None = None) -> list[tuple[int, int, dict]]:
    """(year, month, snapshot data) of the published monthly bulletins, oldest first."""
    reports = Report.objects.filter(
        headquarters=hq, kind=Report.Kind.MONTHLY, status=Report.Status.PUBLISHED
    )
    if years:
        reports = reports.filter(period_start__year__in=years)
    months = {}
    for period_start, snapshot in reports.values_list("period_start", "snapshot"):
        months[(period_start.year, period_start.month)] = (snapshot or {}).get("data", {})
    return [(year, month, data) for (year, month), data in sorted(months.items())]


def black_listings(hq, *, years: set[int] | None = None) -> dict[int, list[tuple[int, int]]]:
    """{unit pk: [(year, month), …]} of the months each unit was on the published 黑榜."""
    names = dict(Unit.objects.filter(headquarters=hq).values_list("name", "pk"))
    listed: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for year, month, data in published_months(hq, years=years):
        for entry in data.get("black_list", []):
            pk = entry.get("unit_id") or names.get(entry.get("unit"))
            if pk is not None and (year, month) not in listed[pk]:
                listed[pk].append((year, month))
    return dict(listed)
