"""全民参与: the activity series (洁净家园在行动 …) and the activities units organise in them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civility.org.models import Headquarters, Unit
from civility.supervision.problems.models import Drive


class ActivitySeries(models.Model):
    headquarters = models.ForeignKey(
        Headquarters,
        verbose_name=_("指挥部"),
        on_delete=models.CASCADE,
        related_name="activity_series",
    )
    name = models.CharField(_("名称"), max_length=50)
    description = models.TextField(_("简介"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("活动系列")
        verbose_name_plural = _("活动系列")
        ordering = ["headquarters", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["headquarters", "name"], name="activityseries_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.PROTECT, related_name="+"
    )
    series = models.ForeignKey(
        ActivitySeries,
        verbose_name=_("活动系列"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    organiser = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("活动名称"), max_length=100)
    date = models.DateField(_("活动日期"), db_index=True)
    place = models.CharField(_("活动地点"), max_length=200)
    participants = models.PositiveIntegerField(_("参与人数"))
    volunteers = models.PositiveIntegerField(_("志愿者人数"), default=0)
    volunteer_hours = models.DecimalField(
        _("志愿服务时长（小时）"), max_digits=9, decimal_places=1, default=0
    )
    description = models.TextField(_("活动内容"), blank=True)
    drive = models.ForeignKey(
        Drive,
        verbose_name=_("配合专项行动"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    client_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["headquarters", "series", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(volunteers__lte=F("participants")),
                name="activity_volunteers_among_participants",
            ),
            models.CheckConstraint(
                condition=Q(volunteer_hours__gte=0), name="activity_hours_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title
