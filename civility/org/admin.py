"""Admin for the organisation and standards (SPEC §2–3), kept for daily use by the campaign office.

责任分解 (Assignment) is what the office edits most: it has its own changelist with due-state
filters and bulk actions, and the same compact inline on every unit and work group.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.db.models import Count, Q, Sum
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from civility.core.admin import UnitKindFilter, user_role_labels
from civility.core.models import User
from civility.core.params import parse_id
from civility.core.roles import Role
from civility.org.forms_admin import CommunityInlineForm, CommunityInlineFormSet
from civility.org.models import (
    AssessmentMethod,
    Assignment,
    Checklist,
    ChecklistItem,
    Headquarters,
    Indicator,
    Leader,
    Linkage,
    ProblemCategory,
    Site,
    SiteType,
    Unit,
    WorkGroup,
)

# The project's CSP forbids inline styles, so a state is coloured by one of the admin's own
# icons; the class names leave room for a stylesheet.
DUE_STATE_ICONS = {
    Assignment.DueState.DONE: "admin/img/icon-yes.svg",
    Assignment.DueState.OVERDUE: "admin/img/icon-no.svg",
    Assignment.DueState.DUE_SOON: "admin/img/icon-alert.svg",
    Assignment.DueState.ON_TRACK: "admin/img/icon-info.svg",
    Assignment.DueState.NO_DEADLINE: "admin/img/icon-unknown.svg",
}


def due_state_badge(assignment: Assignment, today=None) -> str:
    state = assignment.due_state(today)
    return format_html(
        '<span class="due-state due-state-{}">'
        '<img src="{}" alt="" width="13" height="13"> {}</span>',
        state.value,
        static(DUE_STATE_ICONS[state]),
        state.label,
    )


# --- list filters -----------------------------------------------------------------------------


class StreetFilter(admin.SimpleListFilter):
    """所属街道: rows whose unit is the street itself or one of its communities (its area)."""

    title = "所属街道"
    parameter_name = "street"
    unit_path = "unit"

    def lookups(self, request, model_admin):
        streets = Unit.objects.filter(kind=Unit.Kind.STREET).order_by("headquarters", "order", "id")
        return [(str(pk), name) for pk, name in streets.values_list("pk", "name")]

    def area_q(self, pk: int) -> Q:
        return Q(**{self.unit_path: pk}) | Q(**{f"{self.unit_path}__parent": pk})

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        pk = parse_id(value)
        if pk is None:
            raise IncorrectLookupParameters(f"无效的街道：{value}")
        return queryset.filter(self.area_q(pk))


class CommunityStreetFilter(StreetFilter):
    """On the unit list: the communities of a street."""

    def area_q(self, pk: int) -> Q:
        return Q(parent=pk)


class LinkageStreetFilter(StreetFilter):
    unit_path = "target"


class DueStateFilter(admin.SimpleListFilter):
    title = "完成状态"
    parameter_name = "due_state"

    def lookups(self, request, model_admin):
        return Assignment.DueState.choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in Assignment.DueState.values:
            raise IncorrectLookupParameters(f"无效的完成状态：{value}")
        return queryset.filter(Assignment.due_state_q(value, timezone.localdate()))


class LimitedAutocompleteMixin:
    """Narrows another admin's autocomplete to the choices that model's clean() accepts.

    ``autocomplete_limits`` maps (model_name, field_name) of the field being edited to a Q.
    """

    autocomplete_limits: dict[tuple[str, str], Q] = {}

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            key = (request.GET.get("model_name"), request.GET.get("field_name"))
            if key in self.autocomplete_limits:
                queryset = queryset.filter(self.autocomplete_limits[key])
        return queryset, may_have_duplicates


# --- inlines ----------------------------------------------------------------------------------


class AssignmentInline(admin.TabularInline):
    """The 四个明确 of one unit or one work group, compact; the full form is one click away."""

    model = Assignment
    fields = (
        "work_group",
        "unit",
        "goal",
        "task",
        "requirements",
        "responsible_person",
        "indicator",
        "due_date",
        "cycle",
        "completed_on",
        "due_state_label",
    )
    readonly_fields = ("due_state_label",)
    autocomplete_fields = ("work_group", "unit", "indicator")
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 24})},
    }
    extra = 0
    show_change_link = True
    classes = ("assignment-inline",)

    def get_fields(self, request, obj=None):
        # The side of the relation we are on is fixed by the page; don't show it on every row.
        parent_fk = "unit" if self.parent_model is Unit else "work_group"
        return [name for name in self.fields if name != parent_fk]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("work_group", "unit", "indicator")

    @admin.display(description="完成状态")
    def due_state_label(self, obj: Assignment) -> str:
        return due_state_badge(obj) if obj.pk else "—"


class CommunityInline(admin.TabularInline):
    model = Unit
    fk_name = "parent"
    form = CommunityInlineForm
    formset = CommunityInlineFormSet
    fields = ("name", "short_name", "is_committee_member", "active", "order")
    verbose_name = "社区"
    verbose_name_plural = "下辖社区"
    extra = 0
    show_change_link = True
    # Units carry history (problems, scores); retire them with 启用, never delete them here.
    can_delete = False


class MemberInline(admin.TabularInline):
    """The unit's people (its liaison first of all); accounts are edited on the user page."""

    model = User
    fk_name = "unit"
    fields = ("account", "name", "title", "phone", "roles", "is_active", "last_login")
    readonly_fields = fields
    verbose_name = "人员"
    verbose_name_plural = "单位人员（联络员等）"
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="用户名")
    def account(self, obj: User) -> str:
        url = reverse("admin:core_user_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.username)

    @admin.display(description="角色")
    def roles(self, obj: User) -> str:
        return user_role_labels(obj)


class LeaderInline(admin.TabularInline):
    model = Leader
    fields = ("name", "title", "body", "hq_role", "user", "order")
    autocomplete_fields = ("user",)
    extra = 0
    show_change_link = True


# --- organisation -----------------------------------------------------------------------------


@admin.register(Headquarters)
class HeadquartersAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "code", "doc_prefix", "period", "commander")
    list_select_related = ("commander",)
    search_fields = ("name", "district", "code")
    autocomplete_fields = ("commander", "executive_deputy", "office_unit")
    inlines = (LeaderInline,)

    @admin.display(description="起止", ordering="start_date")
    def period(self, obj: Headquarters) -> str:
        return obj.period_label


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "body", "hq_role", "user", "order")
    list_editable = ("order",)
    list_filter = ("body", "hq_role", "headquarters")
    list_select_related = ("user",)
    search_fields = ("name", "title")
    autocomplete_fields = ("user",)


