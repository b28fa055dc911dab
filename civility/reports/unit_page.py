"""A unit's page (/units/<pk>/, SPEC §6 transparency and §8): its months with the counts behind
every score and where each count comes from, 本月至今, its assignments and 同奖同罚 partners.

The numbers come from ``civility.reports.scoring`` (the months scored in one pass); a published
month shows its bulletin's frozen figures. ``count_links`` gives the rows behind each count and
is shared with /rankings/. A fixed number of queries whatever the number of months, problems,
visits, assignments and linkages.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from civility.core.periods import MONTH, Period
from civility.org.models import Assignment, Linkage, Unit
from civility.reports import annual, scoring
from civility.reports import counts as counting
from civility.supervision.inspections.models import Inspection
from civility.supervision.inspections.visits import SiteVisitItem

MONTHS_SHOWN = 12
BAND_CLASS = {"优秀": "excellent", "良好": "good", "合格": "pass", "不合格": "fail"}


def unit_url(unit_id: int) -> str:
    return reverse("unit_page", args=[unit_id])


UNIT_MARK = "987654321"  # stands for the id in a unit page URL reversed once for many rows


def unit_url_pattern() -> str:
    """``unit_url`` of every row of a table at the cost of one ``reverse``:
    ``pattern.replace(UNIT_MARK, str(pk))`` is ``unit_url(pk)``."""
    return reverse("unit_page", args=[int(UNIT_MARK)])


def visits_url(unit_id: int, period: Period, kind: str) -> str:
    """The submitted inspections that visited the unit's area in the month."""
    params = {
        "unit" if kind in scoring.AREA_KINDS else "street": unit_id,
        "status": Inspection.Status.SUBMITTED,
        "date_from": f"{period.first:%Y-%m-%d}",
        "date_to": f"{period.last:%Y-%m-%d}",
    }
    return f"{reverse('inspection_list')}?{urlencode(params)}"


def link_bases() -> dict[str, str]:
    """The list pages ``count_links`` points at, reversed once for a page of rows."""
    return {
        "problems": reverse("problem_list"),
        "inspections": reverse("inspection_list"),
        "unit": unit_url_pattern(),
    }


def _link(base: str, **params) -> str:
    # The values are ids, dates, months and status names: nothing to quote (the same string
    # urlencode gives, without its cost for every row of a 593-unit ranking).
    return f"{base}?" + "&".join(f"{key}={value}" for key, value in params.items())


def count_links(
    unit_id: int, kind: str, period: Period, today: date, bases: dict[str, str] | None = None
) -> dict[str, str]:
    """{count: URL of the rows it counts} for one unit and month: visits (the inspection list),
    problems due (deadline in the month and passed), due and closed on time, 退回 and 督办 in
    the month (the problem list). ``bases``: ``link_bases()``, when it serves many rows."""
    bases = bases or link_bases()
    problems, inspections = bases["problems"], bases["inspections"]
    last = min(period.last, today)
    due = {"unit": unit_id, "due_from": f"{period.first:%Y-%m-%d}", "due_to": f"{last:%Y-%m-%d}"}
    month = f"{period.year:04d}-{period.number:02d}"
    return {
        "visits": _link(
            inspections,
            **{"unit" if kind in scoring.AREA_KINDS else "street": unit_id},
            status=Inspection.Status.SUBMITTED.value,
            date_from=f"{period.first:%Y-%m-%d}",
            date_to=f"{period.last:%Y-%m-%d}",
        ),
        "due": _link(problems, **due),
        "on_time": _link(problems, **due, due_state="closed_on_time"),
        "returned": _link(problems, unit=unit_id, returned_in=month),
        "escalated": _link(problems, unit=unit_id, escalated_in=month),
    }


