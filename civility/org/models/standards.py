"""测评指标 and 测评方法 (SPEC §3): the national/provincial indicator tree."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.org.models.headquarters import Headquarters


class AssessmentMethod(models.Model):
    """测评方法: 实地考察, 材料审核, 问卷调查, 网络调查, 听取汇报, 整体观察."""

    name = models.CharField(_("名称"), max_length=20, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("测评方法")
        verbose_name_plural = _("测评方法")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """测评指标, a three-level tree: Ⅰ 测评项目 → Ⅱ 指标名称 → Ⅲ 测评内容."""

    class Level(models.IntegerChoices):
        ITEM = 1, _("测评项目")
        INDEX = 2, _("指标名称")
        CONTENT = 3, _("测评内容")

    class Source(models.TextChoices):
        NATIONAL = "national", _("全国文明城市测评体系")
        PROVINCIAL = "provincial", _("全省文明城区测评体系")

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级指标"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    code = models.CharField(_("编号"), max_length=20, help_text=_("例如 Ⅰ-3、Ⅱ-3.2、Ⅲ-3.2.1"))
    name = models.CharField(_("名称"), max_length=300)
    methods = models.ManyToManyField(
        AssessmentMethod, verbose_name=_("测评方法"), blank=True, related_name="indicators"
    )
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    edition = models.CharField(_("版本"), max_length=30, blank=True, help_text=_("例如：2005年版"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("测评指标")
        verbose_name_plural = _("测评指标")
        ordering = ["headquarters", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["headquarters", "source", "code"], name="indicator_code_unique"
            ),
            models.CheckConstraint(condition=Q(level__in=[1, 2, 3]), name="indicator_level_1_3"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="indicator_root_iff_level_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.parent_id is not None and self.level and self.parent.level != self.level - 1:
            raise ValidationError({"parent": "上级指标必须正好高一层级。"})
