"""投入保障: the campaign budget by year and source, projects with allocations to units, and
the spending recorded against them. Amounts are in 万元 (ten thousand yuan), as reports give them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.org.models import Headquarters, Unit

AMOUNT = {"max_digits": 12, "decimal_places": 2}


class Budget(models.Model):
    class Source(models.TextChoices):
        DISTRICT = "district", _("区财政")
        STREETS = "streets", _("街道")
        SOCIETY = "society", _("社会/企业")
        HIGHER = "higher", _("上级补助")
        # Historical years known only as a total (e.g. the report's 2006 and 2007 figures).
        UNSPLIT = "unsplit", _("未分来源")

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("资金来源"), max_length=20, choices=Source.choices)
    amount = models.DecimalField(_("金额（万元）"), **AMOUNT)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("创建经费")
        verbose_name_plural = _("创建经费")
        ordering = ["headquarters", "-year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["headquarters", "year", "source"], name="budget_one_row_per_source"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_source_display()} {self.amount} 万元"


class BudgetProject(models.Model):
    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("项目内容"), blank=True)
    amount = models.DecimalField(_("项目预算（万元）"), **AMOUNT)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("经费项目")
        verbose_name_plural = _("经费项目")
        ordering = ["headquarters", "-year", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["headquarters", "year", "name"], name="budgetproject_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="budgetproject_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class Allocation(models.Model):
    project = models.ForeignKey(
        BudgetProject,
        verbose_name=_("经费项目"),
        on_delete=models.CASCADE,
        related_name="allocations",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("下达金额（万元）"), **AMOUNT)

    class Meta:
        verbose_name = _("经费下达")
        verbose_name_plural = _("经费下达")
        ordering = ["project", "unit__kind", "unit__order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "unit"], name="allocation_once_per_unit"),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="allocation_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} → {self.unit}"


class Spending(models.Model):
    project = models.ForeignKey(
        BudgetProject,
        verbose_name=_("经费项目"),
        on_delete=models.PROTECT,
        related_name="spendings",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("使用单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spendings",
        help_text=_("留空表示区级统筹使用。"),
    )
    date = models.DateField(_("支出日期"))
    amount = models.DecimalField(_("金额（万元）"), **AMOUNT)
    description = models.CharField(_("用途"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("经费支出")
        verbose_name_plural = _("经费支出")
        ordering = ["project", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.description} {self.amount} 万元"
