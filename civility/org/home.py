"""What the organisation offers the navigation and the home page (registered in core/registry.py):
the 责任分解 summary, unit counts and common links."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civility.core.permissions import sees_everything
from civility.core.registry import HomeSection, NavEntry, register_home_section, register_nav
from civility.org.models import Assignment, Unit
from civility.org.permissions import (
    assignments_visible_to,
    can_view_assignments,
    can_view_org,
)


def assignments_section(request) -> dict | None:
    """Counts of the assignments this person may see by due state, and the most urgent ones."""
    user = request.user
    if not can_view_assignments(user):
        return None
    today = timezone.localdate()
    assignments = assignments_visible_to(user)
    states = Assignment.DueState
    counts = assignments.aggregate(
        total=Count("id"),
        **{
            state.value: Count("id", filter=Assignment.due_state_q(state, today))
            for state in states
        },
    )
    urgent = (
        assignments.filter(
            Assignment.due_state_q(states.OVERDUE, today)
            | Assignment.due_state_q(states.DUE_SOON, today)
        )
        .select_related("work_group", "unit")
        .order_by("due_date")[:8]
    )
    return {
        "sees_everything": sees_everything(user),
        "assignment_total": counts["total"],
        "due_cards": [
            {"state": state, "label": gettext(state.label), "count": counts[state.value]}
            for state in states
        ],
        "urgent": urgent,
    }


def units_section(request) -> dict | None:
    """How many units of each kind (leaders and the secretariat)."""
    if not sees_everything(request.user):
        return None
    counts = Unit.objects.filter(active=True).aggregate(
        **{kind.value: Count("id", filter=Q(kind=kind)) for kind in Unit.Kind}
    )
    return {"unit_kinds": [(gettext(kind.label), counts[kind.value]) for kind in Unit.Kind]}


def links_section(request) -> dict:
    return {"can_view_assignments": can_view_assignments(request.user)}


register_nav(NavEntry("org", _("组织架构"), "org", 60, can_view_org, "/org/"))
register_nav(
    NavEntry("assignments", _("责任分解"), "assignments", 70, can_view_assignments, "/assignments/")
)
register_home_section(
    HomeSection("assignments", "org/_home_assignments.html", 40, assignments_section)
)
register_home_section(HomeSection("units", "org/_home_units.html", 50, units_section))
register_home_section(HomeSection("links", "org/_home_links.html", 90, links_section))
