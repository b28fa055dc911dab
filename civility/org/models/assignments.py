"""责任分解 (SPEC §2): the 四个明确 of one unit within one work group, and when it is due."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.org.models.standards import Indicator
from civility.org.models.units import Unit, WorkGroup


class Assignment(models.Model):
    """责任分解 — the 四个明确: 目标, 任务, 要求, 责任人, for one unit within one work group."""

    class Cycle(models.TextChoices):
        ONCE = "once", _("一次性")
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")
        YEARLY = "yearly", _("每年")
        ONGOING = "ongoing", _("长期")

    class DueState(models.TextChoices):
        DONE = "done", _("已完成")
        OVERDUE = "overdue", _("已逾期")
        DUE_SOON = "due_soon", _("即将到期")
        ON_TRACK = "on_track", _("进行中")
        NO_DEADLINE = "no_deadline", _("长期/周期")

    DUE_SOON_DAYS = 7

    work_group = models.ForeignKey(
        WorkGroup, verbose_name=_("工作组"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="assignments"
    )
    goal = models.CharField(_("目标"), max_length=300)
    task = models.TextField(_("任务"))
    requirements = models.TextField(_("要求"), blank=True)
    responsible_person = models.CharField(_("责任人"), max_length=100, help_text=_("姓名及职务"))
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("对应测评指标"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    cycle = models.CharField(_("周期"), max_length=20, choices=Cycle.choices, default=Cycle.ONCE)
    progress = models.TextField(_("进展情况"), blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("责任分解")
        verbose_name_plural = _("责任分解")
        ordering = ["work_group__order", "unit__kind", "unit__order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(cycle="once") | Q(due_date__isnull=False),
                name="assignment_once_has_due_date",
            ),
            models.CheckConstraint(condition=~Q(goal=""), name="assignment_goal_set"),
        ]
        indexes = [models.Index(fields=["due_date", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.work_group} · {self.unit}：{self.goal}"

    def clean(self) -> None:
        if (
            self.work_group_id
            and self.unit_id
            and self.work_group.headquarters_id != self.unit.headquarters_id
        ):
            raise ValidationError({"unit": "责任单位与工作组必须属于同一指挥部。"})
        if self.cycle == self.Cycle.ONCE and not self.due_date:
            raise ValidationError({"due_date": "一次性任务必须填写完成时限。"})

    def due_state(self, today: date | None = None) -> "Assignment.DueState":
        today = today or timezone.localdate()
        if self.completed_on:
            return self.DueState.DONE
        if self.due_date is None:
            return self.DueState.NO_DEADLINE
        if self.due_date < today:
            return self.DueState.OVERDUE
        if self.due_date <= today + timedelta(days=self.DUE_SOON_DAYS):
            return self.DueState.DUE_SOON
        return self.DueState.ON_TRACK

    @classmethod
    def due_state_q(cls, state: str, today: date) -> Q:
        """The filter matching ``due_state() == state`` (used by filters and the admin)."""
        open_ = Q(completed_on__isnull=True)
        soon = today + timedelta(days=cls.DUE_SOON_DAYS)
        return {
            cls.DueState.DONE: Q(completed_on__isnull=False),
            cls.DueState.NO_DEADLINE: open_ & Q(due_date__isnull=True),
            cls.DueState.OVERDUE: open_ & Q(due_date__lt=today),
            cls.DueState.DUE_SOON: open_ & Q(due_date__gte=today, due_date__lte=soon),
            cls.DueState.ON_TRACK: open_ & Q(due_date__gt=soon),
        }[state]
