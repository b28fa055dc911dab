"""What the campaign's levers offer the navigation, the home page and a unit's page (registered
in core/registry.py): drives, 问责 with the open suggestions, honours."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from civility.campaign import accountability
from civility.campaign.models import HonourChange
from civility.campaign.permissions import (
    accountability_visible_to,
    can_decide_accountability,
    can_view_accountability,
    can_view_drives,
    can_view_honours,
    honours_visible_to,
)
from civility.core.registry import (
    HomeSection,
    NavEntry,
    UnitSection,
    register_home_section,
    register_nav,
    register_unit_section,
)
from civility.reports.views.rankings import pick_headquarters

HOME_SUGGESTIONS = 5


def suggestions_section(request) -> dict | None:
    """The open 问责 suggestions, for the people who decide (secretariat, leaders)."""
    if not can_decide_accountability(request.user):
        return None
    hq = pick_headquarters(request)[0]
    if hq is None:
        return None
    found = accountability.suggestions(hq)
    if not found:
        return None
    return {"suggestions": found[:HOME_SUGGESTIONS], "suggestion_count": len(found)}


def unit_section(request, unit) -> dict | None:
    """A unit's honours (with their history) and 问责 records, as far as this person may see."""
    user = request.user
    if not (can_view_honours(user) or can_view_accountability(user)):
        return None
    unit_honours = list(
        honours_visible_to(user)
        .filter(unit=unit)
        .prefetch_related(Prefetch("changes", queryset=HonourChange.objects.order_by("at", "id")))
        .order_by("-year_awarded", "id")
    )
    records = list(
        accountability_visible_to(user)
        .filter(unit=unit)
        .select_related("decided_by")
        .prefetch_related("problems")
        .order_by("-date", "-id")[:20]
    )
    if not unit_honours and not records and not can_view_honours(user):
        return None
    return {"unit_honours": unit_honours, "unit_accountability": records}


register_nav(NavEntry("drives", _("专项行动"), "drive_list", 35, can_view_drives, "/drives/"))
register_nav(
    NavEntry(
        "accountability",
        _("问责"),
        "accountability_list",
        45,
        can_view_accountability,
        "/accountability/",
    )
)
register_nav(NavEntry("honours", _("荣誉"), "honour_list", 65, can_view_honours, "/honours/"))
register_unit_section(UnitSection("campaign", "campaign/_unit_section.html", 60, unit_section))
register_home_section(
    HomeSection("suggestions", "campaign/_home_suggestions.html", 15, suggestions_section)
)
