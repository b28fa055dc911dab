"""A liaison's inbox on the home page: what their unit must do now, with deadlines.

A fixed number of queries whatever the number of rows (counts are one aggregate with
``Count(filter=Q(...))``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civility.core.roles import Role
from civility.supervision.problems.models import Problem

SHORT_LIST = 10
Status = Problem.Status
DueState = Problem.DueState


def _problems_url(**params) -> str:
    return f"{reverse('problem_list')}?{urlencode(params)}"


def liaison_inbox(user) -> dict | None:
    """A liaison's unit inbox: where the unit is the primary (主责) unit, what needs doing now.

    None when the person is not a liaison of a unit.
    """
    if not (user.has_role(Role.LIAISON) and user.unit_id):
        return None
    now = timezone.now()
    unit = user.unit
    # The unit's own problems are all visible to its liaison: no need for the visibility union.
    problems = Problem.objects.filter(primary_unit_id=unit.pk)
    assigned = Q(status=Status.ASSIGNED)
    unacknowledged = assigned & Q(acknowledged_at__isnull=True)
    returned = assigned & Q(rework_count__gt=0)
    overdue = Problem.due_state_q(DueState.OVERDUE, now)
    due_soon = Problem.due_state_q(DueState.DUE_SOON, now)
    counts = problems.aggregate(
        to_acknowledge=Count("id", filter=unacknowledged),
        to_rectify=Count("id", filter=assigned),
        due_soon=Count("id", filter=due_soon),
        overdue=Count("id", filter=overdue),
        returned=Count("id", filter=returned),
        disputed=Count("id", filter=Q(status=Status.DISPUTED)),
        waiting_review=Count("id", filter=Q(status=Status.SUBMITTED)),
    )
    unit_param = {"unit": unit.pk}
    cards = [
        {
            "key": "to_acknowledge",
            "label": _("待签收"),
            "count": counts["to_acknowledge"],
            "state": "reported",
            "url": _problems_url(status=Status.ASSIGNED, acknowledged="no", **unit_param),
        },
        {
            "key": "to_rectify",
            "label": _("待整改"),
            "count": counts["to_rectify"],
            "state": "assigned",
            "url": _problems_url(status=Status.ASSIGNED, **unit_param),
        },
        {
            "key": "due_soon",
            "label": _("即将到期"),
            "count": counts["due_soon"],
            "state": "due_soon",
            "url": _problems_url(due_state=DueState.DUE_SOON, **unit_param),
        },
        {
            "key": "overdue",
            "label": _("逾期"),
            "count": counts["overdue"],
            "state": "overdue",
            "url": _problems_url(due_state=DueState.OVERDUE, **unit_param),
        },
        {
            "key": "returned",
            "label": _("被退回"),
            "count": counts["returned"],
            "state": "returned",
            "url": _problems_url(status=Status.ASSIGNED, returned="yes", **unit_param),
        },
        {
            "key": "disputed",
            "label": _("待协调"),
            "count": counts["disputed"],
            "state": "disputed",
            "url": _problems_url(status=Status.DISPUTED, **unit_param),
        },
    ]
    listed = problems.select_related("site", "category")
    # Most pressing first: open work of the unit by deadline (overdue ones come first).
    urgent = list(listed.filter(status=Status.ASSIGNED).order_by("deadline", "id")[:SHORT_LIST])
    to_acknowledge = list(listed.filter(unacknowledged).order_by("assigned_at", "id")[:SHORT_LIST])
    return {
        "unit": unit,
        "counts": counts,
        "cards": cards,
        "urgent": urgent,
        "to_acknowledge": to_acknowledge,
        "now": now,
    }


def home_section(request) -> dict | None:
    inbox = liaison_inbox(request.user)
    return None if inbox is None else {"liaison_inbox": inbox}
