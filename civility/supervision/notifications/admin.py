"""Admin of in-app notifications."""

from django.contrib import admin
from django.utils.text import Truncator

from civility.supervision.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "short_text", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("text", "user__username", "user__name")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = ("user", "kind", "text", "url", "problem", "commentary", "created_at", "read_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="内容")
    def short_text(self, obj: Notification) -> str:
        return Truncator(obj.text).chars(50)
