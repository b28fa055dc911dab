"""The stored monthly facts per unit (issue 11): the counts behind the scores of ended months.

A month's figures are final once it has ended (SPEC §6: counted as of the month's end, nothing
later moves them), so ``civility.reports.counts`` need not recount an ended month's visits and
problems every time a dashboard, ranking, bulletin or annual assessment shows it. ``month_counts``
returns exactly what ``counts.field_counts`` and ``counts.rectification_counts`` return; for an
ended month it reads the stored rows, building them (with those same functions) the first time.

A stored month remembers the last event and site visit it had counted. An event or visit dated
inside the month that arrives later (an import, a correction, data written with past times) makes
it stale, and it is rebuilt when next read; ``compile_reports`` rebuilds the month it compiles.
The running month (本月至今) is always counted live.

A stored month also keeps its 通报 overview once a bulletin has needed it (``month_overview``):
the next month's bulletin compares with it and need not replay the month's problems again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from civility.core.periods import Period
from civility.reports import counts as counting
from civility.reports import to_date
from civility.reports.models import FactMonth, UnitMonthFacts
from civility.supervision.inspections.visits import SiteVisit
from civility.supervision.problems.models import ProblemEvent

RECTIFICATION = counting.RECTIFICATION_KEYS


def month_counts(
    headquarters,
    periods: Iterable[Period],
    *,
    now: datetime,
    units: dict[str, int] | None = None,
    only: Collection[int] | None = None,
) -> tuple[dict, dict]:
    """(field counts, rectification counts) per month, as ``counts`` computes them. ``only``:
    the stored months are read back for these unit ids alone (a page that scores one kind of
    unit); what is built or counted live is still every unit's."""
    periods = sorted(set(periods))
    ended = [p for p in periods if not counting.is_running(p, now)]
    stored = _fresh(headquarters, ended)
    live = [p for p in periods if p not in stored]
    # The marks are read before counting: an event or visit written meanwhile is above them,
    # so the next read finds the month stale instead of taking it as counted.
    marks = _marks() if any(p in ended for p in live) else None
    fields = counting.field_counts(headquarters, live, now=now) if live else {}
    # The running month's rectification counts kept current (to_date), the others counted.
    rectification = (
        to_date.rectification_counts(headquarters, live, now=now, units=units) if live else {}
    )
    built = {p: (fields[p], rectification[p]) for p in live if p in ended}
    _store(headquarters, built, marks, units=set((units or {}).values()))
    # Every ended month is then served from the store (the ones just built too): the same
    # queries whichever months were fresh.
    for period, counts in _read(headquarters, ended, only).items():
        fields[period], rectification[period] = counts
    return fields, rectification


def refresh(headquarters, period: Period, *, now: datetime | None = None) -> None:
    """Count an ended month again and store it (compile_reports does this for its month)."""
    now = now or timezone.now()
    if counting.is_running(period, now):
        return
    marks = _marks()  # before counting (see month_counts)
    fields = counting.field_counts(headquarters, [period], now=now)[period]
    rectification = counting.rectification_counts(headquarters, [period], now=now)[period]
    _store(headquarters, {period: (fields, rectification)}, marks)


def month_overview(headquarters, period: Period, compute: Callable[[], dict], *, now) -> dict:
    """An ended month's 通报 overview as at its end: ``compute()`` the first time, kept on the
    month's stored facts and read from them afterwards, for as long as they are fresh (a later
    event or visit inside the month drops it with them). The running month is computed."""
    if counting.is_running(period, now):
        return compute()
    month = _fresh(headquarters, [period]).get(period)
    if month is not None and month.overview:
        return month.overview
    overview = compute()
    if month is not None:
        FactMonth.objects.filter(pk=month.pk).update(overview=overview)
    return overview


def _marks() -> tuple[int, int]:
    last_event = ProblemEvent.objects.order_by("-id").values_list("id", flat=True).first()
    last_visit = SiteVisit.objects.order_by("-id").values_list("id", flat=True).first()
    return last_event or 0, last_visit or 0


