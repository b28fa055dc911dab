"""What the bulletins offer the navigation and the home page (registered in core/registry.py): the
dashboard (leaders, 创建办) and the latest bulletins."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.core.permissions import has_any_role
from civility.core.registry import HomeSection, NavEntry, register_home_section, register_nav
from civility.reports import signoff
from civility.reports.compile import report_url
from civility.reports.dashboard import dashboard_data
from civility.reports.models import Report, ReportRead
from civility.reports.permissions import (
    can_view_dashboard,
    can_view_rankings,
    can_view_reports,
    own_unit_page,
    reports_visible_to,
)
from civility.reports.views.common import pick_headquarters

WAITING_SHOWN = 8


def dashboard_context(request, today=None) -> dict:
    """``{"dashboard": …}`` for people who see the dashboard, ``{}`` for everyone else."""
    if not can_view_dashboard(request.user):
        return {}
    hq, _hq_list = pick_headquarters(request)
    if hq is None:
        return {}
    return {"dashboard": dashboard_data(hq, today or timezone.localdate())}


def dashboard_section(request) -> dict | None:
    return dashboard_context(request) or None


def latest_reports(user, limit: int = 5) -> list:
    """The newest published bulletins this person may read, each marked read or unread."""
    return list(
        reports_visible_to(user)
        .filter(status=Report.Status.PUBLISHED)
        .annotate(is_read=Exists(ReportRead.objects.filter(report=OuterRef("pk"), user=user)))
        .order_by("-published_at", "-id")[:limit]
    )


def signoff_section(request) -> dict | None:
    """Bulletins waiting for this leader's or liaison's 签阅 (nothing when none wait)."""
    waiting = signoff.waiting_for(request.user)
    reports = list(waiting[:WAITING_SHOWN])
    if not reports:
        return None
    for report in reports:
        report.link = report_url(report)
    return {"waiting_signoff": reports, "waiting_signoff_count": waiting.count()}


def latest_section(request) -> dict | None:
    if not has_any_role(request.user):
        return None
    return {"latest_reports": latest_reports(request.user)}


def own_unit_section(request) -> dict | None:
    """A liaison's link to their own unit's page (scores and the counts behind them)."""
    unit_id = own_unit_page(request.user)
    if unit_id is None:
        return None
    return {"own_unit": request.user.unit}


register_nav(NavEntry("reports", _("通报"), "report_index", 30, can_view_reports, "/reports/"))
register_nav(NavEntry("rankings", _("考评排名"), "rankings", 40, can_view_rankings, "/rankings/"))
register_home_section(HomeSection("dashboard", "reports/dashboard.html", 10, dashboard_section))
register_home_section(HomeSection("own_unit", "reports/_home_unit.html", 15, own_unit_section))
register_home_section(HomeSection("latest", "reports/_home_latest.html", 60, latest_section))
register_home_section(HomeSection("signoff", "reports/_home_signoff.html", 35, signoff_section))
