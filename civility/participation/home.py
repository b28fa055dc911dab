"""What 全民参与 offers the navigation, the home page and a unit's page (core/registry.py): the
representative's suggestions, the suggestions a liaison's unit must answer, this month's figures
for leaders and the 创建办, and a unit's 小区, 共建单位, activities and budget line."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.core.periods import MONTH, Period
from civility.core.permissions import has_role, is_unit_liaison, sees_everything
from civility.core.registry import (
    HomeSection,
    NavEntry,
    UnitSection,
    register_home_section,
    register_nav,
    register_unit_section,
)
from civility.core.roles import Role
from civility.org.models import Unit
from civility.participation.budget import unit_budget_line
from civility.participation.figures import activity_figures, suggestion_figures
from civility.participation.models import (
    Activity,
    ParticipatingOrganisation,
    Suggestion,
    SuggestionEvent,
)
from civility.participation.permissions import (
    can_submit_suggestion,
    can_view_activities,
    can_view_budget,
    can_view_selections,
    can_view_suggestions,
    can_view_unit_budget,
)
from civility.participation.views.common import headquarters_for

RECENT = 5


def my_suggestions_section(request) -> dict | None:
    """A representative's suggestions: counts by state and the latest, each with what happened
    last."""
    user = request.user
    if not can_submit_suggestion(user):
        return None
    mine = Suggestion.objects.filter(author=user)
    counts = mine.aggregate(
        total=Count("id"),
        waiting=Count("id", filter=Q(status__in=["pending", "converted", "assigned"])),
        to_rate=Count("id", filter=Q(status__in=Suggestion.RATEABLE, rating="")),
    )
    latest = list(mine.select_related("unit").order_by("-submitted_at", "-id")[:RECENT])
    last_events = {}
    for event in (
        SuggestionEvent.objects.filter(suggestion__in=latest)
        .select_related("actor")
        .order_by("suggestion_id", "-at", "-id")
    ):
        last_events.setdefault(event.suggestion_id, event)
    for suggestion in latest:
        suggestion.last_event = last_events.get(suggestion.pk)
    return {"my_suggestions": latest, "my_suggestion_counts": counts}


def to_answer_section(request) -> dict | None:
    """Suggestions waiting for the liaison's unit to answer."""
    user = request.user
    if not (has_role(user, Role.LIAISON) and user.unit_id):
        return None
    waiting = list(
        Suggestion.objects.filter(unit_id=user.unit_id, status=Suggestion.Status.ASSIGNED)
        .select_related("author")
        .order_by("reply_deadline", "id")
    )
    if not waiting:
        return None
    return {"suggestions_to_answer": waiting, "today": timezone.localdate()}


def figures_section(request) -> dict | None:
    """This month's suggestions and activities, for leaders and the 创建办."""
    user = request.user
    if not sees_everything(user):
        return None
    hq = headquarters_for(user)
    if hq is None:
        return None
    month = Period.of(timezone.localdate(), MONTH)
    pending = Suggestion.objects.filter(headquarters=hq, status=Suggestion.Status.PENDING).count()
    return {
        "participation_month": month,
        "suggestion_month": suggestion_figures(hq, month.start, month.end),
        "suggestions_pending": pending,
        "activity_month": activity_figures(hq, month.start, month.end),
    }


def unit_participation_section(request, unit: Unit) -> dict | None:
    """On a unit's page: its 小区/居民小组 and 共建单位 (a community), this year's activities and
    its budget line."""
    user = request.user
    year = timezone.localdate().year
    context = {"participation_year": year}
    if unit.kind == Unit.Kind.COMMUNITY:
        context["neighbourhoods"] = list(
            unit.children.filter(active=True, kind=Unit.Kind.NEIGHBOURHOOD).order_by("order", "id")
        )
        context["participating_organisations"] = list(
            ParticipatingOrganisation.objects.filter(community=unit, active=True)
        )
    if sees_everything(user) or is_unit_liaison(user, unit.pk) or can_view_activities(user):
        context["unit_activities"] = Activity.objects.filter(
            organiser=unit, date__year=year
        ).aggregate(n=Count("id"))["n"]
    if can_view_unit_budget(user, unit):
        context["unit_budget"] = unit_budget_line(unit, year)
    return context


register_nav(
    NavEntry(
        "suggestions", _("建议意见"), "suggestion_list", 45, can_view_suggestions, "/suggestions/"
    )
)
register_nav(
    NavEntry("activities", _("全民参与"), "activity_list", 75, can_view_activities, "/activities/")
)
register_nav(
    NavEntry("selections", _("典型评选"), "selection_list", 76, can_view_selections, "/selections/")
)
register_nav(NavEntry("budget", _("投入保障"), "budget", 77, can_view_budget, "/budget/"))
register_home_section(
    HomeSection("participation", "participation/_home_figures.html", 12, figures_section)
)
register_home_section(
    HomeSection(
        "my_suggestions", "participation/_home_suggestions.html", 15, my_suggestions_section
    )
)
register_home_section(
    HomeSection("to_answer", "participation/_home_to_answer.html", 32, to_answer_section)
)
register_unit_section(
    UnitSection("participation", "participation/_unit_section.html", 60, unit_participation_section)
)
