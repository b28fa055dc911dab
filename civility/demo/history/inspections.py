"""Planning the inspection teams and their weekly inspections, the drives, and each
inspection's summary once its problems are known."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from civility.core.periods import WEEK, Period
from civility.demo.history.planner import Planner
from civility.demo.history.plans import DrivePlan, InspectionPlan, PlannedUser

# Inspection kinds and team kinds, as stored (models' TextChoices values).
ROUTINE, UNANNOUNCED, SPECIAL, REVISIT = "routine", "unannounced", "special", "revisit"
KIND_LABELS = {ROUTINE: "例行督查", UNANNOUNCED: "暗访", SPECIAL: "专项督查", REVISIT: "回头看"}
# team kind: (inspections per week, weights of inspection kinds, seeded inspectors)
TEAM_SCHEDULE = {
    "office": (2.0, {ROUTINE: 5, SPECIAL: 2, REVISIT: 2, UNANNOUNCED: 1}, 4),
    "leaders": (1.0, {ROUTINE: 4, SPECIAL: 1, REVISIT: 1}, 3),
    "retirees": (1.0, {ROUTINE: 3, UNANNOUNCED: 2}, 3),
    "deputies": (0.5, {ROUTINE: 3, SPECIAL: 1}, 2),
    "third_party": (0.25, {UNANNOUNCED: 1}, 3),
}
DEFAULT_SCHEDULE = (1.0, {ROUTINE: 1}, 3)
DRIVE_DAYS = 100  # 百日大会战


def plan_teams(p: Planner):
    users, members, reporters = [], {}, {}
    for team in p.cat.teams:
        count = TEAM_SCHEDULE.get(team.kind, DEFAULT_SCHEDULE)[2]
        seeded = [
            PlannedUser(f"inspector_{team.pk}_{n}", p.name(), f"{team.name}督查员", team.pk)
            for n in range(1, count + 1)
        ]
        users += seeded
        demo = [m for m in p.cat.demo_members if team.kind in m.team_kinds]
        members[team.pk] = [u.username for u in seeded] + [m.username for m in demo]
        reporters[team.pk] = [u.username for u in seeded] + [m.username for m in demo if m.reports]
    return users, members, reporters


def plan_drives(p: Planner) -> list[DrivePlan]:
    """A 百日大会战 (100 days, the first to the hundredth) when the history is long enough,
    else a shorter 集中整治行动; it starts a third of the way into the history."""
    days = (p.today - p.start).days
    start = p.start + timedelta(days=days // 3)
    if days >= 150:
        return [DrivePlan("城市环境百日大会战", start, start + timedelta(days=DRIVE_DAYS - 1))]
    end = min(p.today, start + timedelta(days=max(7, days // 3)))
    return [DrivePlan("市容环境集中整治行动", start, end)]


def plan_inspections(p: Planner, members, reporters):
    rng = p.rng
    inspections, visits = [], []
    period = Period.of(p.start, WEEK)
    visited: dict[int, list[int]] = {}  # street → sites inspected before (for 回头看)
    week = 0
    while period.first < p.today:
        monday = period.first
        for offset, team in enumerate(p.cat.teams):
            per_week, kinds, _ = TEAM_SCHEDULE.get(team.kind, DEFAULT_SCHEDULE)
            count = (
                int(per_week) if per_week >= 1 else int((week + offset) % round(1 / per_week) == 0)
            )
            for _ in range(count):
                day = monday + timedelta(days=rng.randint(0, 4))
                if day < p.start or day >= p.today or not reporters[team.pk]:
                    continue
                kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
                street = rng.choice(p.streets)
                pool = p.sites_by_street[street]
                k = min(len(pool), rng.randint(3, 8))
                earlier = [s for s in pool if s.pk in visited.get(street, ())]
                if kind == REVISIT and len(earlier) >= 2:
                    chosen = rng.sample(earlier, min(len(earlier), k))
                else:
                    chosen = rng.sample(pool, k)
                visited.setdefault(street, []).extend(s.pk for s in chosen)
                names = members[team.pk]
                inspectors = rng.sample(names, min(len(names), rng.randint(2, 3)))
                reporter = rng.choice(reporters[team.pk])
                if reporter not in inspectors:
                    inspectors[0:1] = [reporter]
                inspections.append(
                    InspectionPlan(
                        team_id=team.pk,
                        kind=kind,
                        date=day,
                        street_id=street,
                        site_ids=tuple(s.pk for s in chosen),
                        inspectors=tuple(inspectors),
                        created_by=reporter,
                        summary="",
                        submitted_at=p.day_time(day, rng.randint(480, 540)),
                    )
                )
        period = period.next()
        week += 1
    inspections.sort(key=lambda i: (i.date, i.team_id))
    for index, inspection in enumerate(inspections):
        visits += [(index, site_id) for site_id in inspection.site_ids]
    return inspections, visits


def summarise_inspections(p: Planner, inspections, drafts) -> list[InspectionPlan]:
    found: dict[int, list[str]] = {}
    for draft in drafts:
        if draft["inspection"] is not None:
            found.setdefault(draft["inspection"], []).append(draft["category"].name)
    result = []
    for index, inspection in enumerate(inspections):
        names = found.get(index, [])
        street = p.units[inspection.street_id].label if inspection.street_id in p.units else ""
        head = f"本次{KIND_LABELS[inspection.kind]}{street}片区点位{len(inspection.site_ids)}个"
        if names:
            top = sorted(set(names), key=lambda n: (-names.count(n), n))[:3]
            text = f"{head}，发现问题{len(names)}个，主要为{'、'.join(top)}，已按程序交办整改。"
        else:
            text = f"{head}，未发现明显问题，市容环境总体良好。"
        last = max(
            (d["reported_at"] for d in drafts if d["inspection"] == index),
            default=inspection.submitted_at,
        )
        submitted = max(inspection.submitted_at, last + timedelta(minutes=30))
        submitted = min(submitted, p.now - timedelta(minutes=5))
        result.append(replace(inspection, summary=text, submitted_at=submitted))
    return result
