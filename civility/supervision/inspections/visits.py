"""Site visits (一次督查在一个点位) and their 测评 results (SPEC §6).

A submitted inspection has one SiteVisit per site it visited. The visit's 得分率 is computed once,
when the inspection is submitted, from the site type's checklist (``org.models.checklists``):

- every item passes unless a problem of one of its categories was recorded on that visit, or the
  inspector marked it 不合格 (then at least one problem with a photo must be linked to it);
- the inspector may mark an item 不适用 where the checklist allows it;
- 得分率 = 100 × Σ points of items passed / Σ points of items applicable.

A site type without a checklist falls back to max(0, 100 − Σ deductions of the visit's problems).
Points and results are copied onto the visit, so a later change to a checklist never rescores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.org.models import Checklist, ChecklistItem, Site
from civility.supervision.inspections.models import Inspection
from civility.supervision.problems.models import Photo, Problem

HUNDRED = Decimal(100)


class SiteVisit(models.Model):
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("督查"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("点位"), on_delete=models.PROTECT, related_name="visits"
    )
    checklist = models.ForeignKey(
        Checklist,
        verbose_name=_("测评细则"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    score_rate = models.DecimalField(
        _("得分率"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    applicable_points = models.DecimalField(
        _("适用分值"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    passed_points = models.DecimalField(
        _("合格分值"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    items_failed = models.PositiveSmallIntegerField(_("不合格项数"), default=0)
    deductions = models.DecimalField(
        _("扣分合计"),
        max_digits=6,
        decimal_places=1,
        default=0,
        help_text=_("无测评细则时按扣分计"),
    )
    scored_at = models.DateTimeField(_("评分时间"), default=timezone.now)

    class Meta:
        verbose_name = _("点位测评")
        verbose_name_plural = _("点位测评")
        ordering = ["inspection", "site__name"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "site"], name="sitevisit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.site}"


class SiteVisitItem(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")
        NA = "na", _("不适用")

    visit = models.ForeignKey(
        SiteVisit, verbose_name=_("点位测评"), on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("测评内容"), on_delete=models.PROTECT, related_name="results"
    )
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices)
    marked = models.BooleanField(_("督查员标记"), default=False)
    problems = models.ManyToManyField(
        Problem, verbose_name=_("相关问题"), blank=True, related_name="visit_items"
    )

    class Meta:
        verbose_name = _("测评结果")
        verbose_name_plural = _("测评结果")
        ordering = ["visit", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="sitevisititem_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item}：{self.get_result_display()}"


class DraftMark(models.Model):
    """The inspector's 不合格 or 不适用 on one item of a draft inspection, kept on the server as
    soon as it is tapped (a dropped network loses nothing) and read at submit into ``Mark``s."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("督查"), on_delete=models.CASCADE, related_name="draft_marks"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("点位"), on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("测评内容"), on_delete=models.CASCADE, related_name="+"
    )
    result = models.CharField(_("标记"), max_length=10, choices=SiteVisitItem.Result.choices)
    problems = models.JSONField(_("相关问题"), default=list, blank=True)

    class Meta:
        verbose_name = _("测评标记（草稿）")
        verbose_name_plural = _("测评标记（草稿）")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "site", "item"], name="draftmark_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item}：{self.get_result_display()}"


@dataclass(frozen=True)
class Mark:
    """The inspector's mark on one item: 不合格 (with the problems that show it) or 不适用."""

    result: str
    problems: tuple[int, ...] = ()


Marks = dict[int, dict[int, Mark]]  # {site id: {checklist item id: Mark}}


def checklists_for(inspection) -> dict[int, Checklist]:
    """{site type id: checklist} that applies on the inspection's date."""
    # The policy lives in the reports app (which depends on this one): looked up by name.
    policy_model = apps.get_model("reports", "ScoringPolicy")
    year = inspection.date.year
    version = (
        policy_model.objects.filter(headquarters_id=inspection.headquarters_id, year=year)
        .values_list("checklist_version", flat=True)
        .first()
    )
    return Checklist.for_year(inspection.headquarters, year, version)


def rate(passed: Decimal, applicable: Decimal) -> Decimal | None:
    if not applicable:
        return None
    return HUNDRED * passed / applicable


