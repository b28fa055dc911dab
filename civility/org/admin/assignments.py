"""责任分解 (Assignment) admin: what the office edits most.

It has its own changelist with due-state filters and bulk actions, and the same compact inline on
every unit and work group.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from civility.core.admin import UnitKindFilter
from civility.org.admin.common import StreetFilter
from civility.org.models import Assignment, Unit

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
