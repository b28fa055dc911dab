"""问责 and 文明荣誉称号动态管理 (SPEC §7).

- ``Accountability``: a measure (约谈, 通报批评, 诫勉谈话, 取消评先评优资格, 组织处理) against a
  unit or a named person of a unit, decided by a person, with the problems, commentary or veto
  behind it.
  Suggestions (``civility.campaign.accountability``) are never applied by themselves: a person
  records one (``suggestion_key`` remembers which) or dismisses it (``AccountabilityDismissal``).
- ``Honour``: a title a unit holds (文明单位 …) with its status; every status change is an
  append-only ``HonourChange``; the yearly review's decisions are ``HonourReviewDecision`` rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.org.models import Headquarters, Unit
from civility.reports.models import Veto
from civility.supervision.commentary.models import Commentary
from civility.supervision.problems.models import Problem


class Accountability(models.Model):
    class Measure(models.TextChoices):
        INTERVIEW = "interview", _("约谈")
        CRITICISM = "criticism", _("通报批评")
        ADMONITION = "admonition", _("诫勉谈话")
        DISQUALIFY = "disqualify", _("取消评先评优资格")
        REFERRAL = "referral", _("组织处理")

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="accountabilities"
    )
    person_name = models.CharField(
        _("被问责人"),
        max_length=50,
        blank=True,
        help_text=_("对个人问责时填写；对单位问责时留空。"),
    )
    person_title = models.CharField(_("职务"), max_length=100, blank=True)
    measure = models.CharField(_("问责方式"), max_length=20, choices=Measure.choices)
    reason = models.TextField(_("问责事由"))
    date = models.DateField(_("决定日期"))
    year = models.PositiveSmallIntegerField(_("年度"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    problems = models.ManyToManyField(
        Problem, verbose_name=_("相关问题"), blank=True, related_name="accountabilities"
    )
    commentaries = models.ManyToManyField(
        Commentary, verbose_name=_("相关点评"), blank=True, related_name="accountabilities"
    )
    veto = models.ForeignKey(
        Veto,
        verbose_name=_("相关一票否决"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accountabilities",
    )
    suggestion_key = models.CharField(_("来源建议"), max_length=60, blank=True, editable=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["headquarters", "year", "measure"])]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="accountability_reason_required"),
            models.UniqueConstraint(
                fields=["headquarters", "suggestion_key"],
                condition=~Q(suggestion_key=""),
                name="accountability_one_per_suggestion",
            ),
        ]

    def __str__(self) -> str:
        who = f"{self.unit}{self.person_name}" if self.person_name else str(self.unit)
        return f"{who} {self.get_measure_display()}"

    @property
    def target_label(self) -> str:
        if self.person_name:
            title = f"（{self.person_title}）" if self.person_title else ""
            return f"{self.unit.name} {self.person_name}{title}"
        return self.unit.name


class AccountabilityDismissal(models.Model):
    """不予问责: a suggestion a person decided not to act on; it is not suggested again."""

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="+"
    )
    suggestion_key = models.CharField(_("建议"), max_length=60)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(_("建议内容"), max_length=200)
    note = models.TextField(_("不予问责理由"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("不予问责记录")
        verbose_name_plural = _("不予问责记录")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["headquarters", "suggestion_key"], name="dismissal_one_per_suggestion"
            ),
            models.CheckConstraint(condition=~Q(note=""), name="dismissal_note_required"),
        ]

    def __str__(self) -> str:
        return f"不予问责：{self.summary}"


class Honour(models.Model):
    class Kind(models.TextChoices):
        CIVILISED_UNIT = "civilised_unit", _("文明单位")
        CIVILISED_COMMUNITY = "civilised_community", _("文明社区")
        CIVILISED_ESTATE = "civilised_estate", _("文明小区")
        MODEL_STREET = "model_street", _("文明示范街")
        TOP_PROPERTY = "top_property", _("十佳文明物业")
        OTHER = "other", _("其他荣誉")

    class Level(models.TextChoices):
        DISTRICT = "district", _("区级")
        CITY = "city", _("市级")
        PROVINCE = "province", _("省级")
        NATIONAL = "national", _("全国")

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        WARNING = "warning", _("黄牌警告")
        REVOKED = "revoked", _("撤销")
        STRIPPED = "stripped", _("摘牌")

    HELD = (Status.ACTIVE, Status.WARNING)

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="honours"
    )
    kind = models.CharField(_("称号"), max_length=30, choices=Kind.choices)
    title = models.CharField(
        _("称号全称"),
        max_length=100,
        blank=True,
        help_text=_("例如：厦门市文明单位；留空时按级别和称号显示。"),
    )
    level = models.CharField(_("级别"), max_length=20, choices=Level.choices)
    year_awarded = models.PositiveSmallIntegerField(_("授予年度"))
    awarded_by = models.CharField(_("授予机关"), max_length=100, blank=True)
    # Written only by civility.campaign.honours.change_status (with a HonourChange row).
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE, editable=False
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文明荣誉称号")
        verbose_name_plural = _("文明荣誉称号")
        ordering = ["unit__kind", "unit__order", "-year_awarded", "id"]
        indexes = [models.Index(fields=["headquarters", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "level", "year_awarded"], name="honour_unique_award"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.display_title}"

    @property
    def display_title(self) -> str:
        return self.title or f"{self.get_level_display()}{self.get_kind_display()}"

    @property
    def is_held(self) -> bool:
        return self.status in self.HELD


class HonourChange(models.Model):
    """Append-only history of an honour's status (its award included)."""

    honour = models.ForeignKey(
        Honour, verbose_name=_("荣誉"), on_delete=models.PROTECT, related_name="changes"
    )
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Honour.Status.choices)
    reason = models.TextField(_("理由"))
    review_year = models.PositiveSmallIntegerField(_("复核年度"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("荣誉变更记录")
        verbose_name_plural = _("荣誉变更记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.honour} → {self.get_to_status_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("HonourChange is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("HonourChange is append-only")


class HonourReviewDecision(models.Model):
    """The secretariat's answer to one proposal of a yearly review (确认 or 不予采纳)."""

    class Proposal(models.TextChoices):
        WARN = "warn", _("黄牌警告")
        REVOKE = "revoke", _("撤销")

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", _("已确认")
        DISMISSED = "dismissed", _("不予采纳")

    honour = models.ForeignKey(
        Honour, verbose_name=_("荣誉"), on_delete=models.PROTECT, related_name="review_decisions"
    )
    year = models.PositiveSmallIntegerField(_("复核年度"))
    proposal = models.CharField(_("建议"), max_length=10, choices=Proposal.choices)
    reasons = models.TextField(_("建议依据"))
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices)
    note = models.TextField(_("意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("荣誉复核决定")
        verbose_name_plural = _("荣誉复核决定")
        ordering = ["-year", "honour", "id"]
        constraints = [
            models.UniqueConstraint(fields=["honour", "year"], name="review_one_decision_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.honour} {self.get_decision_display()}"