@admin.register(Unit)
class UnitAdmin(LimitedAutocompleteMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "parent",
        "is_committee_member",
        "liaison_count",
        "order",
        "active",
    )
    list_editable = ("order", "active")
    list_filter = ("kind", "is_committee_member", "active", CommunityStreetFilter, "headquarters")
    list_select_related = ("parent",)
    search_fields = ("name", "short_name")
    # Explicit, because Meta.ordering is dropped from the GROUP BY of the annotated queryset
    # (the autocomplete view would page an unordered list).
    ordering = ("headquarters", "kind", "order", "id")
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("headquarters", "name", "short_name", ("kind", "parent"))}),
        ("属性", {"fields": ("is_committee_member", "active", "order")}),
        ("联系方式", {"fields": ("address", "phone")}),
    )
    save_on_top = True
    autocomplete_limits = {
        ("unit", "parent"): Q(kind=Unit.Kind.STREET),
        ("linkage", "target"): Q(kind__in=Unit.AREA_KINDS),
        ("linkage", "department"): ~Q(kind=Unit.Kind.COMMUNITY),
        ("site", "default_unit"): Q(kind__in=Unit.AREA_KINDS),
    }

    def get_queryset(self, request):
        liaisons = Q(members__groups__name=Role.LIAISON)
        return (
            super()
            .get_queryset(request)
            .annotate(liaison_count=Count("members", filter=liaisons, distinct=True))
        )

    def get_inlines(self, request, obj):
        if obj is None:
            return (AssignmentInline,)
        if obj.kind == Unit.Kind.STREET:
            return (CommunityInline, MemberInline, AssignmentInline)
        return (MemberInline, AssignmentInline)

    @admin.display(description="联络员数", ordering="liaison_count")
    def liaison_count(self, obj: Unit) -> int:
        return obj.liaison_count


