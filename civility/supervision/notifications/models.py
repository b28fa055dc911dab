"""In-app notifications (the bell)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("新交办")
        RETURNED = "returned", _("被退回")
        ESCALATED = "escalated", _("被督办")
        DUE_TOMORROW = "due_tomorrow", _("明日到期")
        OVERDUE = "overdue", _("已逾期")
        COMMENTARY = "commentary", _("点评下发")
        DISPUTED = "disputed", _("权属异议")
        SUBMITTED = "submitted", _("待复查")
        EXTENSION = "extension", _("延期申请")
        DECISION = "decision", _("审批结果")
        REPORT = "report", _("通报发布")
        TO_ASSIGN = "to_assign", _("待交办")
        SUGGESTION = "suggestion", _("建议意见")

    # Kinds the periodic command sends at most once per problem and person.
    ONCE_KINDS = (Kind.DUE_TOMORROW, Kind.OVERDUE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    problem = models.ForeignKey(
        "supervision.Problem",
        verbose_name=_("问题"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    commentary = models.ForeignKey(
        "supervision.Commentary",
        verbose_name=_("点评"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "problem"],
                condition=Q(kind__in=["due_tomorrow", "overdue"]),
                name="notification_periodic_once",
            )
        ]

    def __str__(self) -> str:
        return self.text
