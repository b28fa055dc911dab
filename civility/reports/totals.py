"""The month totals alone (issue 11): what the annual assessment and the trends read of a
month — each assessed unit's total — without the rows, ranks, lists, commentary and partners
that ``civility.reports.scoring`` builds for a month's ranking. The same counts (the stored facts,
the running month live), the same parts and the same rounding (``scoring.rectification_score``,
``scoring.total_of``): equal to ``scoring.scores_for_months``' totals, tested.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from civility.core.periods import MONTH, Period
from civility.org.models import Unit
from civility.reports import counts as counting
from civility.reports import facts, scoring


def month_totals(
    headquarters,
    periods: Iterable[Period],
    *,
    now: datetime | None = None,
    units: Collection[int] | None = None,
) -> dict[Period, dict[int, Decimal]]:
    """{month: {unit id: total}} of the assessed units of each month: the totals
    ``scores_for_months`` gives (the same counts, parts and rounding), without its rows, ranks,
    lists, commentary and partners — what the annual assessment and the trends need. A fixed
    number of queries (the policies, the units, the facts); plain values, so a city's year
    leaves little for the garbage collector. ``units``: these unit ids alone (their stored
    facts alone are read)."""
    now = now or timezone.now()
    periods = sorted(set(periods))
    if not periods:
        return {}
    if any(p.kind != MONTH for p in periods):
        raise ValueError("scores are kept for months")
    rules = scoring.policies(headquarters, {p.year for p in periods})
    unit_rows = list(
        Unit.objects.filter(headquarters=headquarters, active=True, kind__in=scoring.RANKED_KINDS)
        .order_by("kind", "order", "id")
        .values_list("pk", "name", "kind")
    )
    names = {name: pk for pk, name, _kind in unit_rows}
    if units is not None:
        units = set(units)
        unit_rows = [row for row in unit_rows if row[0] in units]
    fields, rectification = facts.month_counts(
        headquarters, periods, now=now, units=names, only=units
    )
    empty = counting.empty_counts()
    area = set(Unit.AREA_KINDS)
    result = {}
    for period in periods:
        policy = rules[period.year]
        month_fields, month_counts = fields[period], rectification[period]
        min_visits = policy.min_site_visits
        totals = {}
        for pk, _name, kind in unit_rows:
            rectification_raw = scoring.rectification_score(policy, month_counts.get(pk) or empty)
            field_raw = None
            is_area = kind in area
            if is_area:
                visits = month_fields.get(pk)
                if visits and visits["visits"] >= min_visits:
                    field_raw = visits["mean"]
            total, _note = scoring.total_of(policy, is_area, field_raw, rectification_raw)
            if total is not None:
                totals[pk] = total
        result[period] = totals
    return result
