"""A period's figures as at its end (SPEC §5): what the 通报 counts, replayed with ``asof``.

``PeriodFigures`` loads, in a constant number of queries, every problem the period's document can
mention — found in the period, due in it, open at its end, or touched by an event in it — as it
stood at the period's end (or now, for a period still running), and derives from that one list the
counts, the per-street and per-category tables, the units to name, the typical cases and the
annexed list. Nothing that happens after the period's end moves these numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from civility.core.periods import Period
from civility.org.models import ProblemCategory, Site, Unit
from civility.reports import asof
from civility.reports.scoring import q1
from civility.supervision.inspections.models import Inspection
from civility.supervision.problems.models import Action, Photo, Problem, ProblemEvent

Status = Problem.Status
TYPICAL_OPEN = 3  # open problems held up for criticism
TYPICAL_CLOSED = 2  # closed ones shown as 整改典型
# What the bulletin reads of each problem (and the replay, ``asof.states``).
ROW_FIELDS = (
    "headquarters_id", "number", "description", "status", "deadline", "deduction",
    "reported_at", "closed_at", "site__name", "site__street__name", "category__name",
    "primary_unit__name", "primary_unit__kind", "recurrence_of", "drive",
)  # fmt: skip


# The problem's own columns (the rest of the row is not loaded), then its names, then the replay.
WANTED = {"id", "site", "category", "primary_unit", *(n for n in ROW_FIELDS if "__" not in n)}
OWN = tuple(
    f.attname for f in Problem._meta.concrete_fields if f.name in WANTED or f.attname in WANTED
)
NAMES = (
    "site__name", "site__street_id", "site__street__name", "category__name",
    "primary_unit__name", "primary_unit__kind",
)  # fmt: skip
THEN = (
    "then_status", "then_closed", "then_deadline", "then_unit", "then_escalations", "then_reworks",
)  # fmt: skip


def _instance(model, db: str, **values):
    """A model instance with only ``values`` loaded (what ``only()`` would load)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def _rows(queryset) -> list[Problem]:
    """The problems of ``queryset`` (annotated by ``asof.annotate_as_of``) with the fields a
    bulletin reads, read as tuples: one site, street, category and unit object per distinct one
    (shared by their problems) instead of five model objects per row as ``select_related``
    makes them — tens of thousands of rows at city scale."""
    db = queryset.db
    sites: dict[int, Site] = {}
    units: dict[int, Unit] = {}
    categories: dict[int, ProblemCategory] = {}
    site_cache, category_cache = Problem.site.field, Problem.category.field
    unit_cache, street_cache = Problem.primary_unit.field, Site.street.field
    rows = []
    own = len(OWN)
    for values in queryset.values_list(*OWN, *NAMES, *THEN):
        p = Problem.from_db(db, OWN, values[:own])
        site_name, street_id, street_name, category_name, unit_name, unit_kind = values[
            own : own + len(NAMES)
        ]
        for name, value in zip(THEN, values[own + len(NAMES) :], strict=True):
            setattr(p, name, value)
        site = sites.get(p.site_id)
        if site is None:
            site = sites[p.site_id] = _instance(
                Site, db, id=p.site_id, name=site_name, street_id=street_id
            )
            street = None
            if street_id is not None:
                street = units.get(street_id)
                if street is None:
                    street = units[street_id] = _instance(Unit, db, id=street_id, name=street_name)
            street_cache.set_cached_value(site, street)
        site_cache.set_cached_value(p, site)
        category = categories.get(p.category_id)
        if category is None:
            category = categories[p.category_id] = _instance(
                ProblemCategory, db, id=p.category_id, name=category_name
            )
        category_cache.set_cached_value(p, category)
        unit = None
        if p.primary_unit_id is not None:
            unit = units.get(p.primary_unit_id)
            if unit is None or "kind" not in unit.__dict__:
                unit = units[p.primary_unit_id] = _instance(
                    Unit, db, id=p.primary_unit_id, name=unit_name, kind=unit_kind
                )
        unit_cache.set_cached_value(p, unit)
        rows.append(p)
    return rows


def rate(part: int, whole: int) -> str | None:
    return str(q1(Decimal(100) * part / whole)) if whole else None


def moment_of(period: Period, now: datetime | None = None) -> datetime:
    """The moment a period's figures are taken at: its end, or now while it runs."""
    return min(period.end, now or timezone.now())


