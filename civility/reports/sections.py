"""The parts of a 通报 beyond the counts (SPEC §5): the 督查组' work, the period's 点评 with the
units' replies, every street of a weekly 巡报, 回头看 of last week's problems, next week's plan,
回潮 sites and drive progress. Each builder is small and reads the database as at ``moment`` (the
period's end), so that compiling an ended period again gives the same document.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.db.models import Count, F, Prefetch

from civility.core.periods import Period
from civility.org.models import Unit
from civility.reports import asof
from civility.reports.figures import rate, submitted_inspections
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.inspections.models import Inspection, InspectionPlan
from civility.supervision.problems.models import Drive, Problem

RECURRENCE_DAYS = 30  # SPEC §7 default; the campaign app's policy will own this window


def _day(value) -> str:
    return f"{value.month}月{value.day}日"


# --- 四、督查组 work ----------------------------------------------------------------------------


def team_work(headquarters, period: Period, moment: datetime) -> list[dict]:
    """Which team went where, how many times, and what it found (three queries)."""
    inspections = submitted_inspections(headquarters, period, moment)
    teams = {
        row["team"]: row
        for row in inspections.values("team")
        .annotate(
            name=F("team__name"),
            kind=F("team__kind"),
            inspections=Count("id", distinct=True),
            site_visits=Count("sites"),
        )
        .order_by("team__kind", "team")
    }
    streets: dict[int, set[str]] = defaultdict(set)
    for team_id, street in inspections.values_list("team", "street__name"):
        if street:
            streets[team_id].add(street)
    for team_id, street in Inspection.sites.through.objects.filter(
        inspection__in=inspections
    ).values_list("inspection__team", "site__street__name"):
        streets[team_id].add(street)
    found = dict(
        Problem.objects.filter(inspection__in=inspections, reported_at__lt=moment)
        .values("inspection__team")
        .annotate(n=Count("id"))
        .values_list("inspection__team", "n")
    )
    return [
        {
            "team": row["name"],
            "inspections": row["inspections"],
            "site_visits": row["site_visits"],
            "streets": sorted(streets[team_id]),
            "found": found.get(team_id, 0),
        }
        for team_id, row in teams.items()
    ]


# --- 四、the period's 点评 with the units' replies ---------------------------------------------


def commentary(headquarters, period: Period, moment: datetime) -> list[dict]:
    """The period's commentary by kind (会议/现场/书面), each unit's 签收 and reply as at
    ``moment`` (a reply written after the period's end is not in its document)."""
    receipts = CommentaryReceipt.objects.select_related("unit").order_by("unit__order", "unit_id")
    items = (
        Commentary.objects.filter(
            headquarters=headquarters, date__gte=period.first, date__lte=period.last
        )
        .select_related("author")
        .prefetch_related(Prefetch("receipts", queryset=receipts))
        .order_by("kind", "date", "id")
    )
    result = []
    for c in items:
        units = []
        for receipt in c.receipts.all():
            replied = receipt.replied_at is not None and receipt.replied_at < moment
            acknowledged = receipt.acknowledged_at is not None and receipt.acknowledged_at < moment
            units.append(
                {
                    "unit": receipt.unit.name,
                    "acknowledged": acknowledged,
                    "reply": receipt.reply if replied else "",
                    "replied_on": f"{receipt.replied_at:%Y-%m-%d}" if replied else "",
                }
            )
        result.append(
            {
                "date": f"{c.date:%Y-%m-%d}",
                "kind": c.get_kind_display(),
                "tone": c.get_tone_display(),
                "title": c.title,
                "author": str(c.author),
                "units": [u["unit"] for u in units],
                "replies": units,
                "needs_reply": c.needs_reply,
                "reply_due": f"{c.reply_due:%Y-%m-%d}" if c.needs_reply else "",
            }
        )
    return result


# --- weekly: every street, 回头看, next week's plan --------------------------------------------


def streets(headquarters, period: Period, figures) -> list[dict]:
    """Every active street with its inspections, site visits, problems found and closed; a
    street nobody inspected says so (本周未督查)."""
    inspections = submitted_inspections(headquarters, period, figures.moment)
    seen: dict[int, set[int]] = defaultdict(set)
    visits: dict[int, int] = defaultdict(int)
    for inspection_id, street_id in inspections.values_list("id", "street"):
        if street_id:
            seen[street_id].add(inspection_id)
    for inspection_id, street_id in Inspection.sites.through.objects.filter(
        inspection__in=inspections
    ).values_list("inspection", "site__street"):
        seen[street_id].add(inspection_id)
        visits[street_id] += 1
    found: dict[int, list] = defaultdict(list)
    for state in figures.found:
        found[state.problem.site.street_id].append(state)
    rows = []
    for unit in Unit.objects.filter(
        headquarters=headquarters, kind=Unit.Kind.STREET, active=True
    ).order_by("order", "id"):
        states = found.get(unit.pk, [])
        rows.append(
            {
                "name": unit.name,
                "inspections": len(seen.get(unit.pk, ())),
                "site_visits": visits.get(unit.pk, 0),
                "count": len(states),
                "closed": sum(1 for s in states if s.is_closed),
                "inspected": bool(seen.get(unit.pk)),
            }
        )
    return rows


def look_back(headquarters, period: Period, moment: datetime) -> dict:
    """回头看: last period's problems as they stand at this period's end."""
    before = period.previous()
    states = [
        s
        for s in asof.states(
            Problem.objects.filter(
                headquarters=headquarters,
                reported_at__gte=before.start,
                reported_at__lt=before.end,
            ).select_related("primary_unit"),
            moment,
        )
        if s.status != Problem.Status.VOID
    ]
    closed = [s for s in states if s.is_closed]
    on_time = sum(1 for s in closed if s.closed_on_time)
    still_open = [s for s in states if s.is_open]
    overdue = [s for s in still_open if s.overdue_at(moment)]
    units = sorted({s.unit.name for s in overdue if s.unit is not None})
    return {
        "period": before.label,
        "found": len(states),
        "closed": len(closed),
        "closed_on_time": on_time,
        "open": len(still_open),
        "overdue": len(overdue),
        "overdue_units": units,
        "closure_rate": rate(len(closed), len(states)),
    }


def next_plan(headquarters, period: Period) -> list[dict]:
    """The inspection plan of the following period (empty when none was made)."""
    following = period.next()
    plans = (
        InspectionPlan.objects.filter(
            headquarters=headquarters, date__gte=following.first, date__lte=following.last
        )
        .select_related("team", "street")
        .prefetch_related("sites")
        .order_by("date", "team__kind", "id")
    )
    return [
        {
            "date": f"{plan.date:%Y-%m-%d}",
            "day": _day(plan.date),
            "team": plan.team.name,
            "where": "、".join(
                ([plan.street.name] if plan.street_id else [])
                + [site.name for site in plan.sites.all()]
            )
            or "—",
            "note": plan.note,
        }
        for plan in plans
    ]


# --- 五、回潮 sites ----------------------------------------------------------------------------


def recurrences(figures) -> list[dict]:
    """Sites where a category came back (回潮): a problem found in the period at a site where a
    problem of the same category had been closed within ``RECURRENCE_DAYS`` before.

    A stand-in until the campaign app records 回潮 on the problem itself (``recurrence_of``); it
    follows the same rule (SPEC §7). ``figures`` (a ``PeriodFigures``) gives the period's problems
    as found by its end."""
    found = [s.problem for s in figures.found]
    if not found:
        return []
    # The closed problems that could precede them, read once (an EXISTS per problem, with the
    # window computed per row, took seconds at city scale); matched here by site and category.
    window = timedelta(days=RECURRENCE_DAYS)
    closed: dict[tuple[int, int], list] = defaultdict(list)
    for site_id, category_id, closed_at in Problem.objects.filter(
        headquarters=figures.headquarters,
        status=Problem.Status.CLOSED,
        closed_at__gte=min(p.reported_at for p in found) - window,
        closed_at__lt=max(p.reported_at for p in found),
    ).values_list("site_id", "category_id", "closed_at"):
        closed[site_id, category_id].append(closed_at)
    counts: Counter = Counter()
    for p in found:
        if any(
            p.reported_at - window <= at < p.reported_at
            for at in closed.get((p.site_id, p.category_id), ())
        ):
            street = p.site.street.name if p.site.street_id else None
            counts[p.site.name, street, p.category.name] += 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0], item[0][2]))
    return [
        {"site": site, "street": street, "category": category, "count": count}
        for (site, street, category), count in rows
    ]


