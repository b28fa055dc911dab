"""通报与考评 (SPEC §5–6): scoring policy, vetoes, weekly patrol reports and monthly bulletins.

Reports are computed from the data (``civility.reports.scoring`` and ``compile``) and frozen as a
JSON snapshot when published; a published report never changes — a 更正 supersedes it.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from civility.org.models import Headquarters, Unit

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
WEIGHT = [MinValueValidator(0), MaxValueValidator(1)]


class ScoringPolicy(models.Model):
    """The scoring rules of one year (defaults are SPEC §6); editable in the admin."""

    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="policies"
    )
    year = models.PositiveSmallIntegerField("年度")
    field_weight = models.DecimalField(
        "现场分权重", max_digits=4, decimal_places=2, default=Decimal("0.90"), validators=WEIGHT
    )
    rectification_weight = models.DecimalField(
        "整改分权重", max_digits=4, decimal_places=2, default=Decimal("0.10"), validators=WEIGHT
    )
    excellent_min = models.DecimalField(
        "优秀分数线", max_digits=5, decimal_places=1, default=90, validators=PERCENT
    )
    good_min = models.DecimalField(
        "良好分数线", max_digits=5, decimal_places=1, default=80, validators=PERCENT
    )
    pass_min = models.DecimalField(
        "合格分数线", max_digits=5, decimal_places=1, default=60, validators=PERCENT
    )
    red_list_min = models.DecimalField(
        "红榜最低分", max_digits=5, decimal_places=1, default=90, validators=PERCENT
    )
    red_list_size = models.PositiveSmallIntegerField("红榜每类名额", default=3)
    black_list_below = models.DecimalField(
        "黑榜分数线（低于）", max_digits=5, decimal_places=1, default=85, validators=PERCENT
    )
    min_site_visits = models.PositiveSmallIntegerField("块单位最少点位次数", default=3)
    min_problems_due = models.PositiveSmallIntegerField("部门最少到期问题数", default=3)
    rework_penalty = models.DecimalField(
        "每次退回重改扣分", max_digits=4, decimal_places=1, default=2
    )
    escalation_penalty = models.DecimalField("每次督办扣分", max_digits=4, decimal_places=1,
                                             default=5)
    pairing_weight = models.DecimalField(
        "同奖同罚：结对社区权重",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
        validators=WEIGHT,
        help_text="年度考评中部门得分 = (1 − 权重) × 本单位平均分 + 权重 × 结对社区平均分",
    )

    class Meta:
        verbose_name = "考评规则"
        verbose_name_plural = "考评规则"
        ordering = ["headquarters", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "year"], name="policy_one_per_year"),
            models.CheckConstraint(
                condition=Q(excellent_min__gte=models.F("good_min"))
                & Q(good_min__gte=models.F("pass_min")),
                name="policy_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年考评规则"

    @classmethod
    def for_year(cls, headquarters, year: int) -> "ScoringPolicy":
        """The year's policy, or the defaults (unsaved) when none was set."""
        policy = cls.objects.filter(headquarters=headquarters, year=year).first()
        return policy or cls(headquarters=headquarters, year=year)

    def band(self, total) -> str:
        if total is None:
            return ""
        if total >= self.excellent_min:
            return "优秀"
        if total >= self.good_min:
            return "良好"
        if total >= self.pass_min:
            return "合格"
        return "不合格"


class Veto(models.Model):
    """一票否决: the unit's annual grade is 不合格 and it may not be honoured that year."""

    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="vetoes"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="vetoes"
    )
    year = models.PositiveSmallIntegerField("年度")
    reason = models.TextField("否决理由")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("决定时间", auto_now_add=True)

    class Meta:
        verbose_name = "一票否决"
        verbose_name_plural = "一票否决"
        ordering = ["-year", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="veto_one_per_unit_year"),
            models.CheckConstraint(condition=~Q(reason=""), name="veto_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit} 一票否决"