@admin.register(WorkGroup)
class WorkGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "head", "lead_unit", "member_count", "assignment_count", "order")
    list_editable = ("order",)
    list_filter = ("headquarters",)
    list_select_related = ("head", "lead_unit")
    search_fields = ("name",)
    ordering = ("headquarters", "order", "id")
    autocomplete_fields = ("head", "lead_unit", "member_units")
    inlines = (AssignmentInline,)
    save_on_top = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=Count("member_units", distinct=True),
                assignment_count=Count("assignments", distinct=True),
            )
        )

    @admin.display(description="成员单位数", ordering="member_count")
    def member_count(self, obj: WorkGroup) -> int:
        return obj.member_count

    @admin.display(description="责任分解数", ordering="assignment_count")
    def assignment_count(self, obj: WorkGroup) -> int:
        return obj.assignment_count


@admin.register(Linkage)
class LinkageAdmin(admin.ModelAdmin):
    list_display = ("kind", "partner", "target", "period", "note")
    list_display_links = ("kind", "partner")
    list_filter = ("kind", ("target__kind", UnitKindFilter), LinkageStreetFilter, "headquarters")
    list_select_related = ("target", "leader", "department")
    search_fields = ("target__name", "leader__name", "department__name", "cadre_name", "area")
    autocomplete_fields = ("target", "leader", "department")
    fieldsets = (
        (None, {"fields": ("headquarters", "kind", "target")}),
        ("联系方", {"fields": ("leader", "department", ("cadre_name", "area"))}),
        ("期限", {"fields": (("start_date", "end_date"), "note")}),
    )

    @admin.display(description="联系方")
    def partner(self, obj: Linkage) -> str:
        return obj.partner_label

    @admin.display(description="期限", ordering="start_date")
    def period(self, obj: Linkage) -> str:
        end = f"{obj.end_date:%Y-%m-%d}" if obj.end_date else "至今"
        return f"{obj.start_date:%Y-%m-%d} — {end}"


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = (
        "work_group",
        "unit",
        "short_goal",
        "responsible_person",
        "due_date",
        "cycle",
        "due_state_label",
        "updated_at",
    )
    list_display_links = ("short_goal",)
    list_filter = (
        "work_group",
        ("unit__kind", UnitKindFilter),
        StreetFilter,
        "cycle",
        DueStateFilter,
    )
    list_select_related = ("work_group", "unit")
    search_fields = ("goal", "task", "responsible_person", "unit__name", "unit__short_name")
    autocomplete_fields = ("work_group", "unit", "indicator")
    date_hierarchy = "due_date"
    readonly_fields = ("due_state_label", "updated_at")
    fieldsets = (
        (None, {"fields": (("work_group", "unit"),)}),
        ("四个明确", {"fields": ("goal", "task", "requirements", "responsible_person")}),
        ("指标与时限", {"fields": ("indicator", ("due_date", "cycle"))}),
        ("进展", {"fields": ("progress", "completed_on", "due_state_label", "updated_at")}),
    )
    actions = ("mark_completed", "mark_not_completed", "postpone_30_days")
    save_on_top = True

    @admin.display(description="目标", ordering="goal")
    def short_goal(self, obj: Assignment) -> str:
        return Truncator(obj.goal).chars(30)

    @admin.display(description="完成状态", ordering="due_date")
    def due_state_label(self, obj: Assignment) -> str:
        return due_state_badge(obj)

    # update() skips auto_now, so the actions set updated_at themselves.

    @admin.action(description="标记为已完成（今天）")
    def mark_completed(self, request, queryset):
        today = timezone.localdate()
        count = queryset.filter(completed_on__isnull=True).update(
            completed_on=today, updated_at=timezone.now()
        )
        self.message_user(
            request, f"已将 {count} 条责任分解标记为已完成（{today:%Y-%m-%d}）。", messages.SUCCESS
        )

    @admin.action(description="标记为未完成")
    def mark_not_completed(self, request, queryset):
        count = queryset.filter(completed_on__isnull=False).update(
            completed_on=None, updated_at=timezone.now()
        )
        self.message_user(request, f"已将 {count} 条责任分解标记为未完成。", messages.SUCCESS)

    @admin.action(description="完成时限延后 30 天")
    def postpone_30_days(self, request, queryset):
        # Date arithmetic in SQL differs per database; the selection is one page at most.
        now = timezone.now()
        rows = list(queryset.filter(due_date__isnull=False))
        for row in rows:
            row.due_date += timedelta(days=30)
            row.updated_at = now
        Assignment.objects.bulk_update(rows, ["due_date", "updated_at"])
        skipped = queryset.count() - len(rows)
        note = f"；{skipped} 条没有完成时限，未改动" if skipped else ""
        self.message_user(
            request, f"已将 {len(rows)} 条责任分解的完成时限延后 30 天{note}。", messages.SUCCESS
        )


