"""The dashboard section of the home page for leaders and the secretariat.

The home view (``civility.core.views.home``) adds ``dashboard_context(request)`` to its context
and its template includes ``reports/dashboard.html`` when ``dashboard`` is set.
"""

from __future__ import annotations

from django.utils import timezone

from civility.core import permissions
from civility.reports.dashboard import dashboard_data
from civility.reports.views.rankings import pick_headquarters


def dashboard_context(request, today=None) -> dict:
    """``{"dashboard": …}`` for people who see the dashboard, ``{}`` for everyone else."""
    if not permissions.can_view_dashboard(request.user):
        return {}
    hq, _hq_list = pick_headquarters(request)
    if hq is None:
        return {}
    return {"dashboard": dashboard_data(hq, today or timezone.localdate())}
