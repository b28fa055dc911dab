from civility.core import permissions
from civility.core.roles import Role

# The navigation entry a page belongs to, by URL prefix (a view may still set nav_section).
NAV_SECTIONS = (
    ("/inspections/", "inspections"),
    ("/problems/", "problems"),
    ("/reports/", "reports"),
    ("/rankings/", "rankings"),
    ("/commentary/", "commentary"),
)


def roles(request):
    """Role names, navigation switches and the unread notification count for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"Role": Role}
    from civility.supervision.models import Notification

    section = next((name for prefix, name in NAV_SECTIONS if request.path.startswith(prefix)), "")
    return {
        "Role": Role,
        "nav_section": section,
        "user_roles": user.role_names,
        "nav": {
            "inspections": permissions.can_view_inspections(user),
            "problems": permissions.can_view_problems(user),
            "commentary": permissions.can_view_commentary_list(user),
            "reports": bool(user.is_superuser or user.role_names),
            "rankings": permissions.can_view_rankings(user),
        },
        "unread_notifications": Notification.objects.filter(
            user=user, read_at__isnull=True
        ).count(),
    }
