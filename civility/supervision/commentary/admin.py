"""Admin of commentary (issued through the same service as the page) and units' receipts."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q

from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.commentary.services import notify_issued


class CommentaryReceiptInline(admin.TabularInline):
    """One row per commented unit; 签收 and the reply are the liaison's own, so read-only."""

    model = CommentaryReceipt
    fields = ("unit", "acknowledged_by", "acknowledged_at", "reply", "replied_by", "replied_at")
    readonly_fields = fields[1:]
    autocomplete_fields = ("unit",)
    extra = 0
    can_delete = False  # a unit's signed receipt is a record; it is not removed

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "acknowledged_by", "replied_by")


@admin.register(Commentary)
class CommentaryAdmin(admin.ModelAdmin):
    list_display = ("date", "title", "kind", "tone", "author", "unit_count", "receipt_progress")
    list_display_links = ("date", "title")
    list_filter = ("kind", "tone", "headquarters")
    list_select_related = ("author",)
    search_fields = ("title", "text", "units__name")
    date_hierarchy = "date"
    ordering = ("-date", "-id")
    autocomplete_fields = ("author", "inspection", "site", "problems")
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("headquarters", ("kind", "tone"), ("date", "author"))}),
        ("点评", {"fields": ("title", "text", "reply_days")}),
        ("相关", {"fields": ("inspection", "site", "problems", "created_at")}),
    )
    inlines = (CommentaryReceiptInline,)

    def get_queryset(self, request):
        signed = Q(receipts__acknowledged_at__isnull=False)
        return (
            super()
            .get_queryset(request)
            .annotate(
                receipt_count=Count("receipts", distinct=True),
                signed_count=Count("receipts", filter=signed, distinct=True),
            )
        )

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def has_delete_permission(self, request, obj=None):
        # Once a unit has signed for it, a commentary is a record: correct it, don't delete it.
        if obj is not None and obj.receipts.filter(acknowledged_at__isnull=False).exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # a new commentary reaches its units' liaisons, as from the app
            commentary = form.instance
            transaction.on_commit(lambda: notify_issued(commentary))

    @admin.display(description="单位数", ordering="receipt_count")
    def unit_count(self, obj: Commentary) -> int:
        return obj.receipt_count

    @admin.display(description="签收")
    def receipt_progress(self, obj: Commentary) -> str:
        if not obj.needs_receipt:
            return "—"
        return f"{obj.signed_count}/{obj.receipt_count}"


# --- notifications and numbering --------------------------------------------------------------
