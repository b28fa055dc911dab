from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civility.core import permissions
from civility.core.auth import ThrottledAuthenticationForm


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
    """Role-aware start page: what this person should look at first."""
    from civility.org.models import Assignment, Unit

    user = request.user
    today = timezone.localdate()
    assignments = permissions.assignments_visible_to(user)
    states = Assignment.DueState
    counts = assignments.aggregate(
        total=Count("id"),
        **{
            state.value: Count("id", filter=Assignment.due_state_q(state, today))
            for state in states
        },
    )
    due_cards = [
        {"state": state, "label": gettext(state.label), "count": counts[state.value]}
        for state in states
    ]
    urgent = (
        assignments.filter(
            Assignment.due_state_q(states.OVERDUE, today)
            | Assignment.due_state_q(states.DUE_SOON, today)
        )
        .select_related("work_group", "unit")
        .order_by("due_date")[:8]
    )
    context = {
        "can_view_assignments": permissions.can_view_assignments(user),
        "sees_everything": permissions.sees_everything(user),
        "assignment_total": counts["total"],
        "due_cards": due_cards,
        "urgent": urgent,
        "today": today,
    }
    from civility.reports.views.dashboard import dashboard_context
    from civility.supervision import selectors

    context.update(selectors.home_sections(user))
    context["latest_reports"] = _latest_reports(user)
    context.update(dashboard_context(request, today))
    if permissions.sees_everything(user):
        context["unit_counts"] = Unit.objects.filter(active=True).aggregate(
            **{kind.value: Count("id", filter=Q(kind=kind)) for kind in Unit.Kind}
        )
        context["unit_kinds"] = [
            (gettext(kind.label), context["unit_counts"][kind.value]) for kind in Unit.Kind
        ]
    return render(request, "core/home.html", context)


def _latest_reports(user, limit: int = 5) -> list:
    """The newest published bulletins this person may read, each marked read or unread."""
    from django.db.models import Exists, OuterRef

    from civility.reports.models import Report, ReportRead

    return list(
        permissions.reports_visible_to(user)
        .filter(status=Report.Status.PUBLISHED)
        .annotate(is_read=Exists(ReportRead.objects.filter(report=OuterRef("pk"), user=user)))
        .order_by("-published_at", "-id")[:limit]
    )


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
