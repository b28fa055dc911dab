"""Organisation (SPEC §2) and standards (SPEC §3).

Every record hangs off one Headquarters, so one deployment can hold several districts.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Headquarters(models.Model):
    name = models.CharField("名称", max_length=100, unique=True)
    district = models.CharField("行政区", max_length=50, help_text="例如：湖里区")
    code = models.CharField(
        "问题编号前缀", max_length=10, unique=True, help_text="问题编号的前缀，例如 HL"
    )
    doc_prefix = models.CharField("发文字号前缀", max_length=20, help_text="例如：湖创指")
    start_date = models.DateField("起始日期")
    end_date = models.DateField("截止日期", null=True, blank=True)
    commander = models.ForeignKey(
        "Leader",
        verbose_name="总指挥",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    executive_deputy = models.ForeignKey(
        "Leader",
        verbose_name="常务副总指挥",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    office_unit = models.ForeignKey(
        "Unit",
        verbose_name="办公室所在单位",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.TextField("简介", blank=True)

    class Meta:
        verbose_name = "指挥部"
        verbose_name_plural = "指挥部"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="headquarters_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def period_label(self) -> str:
        end = f"{self.end_date:%Y年%m月}" if self.end_date else "至今"
        return f"{self.start_date:%Y年%m月} — {end}"


class Leader(models.Model):
    class Body(models.TextChoices):
        PARTY = "party", "区委"
        CONGRESS = "congress", "区人大"
        GOVERNMENT = "government", "区政府"
        CPPCC = "cppcc", "区政协"
        DISCIPLINE = "discipline", "区纪委"

    class HqRole(models.TextChoices):
        COMMANDER = "commander", "总指挥"
        EXECUTIVE_DEPUTY = "executive_deputy", "常务副总指挥"
        DEPUTY = "deputy", "副总指挥"
        MEMBER = "member", "成员"

    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="leaders"
    )
    name = models.CharField("姓名", max_length=50)
    user = models.OneToOneField(
        "core.User",
        verbose_name="登录用户",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leader_profile",
    )
    title = models.CharField("职务", max_length=100, help_text="例如：区委书记")
    body = models.CharField("所属班子", max_length=20, choices=Body.choices)
    hq_role = models.CharField(
        "指挥部职务", max_length=20, choices=HqRole.choices, default=HqRole.MEMBER
    )
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "领导"
        verbose_name_plural = "领导"
        ordering = ["headquarters", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["headquarters", "name", "title"], name="leader_unique_per_hq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）"


class Unit(models.Model):
    class Kind(models.TextChoices):
        STREET = "street", "街道"
        COMMUNITY = "community", "社区"
        DEPARTMENT = "department", "区直部门"
        STATIONED = "stationed", "驻区单位"
        OTHER = "other", "其他"

    # 块 units have an area and a field score; 条 units (departments) do not.
    AREA_KINDS = (Kind.STREET, Kind.COMMUNITY)

    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="units"
    )
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="所属街道",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="社区必须填写所属街道；其他类别留空。",
    )
    is_committee_member = models.BooleanField("文明委成员单位", default=False)
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)

    class Meta:
        verbose_name = "责任单位"
        verbose_name_plural = "责任单位"
        ordering = ["headquarters", "kind", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="unit_name_unique"),
            models.CheckConstraint(
                condition=Q(kind="community", parent__isnull=False)
                | (~Q(kind="community") & Q(parent__isnull=True)),
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
        if self.parent_id is not None:
            if self.parent.kind != self.Kind.STREET:
                raise ValidationError({"parent": "社区的上级必须是街道。"})
            if self.parent.headquarters_id != self.headquarters_id:
                raise ValidationError({"parent": "上级街道必须属于同一指挥部。"})


class WorkGroup(models.Model):
    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="work_groups"
    )
    name = models.CharField("名称", max_length=50)
    order = models.PositiveSmallIntegerField("排序", default=0)
    head = models.ForeignKey(
        Leader,
        verbose_name="组长",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="headed_groups",
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name="牵头单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_groups",
    )
    member_units = models.ManyToManyField(
        Unit, verbose_name="成员单位", blank=True, related_name="work_groups"
    )
    duties = models.TextField("工作职责", blank=True)

    class Meta:
        verbose_name = "工作组"
        verbose_name_plural = "工作组"
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
        LEADER_CONTACT = "contact", "挂钩联系"
        PAIRING = "pairing", "结对共建"
        CADRE_AREA = "cadre", "包片下点"

    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="linkages"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    target = models.ForeignKey(
        Unit,
        verbose_name="挂钩/结对对象",
        on_delete=models.CASCADE,
        related_name="linkages_in",
        help_text="被联系的街道或社区",
    )
    leader = models.ForeignKey(
        Leader,
        verbose_name="挂钩领导",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="linkages",
    )
    department = models.ForeignKey(
        Unit,
        verbose_name="结对部门",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="linkages_out",
    )
    cadre_name = models.CharField("下点干部", max_length=100, blank=True)
    area = models.CharField("包片范围", max_length=200, blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "挂钩与结对"
        verbose_name_plural = "挂钩与结对"
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


class AssessmentMethod(models.Model):
    """测评方法: 实地考察, 材料审核, 问卷调查, 网络调查, 听取汇报, 整体观察."""

    name = models.CharField("名称", max_length=20, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "测评方法"
        verbose_name_plural = "测评方法"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """测评指标, a three-level tree: Ⅰ 测评项目 → Ⅱ 指标名称 → Ⅲ 测评内容."""

    class Level(models.IntegerChoices):
        ITEM = 1, "测评项目"
        INDEX = 2, "指标名称"
        CONTENT = 3, "测评内容"

    class Source(models.TextChoices):
        NATIONAL = "national", "全国文明城市测评体系"
        PROVINCIAL = "provincial", "全省文明城区测评体系"

    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级指标",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    code = models.CharField("编号", max_length=20, help_text="例如 Ⅰ-3、Ⅱ-3.2、Ⅲ-3.2.1")
    name = models.CharField("名称", max_length=300)
    methods = models.ManyToManyField(
        AssessmentMethod, verbose_name="测评方法", blank=True, related_name="indicators"
    )
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    edition = models.CharField("版本", max_length=30, blank=True, help_text="例如：2005年版")
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "测评指标"
        verbose_name_plural = "测评指标"
        ordering = ["headquarters", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["headquarters", "source", "code"], name="indicator_code_unique"
            ),
            models.CheckConstraint(condition=Q(level__in=[1, 2, 3]), name="indicator_level_1_3"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="indicator_root_iff_level_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.parent_id is not None and self.level and self.parent.level != self.level - 1:
            raise ValidationError({"parent": "上级指标必须正好高一层级。"})


class SiteType(models.Model):
    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="site_types"
    )
    name = models.CharField("名称", max_length=30)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "点位类型"
        verbose_name_plural = "点位类型"
        ordering = ["headquarters", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="sitetype_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    headquarters = models.ForeignKey(
        Headquarters, verbose_name="指挥部", on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField("名称", max_length=100)
    type = models.ForeignKey(
        SiteType, verbose_name="点位类型", on_delete=models.PROTECT, related_name="sites"
    )
    street = models.ForeignKey(
        Unit,
        verbose_name="所在街道",
        on_delete=models.PROTECT,
        related_name="street_sites",
        limit_choices_to={"kind": Unit.Kind.STREET},
    )
    community = models.ForeignKey(
        Unit,
        verbose_name="所在社区",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_sites",
        limit_choices_to={"kind": Unit.Kind.COMMUNITY},
    )
    address = models.CharField("地址", max_length=200, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    default_unit = models.ForeignKey(
        Unit,
        verbose_name="默认责任单位（块）",
        on_delete=models.PROTECT,
        related_name="default_sites",
        help_text="通常为所在街道或社区，现场交办时默认交给它。",
    )
    cooperating_units = models.ManyToManyField(
        Unit, verbose_name="协办部门（条）", blank=True, related_name="cooperating_sites"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "点位"
        verbose_name_plural = "点位"
        ordering = ["headquarters", "street__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="site_name_unique"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="site_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = "经纬度必须同时填写或同时留空。"
        if self.street_id and self.street.kind != Unit.Kind.STREET:
            errors["street"] = "所在街道必须是街道。"
        if self.community_id and self.street_id and self.community.parent_id != self.street_id:
            errors["community"] = "所在社区必须属于所在街道。"
        if self.default_unit_id and not self.default_unit.is_area:
            errors["default_unit"] = "默认责任单位（块）必须是街道或社区。"
        if errors:
            raise ValidationError(errors)


class ProblemCategory(models.Model):
    headquarters = models.ForeignKey(
        Headquarters,
        verbose_name="指挥部",
        on_delete=models.CASCADE,
        related_name="problem_categories",
    )
    name = models.CharField("名称", max_length=50)
    work_group = models.ForeignKey(
        WorkGroup,
        verbose_name="归口工作组",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_categories",
    )
    deduction = models.DecimalField("扣分", max_digits=5, decimal_places=1)
    time_limit_hours = models.PositiveIntegerField("整改时限（小时）")
    default_department = models.ForeignKey(
        Unit,
        verbose_name="默认协办部门（条）",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="default_categories",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name="对应测评指标",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_categories",
    )
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["headquarters", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["headquarters", "name"], name="category_name_unique"),
            models.CheckConstraint(
                condition=Q(deduction__gte=0) & Q(deduction__lte=100),
                name="category_deduction_0_100",
            ),
            models.CheckConstraint(
                condition=Q(time_limit_hours__gt=0), name="category_time_limit_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """责任分解 — the 四个明确: 目标, 任务, 要求, 责任人, for one unit within one work group."""

    class Cycle(models.TextChoices):
        ONCE = "once", "一次性"
        WEEKLY = "weekly", "每周"
        MONTHLY = "monthly", "每月"
        QUARTERLY = "quarterly", "每季度"
        YEARLY = "yearly", "每年"
        ONGOING = "ongoing", "长期"

    class DueState(models.TextChoices):
        DONE = "done", "已完成"
        OVERDUE = "overdue", "已逾期"
        DUE_SOON = "due_soon", "即将到期"
        ON_TRACK = "on_track", "进行中"
        NO_DEADLINE = "no_deadline", "长期/周期"

    DUE_SOON_DAYS = 7

    work_group = models.ForeignKey(
        WorkGroup, verbose_name="工作组", on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="assignments"
    )
    goal = models.CharField("目标", max_length=300)
    task = models.TextField("任务")
    requirements = models.TextField("要求", blank=True)
    responsible_person = models.CharField("责任人", max_length=100, help_text="姓名及职务")
    indicator = models.ForeignKey(
        Indicator,
        verbose_name="对应测评指标",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    due_date = models.DateField("完成时限", null=True, blank=True)
    cycle = models.CharField("周期", max_length=20, choices=Cycle.choices, default=Cycle.ONCE)
    progress = models.TextField("进展情况", blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "责任分解"
        verbose_name_plural = "责任分解"
        ordering = ["work_group__order", "unit__kind", "unit__order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(cycle="once") | Q(due_date__isnull=False),
                name="assignment_once_has_due_date",
            ),
            models.CheckConstraint(condition=~Q(goal=""), name="assignment_goal_set"),
        ]
        indexes = [models.Index(fields=["due_date", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.work_group} · {self.unit}：{self.goal}"

    def clean(self) -> None:
        if (
            self.work_group_id
            and self.unit_id
            and self.work_group.headquarters_id != self.unit.headquarters_id
        ):
            raise ValidationError({"unit": "责任单位与工作组必须属于同一指挥部。"})
        if self.cycle == self.Cycle.ONCE and not self.due_date:
            raise ValidationError({"due_date": "一次性任务必须填写完成时限。"})

    def due_state(self, today: date | None = None) -> "Assignment.DueState":
        today = today or timezone.localdate()
        if self.completed_on:
            return self.DueState.DONE
        if self.due_date is None:
            return self.DueState.NO_DEADLINE
        if self.due_date < today:
            return self.DueState.OVERDUE
        if self.due_date <= today + timedelta(days=self.DUE_SOON_DAYS):
            return self.DueState.DUE_SOON
        return self.DueState.ON_TRACK

    @classmethod
    def due_state_q(cls, state: str, today: date) -> Q:
        """The filter matching ``due_state() == state`` (used by filters and the admin)."""
        open_ = Q(completed_on__isnull=True)
        soon = today + timedelta(days=cls.DUE_SOON_DAYS)
        return {
            cls.DueState.DONE: Q(completed_on__isnull=False),
            cls.DueState.NO_DEADLINE: open_ & Q(due_date__isnull=True),
            cls.DueState.OVERDUE: open_ & Q(due_date__lt=today),
            cls.DueState.DUE_SOON: open_ & Q(due_date__gte=today, due_date__lte=soon),
            cls.DueState.ON_TRACK: open_ & Q(due_date__gt=soon),
        }[state]


from civility.org.checklists import Checklist, ChecklistItem  # noqa: E402, F401
