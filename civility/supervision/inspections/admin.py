"""Admin of inspection teams and inspections (their problems shown read-only)."""

from django.contrib import admin
from django.db.models import Count

from civility.core.admin import ReadOnlyAdminMixin
from civility.supervision.inspections.models import Inspection, InspectionPlan, InspectionTeam
from civility.supervision.problems.models import (
    Problem,
)


@admin.register(InspectionTeam)
class InspectionTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "member_count", "active")
    list_filter = ("kind", "active", "headquarters")
    search_fields = ("name",)
    autocomplete_fields = ("members",)
    ordering = ("headquarters", "kind", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description="成员数", ordering="member_count")
    def member_count(self, obj: InspectionTeam) -> int:
        return obj.member_count


class InspectionProblemInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The problems found on an inspection; each one opens on its own page."""

    model = Problem
    fk_name = "inspection"
    fields = ("number", "site", "category", "status", "primary_unit", "deadline")
    readonly_fields = fields
    verbose_name_plural = "发现的问题"
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("site", "category", "primary_unit")


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("date", "team", "kind", "street", "status", "problem_count", "created_by")
    list_display_links = ("date", "team")
    list_filter = ("status", "kind", "team", "street", "headquarters")
    list_select_related = ("team", "street", "created_by")
    search_fields = ("summary", "team__name", "street__name", "sites__name", "created_by__name")
    date_hierarchy = "date"
    ordering = ("-date", "-id")
    autocomplete_fields = ("team", "street", "inspectors", "sites", "created_by")
    # Submitting is the inspection service's job (it checks the visit is complete).
    readonly_fields = ("status", "submitted_at", "created_at")
    fieldsets = (
        (None, {"fields": ("headquarters", ("team", "kind"), ("date", "street"))}),
        ("督查内容", {"fields": ("inspectors", "sites", "summary")}),
        ("状态", {"fields": ("status", "created_by", "submitted_at", "created_at")}),
    )
    inlines = (InspectionProblemInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(problem_count=Count("problems"))

    def get_changeform_initial_data(self, request):
        return {"created_by": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description="问题数", ordering="problem_count")
    def problem_count(self, obj: Inspection) -> int:
        return obj.problem_count


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    """下周督查安排: the weekly 巡报 lists next week's plans."""

    list_display = ("date", "team", "street", "note", "created_by")
    list_filter = ("team", "street", "headquarters")
    list_select_related = ("team", "street", "created_by")
    search_fields = ("note", "team__name", "street__name", "sites__name")
    date_hierarchy = "date"
    ordering = ("-date", "team")
    autocomplete_fields = ("team", "street", "sites")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
