"""The demo's 测评 marks and its band summary — deterministic, through the app's own services.

An inspector on a visit leaves most items to the problems recorded (an item fails when a
problem of one of its categories is recorded). Besides, the demo's inspectors:

- mark 不适用 the items a site does not have (no green belt along this road, no toilet in this
  market): decided once per site and item, so every visit of the site agrees;
- mark 不合格 an item the problems did not fail when a problem recorded on the visit shows it
  (a problem of the same Ⅲ indicator: 农贸市场管理不规范 also fails 明码标价，设置公平秤),
  about half of the time.

``score_inspections`` scores each inspection's visits with those marks through
``record_visit_results``, the service that submitting an inspection runs.
"""

from __future__ import annotations

import random
from collections import Counter

from civility.core.periods import MONTH, Period
from civility.reports import scoring
from civility.supervision.inspections import visits
from civility.supervision.inspections.visits import Mark, SiteVisitItem
from civility.supervision.problems.models import Problem

LACKS = 0.35  # share of (site, 可不适用 item) pairs where the site has no such thing
SHOWN = 0.5  # chance that a problem of the item's indicator makes the inspector mark it
BANDS = ("优秀", "良好", "合格", "不合格")


def lacks(seed: int, site_id: int, item_id: int) -> bool:
    """Whether the site has nothing the item could check (the same answer for every visit)."""
    return random.Random(f"{seed}:{site_id}:{item_id}").random() < LACKS


def marks_for(seed: int, rng: random.Random, site_id: int, checklist, problems) -> dict:
    """{item id: Mark} for one visit; ``problems`` were recorded there (category loaded)."""
    found = {p.category_id for p in problems}
    marks = {}
    for item in checklist.items.all():
        if found & {c.pk for c in item.categories.all()}:
            continue  # fails by its problems anyway
        if item.na_allowed and lacks(seed, site_id, item.pk):
            marks[item.pk] = Mark(SiteVisitItem.Result.NA)
            continue
        shown = [p.pk for p in problems if p.category.indicator_id == item.indicator_id]
        if shown and rng.random() < SHOWN:
            marks[item.pk] = Mark(SiteVisitItem.Result.FAIL, (shown[0],))
    return marks


def score_inspections(inspections, *, seed: int) -> Counter:
    """Score the visits of the (submitted) ``inspections`` with the demo inspectors' marks, as
    of each inspection's submission; the number of marks of each kind."""
    rng = random.Random(seed)
    found: dict[tuple[int, int], list[Problem]] = {}
    rows = (
        Problem.objects.filter(inspection__in=[i.pk for i in inspections])
        .exclude(status=Problem.Status.VOID)
        .select_related("category")
        .order_by("pk")
    )
    for problem in rows:
        found.setdefault((problem.inspection_id, problem.site_id), []).append(problem)
    checklists: dict[int, dict] = {}
    counts: Counter = Counter()
    for inspection in inspections:
        year = inspection.date.year
        if year not in checklists:
            checklists[year] = visits.checklists_for(inspection)
        marks = {}
        for site in inspection.sites.all():
            checklist = checklists[year].get(site.type_id)
            if checklist is None:
                continue
            site_marks = marks_for(
                seed, rng, site.pk, checklist, found.get((inspection.pk, site.pk), [])
            )
            if site_marks:
                marks[site.pk] = site_marks
                counts.update(mark.result for mark in site_marks.values())
        visits.record_visit_results(inspection, marks, now=inspection.submitted_at)
    return counts


def band_distribution(headquarters, period: Period | None = None, *, now=None) -> dict:
    """{unit kind label: Counter of bands (and 未考评)} of an ended month (default: the last)."""
    period = period or Period.last_ended(MONTH)
    scores = scoring.monthly_scores(
        headquarters, period.year, period.number, now=now, compare=False
    )
    result: dict[str, Counter] = {}
    for kind, label, _rows in scores.kinds:
        result[label] = Counter(
            u.band or scoring.NOT_ASSESSED for u in scores.units if u.kind == kind
        )
    return result
