"""典型评选: a yearly selection (十佳文明物业, 道德模范 …), units' nominations, the
secretariat's review, the 公示 period and the results.

``Selection.status`` is written only by ``civility.participation.selections``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civility.org.models import Headquarters, Unit


class Selection(models.Model):
    class Kind(models.TextChoices):
        PROPERTY = "property", _("十佳文明物业")
        MORAL_MODEL = "moral_model", _("道德模范")
        NEIGHBOURLY_COMPOUND = "neighbourly_compound", _("和谐邻里节先进小区")
        NEIGHBOURLY_FAMILY = "neighbourly_family", _("和谐邻里节先进家庭")
        CONSTRUCTION_SITE = "construction_site", _("十佳文明工地")
        HARMONIOUS_COMPOUND = "harmonious_compound", _("文明和谐小区")

    class Status(models.TextChoices):
        NOMINATING = "nominating", _("征集中")
        REVIEWING = "reviewing", _("评审中")
        PUBLICITY = "publicity", _("公示中")
        PUBLISHED = "published", _("已公布")

    # What everyone may see: the proposed winners while on 公示, the results afterwards.
    PUBLIC = (Status.PUBLICITY, Status.PUBLISHED)

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("评选类别"), max_length=30, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(
        _("名称"), max_length=100, help_text=_("例如：2008年度十佳文明物业评选")
    )
    quota = models.PositiveSmallIntegerField(_("名额"))
    criteria = models.TextField(_("评选条件"))
    nomination_deadline = models.DateField(_("推荐截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOMINATING,
        editable=False,
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    publicity_start = models.DateField(_("公示开始"), null=True, blank=True, editable=False)
    publicity_end = models.DateField(_("公示结束"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("结果公布时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("典型评选")
        verbose_name_plural = _("典型评选")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["headquarters", "kind", "year"], name="selection_one_per_kind_and_year"
            ),
            models.CheckConstraint(condition=Q(quota__gt=0), name="selection_quota_positive"),
            models.CheckConstraint(
                condition=Q(publicity_end__isnull=True)
                | Q(publicity_end__gte=F("publicity_start")),
                name="selection_publicity_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["publicity", "published"])
                | Q(publicity_start__isnull=False, publicity_end__isnull=False),
                name="selection_publicity_has_period",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="selection_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC


class Nomination(models.Model):
    class NomineeKind(models.TextChoices):
        UNIT = "unit", _("单位")
        COMPOUND = "compound", _("小区")
        PERSON = "person", _("个人")
        FAMILY = "family", _("家庭")
        PROJECT = "project", _("项目")

    selection = models.ForeignKey(
        Selection, verbose_name=_("评选"), on_delete=models.PROTECT, related_name="nominations"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("推荐单位"), on_delete=models.PROTECT, related_name="nominations"
    )
    nominee_kind = models.CharField(_("推荐对象类型"), max_length=20, choices=NomineeKind.choices)
    nominee = models.CharField(_("推荐对象"), max_length=100)
    nominee_unit = models.ForeignKey(
        Unit,
        verbose_name=_("对应单位/小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominated",
        help_text=_("推荐对象是登记在册的单位或小区时选择，当选后荣誉记在该单位名下。"),
    )
    materials = models.TextField(_("推荐材料"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)
    score = models.DecimalField(
        _("评审得分"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    shortlisted = models.BooleanField(_("入围"), default=False)
    review_note = models.CharField(_("评审意见"), max_length=300, blank=True)
    client_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("推荐对象")
        verbose_name_plural = _("推荐对象")
        ordering = ["selection", "-shortlisted", F("score").desc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "nominee"], name="nomination_nominee_once_per_selection"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="nomination_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.nominee


class SelectionResult(models.Model):
    """A winner of a published selection. A unit or 小区 winner also holds it as a campaign
    honour (``selections.record_winner_honour`` links it here); people, families and projects
    keep this record only."""

    selection = models.ForeignKey(
        Selection, verbose_name=_("评选"), on_delete=models.PROTECT, related_name="results"
    )
    nomination = models.OneToOneField(
        Nomination, verbose_name=_("推荐对象"), on_delete=models.PROTECT, related_name="result"
    )
    rank = models.PositiveSmallIntegerField(_("名次"))
    title = models.CharField(_("荣誉称号"), max_length=100)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    honour = models.OneToOneField(
        "campaign.Honour",
        verbose_name=_("荣誉称号记录"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="selection_result",
    )

    class Meta:
        verbose_name = _("评选结果")
        verbose_name_plural = _("评选结果")
        ordering = ["selection", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "rank"], name="selectionresult_rank_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}：{self.nomination}"
