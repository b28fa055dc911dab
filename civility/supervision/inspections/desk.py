"""An inspector's desk on the home page: problems waiting for 复查, own drafts, recent work.

A fixed number of queries whatever the number of rows (counts are one aggregate).
"""

from __future__ import annotations

from civility.core.permissions import has_role
from civility.core.roles import Role
from civility.supervision.inspections.counts import add_counts
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
    # Two indexed lookups (created by, inspected by) instead of an OR across a join, and the
    # counts of the rows shown only.
    own = Inspection.objects.filter(created_by=user).values("pk")
    joined = Inspection.inspectors.through.objects.filter(user_id=user.pk).values("inspection_id")
    mine = inspections_openable_by(user).filter(pk__in=own.union(joined))
    listed = mine.select_related("team", "street").order_by("-date", "-id")
    drafts = list(listed.filter(status=Inspection.Status.DRAFT, created_by=user))
    recent = list(listed.filter(status=Inspection.Status.SUBMITTED)[:SHORT_LIST])
    add_counts(drafts + recent)  # one query for both lists
    return {
        "waiting_review": {"count": waiting.count(), "problems": waiting_list},
        "drafts": drafts,
        "recent": recent,
    }


def home_section(request) -> dict | None:
    if not has_role(request.user, Role.INSPECTOR):
        return None
    return {"inspector_home": inspector_home(request.user)}
