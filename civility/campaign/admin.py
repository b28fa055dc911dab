"""Admin of 问责 records and honours. An honour's status is never edited here: it changes on the
honours page or through the yearly review (``civility.campaign.honours``), each change kept as a
HonourChange; registering an honour here writes its first history row."""

from django.contrib import admin
from django.utils import timezone

from civility.campaign.models import (
    Accountability,
    AccountabilityDismissal,
    Honour,
    HonourChange,
    HonourReviewDecision,
)
from civility.core.admin import ReadOnlyAdminMixin


@admin.register(Accountability)
class AccountabilityAdmin(admin.ModelAdmin):
    list_display = ("date", "unit", "person_name", "measure", "decided_by", "year")
    list_filter = ("measure", "year", "headquarters")
    list_select_related = ("unit", "decided_by")
    search_fields = ("reason", "person_name", "unit__name")
    date_hierarchy = "date"
    autocomplete_fields = ("unit", "decided_by", "problems", "commentaries", "veto")
    readonly_fields = ("suggestion_key", "created_at")


@admin.register(AccountabilityDismissal)
class AccountabilityDismissalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("decided_at", "unit", "summary", "decided_by")
    search_fields = ("summary", "note")


class HonourChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HonourChange
    fields = ("at", "from_status", "to_status", "reason", "review_year", "decided_by")
    readonly_fields = fields
    extra = 0


@admin.register(Honour)
class HonourAdmin(admin.ModelAdmin):
    list_display = ("unit", "kind", "level", "year_awarded", "status")
    list_filter = ("status", "kind", "level", "year_awarded", "headquarters")
    list_select_related = ("unit",)
    search_fields = ("unit__name", "title", "awarded_by")
    autocomplete_fields = ("unit",)
    readonly_fields = ("status", "created_at")
    inlines = (HonourChangeInline,)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            HonourChange.objects.create(
                honour=obj,
                from_status="",
                to_status=obj.status,
                reason=f"{obj.year_awarded}年度授予（数据维护登记）",
                decided_by=request.user,
                at=timezone.now(),
            )


@admin.register(HonourReviewDecision)
class HonourReviewDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("year", "honour", "proposal", "decision", "decided_by", "decided_at")
    list_filter = ("year", "decision", "proposal")
