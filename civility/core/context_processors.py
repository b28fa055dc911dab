from civility.core.registry import nav_entries
from civility.core.roles import Role


def navigation(request):
    """Role names and the navigation entries this person may use, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"Role": Role}
    entries = [entry for entry in nav_entries() if entry.visible(user)]
    section = next((e.key for e in entries if request.path.startswith(e.prefix)), "")
    return {
        "Role": Role,
        "nav_entries": entries,
        "nav_section": section,
        "nav": {entry.key: True for entry in entries},
        "user_roles": user.role_names,
    }
