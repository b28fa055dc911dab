"""集中行动 (SPEC §7): campaign drives — 百日大会战 with its 五大战役, 拼搏年 with its 四拼,
专项整治 — with their period, lead work group, targets (categories, units, site types) and
numeric targets.

Problems and inspections are tagged with a drive (``Problem.drive``, ``Inspection.drive``); a
drive's figures count the problems of its sub-drives too.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civility.org.models import Headquarters, ProblemCategory, SiteType, Unit, WorkGroup


class Drive(models.Model):
    """A campaign drive; a sub-drive (``parent``) runs within its parent's period."""

    class Kind(models.TextChoices):
        HUNDRED_DAYS = "hundred_days", _("百日大会战")
        THEME_YEAR = "theme_year", _("拼搏年")
        SPECIAL = "special", _("专项整治")
        BATTLE = "battle", _("战役")
        OTHER = "other", _("其他")

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="drives"
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.SPECIAL)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级行动"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("例如：五大战役的上级是百日大会战，四拼的上级是拼搏年。"),
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    lead_group = models.ForeignKey(
        WorkGroup,
        verbose_name=_("牵头工作组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drives",
    )
    categories = models.ManyToManyField(
        ProblemCategory,
        verbose_name=_("目标问题类别"),
        blank=True,
        related_name="drives",
        help_text=_("留空表示不限类别。"),
    )
    units = models.ManyToManyField(
        Unit,
        verbose_name=_("责任单位"),
        blank=True,
        related_name="drives",
        help_text=_("留空表示全区各单位。"),
    )
    site_types = models.ManyToManyField(
        SiteType,
        verbose_name=_("点位类型"),
        blank=True,
        related_name="drives",
        help_text=_("留空表示不限点位类型。"),
    )
    description = models.TextField(_("行动方案"), blank=True)

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="drive_period_ordered"
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="drive_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def days(self) -> int:
        """The drive's length in days, both ends included."""
        return (self.end_date - self.start_date).days + 1

    def runs_on(self, day) -> bool:
        return self.start_date <= day <= self.end_date

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})
        parent = self.parent
        if parent is None:
            return
        if self.headquarters_id and parent.headquarters_id != self.headquarters_id:
            raise ValidationError({"parent": "上级行动必须属于同一指挥部。"})
        seen = set()
        while parent is not None and parent.pk is not None:
            # A new drive (no pk yet) cannot be anyone's parent; a saved one not its own.
            if parent.pk == self.pk or parent.pk in seen:
                raise ValidationError({"parent": "上级行动不能是本行动或其下级行动。"})
            seen.add(parent.pk)
            parent = parent.parent
        if (
            self.start_date
            and self.end_date
            and not (
                self.parent.start_date <= self.start_date and self.end_date <= self.parent.end_date
            )
        ):
            raise ValidationError(
                {
                    "parent": f"子行动的起止日期必须在上级行动的期间内"
                    f"（{self.parent.start_date} — {self.parent.end_date}）。"
                }
            )


class DriveTarget(models.Model):
    """A numeric target of a drive (e.g. 占道经营点位清零 30 个, 回潮率不高于 5%)."""

    class Metric(models.TextChoices):
        FOUND = "found", _("发现问题数")
        CLOSED = "closed", _("销号问题数")
        CLOSURE_RATE = "closure_rate", _("销号率（%）")
        ON_TIME_RATE = "on_time_rate", _("按期办结率（%）")
        RECURRENCE_RATE = "recurrence_rate", _("回潮率上限（%）")
        SITES_CLEARED = "sites_cleared", _("清零点位数")

    # For these the target is a ceiling (met when the actual is at or below it).
    CEILINGS = (Metric.RECURRENCE_RATE,)
    RATES = (Metric.CLOSURE_RATE, Metric.ON_TIME_RATE, Metric.RECURRENCE_RATE)

    drive = models.ForeignKey(
        Drive, verbose_name=_("专项行动"), on_delete=models.CASCADE, related_name="targets"
    )
    label = models.CharField(_("目标"), max_length=100, help_text=_("例如：占道经营点位清零"))
    metric = models.CharField(_("指标"), max_length=20, choices=Metric.choices)
    value = models.DecimalField(_("目标值"), max_digits=8, decimal_places=1)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行动目标")
        verbose_name_plural = _("行动目标")
        ordering = ["drive", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="drive_target_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.label}：{self.value}"

    @property
    def is_ceiling(self) -> bool:
        return self.metric in self.CEILINGS

    def clean(self) -> None:
        if self.metric in self.RATES and self.value is not None and self.value > 100:
            raise ValidationError({"value": "比率目标不能超过 100。"})
