"""Admin of 全民参与. Suggestions and selections change state only through their pages (their
state machines); here they are read, and the reference data (series, budgets, projects,
participating organisations) is maintained."""

from django.contrib import admin
from django.db.models import Count, OuterRef

from civility.participation.budget import sum_of
from civility.participation.models import (
    Activity,
    ActivitySeries,
    Allocation,
    Budget,
    BudgetProject,
    Nomination,
    ParticipatingOrganisation,
    ParticipationPhoto,
    Selection,
    SelectionResult,
    Spending,
    Suggestion,
    SuggestionEvent,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SuggestionEventInline(ReadOnlyInline):
    model = SuggestionEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "unit", "note")
    readonly_fields = fields


class SuggestionPhotoInline(ReadOnlyInline):
    model = ParticipationPhoto
    fk_name = "suggestion"
    fields = ("image", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """Read-only: a suggestion is handled on its page, through the state machine."""

    list_display = ("number", "submitted_at", "author", "category", "status", "unit", "rating")
    list_filter = ("status", "category", "rating", "headquarters")
    list_select_related = ("author", "unit")
    search_fields = ("number", "text", "reply", "author__name", "author__username")
    date_hierarchy = "submitted_at"
    inlines = (SuggestionEventInline, SuggestionPhotoInline)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Suggestion._meta.get_fields() if f.concrete] + ["problems"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivitySeries)
class ActivitySeriesAdmin(admin.ModelAdmin):
    list_display = ("name", "headquarters", "activity_count", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("headquarters", "active")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(activity_count=Count("activities"))

    @admin.display(description="活动数", ordering="activity_count")
    def activity_count(self, obj):
        return obj.activity_count


class ActivityPhotoInline(ReadOnlyInline):
    model = ParticipationPhoto
    fk_name = "activity"
    fields = ("image", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("date", "title", "series", "organiser", "participants", "volunteers")
    list_filter = ("series", "headquarters")
    list_select_related = ("series", "organiser")
    search_fields = ("title", "place", "organiser__name")
    date_hierarchy = "date"
    autocomplete_fields = ("organiser", "drive")
    readonly_fields = ("headquarters", "created_by", "created_at", "updated_at")
    inlines = (ActivityPhotoInline,)

    def save_model(self, request, obj, form, change):
        obj.headquarters_id = obj.organiser.headquarters_id
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class NominationInline(ReadOnlyInline):
    model = Nomination
    fields = ("nominee", "nominee_kind", "unit", "score", "shortlisted", "review_note")
    readonly_fields = fields


class SelectionResultInline(ReadOnlyInline):
    model = SelectionResult
    fields = ("rank", "nomination", "title", "recorded_at")
    readonly_fields = fields


@admin.register(Selection)
class SelectionAdmin(admin.ModelAdmin):
    """The selection's text can be corrected here; its stages move on its page."""

    list_display = ("title", "year", "kind", "quota", "status", "publicity_end")
    list_filter = ("status", "kind", "year", "headquarters")
    search_fields = ("title",)
    readonly_fields = ("status", "publicity_start", "publicity_end", "published_at", "created_at")
    inlines = (NominationInline, SelectionResultInline)


class AllocationInline(admin.TabularInline):
    model = Allocation
    extra = 1
    autocomplete_fields = ("unit",)


class SpendingInline(admin.TabularInline):
    model = Spending
    extra = 1
    fields = ("date", "unit", "amount", "description", "recorded_by")
    readonly_fields = ("recorded_by",)
    autocomplete_fields = ("unit",)


@admin.register(BudgetProject)
class BudgetProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "amount", "allocated", "spent", "order")
    list_filter = ("year", "headquarters")
    search_fields = ("name",)
    inlines = (AllocationInline, SpendingInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                allocated_total=sum_of(
                    Allocation.objects.filter(project=OuterRef("pk")), "project"
                ),
                spent_total=sum_of(Spending.objects.filter(project=OuterRef("pk")), "project"),
            )
        )

    @admin.display(description="已下达（万元）", ordering="allocated_total")
    def allocated(self, obj):
        return obj.allocated_total

    @admin.display(description="已支出（万元）", ordering="spent_total")
    def spent(self, obj):
        return obj.spent_total

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if isinstance(instance, Spending) and instance.recorded_by_id is None:
                instance.recorded_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "amount", "note")
    list_editable = ("amount",)
    list_filter = ("year", "source", "headquarters")
    ordering = ("-year", "source")


@admin.register(ParticipatingOrganisation)
class ParticipatingOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "community", "contact", "joined_on", "active")
    list_filter = ("kind", "active")
    list_select_related = ("community",)
    search_fields = ("name", "community__name")
    autocomplete_fields = ("community",)
