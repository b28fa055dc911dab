"""An inspector's desk on the home page: problems waiting for 复查, own drafts, recent work.

A fixed number of queries whatever the number of rows (counts are one aggregate).
"""

from __future__ import annotations

from django.db.models import Count, Q

from civility.core.permissions import has_role
from civility.core.roles import Role
from civility.supervision.inspections.models import Inspection
from civility.supervision.inspections.permissions import inspections_openable_by
from civility.supervision.problems.models import Problem
from civility.supervision.problems.permissions import problems_visible_to

SHORT_LIST = 10
Status = Problem.Status


def inspector_home(user) -> dict:
    """What an inspector looks at first: problems waiting for 复查, own drafts, recent work."""
    problems = problems_visible_to(user)
    waiting = problems.filter(status=Status.SUBMITTED)
    waiting_list = list(
        waiting.select_related("site", "category", "primary_unit").order_by("submitted_at", "id")[
            :SHORT_LIST
        ]
    )
    mine = inspections_openable_by(user).filter(
        pk__in=Inspection.objects.filter(Q(created_by=user) | Q(inspectors=user)).values("pk")
    )
    with_counts = mine.select_related("team", "street").annotate(
        problem_count=Count("problems", distinct=True),
        site_count=Count("sites", distinct=True),
    )
    drafts = list(
        with_counts.filter(status=Inspection.Status.DRAFT, created_by=user).order_by("-date", "-id")
    )
    recent = list(
        with_counts.filter(status=Inspection.Status.SUBMITTED).order_by("-date", "-id")[:SHORT_LIST]
    )
    return {
        "waiting_review": {"count": waiting.count(), "problems": waiting_list},
        "drafts": drafts,
        "recent": recent,
    }


def home_section(request) -> dict | None:
    if not has_role(request.user, Role.INSPECTOR):
        return None
    return {"inspector_home": inspector_home(request.user)}