def score_site(checklist: Checklist | None, problems: list, marks: dict[int, Mark]) -> dict:
    """The results of one visit: {"rate", "applicable", "passed", "failed", "deductions",
    "items": [(item, result, marked, problem ids)]}. Raises ValidationError (in Chinese) when a
    mark is not allowed. ``problems`` are the visit's problems with ``has_photo`` annotated."""
    deductions = sum((p.deduction for p in problems), Decimal(0))
    if checklist is None:
        if marks:
            raise ValidationError(_("该点位类型没有测评细则，不能标记测评内容。"))
        return {
            "rate": max(Decimal(0), HUNDRED - deductions),
            "applicable": None,
            "passed": None,
            "failed": 0,
            "deductions": deductions,
            "items": [],
        }
    items = list(checklist.items.all())
    known = {item.pk for item in items}
    if set(marks) - known:
        raise ValidationError(_("所标记的测评内容不属于该点位的测评细则。"))
    by_id = {p.pk: p for p in problems}
    results = []
    applicable = passed = Decimal(0)
    failed = 0
    for item in items:
        categories = {c.pk for c in item.categories.all()}
        found = [p.pk for p in problems if p.category_id in categories]
        mark = marks.get(item.pk)
        if mark is not None and mark.result == SiteVisitItem.Result.NA:
            if not item.na_allowed:
                raise ValidationError(_("「%(item)s」不能标为不适用。") % {"item": item.text})
            if found:
                raise ValidationError(
                    _("「%(item)s」已记录相关问题，不能标为不适用。") % {"item": item.text}
                )
            results.append((item, SiteVisitItem.Result.NA, True, []))
            continue
        applicable += item.points
        if mark is not None and mark.result == SiteVisitItem.Result.FAIL:
            if any(pk not in by_id for pk in mark.problems):
                raise ValidationError(_("所选问题不是在该点位本次督查中记录的。"))
            linked = list(dict.fromkeys([*mark.problems, *found]))
            if not any(by_id[pk].has_photo for pk in linked):
                raise ValidationError(
                    _("「%(item)s」标为不合格，须记录至少一个带照片的问题。") % {"item": item.text}
                )
            results.append((item, SiteVisitItem.Result.FAIL, True, linked))
            failed += 1
        elif mark is not None and mark.result != SiteVisitItem.Result.PASS:
            raise ValidationError(_("测评结果只能是合格、不合格或不适用。"))
        elif found:
            results.append((item, SiteVisitItem.Result.FAIL, False, found))
            failed += 1
        else:
            results.append((item, SiteVisitItem.Result.PASS, mark is not None, []))
            passed += item.points
    return {
        "rate": rate(passed, applicable),
        "applicable": applicable,
        "passed": passed,
        "failed": failed,
        "deductions": deductions,
        "items": results,
    }


def record_visit_results(inspection, marks: Marks | None = None, *, now=None) -> list[SiteVisit]:
    """Score every site of ``inspection`` (replacing earlier results) and save the visits.

    A constant number of queries whatever the number of sites, items and problems. Raises
    ValidationError and saves nothing when a mark is not allowed.
    """
    marks = marks or {}
    now = now or timezone.now()
    sites = list(inspection.sites.all())
    if set(marks) - {s.pk for s in sites}:
        raise ValidationError(_("所标记的点位不在本次督查中。"))
    checklists = checklists_for(inspection)
    problems = (
        Problem.objects.filter(inspection=inspection)
        .exclude(status=Problem.Status.VOID)
        .annotate(
            has_photo=Exists(Photo.objects.filter(problem=OuterRef("pk"), kind=Photo.Kind.BEFORE))
        )
        .only("id", "site_id", "category_id", "deduction")
        .order_by("id")
    )
    by_site: dict[int, list] = {}
    for problem in problems:
        by_site.setdefault(problem.site_id, []).append(problem)
    scored = [(site, checklists.get(site.type_id)) for site in sorted(sites, key=lambda s: s.pk)]
    outcomes = [
        score_site(checklist, by_site.get(site.pk, []), marks.get(site.pk, {}))
        for site, checklist in scored
    ]
    with transaction.atomic():
        SiteVisit.objects.filter(inspection=inspection).delete()
        visits = SiteVisit.objects.bulk_create(
            [
                SiteVisit(
                    inspection=inspection,
                    site=site,
                    checklist=checklist,
                    score_rate=outcome["rate"],
                    applicable_points=outcome["applicable"],
                    passed_points=outcome["passed"],
                    items_failed=outcome["failed"],
                    deductions=outcome["deductions"],
                    scored_at=now,
                )
                for (site, checklist), outcome in zip(scored, outcomes, strict=True)
            ]
        )
        if any(v.pk is None for v in visits):  # backends that do not return keys
            saved = {v.site_id: v for v in SiteVisit.objects.filter(inspection=inspection)}
            visits = [saved[v.site_id] for v in visits]
        rows, links = [], []
        for visit, outcome in zip(visits, outcomes, strict=True):
            for item, result, marked, problem_ids in outcome["items"]:
                rows.append(
                    SiteVisitItem(
                        visit=visit, item=item, points=item.points, result=result, marked=marked
                    )
                )
                links.append(problem_ids)
        rows = SiteVisitItem.objects.bulk_create(rows)
        if any(links):
            if any(r.pk is None for r in rows):
                saved = {
                    (r.visit_id, r.item_id): r.pk
                    for r in SiteVisitItem.objects.filter(visit__inspection=inspection)
                }
                for r in rows:
                    r.pk = saved[(r.visit_id, r.item_id)]
            through = SiteVisitItem.problems.through
            through.objects.bulk_create(
                [
                    through(sitevisititem_id=row.pk, problem_id=pk)
                    for row, problem_ids in zip(rows, links, strict=True)
                    for pk in problem_ids
                ]
            )
    return visits


def score_unscored(inspections) -> int:
    """Give every submitted inspection of ``inspections`` that has no visits yet its visits
    (for data made outside the editor, e.g. the demo or an import); the number scored."""
    pending = inspections.filter(status=Inspection.Status.SUBMITTED).exclude(
        Exists(SiteVisit.objects.filter(inspection=OuterRef("pk")))
    )
    count = 0
    for inspection in pending.select_related("headquarters"):
        record_visit_results(inspection)
        count += 1
    return count
