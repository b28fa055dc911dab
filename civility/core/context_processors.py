from civility.core.roles import Role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"Role": Role}
    return {"Role": Role, "user_roles": user.role_names}
