from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civility.core.auth import ThrottledAuthenticationForm
from civility.core.registry import home_sections


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class AdminLoginView(LoginView):
    """/admin/login/: the same throttled sign-in form. A signed-in person without admin access
    sees the form (as Django's own admin login does) instead of being redirected to ``next`` —
    /admin/ sends them straight back here, which was an endless redirect loop."""

    redirect_authenticated_user = False


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request):
    """Role-aware start page: each app contributes the sections meant for this person."""
    context = {"today": timezone.localdate(), "sections": []}
    for section in home_sections():
        part = section.context(request)
        if part is not None:
            context.update(part)
            context["sections"].append(section.template)
    return render(request, "core/home.html", context)


@never_cache
@require_GET
def healthz(request):
    """Liveness and database check for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the static icon (hashed name in
    production), cached for a day."""
    from django.templatetags.static import static

    response = HttpResponsePermanentRedirect(static("civility/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
