"""通报与考评 (SPEC §5–6): scoring policy, vetoes, weekly patrol reports and monthly bulletins.

Reports are computed from the data (``civility.reports.scoring`` and ``compile``) and frozen as a
JSON snapshot when published; a published report never changes — a 更正 supersedes it.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from civility.core.periods import MONTH, WEEK, Period
from civility.org.models import Headquarters, Unit

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
WEIGHT = [MinValueValidator(0), MaxValueValidator(1)]


class ScoringPolicy(models.Model):
    """The scoring rules of one year (defaults are SPEC §6); editable in the admin."""

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="policies"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    field_weight = models.DecimalField(
        _("现场分权重"), max_digits=4, decimal_places=2, default=Decimal("0.70"), validators=WEIGHT
    )
    rectification_weight = models.DecimalField(
        _("整改分权重"), max_digits=4, decimal_places=2, default=Decimal("0.30"), validators=WEIGHT
    )
    checklist_version = models.PositiveSmallIntegerField(
        _("测评细则版本"),
        null=True,
        blank=True,
        help_text=_("本年度使用的点位测评细则版本（如 2026）；留空则用不晚于本年度的最新版本"),
    )
    excellent_min = models.DecimalField(
        _("优秀分数线"), max_digits=5, decimal_places=1, default=90, validators=PERCENT
    )
    good_min = models.DecimalField(
        _("良好分数线"), max_digits=5, decimal_places=1, default=80, validators=PERCENT
    )
    pass_min = models.DecimalField(
        _("合格分数线"), max_digits=5, decimal_places=1, default=60, validators=PERCENT
    )
    red_list_min = models.DecimalField(
        _("红榜最低分"), max_digits=5, decimal_places=1, default=90, validators=PERCENT
    )
    red_list_size = models.PositiveSmallIntegerField(_("红榜每类名额"), default=3)
    black_list_below = models.DecimalField(
        _("黑榜分数线（低于）"), max_digits=5, decimal_places=1, default=75, validators=PERCENT
    )
    black_list_last_below = models.DecimalField(
        _("末位上黑榜分数线（低于）"),
        max_digits=5,
        decimal_places=1,
        default=90,
        validators=PERCENT,
        help_text=_("参评单位足够多的类别中，末位单位总分低于此线时上黑榜"),
    )
    black_list_last_min_units = models.PositiveSmallIntegerField(
        _("末位上黑榜的最少参评单位数"), default=5
    )
    min_site_visits = models.PositiveSmallIntegerField(_("块单位最少点位次数"), default=3)
    min_problems_due = models.PositiveSmallIntegerField(_("最少到期问题数"), default=3)
    on_time_weight = models.DecimalField(
        _("按期办结率权重"), max_digits=5, decimal_places=1, default=100
    )
    rework_weight = models.DecimalField(
        _("返工率扣分权重"), max_digits=5, decimal_places=1, default=20
    )
    escalation_weight = models.DecimalField(
        _("督办率扣分权重"), max_digits=5, decimal_places=1, default=30
    )
    pairing_weight = models.DecimalField(
        _("同奖同罚：结对社区权重"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
        validators=WEIGHT,
        help_text=_("年度考评中部门得分 = (1 − 权重) × 本单位得分 + 权重 × 结对社区平均分"),
    )
    annual_months_weight = models.DecimalField(
        _("年度考评：月度总分权重"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.70"),
        validators=WEIGHT,
    )
    annual_assignments_weight = models.DecimalField(
        _("年度考评：责任分解完成率权重"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=WEIGHT,
    )
    min_assessed_months = models.PositiveSmallIntegerField(_("年度考评最少参评月数"), default=3)

    class Meta:
        verbose_name = _("考评规则")
        verbose_name_plural = _("考评规则")
        ordering = ["headquarters", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "year"], name="policy_one_per_year"),
            models.CheckConstraint(
                condition=Q(excellent_min__gte=models.F("good_min"))
                & Q(good_min__gte=models.F("pass_min")),
                name="policy_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年考评规则"

    @classmethod
    def for_year(cls, headquarters, year: int) -> "ScoringPolicy":
        """The year's policy, or the defaults (unsaved) when none was set."""
        policy = cls.objects.filter(headquarters=headquarters, year=year).first()
        return policy or cls(headquarters=headquarters, year=year)

    def band(self, total) -> str:
        """The grade (等次) as a value: snapshots keep it in Chinese, pages translate it."""
        if total is None:
            return ""
        if total >= self.excellent_min:
            return gettext_noop("优秀")
        if total >= self.good_min:
            return gettext_noop("良好")
        if total >= self.pass_min:
            return gettext_noop("合格")
        return gettext_noop("不合格")


