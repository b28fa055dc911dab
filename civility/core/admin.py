"""Admin for users, role groups and login failures, plus small helpers the other admins share."""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count

from civility.core.auth import unlock
from civility.core.models import LoginFailure, User
from civility.core.roles import Role

ROLE_LABELS = dict(Role.choices)


def role_label(group_name: str) -> str:
    return ROLE_LABELS.get(group_name, group_name)


def user_role_labels(user: User) -> str:
    """The user's roles joined by 、, read from ``groups.all()`` so a prefetch is used."""
    return "、".join(role_label(group.name) for group in user.groups.all())


class TitledChoicesFilter(admin.ChoicesFieldListFilter):
    """A choices filter on a related field whose own verbose name is ambiguous (``unit__kind``)."""

    custom_title = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = self.custom_title or self.title


class RoleFilter(admin.SimpleListFilter):
    """Roles by their Chinese names (the groups themselves are named by role code)."""

    title = "角色"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() in Role.values:
            return queryset.filter(groups__name=self.value())
        return queryset


class UnitKindFilter(TitledChoicesFilter):
    custom_title = "单位类别"


class LiaisonNeedsUnitMixin:
    """SPEC §1: a liaison belongs to exactly one unit. ``groups`` is a queryset in cleaned_data."""

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups") or ()
        if any(group.name == Role.LIAISON for group in groups) and not cleaned.get("unit"):
            self.add_error("unit", "联络员必须指定所属单位。")
        return cleaned


class UserAdminChangeForm(LiaisonNeedsUnitMixin, UserChangeForm):
    pass


class UserAdminCreationForm(LiaisonNeedsUnitMixin, AdminUserCreationForm):
    pass


@admin.register(User)
class CivilityUserAdmin(UserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("name", "title", "phone", "email")}),
        ("单位与角色", {"fields": ("unit", "groups")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        ("个人信息", {"classes": ("wide",), "fields": ("name", "title", "phone")}),
        ("单位与角色", {"classes": ("wide",), "fields": ("unit", "groups", "is_staff")}),
    )
    list_display = ("username", "name", "unit", "roles", "is_active", "last_login")
    list_filter = (RoleFilter, ("unit__kind", UnitKindFilter), "is_active", "is_staff")
    search_fields = ("username", "name", "phone", "email")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)
    readonly_fields = ("last_login", "date_joined")
    actions = ["unlock_sign_in"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.action(description="解除登录锁定", permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        names = list(queryset.values_list("username", flat=True))
        for username in names:
            unlock(username)
        self.message_user(
            request, f"已解除 {len(names)} 个用户的登录锁定。", level=messages.SUCCESS
        )

    @admin.display(description="角色")
    def roles(self, obj: User) -> str:
        return user_role_labels(obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # The campaign office manages accounts and roles, but only a superuser hands out
        # superuser status or individual permissions.
        if not request.user.is_superuser:
            fields = (*fields, "is_superuser", "user_permissions")
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    list_display = ("name", "label", "user_count")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(user_count=Count("user", distinct=True))

    @admin.display(description="角色")
    def label(self, obj: Group) -> str:
        return role_label(obj.name)

    @admin.display(description="用户数", ordering="user_count")
    def user_count(self, obj: Group) -> int:
        return obj.user_count


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Read-only record of failed sign-ins; a lock is lifted with 用户 → 解除登录锁定."""

    list_display = ("username", "ip_address", "at")
    list_filter = ("at",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"
    ordering = ("-at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdminMixin:
    """Looked at, never added, changed or deleted through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
