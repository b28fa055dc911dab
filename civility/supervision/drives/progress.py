"""A drive's progress (SPEC §7): found / closed / on time / 回潮 overall, per unit, per week and per
sub-drive, and its numeric targets against the actual figures.

Every figure is a database aggregate over the drive's problems (its sub-drives' included, voided
ones left out): a fixed number of queries whatever the number of problems, units or weeks. Weekly
figures follow the problems found in each week (a cohort: of the problems found that week, how
many are closed by now), so each one is exactly the problem list filtered by report date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from civility.core.periods import WEEK, Period
from civility.supervision.drives.models import Drive, DriveTarget
from civility.supervision.drives.services import drive_tree, family_from
from civility.supervision.problems.models import Problem
from civility.supervision.problems.recurrence import percent

CLOSED = Q(status=Problem.Status.CLOSED)
ON_TIME = CLOSED & Q(closed_at__lte=F("deadline"))
RECURRING = Q(recurrence_of__isnull=False)
UNRESOLVED = Q(status__in=(Problem.Status.REPORTED, *Problem.OPEN_STATUSES))


def _overdue(now) -> Q:
    return Q(status__in=Problem.OPEN_STATUSES, deadline__lt=now)


def _conditions(now) -> dict[str, Q]:
    """What each figure counts, as a condition on the drive's problems."""
    return {
        "found": Q(),
        "closed": CLOSED,
        "on_time": ON_TIME,
        "overdue": _overdue(now),
        "recurring": RECURRING,
    }


def _counts(now, extra: Q | None = None, prefix: str = "") -> dict:
    """Count aggregates of every figure, each within ``extra`` when given."""
    counts = {}
    for name, condition in _conditions(now).items():
        if extra is not None:
            condition = extra & condition
        # Of the status (never null), not the id: PostgreSQL can then count from the index
        # problem_drive_figures alone.
        counts[f"{prefix}{name}"] = (
            Count("status", filter=condition) if condition else Count("status")
        )
    return counts


@dataclass
class Figures:
    found: int = 0
    closed: int = 0
    on_time: int = 0
    overdue: int = 0
    recurring: int = 0

    @classmethod
    def of(cls, row: dict) -> Figures:
        return cls(
            **{
                name: row.get(name) or 0
                for name in ("found", "closed", "on_time", "overdue", "recurring")
            }
        )

    @property
    def closure_rate(self) -> Decimal | None:
        return percent(self.closed, self.found)

    @property
    def on_time_rate(self) -> Decimal | None:
        """按期销号率: closed by the deadline among the closed ones."""
        return percent(self.on_time, self.closed)

    @property
    def recurrence_rate(self) -> Decimal | None:
        return percent(self.recurring, self.found)


@dataclass
class UnitRow:
    unit_id: int | None
    name: str
    figures: Figures


@dataclass
class WeekRow:
    period: Period
    figures: Figures


@dataclass
class SubDriveRow:
    drive: Drive
    figures: Figures


@dataclass
class TargetRow:
    target: DriveTarget
    actual: Decimal | int | None

    @property
    def met(self) -> bool | None:
        if self.actual is None:
            return None
        if self.target.is_ceiling:
            return self.actual <= self.target.value
        return self.actual >= self.target.value


@dataclass
class Progress:
    drive: Drive
    figures: Figures
    units: list[UnitRow] = field(default_factory=list)
    weeks: list[WeekRow] = field(default_factory=list)
    sub_drives: list[SubDriveRow] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    sites_cleared: int = 0
    sites_touched: int = 0


def drive_problems(
    drive: Drive, scope: QuerySet | None = None, *, tree: dict | None = None
) -> QuerySet:
    """The drive's problems (its sub-drives' included), not voided, within ``scope``."""
    problems = scope if scope is not None else Problem.objects.all()
    ids = family_from(drive.pk, tree if tree is not None else drive_tree(drive.headquarters_id))
    return problems.filter(drive__in=ids).exclude(status=Problem.Status.VOID)


def drive_weeks(drive: Drive, today: date) -> list[Period]:
    """The ISO weeks of the drive up to today (a drive that has not started has none)."""
    last = min(drive.end_date, today)
    weeks, week = [], Period.of(drive.start_date, WEEK)
    while week.first <= last:
        weeks.append(week)
        week = week.next()
    return weeks


