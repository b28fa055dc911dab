"""督查 (SPEC §4): inspection teams and inspections."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.org.models import Headquarters, Site, Unit


class InspectionTeam(models.Model):
    class Kind(models.TextChoices):
        DEPUTIES = "deputies", _("人大代表政协委员巡视组")
        LEADERS = "leaders", _("区级领导督查组")
        RETIREES = "retirees", _("退休干部顾问组")
        OFFICE = "office", _("创建办督查组")
        THIRD_PARTY = "third_party", _("第三方测评组")

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), blank=True, related_name="teams"
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("督查组")
        verbose_name_plural = _("督查组")
        ordering = ["headquarters", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    class Kind(models.TextChoices):
        ROUTINE = "routine", _("例行督查")
        UNANNOUNCED = "unannounced", _("暗访")
        SPECIAL = "special", _("专项督查")
        REVISIT = "revisit", _("回头看")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="inspections"
    )
    team = models.ForeignKey(
        InspectionTeam,
        verbose_name=_("督查组"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(
        _("督查方式"), max_length=20, choices=Kind.choices, default=Kind.ROUTINE
    )
    date = models.DateField(_("督查日期"), default=timezone.localdate)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("督查人员"), blank=True, related_name="inspections"
    )
    street = models.ForeignKey(
        Unit,
        verbose_name=_("街道"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        limit_choices_to={"kind": Unit.Kind.STREET},
    )
    sites = models.ManyToManyField(
        Site, verbose_name=_("督查点位"), blank=True, related_name="inspections"
    )
    drive = models.ForeignKey(
        "supervision.Drive",
        verbose_name=_("专项行动"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
    )
    summary = models.TextField(_("督查小结"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        related_name="created_inspections",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    client_token = models.UUIDField(_("提交令牌"), unique=True, default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("督查")
        verbose_name_plural = _("督查")
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


class InspectionPlan(models.Model):
    """下周督查安排: a team's planned visit (a street, or named sites), set by the secretariat;
    the weekly 巡报 lists next week's plans."""

    headquarters = models.ForeignKey(
        Headquarters,
        verbose_name=_("指挥部"),
        on_delete=models.CASCADE,
        related_name="inspection_plans",
    )
    team = models.ForeignKey(
        InspectionTeam,
        verbose_name=_("督查组"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    date = models.DateField(_("计划日期"), db_index=True)
    street = models.ForeignKey(
        Unit,
        verbose_name=_("街道"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_plans",
        limit_choices_to={"kind": Unit.Kind.STREET},
    )
    sites = models.ManyToManyField(
        Site, verbose_name=_("点位"), blank=True, related_name="inspection_plans"
    )
    note = models.CharField(_("督查重点"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("安排人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督查安排")
        verbose_name_plural = _("督查安排")
        ordering = ["date", "team", "id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.team}"
