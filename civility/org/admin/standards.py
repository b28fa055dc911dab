"""Admin for the standards (SPEC §3): indicators, site types and sites, categories, checklists."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Q, Sum

from civility.org.admin.common import LimitedAutocompleteMixin
from civility.org.models import (
    AssessmentMethod,
    Checklist,
    ChecklistItem,
    Indicator,
    ProblemCategory,
    Site,
    SiteType,
)


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