# --- 六、drive progress ------------------------------------------------------------------------


def running_drives(headquarters, period: Period):
    """Drives running during the period. The seam for the campaign app's drives (targets,
    sub-drives); today the plain ``Drive`` records problems are tagged with."""
    return Drive.objects.filter(
        headquarters=headquarters, start_date__lte=period.last, end_date__gte=period.first
    ).order_by("start_date", "id")


def drive_progress(headquarters, period: Period, moment: datetime) -> list[dict]:
    """For each running drive: problems found since it began, closed, on time, as at ``moment``."""
    result = []
    for drive in running_drives(headquarters, period):
        states = [
            s
            for s in asof.states(
                Problem.objects.filter(headquarters=headquarters, drive=drive).select_related(
                    "primary_unit"
                ),
                moment,
            )
            if s.status != Problem.Status.VOID
        ]
        in_period = [s for s in states if s.problem.reported_at >= period.start]
        closed = [s for s in states if s.is_closed]
        result.append(
            {
                "name": drive.name,
                "start": f"{drive.start_date:%Y-%m-%d}",
                "end": f"{drive.end_date:%Y-%m-%d}",
                "found": len(states),
                "found_in_period": len(in_period),
                "closed": len(closed),
                "on_time": sum(1 for s in closed if s.closed_on_time),
                "closure_rate": rate(len(closed), len(states)),
            }
        )
    return result
