"""Who answers for what (SPEC §2): 责任单位, 工作组 and the 挂钩/结对 linkages between them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civility.org.models.headquarters import Headquarters, Leader


class Unit(models.Model):
    class Kind(models.TextChoices):
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")
        DEPARTMENT = "department", _("区直部门")
        STATIONED = "stationed", _("驻区单位")
        OTHER = "other", _("其他")
        # 四级同创: a residential compound or residents' group below a community. It can own
        # sites and hold honours, but is not assessed or ranked.
        NEIGHBOURHOOD = "neighbourhood", _("小区/居民小组")

    # 块 units have an area; 条 units (departments) do not.
    AREA_KINDS = (Kind.STREET, Kind.COMMUNITY, Kind.NEIGHBOURHOOD)
    # The kind of unit each kind hangs under (a community's street, a 小区's community).
    PARENT_KIND = {Kind.COMMUNITY: Kind.STREET, Kind.NEIGHBOURHOOD: Kind.COMMUNITY}

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="units"
    )
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("社区填写所属街道，小区/居民小组填写所属社区；其他类别留空。"),
    )
    is_committee_member = models.BooleanField(_("文明委成员单位"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["headquarters", "kind", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="unit_name_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["community", "neighbourhood"], parent__isnull=False)
                | (~Q(kind__in=["community", "neighbourhood"]) & Q(parent__isnull=True)),
                name="unit_only_community_has_parent",
            ),
        ]
        indexes = [models.Index(fields=["headquarters", "kind", "active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_area(self) -> bool:
        return self.kind in self.AREA_KINDS

    def clean(self) -> None:
        wanted = self.PARENT_KIND.get(self.kind)
        if self.parent_id is not None:
            if wanted is None:
                raise ValidationError({"parent": _("只有社区和小区/居民小组有上级单位。")})
            if self.parent.kind != wanted:
                raise ValidationError(
                    {
                        "parent": "社区的上级必须是街道。"
                        if wanted == self.Kind.STREET
                        else _("小区/居民小组的上级必须是社区。")
                    }
                )
            if self.parent.headquarters_id != self.headquarters_id:
                raise ValidationError({"parent": "上级单位必须属于同一指挥部。"})


class WorkGroup(models.Model):
    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="work_groups"
    )
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    head = models.ForeignKey(
        Leader,
        verbose_name=_("组长"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="headed_groups",
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("牵头单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_groups",
    )
    member_units = models.ManyToManyField(
        Unit, verbose_name=_("成员单位"), blank=True, related_name="work_groups"
    )
    duties = models.TextField(_("工作职责"), blank=True)

    class Meta:
        verbose_name = _("工作组")
        verbose_name_plural = _("工作组")
        ordering = ["headquarters", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="workgroup_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        hq = self.headquarters_id
        if self.head_id and self.head.headquarters_id != hq:
            raise ValidationError({"head": "组长必须是本指挥部的领导。"})
        if self.lead_unit_id and self.lead_unit.headquarters_id != hq:
            raise ValidationError({"lead_unit": "牵头单位必须属于本指挥部。"})


class Linkage(models.Model):
    """挂钩联系 (leader → street/community), 结对共建 (department ↔ community),
    包片下点 (cadre → area).

    Linkages drive 同奖同罚: a community's red or black list entry names its partners.
    """

    class Kind(models.TextChoices):
        LEADER_CONTACT = "contact", _("挂钩联系")
        PAIRING = "pairing", _("结对共建")
        CADRE_AREA = "cadre", _("包片下点")

    headquarters = models.ForeignKey(
        Headquarters, verbose_name=_("指挥部"), on_delete=models.CASCADE, related_name="linkages"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    target = models.ForeignKey(
        Unit,
        verbose_name=_("挂钩/结对对象"),
        on_delete=models.CASCADE,
        related_name="linkages_in",
        help_text=_("被联系的街道或社区"),
    )
    leader = models.ForeignKey(
        Leader,
        verbose_name=_("挂钩领导"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="linkages",
    )
    department = models.ForeignKey(
        Unit,
        verbose_name=_("结对部门"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="linkages_out",
    )
    cadre_name = models.CharField(_("下点干部"), max_length=100, blank=True)
    area = models.CharField(_("包片范围"), max_length=200, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("挂钩与结对")
        verbose_name_plural = _("挂钩与结对")
        ordering = ["headquarters", "kind", "target__order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="contact") | Q(leader__isnull=False),
                name="linkage_contact_has_leader",
            ),
            models.CheckConstraint(
                condition=~Q(kind="pairing") | Q(department__isnull=False),
                name="linkage_pairing_has_department",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cadre") | ~Q(cadre_name=""),
                name="linkage_cadre_has_name",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="linkage_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.partner_label} → {self.target}"

    @property
    def partner_label(self) -> str:
        if self.kind == self.Kind.LEADER_CONTACT and self.leader_id:
            return str(self.leader)
        if self.kind == self.Kind.PAIRING and self.department_id:
            return str(self.department)
        return self.cadre_name

    def clean(self) -> None:
        errors = {}
        if self.target_id and not self.target.is_area:
            errors["target"] = "挂钩/结对对象必须是街道或社区。"
        if self.kind == self.Kind.LEADER_CONTACT and not self.leader_id:
            errors["leader"] = "挂钩联系必须指定领导。"
        if self.kind == self.Kind.PAIRING:
            if not self.department_id:
                errors["department"] = "结对共建必须指定部门。"
            elif self.department.kind == Unit.Kind.COMMUNITY:
                errors["department"] = "结对部门不能是社区。"
        if self.kind == self.Kind.CADRE_AREA and not self.cadre_name:
            errors["cadre_name"] = "包片下点必须填写干部姓名。"
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "结束日期不能早于开始日期。"
        if errors:
            raise ValidationError(errors)
