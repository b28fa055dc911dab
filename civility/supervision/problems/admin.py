"""Admin of the closed loop: problems (交办 and 督办 go through the workflow), the read-only event
trail, photos, extension requests, numbering sequences and drives.

The admin never writes a problem's status or anything the workflow keeps (units, deadline,
milestones, counters): those fields are read-only, and the two admin actions go through
``workflow.perform`` like every button in the app.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from civility.core.admin import ReadOnlyAdminMixin, UnitKindFilter
from civility.supervision.problems import workflow
from civility.supervision.problems.models import (
    CREATED,
    Drive,
    ExtensionRequest,
    Photo,
    Problem,
    ProblemEvent,
    Sequence,
)
from civility.supervision.problems.models import action_label as event_action_label

STATUS_LABELS = dict(Problem.Status.choices)


def photo_thumbnail(photo: Photo, size: int = 80) -> str:
    """A thumbnail served by the permission-checked photo view (never a media URL)."""
    try:
        url = reverse("photo_thumb", args=[photo.pk])
    except NoReverseMatch:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" width="{}" class="admin-photo-thumb" loading="lazy">',
        url,
        photo.get_kind_display(),
        size,
    )


# --- filters ----------------------------------------------------------------------------------


class DueStateFilter(admin.SimpleListFilter):
    """逾期 / 即将到期 / 逾期销号 … — derived from the deadline, never stored."""

    title = "期限状态"
    parameter_name = "due_state"
    states = (
        Problem.DueState.OVERDUE,
        Problem.DueState.DUE_SOON,
        Problem.DueState.ON_TIME,
        Problem.DueState.CLOSED_LATE,
        Problem.DueState.CLOSED_ON_TIME,
    )

    def lookups(self, request, model_admin):
        return [(state.value, state.label) for state in self.states]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in {state.value for state in self.states}:
            raise IncorrectLookupParameters(f"无效的期限状态：{value}")
        return queryset.filter(Problem.due_state_q(value, timezone.now()))


class EventActionFilter(admin.SimpleListFilter):
    title = "操作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [
            (CREATED, event_action_label(CREATED)),
            *workflow.Action.choices,
        ]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class EventStatusFilter(admin.SimpleListFilter):
    title = "新状态"
    parameter_name = "to_status"

    def lookups(self, request, model_admin):
        return Problem.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(to_status=self.value()) if self.value() else queryset


# --- teams, inspections, drives ---------------------------------------------------------------


@admin.register(Drive)
class DriveAdmin(admin.ModelAdmin):
    list_display = ("name", "start_date", "end_date", "problem_count")
    list_filter = ("headquarters",)
    search_fields = ("name",)
    date_hierarchy = "start_date"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(problem_count=Count("problems"))

    @admin.display(description="问题数", ordering="problem_count")
    def problem_count(self, obj: Drive) -> int:
        return obj.problem_count


# --- problems ---------------------------------------------------------------------------------


class ProblemEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProblemEvent
    fields = ("at", "action_label", "status_change", "actor", "note")
    readonly_fields = fields
    verbose_name_plural = "流转记录"
    extra = 0
    ordering = ("at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="操作")
    def action_label(self, obj: ProblemEvent) -> str:
        return obj.action_label

    @admin.display(description="状态变化")
    def status_change(self, obj: ProblemEvent) -> str:
        return _status_change(obj)


def _status_change(event: ProblemEvent) -> str:
    before = STATUS_LABELS.get(event.from_status, "")
    after = STATUS_LABELS.get(event.to_status, "")
    if before == after:
        return after
    return f"{before} → {after}" if before else after


# Kept by the workflow (交办, 改派, 延期, 督办, 退回 …) or fixed at 上报: shown, never edited here.
WORKFLOW_FIELDS = (
    "number",
    "headquarters",
    "inspection",
    "status",
    "due_state_label",
    "primary_unit",
    "cooperating_units",
    "deadline",
    "escalation_level",
    "rework_count",
    "reported_by",
    "reported_at",
    "assigned_at",
    "acknowledged_at",
    "submitted_at",
    "closed_at",
    "photo_gallery",
)
# The office may correct what was found while the problem still waits to be assigned.
CLASSIFICATION_FIELDS = ("site", "category", "deduction")


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = (
        "number_label",
        "site",
        "category",
        "primary_unit",
        "status_label",
        "deadline_label",
        "due_state_label",
        "escalation_level",
        "rework_count",
    )
    list_filter = (
        "status",
        DueStateFilter,
        "category",
        "source",
        ("primary_unit__kind", UnitKindFilter),
        "site__street",
        "drive",
        "headquarters",
    )
    list_select_related = ("site", "category", "primary_unit")
    search_fields = ("number", "description", "site__name")
    date_hierarchy = "reported_at"
    autocomplete_fields = ("site", "category", "drive")
    readonly_fields = WORKFLOW_FIELDS
    fieldsets = (
        (
            None,
            {"fields": (("number", "status"), "headquarters", ("source", "inspection"), "drive")},
        ),
        (
            "问题",
            {
                "fields": (
                    ("site", "category"),
                    "description",
                    "deduction",
                    ("latitude", "longitude"),
                    "photo_gallery",
                )
            },
        ),
        (
            "责任与期限（由流程维护）",
            {
                "fields": (
                    "primary_unit",
                    "cooperating_units",
                    ("deadline", "due_state_label"),
                    ("escalation_level", "rework_count"),
                )
            },
        ),
        (
            "时间节点",
            {
                "fields": (
                    ("reported_by", "reported_at"),
                    "assigned_at",
                    "acknowledged_at",
                    "submitted_at",
                    "closed_at",
                )
            },
        ),
    )
    inlines = (ProblemEventInline,)
    actions = ("assign_to_default_unit", "escalate")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status != Problem.Status.REPORTED:
            fields = (*fields, *CLASSIFICATION_FIELDS)
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Write only the edited fields: a full save() would also write back the status, version
        # and milestones as read when this request began, undoing a transition made meanwhile.
        edited = [name for name in form.changed_data if name not in WORKFLOW_FIELDS]
        obj.save(update_fields=edited)
        return None

    # Problems are reported through the workflow (number, event, photos) and never deleted.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # The list's columns are narrow: keep numbers, states and times on one line (admin's .nowrap).

    @admin.display(description="编号", ordering="number")
    def number_label(self, obj: Problem) -> str:
        return format_html('<span class="nowrap">{}</span>', obj.number)

    @admin.display(description="状态", ordering="status")
    def status_label(self, obj: Problem) -> str:
        return format_html('<span class="nowrap">{}</span>', obj.get_status_display())

    @admin.display(description="整改期限", ordering="deadline")
    def deadline_label(self, obj: Problem) -> str:
        if obj.deadline is None:
            return "—"
        when = timezone.localtime(obj.deadline)
        return format_html('<span class="nowrap">{}</span>', f"{when:%Y-%m-%d %H:%M}")

    @admin.display(description="期限状态")
    def due_state_label(self, obj: Problem) -> str:
        state = obj.due_state()
        if state == Problem.DueState.NONE:
            return "—"
        return format_html(
            '<span class="nowrap due-state due-state-{}">{}</span>', state.value, state.label
        )

    @admin.display(description="照片")
    def photo_gallery(self, obj: Problem) -> str:
        photos = list(obj.photos.all()) if obj.pk else []
        if not photos:
            return "—"
        cells = format_html_join(
            "",
            "<td>{}<br>{}</td>",
            ((photo_thumbnail(photo, 120), photo.get_kind_display()) for photo in photos),
        )
        return format_html('<table class="admin-photos"><tr>{}</tr></table>', cells)

    @admin.action(description="交办给点位默认单位", permissions=["change"])
    def assign_to_default_unit(self, request, queryset):
        outcome = workflow.assign_many(self._each(queryset), by=request.user)
        self._report(request, workflow.Action.ASSIGN, outcome)

    @admin.action(description="督办", permissions=["change"])
    def escalate(self, request, queryset):
        outcome = workflow.perform_many(
            self._each(queryset), workflow.Action.ESCALATE, by=request.user
        )
        self._report(request, workflow.Action.ESCALATE, outcome)

    @staticmethod
    def _each(queryset):
        return queryset.select_related("site__default_unit", "category").order_by("pk")

    def _report(self, request, action, outcome) -> None:
        """Say which problems the action was taken on, and why the others were refused."""
        done = [problem.number for problem in outcome.done]
        failed = [f"{problem.number}：{'；'.join(reasons)}" for problem, reasons in outcome.failed]
        if done:
            self.message_user(
                request,
                f"已{action.label} {len(done)} 个问题：{_first(done)}。",
                messages.SUCCESS,
            )
        if failed:
            self.message_user(
                request,
                f"{len(failed)} 个问题未能{action.label}：{_first(failed, sep='；')}。",
                messages.WARNING,
            )


def _first(items: list[str], *, sep: str = "、", limit: int = 10) -> str:
    shown = sep.join(items[:limit])
    return f"{shown} 等" if len(items) > limit else shown


@admin.register(ProblemEvent)
class ProblemEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The append-only audit trail."""

    list_display = ("at", "problem", "action_label", "status_change", "actor", "short_note")
    list_filter = (EventActionFilter, EventStatusFilter)
    list_select_related = ("problem", "actor")
    search_fields = ("problem__number", "note", "actor__username", "actor__name")
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    fields = ("problem", "at", "action_label", "status_change", "actor", "note", "data")

    @admin.display(description="操作", ordering="action")
    def action_label(self, obj: ProblemEvent) -> str:
        return obj.action_label

    @admin.display(description="状态变化")
    def status_change(self, obj: ProblemEvent) -> str:
        return _status_change(obj)

    @admin.display(description="说明")
    def short_note(self, obj: ProblemEvent) -> str:
        return Truncator(obj.note).chars(40)


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "thumbnail_image",
        "kind",
        "problem",
        "commentary",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    list_display_links = ("thumbnail_image", "kind")
    list_filter = ("kind",)
    list_select_related = ("problem", "commentary", "uploaded_by")
    search_fields = ("problem__number", "commentary__title")
    date_hierarchy = "uploaded_at"
    ordering = ("-uploaded_at", "-id")
    fields = (
        "preview",
        "kind",
        "problem",
        "commentary",
        "event",
        "size",
        "uploaded_by",
        "uploaded_at",
    )

    @admin.display(description="缩略图")
    def thumbnail_image(self, obj: Photo) -> str:
        return photo_thumbnail(obj)

    @admin.display(description="照片")
    def preview(self, obj: Photo) -> str:
        try:
            url = reverse("photo", args=[obj.pk])
        except NoReverseMatch:
            return photo_thumbnail(obj, 320)
        return format_html('<a href="{}">{}</a>', url, photo_thumbnail(obj, 320))

    @admin.display(description="尺寸")
    def size(self, obj: Photo) -> str:
        return f"{obj.width}×{obj.height}"


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Decided in the app (批准延期 / 驳回延期 go through the workflow); listed here."""

    list_display = (
        "problem",
        "requested_by",
        "old_deadline",
        "requested_deadline",
        "status",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status",)
    list_select_related = ("problem", "requested_by", "decided_by")
    search_fields = ("problem__number", "reason", "decision_note")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")


# --- commentary -------------------------------------------------------------------------------


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("headquarters", "name", "year", "value")
    list_filter = ("name", "year")
    ordering = ("headquarters", "name", "-year")