# --- standards --------------------------------------------------------------------------------


@admin.register(AssessmentMethod)
class AssessmentMethodAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)
    search_fields = ("name",)


@admin.register(Indicator)
class IndicatorAdmin(LimitedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "method_names", "source", "edition")
    list_display_links = ("code", "name")
    list_filter = ("level", "source", "methods", "headquarters")
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
    fieldsets = (
        (None, {"fields": ("headquarters", ("source", "edition"), ("level", "parent"))}),
        ("指标", {"fields": ("code", "name", "methods", "order")}),
    )
    autocomplete_limits = {("indicator", "parent"): Q(level__lt=Indicator.Level.CONTENT)}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("methods")

    @admin.display(description="测评方法")
    def method_names(self, obj: Indicator) -> str:
        return "、".join(method.name for method in obj.methods.all())


@admin.register(SiteType)
class SiteTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "site_count", "order")
    list_editable = ("order",)
    list_filter = ("headquarters",)
    search_fields = ("name",)
    ordering = ("headquarters", "order", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(site_count=Count("sites"))

    @admin.display(description="点位数", ordering="site_count")
    def site_count(self, obj: SiteType) -> int:
        return obj.site_count


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "street", "community", "default_unit", "active")
    list_filter = ("type", "street", "active", "headquarters")
    list_select_related = ("type", "street", "community", "default_unit")
    search_fields = ("name", "address")
    autocomplete_fields = ("type", "street", "community", "default_unit", "cooperating_units")
    fieldsets = (
        (None, {"fields": ("headquarters", "name", "type", "active")}),
        ("位置", {"fields": (("street", "community"), "address", ("latitude", "longitude"))}),
        ("责任（块与条）", {"fields": ("default_unit", "cooperating_units")}),
    )


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "work_group",
        "deduction",
        "time_limit_hours",
        "default_department",
        "active",
    )
    list_editable = ("deduction", "time_limit_hours")
    list_filter = ("work_group", "active", "headquarters")
    list_select_related = ("work_group", "default_department")
    search_fields = ("name",)
    autocomplete_fields = ("work_group", "default_department", "indicator")


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ("order", "text", "points", "indicator", "categories", "na_allowed")
    autocomplete_fields = ("indicator", "categories")
    ordering = ("order", "id")


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ("name", "site_type", "version", "item_count", "points_total", "headquarters")
    list_filter = ("version", "site_type", "headquarters")
    list_select_related = ("site_type", "headquarters")
    search_fields = ("name", "site_type__name", "items__text")
    autocomplete_fields = ("site_type",)
    inlines = [ChecklistItemInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(item_count=Count("items", distinct=True), points_total=Sum("items__points"))
        )

    @admin.display(description="测评内容数", ordering="item_count")
    def item_count(self, obj):
        return obj.item_count

    @admin.display(description="总分值", ordering="points_total")
    def points_total(self, obj):
        return obj.points_total
