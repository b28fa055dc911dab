"""The inspection editor's 测评 checklist (SPEC §6): for each site being visited, its site type's
checklist with each item's state and the visit's 得分率 so far, from the problems recorded and
the inspector's marks kept with the draft (``DraftMark``).

Every item passes unless a problem of its categories was recorded at the site or the inspector
tapped 不合格 (a problem with a photo is then required, and asked for at once) or 不适用 (where
allowed). At submit ``draft_marks`` turns the kept marks into the ``Mark``s that
``visits.record_visit_results`` scores and validates. A fixed number of queries whatever the
number of sites, items and problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from civility.supervision.inspections.visits import (
    DraftMark,
    Mark,
    Marks,
    SiteVisitItem,
    checklists_for,
    rate,
)
from civility.supervision.problems.models import Problem

PASS, FAIL, NA = (
    SiteVisitItem.Result.PASS,
    SiteVisitItem.Result.FAIL,
    SiteVisitItem.Result.NA,
)


@dataclass
class ItemState:
    item: object
    result: str
    marked: bool  # the inspector's 不合格 or 不适用 (not a problem's category)
    problems: list = field(default_factory=list)  # the problems that fail it
    needs_photo: bool = False  # tapped 不合格 and no problem with a photo yet


@dataclass
class SiteSheet:
    site: object
    checklist: object | None
    items: list[ItemState]
    rate: Decimal | None
    failed: int
    deductions: Decimal

    @property
    def rate_shown(self) -> str:
        if self.rate is None:
            return "—"
        return f"{self.rate.quantize(Decimal('0.1'))}"


def _marks(inspection) -> dict[tuple[int, int], DraftMark]:
    return {(m.site_id, m.item_id): m for m in DraftMark.objects.filter(inspection=inspection)}


def sheets(inspection, sites: list, problems: list) -> list[SiteSheet]:
    """One sheet per site. ``problems``: the inspection's problems with ``before_photos``."""
    if not sites:
        return []
    checklists = checklists_for(inspection)
    marks = _marks(inspection)
    by_site: dict[int, list] = {}
    for problem in problems:
        if problem.status != Problem.Status.VOID:
            by_site.setdefault(problem.site_id, []).append(problem)
    result = []
    for site in sites:
        found_here = by_site.get(site.pk, [])
        checklist = checklists.get(site.type_id)
        deductions = sum((p.deduction for p in found_here), Decimal(0))
        if checklist is None:
            result.append(
                SiteSheet(site, None, [], max(Decimal(0), Decimal(100) - deductions), 0, deductions)
            )
            continue
        items, applicable, passed, failed = [], Decimal(0), Decimal(0), 0
        for item in checklist.items.all():
            categories = {c.pk for c in item.categories.all()}
            found = [p for p in found_here if p.category_id in categories]
            mark = marks.get((site.pk, item.pk))
            if mark is not None and mark.result == NA and not found:
                items.append(ItemState(item, NA, True))
                continue
            applicable += item.points
            if found or (mark is not None and mark.result == FAIL):
                linked = list(found)
                if mark is not None:
                    linked += [p for p in found_here if p.pk in mark.problems and p not in found]
                with_photo = any(getattr(p, "before_photos", None) for p in linked)
                items.append(
                    ItemState(
                        item,
                        FAIL,
                        mark is not None and mark.result == FAIL,
                        linked,
                        needs_photo=not with_photo,
                    )
                )
                failed += 1
            else:
                items.append(ItemState(item, PASS, False))
                passed += item.points
        result.append(
            SiteSheet(site, checklist, items, rate(passed, applicable), failed, deductions)
        )
    return result


def draft_marks(inspection) -> Marks:
    """The kept marks of the inspection's current sites, as ``record_visit_results`` takes them."""
    sites = set(inspection.sites.values_list("pk", flat=True))
    result: Marks = {}
    for mark in DraftMark.objects.filter(inspection=inspection, site_id__in=sites):
        result.setdefault(mark.site_id, {})[mark.item_id] = Mark(
            mark.result, tuple(int(pk) for pk in mark.problems)
        )
    return result


def set_mark(inspection, site, item, result: str) -> DraftMark | None:
    """合格 (clears the mark), 不合格 or 不适用 for one item; the caller has checked the item
    belongs to the site's checklist and 不适用 is allowed."""
    if result == PASS:
        DraftMark.objects.filter(inspection=inspection, site=site, item=item).delete()
        return None
    mark, _created = DraftMark.objects.update_or_create(
        inspection=inspection, site=site, item=item, defaults={"result": result}
    )
    return mark


def link_problem(inspection, site_id: int, item_id: int, problem_id: int) -> None:
    """The problem recorded for a tapped 不合格 is the one that shows it."""
    mark = DraftMark.objects.filter(
        inspection=inspection, site_id=site_id, item_id=item_id, result=FAIL
    ).first()
    if mark is not None and problem_id not in mark.problems:
        mark.problems = [*mark.problems, problem_id]
        mark.save(update_fields=["problems"])
