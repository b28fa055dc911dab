from civility.core import permissions
from civility.core.roles import Role


def roles(request):
    """Role names, navigation switches and the unread notification count for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"Role": Role}
    from civility.supervision.models import Notification

    return {
        "Role": Role,
        "user_roles": user.role_names,
        "nav": {
            "inspections": permissions.can_view_inspections(user),
            "problems": permissions.can_view_problems(user),
            "commentary": permissions.can_view_commentary_list(user),
        },
        "unread_notifications": Notification.objects.filter(
            user=user, read_at__isnull=True
        ).count(),
    }