def _fresh(headquarters, ended: list[Period]) -> dict[Period, FactMonth]:
    """The stored months among ``ended`` that nothing counted since has touched.

    Four queries whatever the months: the stored months, the events and the site visits newer
    than the oldest of their marks (read by primary key: few, because the marks move up each
    time the months are read), and that move."""
    if not ended:
        return {}
    by_slug = {p.slug: p for p in ended}
    months = list(FactMonth.objects.filter(headquarters=headquarters, period__in=by_slug))
    never = 2**62  # no stored month: nothing newer to look at
    low_event = min((m.last_event for m in months), default=never)
    low_visit = min((m.last_visit for m in months), default=never)
    # Read by primary key alone, the headquarters checked here: a condition on it in the query
    # lets SQLite walk the whole headquarters (a city's every problem) instead of the few new ids.
    new_events = list(
        ProblemEvent.objects.filter(id__gt=low_event)
        .order_by()
        .values_list("id", "at", "problem__headquarters_id")
    )
    new_visits = list(
        SiteVisit.objects.filter(id__gt=low_visit)
        .order_by()
        .values_list("id", "inspection__date", "inspection__headquarters_id")
    )
    hq = headquarters.pk
    events = [(pk, at) for pk, at, owner in new_events if owner == hq]
    visits = [(pk, day) for pk, day, owner in new_visits if owner == hq]
    fresh = {}
    for month in months:
        period = by_slug[month.period]
        if any(pk > month.last_event and at < period.end for pk, at in events):
            continue
        if any(pk > month.last_visit and day <= period.last for pk, day in visits):
            continue
        fresh[period] = month
    # What the fresh months were checked against need not be looked at again, other
    # headquarters' ids included ("" keeps the query the same when none is fresh).
    checked = [*(p.slug for p in fresh), ""]
    FactMonth.objects.filter(headquarters=headquarters, period__in=checked).update(
        last_event=Greatest(F("last_event"), Value(max((r[0] for r in new_events), default=0))),
        last_visit=Greatest(F("last_visit"), Value(max((r[0] for r in new_visits), default=0))),
    )
    return fresh


def _store(headquarters, months: dict[Period, tuple[dict, dict]], marks, units=frozenset()) -> None:
    """Replace the stored facts of ``months`` (a fixed number of queries however many), counted
    after the last event and visit were ``marks``. A row for every one of ``units`` too (zeros
    where nothing was counted): a month is never empty, so storing costs the same queries
    whatever the data."""
    if not months:
        return
    last_event, last_visit = marks
    slugs = [p.slug for p in months]
    try:
        with transaction.atomic():
            UnitMonthFacts.objects.filter(
                month__headquarters=headquarters, month__period__in=slugs
            ).delete()
            old = FactMonth.objects.filter(headquarters=headquarters, period__in=slugs)
            old._raw_delete(old.db)  # their facts are gone already: one DELETE, no cascade
            now = timezone.now()
            made = FactMonth.objects.bulk_create(
                FactMonth(
                    headquarters=headquarters,
                    period=p.slug,
                    built_at=now,
                    last_event=last_event,
                    last_visit=last_visit,
                )  # fmt: skip
                for p in months
            )
            if any(m.pk is None for m in made):  # a backend that returns no keys
                made = list(FactMonth.objects.filter(headquarters=headquarters, period__in=slugs))
            rows = []
            for month in made:
                fields, rectification = months[Period.parse(month.period, "month")]
                rows += _rows(month, fields, rectification, units)
            UnitMonthFacts.objects.bulk_create(rows, batch_size=1000)
    except IntegrityError:
        pass  # built at the same moment by another server: theirs is the same


def _rows(month: FactMonth, fields: dict, rectification: dict, units) -> list[UnitMonthFacts]:
    rows = []
    for unit in sorted(set(fields) | set(rectification) | set(units)):
        field = fields.get(unit)
        counts = rectification.get(unit)
        rows.append(
            UnitMonthFacts(
                month=month,
                unit_id=unit,
                visits=field["visits"] if field else 0,
                rate_sum=field["mean"] * field["visits"] if field else 0,
                items_failed=field["items_failed"] if field else 0,
                rectification=counts is not None,
                **(counts or {}),
            )
        )
    return rows


def _read(headquarters, periods: list[Period], only=None) -> dict[Period, tuple[dict, dict]]:
    """The stored facts of ``periods`` (one query), of the units ``only`` names if given."""
    result = {period: ({}, {}) for period in periods}
    if not periods:
        return result
    by_slug = {p.slug: p for p in periods}
    rows = UnitMonthFacts.objects.filter(
        month__headquarters=headquarters, month__period__in=by_slug
    )
    if only is not None:
        rows = rows.filter(unit_id__in=list(only))
    # Tuples, not model instances: a year of a city's units is thousands of rows.
    rows = rows.values_list(
        "month__period", "unit_id", "visits", "rate_sum", "items_failed", "rectification",
        *RECTIFICATION,
    )  # fmt: skip
    for slug, unit, visits, rate_sum, items_failed, has_counts, *counts in rows:
        fields, rectification = result[by_slug[slug]]
        if visits:
            fields[unit] = {
                "visits": visits,
                "mean": rate_sum / visits,
                "items_failed": items_failed,
            }
        if has_counts:
            rectification[unit] = dict(zip(RECTIFICATION, counts, strict=True))
    return result


def stale_months(headquarters) -> list[str]:
    """The stored months a later event or visit has made stale (for the admin and tests)."""
    slugs = FactMonth.objects.filter(headquarters=headquarters).values_list("period", flat=True)
    periods = [Period.parse(slug, "month") for slug in slugs]
    fresh = _fresh(headquarters, periods)
    return sorted(p.slug for p in periods if p not in fresh)
