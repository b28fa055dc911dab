"""What the problem list's filters offer: the unit search box's options and, for a busy unit,
its streets (cached)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.utils.html import format_html, format_html_join

from civility.core.roles import Role
from civility.supervision.problems.filters import BLANK_LABELS, UNIT_OPTIONS, unit_choices
from civility.supervision.problems.models import Problem, ProblemEvent
from civility.supervision.problems.permissions import (
    can_view_problems,
    problems_visible_to,
    sees_all_problems,
    unit_sees_many,
)

STREETS_CACHE_SECONDS = 600


def visible_street_ids(user) -> list[int] | None:
    """The streets of a busy unit's problems (the street filter's choices), cached until the
    next workflow event: finding them reads every one of the unit's problems (a department
    cooperates on a third of a city's), too much for every load of the list. None: let the
    filter ask the database (everyone else; cheap)."""
    if sees_all_problems(user) or user.has_role(Role.REPRESENTATIVE):
        return None
    if not (user.has_role(Role.LIAISON) and user.unit_id and unit_sees_many(user.unit_id)):
        return None
    latest = ProblemEvent.objects.order_by("-id").values_list("id", flat=True).first()
    key = f"problem-streets:{user.pk}:{user.unit_id}:{latest}"
    ids = cache.get(key)
    if ids is None:
        # Two indexed lookups (the unit's problems, its cooperating links), as the list's own.
        unit = user.unit_id
        primary = Problem.objects.filter(primary_unit_id=unit).values_list("site__street")
        links = Problem.cooperating_units.through.objects.filter(unit_id=unit)
        linked = links.values_list("problem__site__street")
        ids = sorted(
            {row[0] for row in primary.order_by().distinct()}
            | {row[0] for row in linked.order_by().distinct()}
        )
        cache.set(key, ids, STREETS_CACHE_SECONDS)
    return ids


@login_required
def unit_options(request):
    """The unit filter's options for what was typed (at most UNIT_OPTIONS), as <option>s."""
    if not can_view_problems(request.user):
        raise PermissionDenied
    user = request.user
    units = unit_choices(None if sees_all_problems(user) else problems_visible_to(user))
    # The search box is named after its select ("unit_q", "bulk-unit_q").
    query = next((v for k, v in request.GET.items() if k.endswith("_q")), "").strip()[:50]
    if query:
        units = units.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    options = format_html_join(
        "", '<option value="{}">{}</option>', ((u.pk, u.name) for u in units[:UNIT_OPTIONS])
    )
    blank = BLANK_LABELS.get(request.GET.get("blank"), BLANK_LABELS["all"])
    first = format_html('<option value="">{}</option>', blank)
    return HttpResponse(first + options)
