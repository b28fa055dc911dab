"""问题类别 (SPEC §3): what a problem is, what it costs and how long it may stay open."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.org.models.headquarters import Headquarters
from civility.org.models.standards import Indicator
from civility.org.models.units import Unit, WorkGroup


class ProblemCategory(models.Model):
    headquarters = models.ForeignKey(
        Headquarters,
        verbose_name=_("指挥部"),
        on_delete=models.CASCADE,
        related_name="problem_categories",
    )
    name = models.CharField(_("名称"), max_length=50)
    work_group = models.ForeignKey(
        WorkGroup,
        verbose_name=_("归口工作组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_categories",
    )
    deduction = models.DecimalField(_("扣分"), max_digits=5, decimal_places=1)
    time_limit_hours = models.PositiveIntegerField(_("整改时限（小时）"))
    default_department = models.ForeignKey(
        Unit,
        verbose_name=_("默认协办部门（条）"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="default_categories",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("对应测评指标"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_categories",
    )
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["headquarters", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="category_name_unique"),
            models.CheckConstraint(
                condition=Q(deduction__gte=0) & Q(deduction__lte=100),
                name="category_deduction_0_100",
            ),
            models.CheckConstraint(
                condition=Q(time_limit_hours__gt=0), name="category_time_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name
