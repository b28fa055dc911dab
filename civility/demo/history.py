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

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from civility.core.periods import WEEK, Period
from civility.demo.pictures import POOL_SIZE
from civility.demo.texts import (
    APPROVE_NOTES,
    COMMENTARY_TOPICS,
    DESCRIPTIONS,
    DISPUTE_REASONS,
    EXTENSION_REASONS,
    GIVEN_NAME_CHARS,
    REJECT_DISPUTE_NOTE,
    REJECT_EXTENSION_NOTE,
    REPLIES,
    RETURN_REASONS,
    SITE_AFFINITY,
    SOURCE_PREFIX,
    SUBMIT_NOTES,
    SURNAMES,
    VOID_REASONS,
)
from civility.supervision.problems.models import Action

SECRETARIAT = "@secretariat"
LEADER = "@leader"
LIAISON = "@liaison"  # the liaison of the problem's primary unit at that moment

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
# The states open problems are left in, in turn.
OPEN_CYCLE = (
    "assigned",
    "submitted",
    "assigned",
    "disputed",
    "submitted",
    "extension_pending",
    "assigned",
    "submitted",
)
MIN_OPEN = 6
DRIVE_DAYS = 100  # 百日大会战
OFFICE_ACTIONS = {
    Action.ASSIGN,
    Action.VOID,
    Action.REASSIGN,
    Action.REJECT_DISPUTE,
    Action.APPROVE_EXTENSION,
    Action.REJECT_EXTENSION,
    Action.ESCALATE,
}


# --- what the planner is given ------------------------------------------------------------------


@dataclass(frozen=True)
class SiteInfo:
    pk: int
    name: str
    type_name: str
    street_id: int
    community_id: int | None
    default_unit_id: int


@dataclass(frozen=True)
class CategoryInfo:
    pk: int
    name: str
    limit_hours: int
    default_department_id: int | None


@dataclass(frozen=True)
class TeamInfo:
    pk: int
    kind: str
    name: str


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    name: str
    short_name: str
    kind: str

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class DemoMember:
    """An existing demo login that joins teams of the given kinds (and reports if an inspector)."""

    username: str
    team_kinds: tuple[str, ...]
    reports: bool


@dataclass(frozen=True)
class Catalogue:
    sites: tuple[SiteInfo, ...]
    categories: tuple[CategoryInfo, ...]
    teams: tuple[TeamInfo, ...]
    units: tuple[UnitInfo, ...]  # active units
    demo_members: tuple[DemoMember, ...] = ()


# --- what the planner decides -------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedUser:
    username: str
    name: str
    title: str
    team_id: int


@dataclass(frozen=True)
class InspectionPlan:
    team_id: int
    kind: str
    date: date
    street_id: int
    site_ids: tuple[int, ...]
    inspectors: tuple[str, ...]
    created_by: str
    summary: str
    submitted_at: datetime


@dataclass(frozen=True)
class Step:
    action: str
    at: datetime
    actor: str
    note: str = ""
    unit_id: int | None = None
    extend_days: int = 0  # 申请延期: the new deadline is the current one plus these days
    photo: int | None = None  # index into the after-photo pool


@dataclass(frozen=True)
class ProblemPlan:
    inspection: int | None  # index into Plan.inspections
    source: str
    site_id: int
    category_id: int
    reported_at: datetime
    reporter: str
    description: str
    photo: int  # index into the before-photo pool
    drive: int | None  # index into Plan.drives
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class DrivePlan:
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class ReceiptPlan:
    unit_id: int
    acknowledged_at: datetime | None
    reply: str
    replied_at: datetime | None


@dataclass(frozen=True)
class CommentaryPlan:
    kind: str
    tone: str
    date: date
    title: str
    text: str
    inspection: int | None
    site_id: int | None
    problems: tuple[int, ...]  # indexes into Plan.problems
    receipts: tuple[ReceiptPlan, ...]


