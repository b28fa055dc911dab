"""The 通报's campaign lines (SPEC §5 五、六 and §7): 回潮 and the running drives, as at ``moment``
(the period's end), so that compiling an ended period again on another day gives the same lines.

- 回潮 comes from the problems themselves: a problem found in the period whose ``recurrence_of``
  links it to an earlier closed one there (``civility.supervision.problems.recurrence`` marks it
  when it is reported). Rates per unit (the unit responsible at the moment) and per category are
  recurring / found among the period's problems.
- A drive's line is what its progress page (``civility.supervision.drives.progress``) counts —
  found, closed, on time, overdue, 回潮, per sub-drive, numeric targets against the actual — but
  each problem as it stood at ``moment`` (replayed as ``asof`` does, by the database in one
  query: ``drive_figures``), not as it stands today.

Everything is JSON-ready: it goes into a report's data and, published, its frozen snapshot.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

from civility.core.periods import Period
from civility.reports import drive_figures
from civility.supervision.drives.models import Drive, DriveTarget
from civility.supervision.drives.services import drive_tree, family_from
from civility.supervision.problems.models import Problem
from civility.supervision.problems.recurrence import percent

Status = Problem.Status
UNRESOLVED = frozenset({Status.REPORTED, *Problem.OPEN_STATUSES})


def _rate(part: int, whole: int) -> str | None:
    value = percent(part, whole)
    return None if value is None else str(value)


# --- 五、回潮 ----------------------------------------------------------------------------------


def recurrence_sites(figures) -> list[dict]:
    """Sites where a category came back (回潮) in the period: one row per site and category with
    the recurring problems found there (``figures`` is the period's ``PeriodFigures``)."""
    counts: Counter = Counter()
    where: dict[tuple, tuple[str, str, str]] = {}
    for state in figures.found:
        p = state.problem
        if p.recurrence_of_id is None:
            continue
        key = (p.site_id, p.category_id)
        counts[key] += 1
        where[key] = (p.site.name, p.site.street.name if p.site.street_id else "", p.category.name)
    rows = [
        {"site": site, "street": street, "category": category, "count": counts[key]}
        for key, (site, street, category) in where.items()
    ]
    rows.sort(key=lambda r: (-r["count"], r["site"], r["category"]))
    return rows


def recurrence_rates(figures) -> dict:
    """The period's 回潮率 overall, per unit and per category (those with any 回潮)."""
    found, recurring = Counter(), Counter()
    by_category, recurring_category = Counter(), Counter()
    for state in figures.found:
        p = state.problem
        unit = state.unit.name if state.unit is not None else "未交办"
        found[unit] += 1
        by_category[p.category.name] += 1
        if p.recurrence_of_id is not None:
            recurring[unit] += 1
            recurring_category[p.category.name] += 1

    def rows(totals: Counter, part: Counter, label: str) -> list[dict]:
        result = [
            {label: name, "found": totals[name], "recurring": n, "rate": _rate(n, totals[name])}
            for name, n in part.items()
        ]
        result.sort(
            key=lambda r: (-r["recurring"], -(percent(r["recurring"], r["found"]) or 0), r[label])
        )
        return result

    total = sum(found.values())
    repeated = sum(recurring.values())
    return {
        "found": total,
        "recurring": repeated,
        "rate": _rate(repeated, total),
        "units": rows(found, recurring, "unit"),
        "categories": rows(by_category, recurring_category, "category"),
    }


# --- 六、drives --------------------------------------------------------------------------------


class _Tally:
    """A drive's (or sub-drive's) figures as at a moment (``drive_figures.family_figures``)."""

    def __init__(self, counts: dict[str, int]):
        self.found = counts["found"]
        self.found_in_period = counts["found_in_period"]
        self.closed = counts["closed"]
        self.on_time = counts["on_time"]
        self.overdue = counts["overdue"]
        self.recurring = counts["recurring"]
        self.sites_cleared = counts["sites_cleared"]

    def as_dict(self) -> dict:
        return {
            "found": self.found,
            "found_in_period": self.found_in_period,
            "closed": self.closed,
            "on_time": self.on_time,
            "overdue": self.overdue,
            "recurring": self.recurring,
            "closure_rate": _rate(self.closed, self.found),
            "on_time_rate": _rate(self.on_time, self.closed),
            "recurrence_rate": _rate(self.recurring, self.found),
        }

    def actual(self, metric: str):
        M = DriveTarget.Metric
        return {
            M.FOUND: self.found,
            M.CLOSED: self.closed,
            M.CLOSURE_RATE: percent(self.closed, self.found),
            M.ON_TIME_RATE: percent(self.on_time, self.closed),
            M.RECURRENCE_RATE: percent(self.recurring, self.found),
            M.SITES_CLEARED: self.sites_cleared,
        }.get(metric)


def _number(value: Decimal) -> str:
    """30.0 → "30", 5.5 → "5.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _target(target: DriveTarget, tally: _Tally) -> dict:
    actual = tally.actual(target.metric)
    met = None
    if actual is not None:
        met = actual <= target.value if target.is_ceiling else actual >= target.value
    return {
        "label": target.label,
        "metric": target.get_metric_display(),
        "value": _number(target.value),
        "actual": None if actual is None else str(actual),
        "met": met,
        "ceiling": target.is_ceiling,
    }


def drive_lines(headquarters, period: Period, moment: datetime) -> list[dict]:
    """One line per top-level drive running during the period: its figures to date and in the
    period, its sub-drives' and its targets against the actual, all as at ``moment``. A fixed
    number of queries whatever the number of drives and problems."""
    drives = list(
        Drive.objects.filter(
            headquarters=headquarters,
            start_date__lte=period.last,
            end_date__gte=period.first,
            parent__isnull=True,
        )
        .prefetch_related("targets", "children")
        .order_by("start_date", "pk")
    )
    if not drives:
        return []
    tree = drive_tree(headquarters.pk)
    families = {d.pk: family_from(d.pk, tree) for d in drives}
    for drive in drives:
        for child in drive.children.all():
            families[child.pk] = family_from(child.pk, tree)
    counted = drive_figures.family_figures(headquarters, families, period, moment)

    def tally(pk: int) -> _Tally:
        return _Tally(counted[pk])

    lines = []
    for drive in drives:
        figures = tally(drive.pk)
        children = sorted(drive.children.all(), key=lambda c: (c.start_date, c.pk))
        lines.append(
            {
                "drive_id": drive.pk,
                "name": drive.name,
                "kind": drive.get_kind_display(),
                "start": f"{drive.start_date:%Y-%m-%d}",
                "end": f"{drive.end_date:%Y-%m-%d}",
                **figures.as_dict(),
                "sub_drives": [
                    {
                        "name": child.name,
                        "start": f"{child.start_date:%Y-%m-%d}",
                        "end": f"{child.end_date:%Y-%m-%d}",
                        **tally(child.pk).as_dict(),
                    }
                    for child in children
                ],
                "targets": [_target(t, figures) for t in drive.targets.all()],
            }
        )
    return lines
