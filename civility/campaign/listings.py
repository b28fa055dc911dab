"""红黑榜 listings read from the published monthly bulletins' frozen snapshots (SPEC §5: a published
month never changes), for 问责 suggestions and the honours review. Only the lists are read out of
each snapshot (a JSON key lookup in the database), never the whole document."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from civility.org.models import Unit
from civility.reports.models import Report


def black_listings(
    hq, *, years: set[int] | None = None, since: date | None = None
) -> dict[int, list[tuple[int, int]]]:
    """{unit pk: [(year, month), …]} of the months each unit was on a published 黑榜."""
    reports = Report.objects.filter(
        headquarters=hq, kind=Report.Kind.MONTHLY, status=Report.Status.PUBLISHED
    )
    if years:
        reports = reports.filter(period_start__year__in=years)
    if since:
        reports = reports.filter(period_start__gte=since)
    names = dict(Unit.objects.filter(headquarters=hq).values_list("name", "pk"))
    listed: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = reports.order_by("period_start").values_list(
        "period_start", "snapshot__data__black_list"
    )
    for period_start, entries in rows:
        month = (period_start.year, period_start.month)
        for entry in entries or []:
            pk = entry.get("unit_id") or names.get(entry.get("unit"))
            if pk is not None and month not in listed[pk]:
                listed[pk].append(month)
    return dict(listed)