class Veto(models.Model):
    """一票否决: the unit's annual grade is 不合格 and it may not be honoured that year."""

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="vetoes"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="vetoes"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.TextField(_("否决理由"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("一票否决")
        verbose_name_plural = _("一票否决")
        ordering = ["-year", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="veto_one_per_unit_year"),
            models.CheckConstraint(condition=~Q(reason=""), name="veto_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit} 一票否决"


class Report(models.Model):
    """A weekly patrol report (每周巡报) or a monthly bulletin (每月通报).

    ``data`` holds the computed numbers of a draft (recomputed by each compilation) and
    ``narrative`` the editable texts. Publishing copies both into ``snapshot``, which is what every
    page and export of a published report shows; it is never written again. A mistake is fixed by
    publishing a 更正 (``corrects``) that supersedes the original; both stay readable.
    """

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("每周巡报")
        MONTHLY = "monthly", _("每月通报")

        @property
        def period_kind(self) -> str:
            """The kind of ``Period`` a report of this kind covers (week or month)."""
            return WEEK if self == "weekly" else MONTH

        @classmethod
        def of_period(cls, period: Period) -> "Report.Kind":
            return cls.WEEKLY if period.kind == WEEK else cls.MONTHLY

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已更正")

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    period = models.CharField(_("期间"), max_length=10, help_text=_("2026-W47 或 2026-11"))
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("序号"), null=True, blank=True, editable=False)
    number = models.CharField(_("发文字号"), max_length=50, blank=True, editable=False)
    title = models.CharField(_("标题"), max_length=200)
    addressees = models.CharField(_("主送"), max_length=200, default="各街道、区直各部门")
    data = models.JSONField(_("数据"), default=dict, blank=True)
    narrative = models.JSONField(_("正文"), default=dict, blank=True)
    snapshot = models.JSONField(_("发布快照"), null=True, blank=True, editable=False)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("更正的通报"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
    )
    compiled_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-period_start", "-id"]
        indexes = [models.Index(fields=["headquarters", "kind", "period"])]
        constraints = [
            # One draft per period: compiling again updates it instead of adding another.
            models.UniqueConstraint(
                fields=["headquarters", "kind", "period"],
                condition=Q(status="draft"),
                name="report_one_draft_per_period",
            ),
            models.UniqueConstraint(
                fields=["headquarters", "kind", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="report_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(snapshot__isnull=False, published_at__isnull=False),
                name="report_published_has_snapshot",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def get_period(self) -> Period:
        """The week or month this report covers."""
        return Period.of(self.period_start, self.Kind(self.kind).period_kind)

    @property
    def content(self) -> dict:
        """What pages and exports show: the frozen snapshot once published, else the draft."""
        if self.snapshot is not None:
            return self.snapshot
        return {
            "data": self.data,
            "narrative": self.narrative,
            "title": self.title,
            "number": self.number,
            "addressees": self.addressees,
        }


class ReportRead(models.Model):
    """已阅: who opened a published report and when; 签阅: an explicit acknowledgement by a leader
    or a liaison, with an optional remark (SPEC §5)."""

    report = models.ForeignKey(
        Report, verbose_name=_("通报"), on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("阅读人"),
        on_delete=models.CASCADE,
        related_name="report_reads",
    )
    read_at = models.DateTimeField(_("阅读时间"), auto_now_add=True)
    signed_at = models.DateTimeField(_("签阅时间"), null=True, blank=True)
    remark = models.CharField(_("签阅意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("阅读记录")
        verbose_name_plural = _("阅读记录")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="report_read_once"),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=False) | Q(remark=""),
                name="report_remark_needs_signature",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {'签阅' if self.signed_at else '已阅'} {self.report}"


class UnitMonthFacts(models.Model):
    """The counts behind one unit's scores for one ended month, as of the month's end
    (``civility.reports.facts``): what dashboards, rankings, bulletins and the annual assessment
    read instead of recounting every visit and problem of the months they show."""

    month = models.ForeignKey(
        "FactMonth", verbose_name=_("月份"), on_delete=models.CASCADE, related_name="facts"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    visits = models.PositiveIntegerField(_("测评点位次数"), default=0)
    rate_sum = models.DecimalField(_("得分率合计"), max_digits=16, decimal_places=6, default=0)
    items_failed = models.PositiveIntegerField(_("不合格项数"), default=0)
    rectification = models.BooleanField(_("有整改计数"), default=False)
    due = models.PositiveIntegerField(_("到期"), default=0)
    on_time = models.PositiveIntegerField(_("按期办结"), default=0)
    submitted = models.PositiveIntegerField(_("提交整改"), default=0)
    returned = models.PositiveIntegerField(_("退回重改"), default=0)
    escalated = models.PositiveIntegerField(_("督办"), default=0)
    open = models.PositiveIntegerField(_("在办"), default=0)

    class Meta:
        verbose_name = _("单位月度统计")
        verbose_name_plural = _("单位月度统计")
        constraints = [
            models.UniqueConstraint(fields=["month", "unit"], name="unitmonthfacts_unique")
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.unit}"


class FactMonth(models.Model):
    """One stored month of facts, with what had been counted when it was built: a later event or
    site visit dated inside the month makes it stale (it is rebuilt when next read)."""

    headquarters = models.ForeignKey(
        "org.Headquarters", verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(_("月份"), max_length=7)
    built_at = models.DateTimeField(_("生成时间"))
    last_event = models.PositiveBigIntegerField(_("已计入的最后流转记录"), default=0)
    last_visit = models.PositiveBigIntegerField(_("已计入的最后点位测评"), default=0)
    # The month's 通报 overview as at its end (figures.PeriodFigures.overview), kept once a
    # bulletin has needed it (the next month's compares with it); empty until then.
    overview = models.JSONField(_("概况"), default=dict, blank=True)

    class Meta:
        verbose_name = _("月度统计")
        verbose_name_plural = _("月度统计")
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "period"], name="factmonth_unique")
        ]

    def __str__(self) -> str:
        return f"{self.headquarters} {self.period}"