def _actual(metric: str, figures: Figures, sites_cleared: int):
    M = DriveTarget.Metric
    return {
        M.FOUND: figures.found,
        M.CLOSED: figures.closed,
        M.CLOSURE_RATE: figures.closure_rate,
        M.ON_TIME_RATE: figures.on_time_rate,
        M.RECURRENCE_RATE: figures.recurrence_rate,
        M.SITES_CLEARED: sites_cleared,
    }.get(metric)


def drive_progress(
    drive: Drive, *, scope: QuerySet | None = None, today: date | None = None, now=None
) -> Progress:
    """Everything the progress page shows; ``scope`` narrows the problems (a liaison's unit)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    tree = drive_tree(drive.headquarters_id)
    problems = drive_problems(drive, scope, tree=tree).order_by()
    counts = _counts(now)
    figures = Figures.of(problems.aggregate(**counts))

    units = [
        UnitRow(row["primary_unit_id"], row["primary_unit__name"] or "", Figures.of(row))
        for row in problems.values("primary_unit_id", "primary_unit__name").annotate(**counts)
    ]
    units.sort(key=lambda r: (r.unit_id is None, -r.figures.found, r.name))

    weeks = drive_weeks(drive, today)
    weekly = {}
    for index, week in enumerate(weeks):
        in_week = Q(reported_at__gte=week.start, reported_at__lt=week.end)
        weekly.update(_counts(now, in_week, prefix=f"w{index}_"))
    values = problems.aggregate(**weekly) if weekly else {}
    week_rows = [
        WeekRow(
            week,
            Figures.of({name: values[f"w{index}_{name}"] for name in counts}),
        )
        for index, week in enumerate(weeks)
    ]

    children = list(drive.children.select_related("lead_group").order_by("start_date", "id"))
    sub_rows = []
    if children:
        child_family = {child.pk: family_from(child.pk, tree) for child in children}
        sub_counts = {}
        for child in children:
            in_child = Q(drive__in=child_family[child.pk])
            sub_counts.update(_counts(now, in_child, prefix=f"d{child.pk}_"))
        values = problems.aggregate(**sub_counts)
        sub_rows = [
            SubDriveRow(child, Figures.of({n: values[f"d{child.pk}_{n}"] for n in counts}))
            for child in children
        ]

    sites = problems.values("site_id").annotate(unresolved=Count("pk", filter=UNRESOLVED))
    touched = sites.count()
    cleared = sites.filter(unresolved=0).count()
    targets = [
        TargetRow(target, _actual(target.metric, figures, cleared))
        for target in drive.targets.all()
    ]
    return Progress(
        drive=drive,
        figures=figures,
        units=units,
        weeks=week_rows,
        sub_drives=sub_rows,
        targets=targets,
        sites_cleared=cleared,
        sites_touched=touched,
    )


def _ancestry(pk: int, parents: dict[int, int | None]) -> set[int]:
    """A drive with its parent, its parent's parent and so on."""
    seen: set[int] = set()
    while pk is not None and pk not in seen:
        seen.add(pk)
        pk = parents.get(pk)
    return seen


def drive_totals(drives: list[Drive], *, scope: QuerySet | None = None) -> dict[int, Figures]:
    """{drive pk: figures} for a list of drives, each counting its sub-drives' problems; one
    aggregate query grouped by drive plus the parent links of the drives."""
    problems = (scope if scope is not None else Problem.objects.all()).exclude(
        status=Problem.Status.VOID
    )
    counts = _counts(timezone.now())
    parents = dict(Drive.objects.values_list("pk", "parent_id"))  # drives are few
    # Only the problems of the listed drives and their sub-drives (the home page lists the
    # running drives, not every drive there ever was).
    wanted = {drive.pk for drive in drives}
    family = {pk for pk in parents if _ancestry(pk, parents) & wanted}
    own = {
        row["drive_id"]: Figures.of(row)
        for row in problems.filter(drive__in=family)
        .order_by()
        .values("drive_id")
        .annotate(**counts)
    }
    totals: dict[int, Figures] = {}
    for drive_id, figures in own.items():
        seen = set()
        current = drive_id
        while current is not None and current not in seen:
            seen.add(current)
            total = totals.setdefault(current, Figures())
            for name in ("found", "closed", "on_time", "overdue", "recurring"):
                setattr(total, name, getattr(total, name) + getattr(figures, name))
            current = parents.get(current)
    return {drive.pk: totals.get(drive.pk, Figures()) for drive in drives}
