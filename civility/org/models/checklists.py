"""点位测评细则 (SPEC §6): one checklist per site type and version, with its 测评内容 items.

A checklist is versioned by year (``version``, e.g. 2026): the year's ScoringPolicy names the
version that applies, or else the newest version not after that year applies. Site visits copy
the points and results of the items when they are scored, so editing a checklist later never
rescores a visit that was already submitted.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Checklist(models.Model):
    headquarters = models.ForeignKey(
        "org.Headquarters",
        verbose_name=_("指挥部"),
        on_delete=models.CASCADE,
        related_name="checklists",
    )
    site_type = models.ForeignKey(
        "org.SiteType",
        verbose_name=_("点位类型"),
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    version = models.PositiveSmallIntegerField(
        _("版本（年度）"),
        help_text=_("例如 2026：该年度考评规则未指定版本时，使用不晚于该年度的最新版本"),
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("例如：主干道测评细则"))

    class Meta:
        verbose_name = _("点位测评细则")
        verbose_name_plural = _("点位测评细则")
        ordering = ["headquarters", "site_type__order", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["headquarters", "site_type", "version"], name="checklist_one_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}版）"

    def clean(self) -> None:
        if self.site_type_id and self.site_type.headquarters_id != self.headquarters_id:
            raise ValidationError({"site_type": "点位类型必须属于本指挥部。"})

    @property
    def total_points(self):
        return sum(item.points for item in self.items.all())

    @classmethod
    def for_year(cls, headquarters, year: int, version: int | None = None) -> dict[int, Checklist]:
        """{site type id: checklist} that applies in ``year`` (``version`` when the policy names
        one), items prefetched with their categories (three queries)."""
        rows = cls.objects.filter(headquarters=headquarters)
        if version:
            rows = rows.filter(version=version)
        else:
            rows = rows.filter(version__lte=year)
        chosen: dict[int, Checklist] = {}
        for checklist in rows.order_by("site_type_id", "-version").prefetch_related(
            "items__categories"
        ):
            chosen.setdefault(checklist.site_type_id, checklist)
        return chosen


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("测评细则"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("测评内容"), max_length=200)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    indicator = models.ForeignKey(
        "org.Indicator",
        verbose_name=_("对应测评指标（Ⅲ级）"),
        on_delete=models.PROTECT,
        related_name="checklist_items",
        limit_choices_to={"level": 3},
    )
    categories = models.ManyToManyField(
        "org.ProblemCategory",
        verbose_name=_("不合格的问题类别"),
        blank=True,
        related_name="checklist_items",
        help_text=_("点位记录了这些类别的问题时，本项不合格"),
    )
    na_allowed = models.BooleanField(_("可不适用"), default=False)

    class Meta:
        verbose_name = _("测评内容")
        verbose_name_plural = _("测评内容")
        ordering = ["checklist", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="checklist_item_points_positive")
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.indicator_id and self.indicator.level != 3:
            raise ValidationError({"indicator": "请选择Ⅲ级测评指标（测评内容）。"})
