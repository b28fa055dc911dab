"""What the campaign's levers offer the navigation, the home page and a unit's page (registered
in core/registry.py): drives, 问责 with the open suggestions, honours."""

from __future__ import annotations

from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.campaign import accountability
from civility.campaign.links import figure_urls, problems_url
from civility.campaign.models import HonourChange
from civility.campaign.permissions import (
    accountability_visible_to,
    can_decide_accountability,
    can_view_accountability,
    can_view_drives,
    can_view_honours,
    drives_visible_to,
    honours_visible_to,
)
from civility.core.periods import MONTH, Period
from civility.core.permissions import sees_everything
from civility.core.registry import (
    HomeSection,
    NavEntry,
    UnitSection,
    register_home_section,
    register_nav,
    register_unit_section,
)
from civility.reports.views.common import pick_headquarters
from civility.supervision.drives.progress import drive_totals
from civility.supervision.problems import recurrence as recurrence_rates
from civility.supervision.problems.models import Problem

HOME_SUGGESTIONS = 5
HOME_SITES = 5


def drives_section(request) -> dict | None:
    """Next to the dashboard (leaders, 创建办): the running drives with their figures, and this
    month's 回潮 — how many, where (反复抓、抓反复)."""
    user = request.user
    if not sees_everything(user):
        return None
    hq = pick_headquarters(request)[0]
    if hq is None:
        return None
    today = timezone.localdate()
    running = list(
        drives_visible_to(user)
        .filter(headquarters=hq, parent__isnull=True, start_date__lte=today, end_date__gte=today)
        .select_related("lead_group")
        .order_by("start_date", "pk")
    )
    totals = drive_totals(running)
    for drive in running:
        drive.figures = totals[drive.pk]
        drive.urls = figure_urls(drive=drive.pk)
        drive.elapsed = (today - drive.start_date).days + 1
    month = Period.of(today, MONTH)
    # "+ 0": the headquarters (a whole city) must not be the index SQLite walks, the month's
    # reported_at range is.
    this_month = Problem.objects.alias(hq_id=F("headquarters_id") + 0).filter(
        hq_id=hq.pk, reported_at__gte=month.start, reported_at__lt=month.end
    )
    recurrence = recurrence_rates.overall(this_month)
    sites = recurrence_rates.rates_by_site(this_month)[:HOME_SITES]
    for row in sites:
        row.url = problems_url(q=row.name, recurring="yes", date_from=f"{month.first:%Y-%m-%d}")
    # Per unit and per category too (SPEC §7: 回潮率 per unit, site and category).
    since = f"{month.first:%Y-%m-%d}"
    units = recurrence_rates.rates_by_unit(this_month, only_recurring=True)[:HOME_SITES]
    for row in units:
        row.url = problems_url(unit=row.key, recurring="yes", date_from=since)
    categories = recurrence_rates.rates_by_category(this_month, only_recurring=True)[:HOME_SITES]
    for row in categories:
        row.url = problems_url(category=row.key, recurring="yes", date_from=since)
    if not running and not recurrence.recurring:
        return None
    return {
        "running_drives": running,
        "month_recurrence": recurrence,
        "month_recurrence_url": problems_url(recurring="yes", date_from=f"{month.first:%Y-%m-%d}"),
        "month_recurrence_sites": sites,
        "month_recurrence_units": units,
        "month_recurrence_categories": categories,
    }


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
register_home_section(HomeSection("drives", "campaign/_home_drives.html", 12, drives_section))
register_home_section(
    HomeSection("suggestions", "campaign/_home_suggestions.html", 15, suggestions_section)
)
