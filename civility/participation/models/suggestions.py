"""代表委员建议意见: a representative's suggestion, its append-only event trail.

``Suggestion.status`` is written only by ``civility.participation.suggestions`` (the state machine).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.org.models import Headquarters, Site, Unit
from civility.supervision.problems.models import Problem


class Suggestion(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        CONVERTED = "converted", _("办理中")
        ASSIGNED = "assigned", _("待答复")
        REPLIED = "replied", _("已答复")
        CLOSED = "closed", _("已办结")

    # States in which the representative can rate the handling (once per round).
    RATEABLE = (Status.REPLIED, Status.CLOSED)

    class Category(models.TextChoices):
        ENVIRONMENT = "environment", _("市容环境")
        TRAFFIC = "traffic", _("交通秩序")
        FACILITIES = "facilities", _("公共设施")
        CONDUCT = "conduct", _("文明风尚")
        SERVICE = "service", _("窗口服务")
        CAMPAIGN = "campaign", _("创建工作")
        OTHER = "other", _("其他")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("编号"), max_length=30, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="suggestions",
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    text = models.TextField(_("建议内容"))
    site = models.ForeignKey(
        Site,
        verbose_name=_("点位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, editable=False
    )
    # Compare-and-swap token, bumped by every change (as Problem.version).
    version = models.PositiveIntegerField(default=0, editable=False)
    rating = models.CharField(_("评价"), max_length=20, choices=Rating.choices, blank=True)
    problems = models.ManyToManyField(
        Problem, verbose_name=_("转办问题"), blank=True, related_name="suggestions"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("答复单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    reply_deadline = models.DateField(_("答复期限"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    client_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("建议意见")
        verbose_name_plural = _("建议意见")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["headquarters", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="assigned")
                | Q(unit__isnull=False, reply_deadline__isnull=False),
                name="suggestion_assigned_has_unit_and_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status="replied") | ~Q(reply=""),
                name="suggestion_replied_has_reply",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="suggestion_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def excerpt(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 40 else text[:40] + "…"

    @property
    def reply_overdue(self) -> bool:
        """Waiting for a unit's reply past its deadline."""
        return (
            self.status == self.Status.ASSIGNED
            and self.reply_deadline is not None
            and self.reply_deadline < timezone.localdate()
        )


class SuggestionAction(models.TextChoices):
    """What happens to a suggestion; ``participation.suggestions.TRANSITIONS`` describes each."""

    SUBMIT = "submit", _("提交建议")
    CONVERT = "convert", _("转为问题")
    ASSIGN = "assign", _("交办答复")
    REPLY = "reply", _("答复")
    ANSWER = "answer", _("直接答复")
    CLOSE = "close", _("办结")
    RATE_SATISFIED = "rate_satisfied", _("满意")
    RATE_BASIC = "rate_basic", _("基本满意")
    RATE_UNSATISFIED = "rate_unsatisfied", _("不满意")


class SuggestionEvent(models.Model):
    """Append-only trail of everything that happened to a suggestion."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("建议意见"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=30, choices=SuggestionAction.choices)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("答复单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("建议办理记录")
        verbose_name_plural = _("建议办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["action", "unit"])]

    def __str__(self) -> str:
        return f"{self.suggestion} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("SuggestionEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("SuggestionEvent is append-only")

    @property
    def to_status_label(self) -> str:
        return Suggestion.Status(self.to_status).label if self.to_status else ""

    @property
    def from_status_label(self) -> str:
        return Suggestion.Status(self.from_status).label if self.from_status else ""
