"""Admin of drives (集中行动): period, lead group, targets (categories, units, site types), numeric
targets and sub-drives, edited on one page."""

from django.contrib import admin
from django.db.models import Count

from civility.supervision.drives.models import Drive, DriveTarget


class DriveTargetInline(admin.TabularInline):
    model = DriveTarget
    fields = ("label", "metric", "value", "order")
    extra = 1


class SubDriveInline(admin.TabularInline):
    model = Drive
    fk_name = "parent"
    fields = ("name", "kind", "start_date", "end_date", "lead_group")
    verbose_name = "子行动"
    verbose_name_plural = "子行动（例如五大战役、四拼；目标类别在各自页面中设置）"
    extra = 0
    show_change_link = True


@admin.register(Drive)
class DriveAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "parent",
        "start_date",
        "end_date",
        "lead_group",
        "problem_count",
    )
    list_filter = ("kind", "headquarters", "lead_group")
    list_select_related = ("parent", "lead_group")
    search_fields = ("name", "description")
    date_hierarchy = "start_date"
    autocomplete_fields = ("parent", "lead_group", "categories", "units", "site_types")
    inlines = (DriveTargetInline, SubDriveInline)
    fieldsets = (
        (
            None,
            {"fields": ("headquarters", ("name", "kind"), "parent", ("start_date", "end_date"))},
        ),
        ("对象", {"fields": ("lead_group", "categories", "units", "site_types")}),
        ("方案", {"fields": ("description",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(problem_count=Count("problems"))

    @admin.display(description="问题数", ordering="problem_count")
    def problem_count(self, obj: Drive) -> int:
        return obj.problem_count

    def save_formset(self, request, form, formset, change):
        # Sub-drives added inline belong to the parent's headquarters.
        for instance in formset.save(commit=False):
            if isinstance(instance, Drive) and not instance.headquarters_id:
                instance.headquarters_id = form.instance.headquarters_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()