def _stamp(value: datetime | None, zone=None) -> str:
    """Local wall-clock time to the minute (``zone``: the current time zone, when looked up once
    for many rows)."""
    if not value:
        return ""
    return f"{value.astimezone(zone or timezone.get_current_timezone()):%Y-%m-%d %H:%M}"


def submitted_inspections(headquarters, period: Period, moment: datetime):
    """Inspections of the period submitted by its end (one submitted later counts nowhere)."""
    return Inspection.objects.filter(
        headquarters=headquarters,
        status=Inspection.Status.SUBMITTED,
        date__gte=period.first,
        date__lte=period.last,
    ).filter(Q(submitted_at__lt=moment) | Q(submitted_at__isnull=True))


class PeriodFigures:
    """Everything countable about one period, as at its end."""

    def __init__(self, headquarters, period: Period, *, now: datetime | None = None):
        self.headquarters, self.period = headquarters, period
        self.moment = moment_of(period, now)
        start, moment = period.start, self.moment
        touched = ProblemEvent.objects.filter(problem=OuterRef("pk"), at__gte=start, at__lt=moment)
        candidates = (
            Problem.objects.filter(headquarters=headquarters)
            .filter(
                Q(reported_at__gte=start)
                | Q(deadline__gte=start)
                | asof.still_open_at(moment)
                | Q(Exists(touched))
            )
            .order_by("reported_at", "id")
        )
        self.states = asof.replay(_rows(asof.annotate_as_of(candidates, moment)))
        self._start = start  # ``period.start`` is computed on each read
        self.found = [s for s in self.states if self._found(s)]
        self.due = [
            s
            for s in self.states
            if s.counts and s.deadline is not None and start <= s.deadline < moment
        ]
        self.overdue_open = [s for s in self.states if s.overdue_at(moment)]
        events = ProblemEvent.objects.filter(
            problem__headquarters=headquarters, at__gte=start, at__lt=moment
        )
        # The month's 督办 and 销号 in one read of its events.
        actions = list(
            events.filter(action__in=[Action.ESCALATE, Action.APPROVE]).values_list(
                "problem_id", "action"
            )
        )
        self.escalated = Counter(pk for pk, action in actions if action == Action.ESCALATE)
        self.closed_in_period = sum(1 for _, action in actions if action == Action.APPROVE)

    def _found(self, state: asof.ProblemAt) -> bool:
        reported = state.problem.reported_at
        return self._start <= reported < self.moment and state.status != Status.VOID

    # --- 一、总体情况 --------------------------------------------------------------------------

    def overview(self) -> dict:
        inspections = submitted_inspections(self.headquarters, self.period, self.moment)
        visits = Inspection.sites.through.objects.filter(inspection__in=inspections).aggregate(
            visits=Count("id"), sites=Count("site", distinct=True)
        )
        found_closed = sum(1 for s in self.found if s.is_closed)
        due_on_time = sum(1 for s in self.due if s.closed_on_time)
        return {
            "inspections": inspections.count(),
            "site_visits": visits["visits"],
            "sites": visits["sites"],
            "found": len(self.found),
            "found_closed": found_closed,
            "found_open": sum(1 for s in self.found if s.is_open),
            "closure_rate": rate(found_closed, len(self.found)),
            "closed_in_period": self.closed_in_period,
            "due": len(self.due),
            "due_on_time": due_on_time,
            "due_closed_late": sum(1 for s in self.due if s.closed_late),
            "due_open": sum(1 for s in self.due if s.is_open),
            "on_time_rate": rate(due_on_time, len(self.due)),
            "overdue_open": len(self.overdue_open),
            "escalations": sum(self.escalated.values()),
            "as_of": _stamp(self.moment),
        }

    # --- breakdowns ------------------------------------------------------------------------------

    def by_street(self) -> list[dict]:
        rows: dict[str, dict] = {}
        for s in self.found:
            name = s.problem.site.street.name if s.problem.site.street_id else ""
            row = rows.setdefault(name, {"name": name, "count": 0, "closed": 0})
            row["count"] += 1
            row["closed"] += s.is_closed
        return sorted(rows.values(), key=lambda r: (-r["count"], r["name"]))

    def by_category(self) -> list[dict]:
        counts = Counter(s.problem.category.name for s in self.found)
        return [
            {"name": name, "count": n}
            for name, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
        ]

    # --- 五、存在问题: the units to name -----------------------------------------------------

    def units_named(self) -> list[dict]:
        """Every unit with a problem open past its deadline at the period's end, or with a problem
        督办 during the period, with those counts (most overdue first)."""
        by_pk = {s.pk: s for s in self.states}
        named: dict[int, dict] = {}

        def row(unit: Unit) -> dict:
            if unit.pk not in named:  # the label once per unit, not once per problem
                named[unit.pk] = {
                    "unit_id": unit.pk,
                    "unit": unit.name,
                    "kind": unit.get_kind_display(),
                    "overdue": 0,
                    "escalated": 0,
                    "numbers": [],
                }
            return named[unit.pk]

        for s in self.overdue_open:
            if s.unit is not None:
                entry = row(s.unit)
                entry["overdue"] += 1
                entry["numbers"].append(s.problem.number)
        for pk, times in self.escalated.items():
            state = by_pk.get(pk)
            if state is not None and state.unit is not None:
                entry = row(state.unit)
                entry["escalated"] += times
                if state.problem.number not in entry["numbers"]:
                    entry["numbers"].append(state.problem.number)
        return sorted(named.values(), key=lambda r: (-r["overdue"], -r["escalated"], r["unit"]))

    # --- typical cases -----------------------------------------------------------------------

    def _photos(self, states: list[asof.ProblemAt]) -> dict[int, dict[str, list[int]]]:
        """Before/after photo ids of these problems, as far as they had been taken by the end."""
        taken = Q(event__at__lt=self.moment) | Q(event__isnull=True, uploaded_at__lt=self.moment)
        photos = (
            Photo.objects.filter(problem__in=[s.pk for s in states])
            .filter(kind__in=[Photo.Kind.BEFORE, Photo.Kind.AFTER])
            .filter(taken)
            .order_by("uploaded_at", "id")
            .values_list("problem_id", "kind", "id")
        )
        result: dict[int, dict[str, list[int]]] = defaultdict(lambda: {"before": [], "after": []})
        for problem_id, kind, pk in photos:
            result[problem_id][kind].append(pk)
        return result

    def case(self, state: asof.ProblemAt, photos: dict[str, list[int]]) -> dict:
        return {
            **problem_row(state),
            "before_photos": photos["before"],
            "after_photos": photos["after"] if state.is_closed else [],
            "escalated": state.escalations > 0,
            "reworks": state.reworks,
        }

    def typical(self) -> tuple[list[dict], list[dict]]:
        """(open problems for criticism, closed ones as 整改典型) with before/after photo ids:
        open ones worst first (督办, overdue, 退回, deduction); closed ones with both photos."""
        moment = self.moment
        open_ = sorted(
            (s for s in self.found if s.is_open),
            key=lambda s: (
                -s.escalations,
                -s.overdue_at(moment),
                -s.reworks,
                -s.problem.deduction,
                s.problem.reported_at,
            ),
        )
        closed = sorted(
            (s for s in self.found if s.is_closed),
            key=lambda s: (-s.escalations, -s.reworks, -s.problem.deduction, s.problem.reported_at),
        )
        photos = self._photos(open_[: TYPICAL_OPEN * 4] + closed[: TYPICAL_CLOSED * 8])
        criticised = [self.case(s, photos[s.pk]) for s in open_ if photos[s.pk]["before"]][
            :TYPICAL_OPEN
        ]
        exemplary = [
            self.case(s, photos[s.pk])
            for s in closed
            if photos[s.pk]["before"] and photos[s.pk]["after"]
        ][:TYPICAL_CLOSED]
        return criticised, exemplary

    # --- 附件 问题清单 ---------------------------------------------------------------------------

    def problem_rows(self) -> list[dict]:
        zone = timezone.get_current_timezone()
        return [problem_row(s, zone) for s in self.found]


def problem_row(state: asof.ProblemAt, zone=None) -> dict:
    p = state.problem
    zone = zone or timezone.get_current_timezone()
    return {
        "number": p.number,
        "site": p.site.name,
        "street": p.site.street.name if p.site.street_id else "",
        "category": p.category.name,
        "unit": state.unit.name if state.unit else "",
        "status": state.status_label,
        "deadline": _stamp(state.deadline, zone),
        "closed_at": _stamp(state.closed_at, zone),
        "escalated": state.escalations > 0,
        "description": p.description,
    }