@dataclass(frozen=True)
class Plan:
    users: tuple[PlannedUser, ...]
    team_members: tuple[tuple[int, tuple[str, ...]], ...]  # (team pk, usernames)
    drives: tuple[DrivePlan, ...]
    inspections: tuple[InspectionPlan, ...]
    problems: tuple[ProblemPlan, ...]
    commentaries: tuple[CommentaryPlan, ...]


# --- planning -----------------------------------------------------------------------------------


def plan_history(
    *, seed: int, now: datetime, months: int, problems: int, catalogue: Catalogue
) -> Plan:
    """Everything the demo will contain; the same arguments always give the same plan."""
    return _Planner(seed, now, months, problems, catalogue).plan()


class _Planner:
    def __init__(self, seed, now, months, problems, catalogue: Catalogue):
        self.rng = random.Random(seed)
        self.now = timezone.localtime(now)
        self.tz = self.now.tzinfo
        self.today = self.now.date()
        self.start = self.today - timedelta(days=max(7, round(months * 30.5)))
        self.target = problems
        self.cat = catalogue
        self.units = {u.pk: u for u in catalogue.units}
        self.sites = [s for s in catalogue.sites if s.default_unit_id in self.units]
        self.categories = list(catalogue.categories)
        self.sites_by_street: dict[int, list[SiteInfo]] = {}
        for site in self.sites:
            self.sites_by_street.setdefault(site.street_id, []).append(site)
        self.streets = sorted(self.sites_by_street)
        # Some units fix things late and sloppily, others promptly: rankings need a spread.
        self.sloppiness = {
            u.pk: min(2.5, max(0.3, self.rng.lognormvariate(0, 0.5))) for u in catalogue.units
        }

    def plan(self) -> Plan:
        if not self.sites or not self.categories or not self.cat.teams:
            return Plan((), (), (), (), (), ())
        users, members, reporters = self._teams()
        drives = self._drives()
        inspections, visits = self._inspections(members, reporters)
        drafts = self._problems(inspections, visits, drives)
        inspections = self._summaries(inspections, drafts)
        problems = self._lives(drafts, inspections)
        commentaries = self._commentaries(inspections, problems)
        return Plan(
            users=tuple(users),
            team_members=tuple((pk, tuple(names)) for pk, names in members.items()),
            drives=tuple(drives),
            inspections=tuple(inspections),
            problems=tuple(problems),
            commentaries=tuple(commentaries),
        )

    # -- people and teams

    def _name(self) -> str:
        given = "".join(self.rng.sample(GIVEN_NAME_CHARS, self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def _teams(self):
        users, members, reporters = [], {}, {}
        for team in self.cat.teams:
            count = TEAM_SCHEDULE.get(team.kind, DEFAULT_SCHEDULE)[2]
            seeded = [
                PlannedUser(f"inspector_{team.pk}_{n}", self._name(), f"{team.name}督查员", team.pk)
                for n in range(1, count + 1)
            ]
            users += seeded
            demo = [m for m in self.cat.demo_members if team.kind in m.team_kinds]
            members[team.pk] = [u.username for u in seeded] + [m.username for m in demo]
            reporters[team.pk] = [u.username for u in seeded] + [
                m.username for m in demo if m.reports
            ]
        return users, members, reporters

    # -- drives, inspections and site visits

    def _drives(self) -> list[DrivePlan]:
        """A 百日大会战 (100 days, the first to the hundredth) when the history is long enough,
        else a shorter 集中整治行动; it starts a third of the way into the history."""
        days = (self.today - self.start).days
        start = self.start + timedelta(days=days // 3)
        if days >= 150:
            return [DrivePlan("城市环境百日大会战", start, start + timedelta(days=DRIVE_DAYS - 1))]
        end = min(self.today, start + timedelta(days=max(7, days // 3)))
        return [DrivePlan("市容环境集中整治行动", start, end)]

    def _day_time(self, day: date, minutes: int) -> datetime:
        return datetime.combine(day, time(8, 30), tzinfo=self.tz) + timedelta(minutes=minutes)

    def _inspections(self, members, reporters):
        rng = self.rng
        inspections, visits = [], []
        period = Period.of(self.start, WEEK)
        visited: dict[int, list[int]] = {}  # street → sites inspected before (for 回头看)
        week = 0
        while period.first < self.today:
            monday = period.first
            for offset, team in enumerate(self.cat.teams):
                per_week, kinds, _ = TEAM_SCHEDULE.get(team.kind, DEFAULT_SCHEDULE)
                count = (
                    int(per_week)
                    if per_week >= 1
                    else int((week + offset) % round(1 / per_week) == 0)
                )
                for _ in range(count):
                    day = monday + timedelta(days=rng.randint(0, 4))
                    if day < self.start or day >= self.today or not reporters[team.pk]:
                        continue
                    kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
                    street = rng.choice(self.streets)
                    pool = self.sites_by_street[street]
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
                            submitted_at=self._day_time(day, rng.randint(480, 540)),
                        )
                    )
            period = period.next()
            week += 1
        inspections.sort(key=lambda i: (i.date, i.team_id))
        for index, inspection in enumerate(inspections):
            visits += [(index, site_id) for site_id in inspection.site_ids]
        return inspections, visits

    # -- problems found

    def _category_weights(self, site: SiteInfo) -> list[float]:
        weights = []
        for category in self.categories:
            types, exclusive = SITE_AFFINITY.get(category.name, ((), False))
            if site.type_name in types:
                weights.append(4.0)
            else:
                weights.append(0.0 if exclusive else 1.0)
        return weights

    def _problems(self, inspections, visits, drives) -> list[dict]:
        rng = self.rng
        sites = {s.pk: s for s in self.sites}
        street_factor = {pk: rng.uniform(0.6, 1.5) for pk in self.streets}
        site_factor = {s.pk: rng.uniform(0.4, 1.8) for s in self.sites}
        kind_factor = {UNANNOUNCED: 1.4, REVISIT: 0.6}
        category_weights = {s.pk: self._category_weights(s) for s in self.sites}
        drafts = []
        from_visits = round(self.target * 0.95) if visits else 0
        weights = [
            site_factor[site_id]
            * street_factor[sites[site_id].street_id]
            * kind_factor.get(inspections[index].kind, 1.0)
            for index, site_id in visits
        ]
        picks = rng.choices(visits, weights=weights, k=from_visits) if visits else []
        per_visit: dict[tuple[int, int], int] = {}
        for index, site_id in sorted(picks):
            inspection = inspections[index]
            n = per_visit[(index, site_id)] = per_visit.get((index, site_id), 0) + 1
            base = self._day_time(inspection.date, 0)
            minutes = inspection.site_ids.index(site_id) * 50 + n * 7 + rng.randint(0, 30)
            drafts.append(
                dict(
                    inspection=index,
                    source="inspection",
                    site=sites[site_id],
                    reported_at=base + timedelta(minutes=min(minutes, 470)),
                    reporter=inspection.created_by,
                )
            )
        sources = ["hotline", "hotline", "hotline", "leader", "leader", "suggestion"]
        span_days = (self.today - self.start).days
        for _ in range(self.target - len(drafts)):
            day = self.start + timedelta(days=rng.randrange(max(1, span_days)))
            drafts.append(
                dict(
                    inspection=None,
                    source=rng.choice(sources),
                    site=rng.choices(self.sites, weights=[site_factor[s.pk] for s in self.sites])[
                        0
                    ],
                    reported_at=self._day_time(day, rng.randint(30, 480)),
                    reporter=SECRETARIAT,
                )
            )
        drafts = [d for d in drafts if d["reported_at"] < self.now - timedelta(minutes=30)]
        drafts.sort(key=lambda d: (d["reported_at"], d["site"].pk))
        for draft in drafts:
            site = draft["site"]
            category = rng.choices(self.categories, weights=category_weights[site.pk])[0]
            template = rng.choice(
                DESCRIPTIONS.get(category.name, ("{site}发现{category}问题，需及时整改。",))
            )
            text = template.format(site=site.name, category=category.name)
            draft.update(
                category=category,
                description=SOURCE_PREFIX.get(draft["source"], "") + text,
                photo=rng.randrange(POOL_SIZE),
                drive=self._drive_for(draft, inspections, drives),
            )
        return drafts

    def _drive_for(self, draft, inspections, drives) -> int | None:
        for index, drive in enumerate(drives):
            if drive.start <= draft["reported_at"].date() <= drive.end:
                special = draft["inspection"] is not None and (
                    inspections[draft["inspection"]].kind == SPECIAL
                )
                if special or self.rng.random() < 0.3:
                    return index
        return None

    def _summaries(self, inspections, drafts) -> list[InspectionPlan]:
        found: dict[int, list[str]] = {}
        for draft in drafts:
            if draft["inspection"] is not None:
                found.setdefault(draft["inspection"], []).append(draft["category"].name)
        result = []
        for index, inspection in enumerate(inspections):
            names = found.get(index, [])
            street = (
                self.units[inspection.street_id].label if inspection.street_id in self.units else ""
            )
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
            submitted = min(submitted, self.now - timedelta(minutes=5))
            result.append(replace(inspection, summary=text, submitted_at=submitted))
        return result

    # -- each problem's life

    def _fates(self, drafts) -> list[str]:
        """How far each problem's story has got by now.

        The newest few wait to be assigned; problems still within their time limit are mostly
        open, a third of those just past it too (overdue), older ones are closed or voided,
        except a few long-overdue ones under 督办 ("stuck"). At least ``MIN_OPEN`` of the newest
        are open whatever their age, so even a small history shows every state.
        """
        rng = self.rng
        n = len(drafts)
        fates = ["closed"] * n
        n_reported = max(2, round(n * 0.006))
        opened = 0
        for rank, i in enumerate(range(n - 1, -1, -1)):
            if rank < n_reported:
                fates[i] = "reported"
                continue
            age = (self.now - drafts[i]["reported_at"]).total_seconds() / 3600
            limit = drafts[i]["category"].limit_hours
            chance = 0.85 if age < limit else 0.35 if age < limit + 96 else 0.0
            if opened < MIN_OPEN or rng.random() < chance:
                fates[i] = OPEN_CYCLE[opened % len(OPEN_CYCLE)]
                opened += 1
            elif rng.random() < 0.02:
                fates[i] = "void"
        cutoff = self.now - timedelta(days=12)  # long enough for any time limit to have passed
        long_ago = [
            i for i in range(n) if fates[i] == "closed" and drafts[i]["reported_at"] < cutoff
        ]
        for i in rng.sample(long_ago, min(len(long_ago), max(1, round(n * 0.01)))):
            fates[i] = "stuck"
        return fates

    def _lives(self, drafts, inspections) -> list[ProblemPlan]:
        result = []
        for draft, fate in zip(drafts, self._fates(drafts), strict=True):
            reporter = draft["reporter"]
            reviewer = (
                reporter if reporter != SECRETARIAT and self.rng.random() < 0.7 else SECRETARIAT
            )
            steps = _Life(self, draft, reviewer).build(fate)
            result.append(
                ProblemPlan(
                    inspection=draft["inspection"],
                    source=draft["source"],
                    site_id=draft["site"].pk,
                    category_id=draft["category"].pk,
                    reported_at=draft["reported_at"],
                    reporter=reporter,
                    description=draft["description"],
                    photo=draft["photo"],
                    drive=draft["drive"],
                    steps=steps,
                )
            )
        return result

    def other_unit(self, site: SiteInfo, category: CategoryInfo, current: int) -> int | None:
        """Where a disputed problem is reassigned: the 条 department, else the other 块 unit."""
        for pk in (
            category.default_department_id,
            site.community_id,
            site.street_id,
            site.default_unit_id,
        ):
            if pk is not None and pk != current and pk in self.units:
                return pk
        return None

    # -- commentary

    def _commentaries(self, inspections, problems) -> list[CommentaryPlan]:
        rng = self.rng
        units = [u for u in self.cat.units if u.kind in ("street", "community", "department")]
        if not units:
            return []
        unit_weights = [3 if u.kind == "street" else 1 for u in units]
        span = (self.today - self.start).days
        count = max(4, round(span / 30.5 * 4))
        kinds = ("written", "meeting", "onsite")
        result = []
        for n in range(count):
            day = self.start + timedelta(days=round((n + rng.random()) * span / count))
            day = min(day, self.today - timedelta(days=1))
            kind = kinds[n % 3] if n < 3 else rng.choice(kinds)
            tone = "criticism" if n == 0 or (n != 1 and rng.random() < 0.55) else "praise"
            chosen = []
            for _ in range(rng.randint(1, 3)):
                unit = rng.choices(units, weights=unit_weights)[0]
                if unit not in chosen:
                    chosen.append(unit)
            names = "、".join(u.label for u in chosen)
            topic = rng.choice(COMMENTARY_TOPICS)
            category = rng.choice(self.categories).name
            if tone == "praise":
                title = f"表扬{names}{topic}工作"
                text = (
                    f"{names}高度重视创建工作，{topic}措施有力、成效明显，"
                    "督查发现的问题整改及时到位，值得各单位学习借鉴。"
                )
            else:
                title = f"{names}{category}问题整改不力"
                text = (
                    f"近期督查发现，{names}辖区{category}问题反复出现，整改不及时、不彻底。"
                    "请立即组织力量整改，并于5日内书面报告整改措施。"
                )
            inspection = site_id = None
            related: tuple[int, ...] = ()
            same_day = [i for i, ins in enumerate(inspections) if ins.date <= day]
            if kind == "onsite" and same_day:
                inspection = same_day[-1]
                day = inspections[inspection].date
                site_id = rng.choice(inspections[inspection].site_ids)
                related = tuple(i for i, p in enumerate(problems) if p.inspection == inspection)[:3]
            receipts = tuple(self._receipt(kind, tone, day, u) for u in chosen)
            result.append(
                CommentaryPlan(
                    kind, tone, day, title[:200], text, inspection, site_id, related, receipts
                )
            )
        return self._leave_overdue(result)

    def _receipt(self, kind, tone, day, unit) -> ReceiptPlan:
        rng = self.rng
        if kind != "written":
            return ReceiptPlan(unit.pk, None, "", None)
        issued = datetime.combine(day, time(10), tzinfo=self.tz)
        ack = issued + timedelta(hours=rng.uniform(2, 30))
        if ack >= self.now or rng.random() < 0.1:
            return ReceiptPlan(unit.pk, None, "", None)
        if tone != "criticism":
            return ReceiptPlan(unit.pk, ack, "", None)
        replied = ack + timedelta(hours=rng.uniform(20, 100))
        if replied >= self.now or rng.random() < 0.15:
            return ReceiptPlan(unit.pk, ack, "", None)
        return ReceiptPlan(unit.pk, ack, rng.choice(REPLIES), replied)

    def _leave_overdue(self, commentaries) -> list[CommentaryPlan]:
        """The last two past-due written criticisms stay unanswered (逾期未回复)."""
        due = [
            i
            for i, c in enumerate(commentaries)
            if c.kind == "written"
            and c.tone == "criticism"
            and c.date + timedelta(days=5) < self.today
        ]
        for i in due[-2:]:
            c = commentaries[i]
            first = c.receipts[0]
            receipts = (
                ReceiptPlan(first.unit_id, first.acknowledged_at, "", None),
                *c.receipts[1:],
            )
            commentaries[i] = replace(c, receipts=receipts)
        return commentaries


class _Life:
    """One problem's steps after it was reported, built in hours after the report and then fitted
    before "now" (squeezed proportionally when the story would not have finished yet)."""

    def __init__(self, planner: _Planner, draft: dict, reviewer: str):
        self.p = planner
        self.rng = planner.rng
        self.draft = draft
        self.reviewer = reviewer
        self.site: SiteInfo = draft["site"]
        self.category: CategoryInfo = draft["category"]
        self.limit = self.category.limit_hours
        self.t = 0.0
        self.deadline = 0.0
        self.unit = self.site.default_unit_id
        self.steps: list[tuple[float, dict]] = []

    def add(self, after: float, action: str, actor: str, **kw) -> None:
        previous = self.t
        self.t = self._working_hours(previous + max(0.05, after), previous, action, actor)
        self.steps.append((self.t, dict(action=action, actor=actor, **kw)))

    def _working_hours(self, t: float, previous: float, action: str, actor: str) -> float:
        """People act by day: the office between 8:30 and 18:00, the units and inspectors
        between 7:30 and 21:00. A step that would fall at night moves back into the evening
        when it still comes after the previous step, else on to the next morning."""
        if action == Action.ASSIGN and actor not in (SECRETARIAT, LEADER):
            return t  # 现场交办, on the spot
        office = actor in (SECRETARIAT, LEADER) and action in OFFICE_ACTIONS
        start, end = (8.5, 18.0) if office else (7.5, 21.0)
        when = self.draft["reported_at"] + timedelta(hours=t)
        hour = when.hour + when.minute / 60
        if hour < start:
            return t + start - hour + self.rng.uniform(0, 1)
        if hour >= end:
            evening = t - (hour - end) - self.rng.uniform(0.1, 1)
            if evening > previous + 0.05:
                return evening
            return t + 24 - hour + start + self.rng.uniform(0, 1)
        return t

    def build(self, fate: str) -> tuple[Step, ...]:
        if fate != "reported":
            self._story(fate)
        return self._fit()

    def _story(self, fate: str) -> None:  # noqa: C901 — one story, told in order
        rng, reporter = self.rng, self.draft["reporter"]
        if fate == "void":
            self.add(rng.uniform(2, 20), Action.VOID, SECRETARIAT, note=rng.choice(VOID_REASONS))
            return
        if reporter != SECRETARIAT and rng.random() < 0.45:  # 现场交办
            self.add(rng.uniform(0.1, 0.5), Action.ASSIGN, reporter)
        else:
            dept = self.category.default_department_id
            if dept in self.p.units and dept != self.unit and rng.random() < 0.2:
                self.unit = dept
            self.add(rng.uniform(2, 26), Action.ASSIGN, SECRETARIAT, unit_id=self.unit)
        self.deadline = self.t + self.limit
        if rng.random() < 0.9:
            self.add(rng.uniform(0.5, min(8, self.limit / 3)), Action.ACKNOWLEDGE, LIAISON)
        closed = fate == "closed"
        if fate == "disputed" or (closed and rng.random() < 0.05):
            if not self._dispute(decide=fate != "disputed"):
                return
        if fate == "extension_pending" or (closed and rng.random() < 0.06):
            self._extension(decide=fate != "extension_pending")
        if fate in ("assigned", "extension_pending", "disputed"):
            return
        if fate == "stuck":
            self.at(self.deadline + rng.uniform(4, 24), Action.ESCALATE, LEADER)
            if rng.random() < 0.5:
                self.add(rng.uniform(72, 168), Action.ESCALATE, LEADER)
            return
        sloppy = self.p.sloppiness.get(self.unit, 1.0)
        late = rng.random() < 0.08 * sloppy
        if late or self.deadline - self.t < 0.5:
            submit_at = max(self.t, self.deadline) + rng.uniform(6, 72)
        else:
            submit_at = self.t + (self.deadline - self.t) * rng.uniform(0.25, 0.8)
        if submit_at > self.deadline and (late and rng.random() < 0.45 or rng.random() < 0.05):
            escalate_at = self.deadline + (submit_at - self.deadline) * rng.uniform(0.2, 0.6)
            self.at(max(escalate_at, self.t + 0.1), Action.ESCALATE, LEADER)
        self.at(max(submit_at, self.t + 0.1), Action.SUBMIT, LIAISON, **self._report())
        if fate == "submitted":
            return
        for _ in range(rng.choices((0, 1, 2), weights=(88, 9 * sloppy, 3 * sloppy))[0]):
            back, again = rng.uniform(2, 20), rng.uniform(6, 40)
            room = self.deadline - self.t
            if not late and room > 1 and rng.random() < 0.6:  # returned and redone in time
                back, again = min(back, room * 0.2), min(again, room * 0.4)
            self.add(back, Action.RETURN, self.reviewer, note=rng.choice(RETURN_REASONS))
            self.add(again, Action.SUBMIT, LIAISON, **self._report())
        review = rng.uniform(2, 20)
        if not late and self.deadline - self.t > 0.5:  # a timely fix is reviewed in time too
            review = min(review, (self.deadline - self.t) * rng.uniform(0.3, 0.9))
        self.add(review, Action.APPROVE, self.reviewer, note=rng.choice(APPROVE_NOTES))

    def at(self, when: float, action: str, actor: str, **kw) -> None:
        self.add(when - self.t, action, actor, **kw)

    def _report(self) -> dict:
        """The note and after-photo of a 提交整改."""
        return dict(note=self.rng.choice(SUBMIT_NOTES), photo=self.rng.randrange(POOL_SIZE))

    def _dispute(self, *, decide: bool) -> bool:
        rng = self.rng
        other = self.p.other_unit(self.site, self.category, self.unit)
        if other is None:
            return True
        reason = rng.choice(DISPUTE_REASONS).format(other=self.p.units[other].label)
        self.add(rng.uniform(1, 6), Action.DISPUTE, LIAISON, note=reason)
        if not decide:
            return False
        if rng.random() < 0.6:
            self.unit = other
            self.add(rng.uniform(3, 24), Action.REASSIGN, SECRETARIAT, unit_id=other)
            self.deadline = self.t + self.limit
            if rng.random() < 0.8:
                self.add(rng.uniform(0.5, min(6, self.limit / 3)), Action.ACKNOWLEDGE, LIAISON)
        else:
            self.add(
                rng.uniform(3, 24), Action.REJECT_DISPUTE, SECRETARIAT, note=REJECT_DISPUTE_NOTE
            )
        return True

    def _extension(self, *, decide: bool) -> None:
        rng = self.rng
        room = self.deadline - self.t
        if room < 1:
            return
        days = rng.randint(2, 5)
        self.add(
            room * rng.uniform(0.3, 0.7),
            Action.REQUEST_EXTENSION,
            LIAISON,
            note=rng.choice(EXTENSION_REASONS),
            extend_days=days,
        )
        if not decide:
            return
        if rng.random() < 0.7:
            self.add(rng.uniform(2, 12), Action.APPROVE_EXTENSION, SECRETARIAT, note="同意延期。")
            self.deadline += days * 24
        else:
            self.add(
                rng.uniform(2, 12), Action.REJECT_EXTENSION, SECRETARIAT, note=REJECT_EXTENSION_NOTE
            )

    def _fit(self) -> tuple[Step, ...]:
        if not self.steps:
            return ()
        reported = self.draft["reported_at"]
        room = (self.p.now - reported).total_seconds() / 3600 - 0.25
        if room <= 0.2:
            return ()
        last = self.steps[-1][0]
        scale = min(1.0, room / last)
        return tuple(
            Step(at=reported + timedelta(seconds=round(offset * scale * 3600)), **kw)
            for offset, kw in self.steps
        )
