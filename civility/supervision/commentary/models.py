"""点评 (SPEC §4): leaders' commentary and each unit's receipt (签收 and reply)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from civility.org.models import Headquarters, Site, Unit


class Commentary(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", "会议点评"
        ONSITE = "onsite", "现场点评"
        WRITTEN = "written", "书面点评"

    class Tone(models.TextChoices):
        PRAISE = "praise", "表扬"
        CRITICISM = "criticism", "批评"

    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="commentaries"
    )
    kind = models.CharField("点评方式", max_length=20, choices=Kind.choices)
    tone = models.CharField("性质", max_length=20, choices=Tone.choices)
    date = models.DateField("点评日期", default=timezone.localdate, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="点评领导",
        on_delete=models.PROTECT,
        related_name="commentaries",
    )
    title = models.CharField("标题", max_length=200)
    text = models.TextField("点评内容")
    units = models.ManyToManyField(
        Unit, verbose_name="被点评单位", through="CommentaryReceipt", related_name="commentaries"
    )
    inspection = models.ForeignKey(
        "supervision.Inspection",
        verbose_name="相关督查",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commentaries",
    )
    site = models.ForeignKey(
        Site,
        verbose_name="相关点位",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commentaries",
    )
    problems = models.ManyToManyField(
        "supervision.Problem", verbose_name="相关问题", blank=True, related_name="commentaries"
    )
    reply_days = models.PositiveSmallIntegerField(
        "整改回复期限（天）", default=5, help_text="书面批评须在此期限内回复整改措施"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    client_token = models.UUIDField("提交令牌", unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "点评"
        verbose_name_plural = "点评"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_receipt(self) -> bool:
        return self.kind == self.Kind.WRITTEN

    @property
    def needs_reply(self) -> bool:
        return self.kind == self.Kind.WRITTEN and self.tone == self.Tone.CRITICISM

    @property
    def reply_due(self):
        return self.date + timedelta(days=self.reply_days)


class CommentaryReceipt(models.Model):
    """One unit's copy of a commentary: 签收 and, for a written criticism, the reply."""

    commentary = models.ForeignKey(
        Commentary, verbose_name="点评", on_delete=models.CASCADE, related_name="receipts"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="commentary_receipts"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    reply = models.TextField("整改措施回复", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回复人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)

    class Meta:
        verbose_name = "点评签收"
        verbose_name_plural = "点评签收"
        constraints = [
            models.UniqueConstraint(fields=["commentary", "unit"], name="receipt_unique"),
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True) | ~Q(reply=""),
                name="receipt_reply_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commentary} → {self.unit}"