def failed_by_indicator(headquarters, period: Period, *, now=None) -> dict[int, str]:
    """{area unit id: "Ⅲ-12 市容环境 2项；…"}: the month's failed checklist items of each street
    and community by indicator, most failed first (one query)."""
    rows = (
        SiteVisitItem.objects.filter(
            visit__in=counting.month_visits(headquarters, period, now=now),
            result=SiteVisitItem.Result.FAIL,
        )
        .values(
            "visit__site__street",
            "visit__site__community",
            "item__indicator__code",
            "item__indicator__name",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    tally: dict[int, dict[str, int]] = {}
    for row in rows:
        code, name = row["item__indicator__code"], row["item__indicator__name"]
        label = f"{code} {name}" if code else "未归指标"
        for unit in (row["visit__site__street"], row["visit__site__community"]):
            if unit is not None:
                counts = tally.setdefault(unit, {})
                counts[label] = counts.get(label, 0) + row["n"]
    return {
        unit: "；".join(
            f"{label} {n}项" for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        for unit, counts in tally.items()
    }


def _month_row(row: scoring.UnitScore, period: Period, running: bool, today: date,
               frozen: dict | None) -> dict:  # fmt: skip
    result = {
        "period": period,
        "label": f"{period.year}年{period.number}月",
        "running": running,
        "published": frozen is not None,
        "score": row,
        "total": row.total,
        "band": row.band,
        "rank": row.rank,
        "field": row.field_score,
        "rectification": row.rectification,
        "on_time_rate": scoring.percent(row.on_time_rate),
        "rework_rate": scoring.percent(row.rework_rate),
        "escalation_rate": scoring.percent(row.escalation_rate),
        "links": count_links(row.unit_id, row.kind, period, today),
        "rankings_url": f"{reverse('rankings')}?{urlencode({'month': str(period)})}",
        "has_data": bool(
            row.visits or row.due or row.submitted or row.returned or row.escalated or row.open
        ),
    }
    if frozen is not None and frozen.get("assessed", True):
        # A published month's scores are its bulletin's (SPEC §6: months are final).
        result.update(
            total=frozen.get("total"),
            band=frozen.get("band", ""),
            rank=frozen.get("rank"),
            field=frozen.get("field"),
            rectification=frozen.get("rectification"),
        )
    result["band_class"] = BAND_CLASS.get(result["band"], "")
    return result


def _frozen_rows(snapshot: dict, unit_id: int) -> dict | None:
    for ranking in snapshot.get("rankings", []):
        for row in ranking.get("rows", []):
            if row.get("unit_id") == unit_id:
                return row
    return None


def unit_page_data(unit: Unit, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    hq = unit.headquarters
    current = Period.of(today, MONTH)
    first = Period.of(hq.start_date, MONTH)
    periods = [current]
    while len(periods) < MONTHS_SHOWN + 1 and periods[-1].previous() >= first:
        periods.append(periods[-1].previous())
    # Ranks and lists are within a kind: the unit's kind is enough, with the streets and
    # communities a department is paired with (their lists are counted below).
    kinds = {unit.kind} if unit.is_area else {unit.kind, *scoring.AREA_KINDS}
    months = scoring.scores_for_months(hq, periods, now=now, kinds=kinds, running_unit=unit.pk)
    ordered = sorted(months)
    for before, after in zip(ordered, ordered[1:], strict=False):
        scoring.compare_ranks(months[after], months[before])
    published = annual.published_snapshots(hq, [p for p in ordered if p != current])
    rows = []
    for period in sorted(months, reverse=True):
        scores = months[period]
        row = scores.by_unit().get(unit.pk)
        if row is None:
            continue
        snapshot = published.get(period)
        frozen = _frozen_rows(snapshot, unit.pk) if snapshot is not None else None
        if snapshot is not None and frozen is None:
            frozen = {"assessed": False}
        rows.append(_month_row(row, period, scores.running, today, frozen))
    running = rows[0] if rows and rows[0]["running"] else None
    ended = [r for r in rows if not r["running"]]
    # The breakdowns of the running month and of the latest ended month with visits (two
    # months at most, so a fixed number of queries).
    breakdowns = []
    if unit.is_area:
        visited = next((r for r in ended if r["score"].visits), None)
        for shown in [r for r in (running, visited) if r is not None and r["score"].visits]:
            breakdowns.append(
                {
                    "label": shown["label"] + ("（本月至今）" if shown["running"] else ""),
                    "site_types": counting.field_by_site_type(hq, shown["period"], unit, now=now),
                    "indicators": counting.items_by_indicator(hq, shown["period"], unit, now=now),
                }
            )
    return {
        "running": running,
        "months": ended,
        "breakdowns": breakdowns,
        "assignments": _assignments(unit, today),
        "partners": _partners(unit, months, today),
    }


def _assignments(unit: Unit, today: date) -> list[dict]:
    rows = (
        Assignment.objects.filter(unit=unit)
        .select_related("work_group", "indicator")
        .order_by("due_date", "id")
    )
    return [{"assignment": a, "state": a.due_state(today)} for a in rows]


def _partners(unit: Unit, months: dict, today: date) -> list[dict]:
    """同奖同罚: the unit's partners (for a street or community: paired departments and linked
    leaders; for a department: the streets and communities it is paired with) and how often the
    area unit of each pair was on the 红榜 or 黑榜 in the months shown."""
    links = (
        Linkage.objects.filter(
            kind__in=[Linkage.Kind.PAIRING, Linkage.Kind.LEADER_CONTACT],
            start_date__lte=today,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .filter(Q(target=unit) | Q(department=unit))
        .select_related("target", "leader", "department")
        .order_by("kind", "id")
    )
    listed: dict[int, list[int]] = {}
    for scores in months.values():
        for row in scores.units:
            if row.on_red_list or row.on_black_list:
                counts = listed.setdefault(row.unit_id, [0, 0])
                counts[0] += row.on_red_list
                counts[1] += row.on_black_list
    result = []
    for link in links:
        if link.target_id == unit.pk:
            other = link.department if link.kind == Linkage.Kind.PAIRING else link.leader
            name, url = other.name, (unit_url(other.pk) if isinstance(other, Unit) else "")
        else:
            name, url = link.target.name, unit_url(link.target_id)
        red, black = listed.get(link.target_id, [0, 0])
        result.append(
            {
                "kind": link.get_kind_display(),
                "name": name,
                "url": url,
                "area": link.target.name,
                "red": red,
                "black": black,
            }
        )
    return result
