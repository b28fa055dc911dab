"""督查 (SPEC §4): inspection teams and inspections."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from civility.org.models import Headquarters, Site, Unit


class InspectionTeam(models.Model):
    class Kind(models.TextChoices):
        DEPUTIES = "deputies", "人大代表政协委员巡视组"
        LEADERS = "leaders", "区级领导督查组"
        RETIREES = "retirees", "退休干部顾问组"
        OFFICE = "office", "创建办督查组"
        THIRD_PARTY = "third_party", "第三方测评组"

    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="成员", blank=True, related_name="teams"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "督查组"
        verbose_name_plural = "督查组"
        ordering = ["headquarters", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    class Kind(models.TextChoices):
        ROUTINE = "routine", "例行督查"
        UNANNOUNCED = "unannounced", "暗访"
        SPECIAL = "special", "专项督查"
        REVISIT = "revisit", "回头看"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"

    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="inspections"
    )
    team = models.ForeignKey(
        InspectionTeam, verbose_name="督查组", on_delete=models.PROTECT, related_name="inspections"
    )
    kind = models.CharField("督查方式", max_length=20, choices=Kind.choices, default=Kind.ROUTINE)
    date = models.DateField("督查日期", default=timezone.localdate)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="督查人员", blank=True, related_name="inspections"
    )
    street = models.ForeignKey(
        Unit,
        verbose_name="街道",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        limit_choices_to={"kind": Unit.Kind.STREET},
    )
    sites = models.ManyToManyField(
        Site, verbose_name="督查点位", blank=True, related_name="inspections"
    )
    summary = models.TextField("督查小结", blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        on_delete=models.PROTECT,
        related_name="created_inspections",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    client_token = models.UUIDField("提交令牌", unique=True, default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = "督查"
        verbose_name_plural = "督查"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["headquarters", "date"]),
            models.Index(fields=["date", "id"], name="inspection_date_id"),  # the list's order
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="inspection_submitted_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.team} {self.get_kind_display()}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT
