"""指挥部 and its leaders (SPEC §2): every other record hangs off one Headquarters,
so one deployment can hold several districts."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

DEFAULT_COPY_TO = "区委、区人大、区政府、区政协、区纪委领导，区文明委各成员单位"


class Headquarters(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    district = models.CharField(_("行政区"), max_length=50, help_text=_("例如：湖里区"))
    code = models.CharField(
        _("问题编号前缀"), max_length=10, unique=True, help_text=_("问题编号的前缀，例如 HL")
    )
    doc_prefix = models.CharField(_("发文字号前缀"), max_length=20, help_text=_("例如：湖创指"))
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("截止日期"), null=True, blank=True)
    commander = models.ForeignKey(
        "Leader",
        verbose_name=_("总指挥"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    executive_deputy = models.ForeignKey(
        "Leader",
        verbose_name=_("常务副总指挥"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    office_unit = models.ForeignKey(
        "Unit",
        verbose_name=_("办公室所在单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.TextField(_("简介"), blank=True)
    recurrence_days = models.PositiveSmallIntegerField(
        _("回潮认定天数"),
        default=30,
        help_text=_("同一点位同类问题销号后此天数内再次发现，认定为回潮。"),
    )
    # 版记 of its 通报 (GB/T 9704): who receives copies, and who prints them.
    copy_to = models.CharField(
        _("通报抄送"),
        max_length=300,
        default=DEFAULT_COPY_TO,
        help_text=_("通报版记中的抄送机关，用顿号分隔"),
    )
    printing_office = models.CharField(
        _("印发机关"),
        max_length=100,
        blank=True,
        help_text=_("通报版记中的印发机关；留空则为“指挥部名称＋办公室”"),
    )

    class Meta:
        verbose_name = _("指挥部")
        verbose_name_plural = _("指挥部")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="headquarters_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def printing_office_name(self) -> str:
        return self.printing_office or f"{self.name}办公室"

    @property
    def period_label(self) -> str:
        end = f"{self.end_date:%Y年%m月}" if self.end_date else "至今"
        return f"{self.start_date:%Y年%m月} — {end}"


class Leader(models.Model):
    class Body(models.TextChoices):
        PARTY = "party", _("区委")
        CONGRESS = "congress", _("区人大")
        GOVERNMENT = "government", _("区政府")
        CPPCC = "cppcc", _("区政协")
        DISCIPLINE = "discipline", _("区纪委")

    class HqRole(models.TextChoices):
        COMMANDER = "commander", _("总指挥")
        EXECUTIVE_DEPUTY = "executive_deputy", _("常务副总指挥")
        DEPUTY = "deputy", _("副总指挥")
        MEMBER = "member", _("成员")

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="leaders"
    )
    name = models.CharField(_("姓名"), max_length=50)
    user = models.OneToOneField(
        "core.User",
        verbose_name=_("登录用户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leader_profile",
    )
    title = models.CharField(_("职务"), max_length=100, help_text=_("例如：区委书记"))
    body = models.CharField(_("所属班子"), max_length=20, choices=Body.choices)
    hq_role = models.CharField(
        _("指挥部职务"), max_length=20, choices=HqRole.choices, default=HqRole.MEMBER
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("领导")
        verbose_name_plural = _("领导")
        ordering = ["headquarters", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["headquarters", "name", "title"], name="leader_unique_per_hq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）"
