"""Planning a deterministic demo history (SPEC §4) — pure: no database, no clock of its own.

``plan_history()`` takes a seed, "now", a size and a ``Catalogue`` of one headquarters' sites,
categories, teams and units, and decides everything the demo will hold: who sits on which
inspection team, the weekly inspections, the problems found and each problem's whole life as a
list of workflow steps with their times, the drives, the commentary and its receipts. The same
inputs give the same plan. ``manage.py seed_demo`` carries a plan out through the workflow, so the
events, milestones and numbers agree with each other exactly as if people had done the work.

Actors are named by username, or by one of the placeholders below that are resolved when the
plan is carried out (the liaison of a unit is only known then).
"""

from __future__ import annotations

from datetime import datetime

from civility.demo.history.commentary import plan_commentaries
from civility.demo.history.inspections import (
    plan_drives,
    plan_inspections,
    plan_teams,
    summarise_inspections,
)
from civility.demo.history.planner import LEADER, LIAISON, SECRETARIAT, Planner
from civility.demo.history.plans import (
    Catalogue,
    CategoryInfo,
    CommentaryPlan,
    DemoMember,
    DrivePlan,
    InspectionPlan,
    Plan,
    PlannedUser,
    ProblemPlan,
    ReceiptPlan,
    SiteInfo,
    Step,
    TeamInfo,
    UnitInfo,
)
from civility.demo.history.problems import find_problems, plan_lives

__all__ = [
    "LEADER",
    "LIAISON",
    "SECRETARIAT",
    "Catalogue",
    "CategoryInfo",
    "CommentaryPlan",
    "DemoMember",
    "DrivePlan",
    "InspectionPlan",
    "Plan",
    "PlannedUser",
    "ProblemPlan",
    "ReceiptPlan",
    "SiteInfo",
    "Step",
    "TeamInfo",
    "UnitInfo",
    "plan_history",
]


def plan_history(
    *, seed: int, now: datetime, months: int, problems: int, catalogue: Catalogue
) -> Plan:
    """Everything the demo will contain; the same arguments always give the same plan.

    The steps share one random stream, so their order below is part of the plan."""
    p = Planner(seed, now, months, problems, catalogue)
    if not p.sites or not p.categories or not p.cat.teams:
        return Plan((), (), (), (), (), ())
    users, members, reporters = plan_teams(p)
    drives = plan_drives(p)
    inspections, visits = plan_inspections(p, members, reporters)
    drafts = find_problems(p, inspections, visits, drives)
    inspections = summarise_inspections(p, inspections, drafts)
    lives = plan_lives(p, drafts, inspections)
    commentaries = plan_commentaries(p, inspections, lives)
    return Plan(
        users=tuple(users),
        team_members=tuple((pk, tuple(names)) for pk, names in members.items()),
        drives=tuple(drives),
        inspections=tuple(inspections),
        problems=tuple(lives),
        commentaries=tuple(commentaries),
    )
