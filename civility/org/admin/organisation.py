"""Admin for the organisation (SPEC §2): headquarters, leaders, units, work groups, linkages."""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from civility.core.admin import UnitKindFilter, user_role_labels
from civility.core.models import User
from civility.core.roles import Role
from civility.org.admin.assignments import AssignmentInline
from civility.org.admin.common import (
    CommunityStreetFilter,
    LimitedAutocompleteMixin,
    LinkageStreetFilter,
)
from civility.org.admin.forms import CommunityInlineForm, CommunityInlineFormSet
from civility.org.models import Headquarters, Leader, Linkage, Unit, WorkGroup


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
        ("unit", "parent"): Q(kind__in=list(Unit.PARENT_KIND.values())),
        ("linkage", "target"): Q(kind__in=Unit.AREA_KINDS),
        ("linkage", "department"): ~Q(kind=Unit.Kind.COMMUNITY),
        ("site", "default_unit"): Q(kind__in=Unit.AREA_KINDS),
        ("participatingorganisation", "community"): Q(kind=Unit.Kind.COMMUNITY),
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
