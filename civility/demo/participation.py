"""The demo's 全民参与: suggestions in every state with ratings, a year of activities across the
five series, one complete selection (公示 and results) and one still open, budgets for the demo
years beside the report's 2006 and 2007, and a few 小区 and 共建单位.

Everything goes through the functions the pages use (``participation.suggestions``, the problem
workflow, ``participation.activities``, ``participation.selections``), with each step's past time;
notifications are stamped with their step's time. Deterministic for a seed; each part is skipped
when its data already exists, so running it again changes nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from civility.core.models import User
from civility.core.roles import Role
from civility.demo.participation_budget import seed_budgets
from civility.demo.participation_texts import (
    ACTIVITIES,
    COMPOUNDS,
    ORGANISATIONS,
    ORGANISER_KINDS,
    REPLIES,
    SUGGESTIONS,
)
from civility.demo.pictures import photo_pool
from civility.org.models import ProblemCategory, Site, Unit
from civility.participation import activities, selections, suggestions
from civility.participation.models import (
    Activity,
    ActivitySeries,
    ParticipatingOrganisation,
    Selection,
    Suggestion,
)
from civility.participation.suggestions import Action, ProblemDraft
from civility.supervision.notifications.models import Notification
from civility.supervision.notifications.services import collected
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Drive

UNREAD_DAYS = 7
CONVERTED = ("converted", "closed", "closed_satisfied", "returned")  # fates made into problems


class _Stamp:
    """Notifications stamped with the time of the step that sent them (read when old)."""

    def __init__(self, now: datetime):
        self.now, self.at, self.rows = now, now, []

    def collect(self, rows) -> None:
        self.rows += [(row, self.at) for row in rows]

    def flush(self) -> None:
        rows = [row for row, _at in self.rows]
        Notification.objects.bulk_create(rows)
        for row, at in self.rows:
            row.created_at = at
            if at < self.now - timedelta(days=UNREAD_DAYS):
                row.read_at = min(at + timedelta(hours=5), self.now)
        Notification.objects.bulk_update(rows, ["created_at", "read_at"])


def seed_participation(hq, *, now: datetime | None = None, seed: int = 2008) -> str:
    """Seed what is missing; a one-line summary (Chinese) for seed_demo, "" when all existed."""
    now = now or timezone.now()
    seeder = _Seeder(hq, now=now, rng=random.Random(seed))
    stamp = _Stamp(now)
    seeder.stamp = stamp
    with collected(stamp.collect), transaction.atomic():
        done = [part for part in seeder.run() if part]
        stamp.flush()
    return "  全民参与：" + "；".join(done) + "。" if done else ""


class _Seeder:
    def __init__(self, hq, *, now: datetime, rng: random.Random):
        self.hq, self.now, self.rng = hq, now, rng
        self.tz = timezone.get_current_timezone()

    def run(self) -> list[str]:
        self.secretariat = _user(Role.SECRETARIAT, "secretariat")
        self.inspector = _user(Role.INSPECTOR, "inspector")
        self.representatives = [
            _user(Role.REPRESENTATIVE, "representative"),
            _user(Role.REPRESENTATIVE, "demo_deputy", name="陈志明", title="区政协委员"),
        ]
        self.liaisons = {}
        for user in User.objects.filter(
            groups__name=Role.LIAISON, is_active=True, unit__headquarters=self.hq
        ).order_by("pk"):
            self.liaisons.setdefault(user.unit_id, user)
        self.streets = list(Unit.objects.filter(headquarters=self.hq, kind="street", active=True))
        return [
            self._levels(),
            seed_budgets(
                self.hq, now=self.now, rng=self.rng, streets=self.streets, by=self.secretariat
            ),
            self._activities(),
            self._selections(),
            self._suggestions(),
        ]

    def _day(self, days_ago: float, hour: int = 10) -> datetime:
        day = (self.now - timedelta(days=days_ago)).astimezone(self.tz).date()
        return datetime.combine(day, time(hour, self.rng.randint(0, 59)), tzinfo=self.tz)

    # -- 四级同创 --------------------------------------------------------------------------------

    def _levels(self) -> str:
        communities = list(
            Unit.objects.filter(headquarters=self.hq, kind="community", active=True).order_by(
                "parent__order", "order", "id"
            )[: len(COMPOUNDS)]
        )
        made = 0
        for community, name, (kind, organisation, role) in zip(
            communities, COMPOUNDS, ORGANISATIONS, strict=False
        ):
            unit, created = Unit.objects.get_or_create(
                headquarters=self.hq,
                name=name,
                defaults={"kind": Unit.Kind.NEIGHBOURHOOD, "parent": community, "order": 90},
            )
            if created:  # a 小区 can own sites and be handed problems: someone must act for it
                self.liaisons[unit.pk] = _liaison_for(unit)
            ParticipatingOrganisation.objects.get_or_create(
                community=community, name=organisation, defaults={"kind": kind, "role": role}
            )
            made += created
        return f"小区/居民小组 {made} 个" if made else ""

    # -- 全民参与 --------------------------------------------------------------------------------

    def _activities(self) -> str:
        if Activity.objects.filter(headquarters=self.hq).exists():
            return ""
        series = list(ActivitySeries.objects.filter(headquarters=self.hq, active=True))
        units = Unit.objects.filter(headquarters=self.hq, active=True, pk__in=list(self.liaisons))
        # A few communities and departments that are active organisers, every street.
        pools = {
            "street": list(units.filter(kind="street").order_by("order", "id")),
            "community": list(units.filter(kind="community").order_by("order", "id")[:8]),
            "department": list(units.filter(kind="department").order_by("order", "id")[:8]),
        }
        if not series or not pools["street"]:
            return ""
        pictures = photo_pool(after=True)
        drives = list(Drive.objects.filter(headquarters=self.hq))
        count = 0
        for days_ago in range(364, 0, -2):
            day = self._day(days_ago).date()
            item = series[self.rng.randrange(len(series))]
            kinds = ORGANISER_KINDS.get(item.name, ("street",))
            pool = [u for kind in kinds for u in pools[kind]] or pools["street"]
            unit = pool[self.rng.randrange(len(pool))]
            participants = self.rng.randint(20, 320)
            volunteers = self.rng.randint(5, min(80, participants))
            titles = ACTIVITIES.get(item.name, ("志愿服务活动",))
            running = [d for d in drives if d.start_date <= day <= d.end_date]
            made, _created = activities.record_activity(
                by=self.liaisons[unit.pk],
                series=item,
                organiser=unit,
                title=f"{unit.display_name}{self.rng.choice(titles)}",
                date=day,
                place=f"{unit.display_name}辖区",
                participants=participants,
                volunteers=volunteers,
                volunteer_hours=Decimal(volunteers * self.rng.choice((2, 3, 4))),
                description="组织辖区居民、共建单位和志愿者参加，现场发放宣传资料。",
                drive=running[0] if running and item.name == "洁净家园在行动" else None,
                photos=[pictures[count % len(pictures)]] if count % 4 == 0 else [],
            )
            # Entered on the evening of the day it was held (the 通报 counts what was entered
            # by the period's end).
            Activity.objects.filter(pk=made.pk).update(created_at=self._day(days_ago, 20))
            count += 1
        return f"活动 {count} 项"

    # -- 典型评选 --------------------------------------------------------------------------------

    def _selections(self) -> str:
        if Selection.objects.filter(headquarters=self.hq).exists():
            return ""
        units = [u for u in self.streets if u.pk in self.liaisons]
        if not units:
            return "无街道联络员，未生成评选"
        start = self._day(80).date()
        done = Selection.objects.create(
            headquarters=self.hq,
            kind=Selection.Kind.PROPERTY,
            year=start.year,
            title=f"{start.year}年度十佳文明物业评选",
            quota=3,
            criteria="小区环境整洁、设施完好、服务规范，业主满意度高，积极参与创建活动。",
            nomination_deadline=start,
        )
        names = ("金山物业", "海天物业", "禾山物业", "兴隆物业", "湖里物业", "枋湖物业", "康乐物业")
        # The property companies of the registered 小区 are nominated for their 小区 (a winner's
        # honour is held by it, shown on its page); the others by name only.
        compounds = list(
            Unit.objects.filter(headquarters=self.hq, kind=Unit.Kind.NEIGHBOURHOOD, active=True)
            .exclude(name__endswith="居民小组")
            .order_by("order", "id")
        )
        nominations = []
        for i, name in enumerate(names):
            unit = units[i % len(units)]
            compound = next((c for c in compounds if c.name[:2] == name[:2]), None)
            made, _ = selections.nominate(
                done,
                by=self.liaisons[unit.pk],
                unit=unit,
                nominee_kind="compound" if compound else "unit",
                nominee=f"{name}（{compound.name}）" if compound else name,
                nominee_unit=compound,
                materials=f"{name}管理的小区连续两年无重大投诉，垃圾分类和文明劝导做得扎实。",
            )
            nominations.append(made)
        done = selections.start_review(done, by=self.secretariat)
        marks = {n.pk: (Decimal(self.rng.randint(700, 960)) / 10, False, "") for n in nominations}
        best = sorted(marks, key=lambda pk: -marks[pk][0])[: done.quota]
        marks = {pk: (score, pk in best, "") for pk, (score, _c, note) in marks.items()}
        done = selections.review(done, marks, by=self.secretariat)
        publicity = self._day(60).date()
        done = selections.start_publicity(
            done,
            by=self.secretariat,
            start=publicity,
            end=publicity + timedelta(days=6),
            today=publicity,
        )
        selections.publish_results(done, by=self.secretariat, now=self._day(50))
        year = self.now.astimezone(self.tz).year
        open_one = Selection.objects.create(
            headquarters=self.hq,
            kind=Selection.Kind.MORAL_MODEL,
            year=year,
            title=f"{year}年度道德模范评选",
            quota=5,
            criteria="助人为乐、见义勇为、诚实守信、敬业奉献、孝老爱亲。",
            nomination_deadline=self._day(-20).date(),
        )
        for unit, person in zip(units, ("林秀英", "黄志强"), strict=False):
            selections.nominate(
                open_one,
                by=self.liaisons[unit.pk],
                unit=unit,
                nominee_kind="person",
                nominee=person,
                materials=f"{person}长期义务照顾社区孤寡老人，带动邻里互助。",
            )
        return "评选 2 项（1 项已公布结果）"

    # -- 建议意见 --------------------------------------------------------------------------------

    def _suggestions(self) -> str:
        if Suggestion.objects.filter(headquarters=self.hq).exists():
            return ""
        sites = list(
            Site.objects.filter(headquarters=self.hq, active=True).select_related(
                "default_unit", "type"
            )
        )
        categories = {
            c.name: c for c in ProblemCategory.objects.filter(headquarters=self.hq, active=True)
        }
        fates = (  # (what happens to it, days since it was made)
            ("closed_satisfied", 150),
            ("second_round", 138),
            ("answered", 120),
            ("basic", 96),
            ("returned", 80),
            ("satisfied", 66),
            ("closed", 45),
            ("overdue", 34),
            ("replied", 20),
            ("converted", 14),
            ("assigned", 6),
            ("pending", 2),
        )
        before = photo_pool(after=False)
        for index, (fate, start) in enumerate(fates):
            kind, text, place, site_type, problem_category = SUGGESTIONS[index]
            matching = [s for s in sites if s.type.name == site_type] or sites
            site = matching[self.rng.randrange(len(matching))]
            author = self.representatives[0 if fate == "pending" else index % 2]
            self.stamp.at = self._day(start, 9)
            suggestion, _ = suggestions.submit(
                notify=False,
                by=author,
                headquarters=self.hq,
                category=kind,
                text=text,
                site=site,
                place=place,
                photos=[before[index % len(before)]] if index % 2 == 0 or fate in CONVERTED else [],
                now=self.stamp.at,
            )
            suggestions.notify_submitted(suggestion, suggestion.events.get())
            becomes = categories.get(problem_category) or next(iter(categories.values()))
            self._fate(suggestion, fate, start, site, becomes)
        return f"建议 {len(fates)} 条"

    def _step(self, suggestion, action, days_ago, **kwargs):
        self.stamp.at = self._day(days_ago, 15)
        suggestion = suggestions.perform(
            suggestion, action, now=self.stamp.at, notify=False, **kwargs
        )
        return self._told(suggestion)

    @staticmethod
    def _told(suggestion):
        """Send the notices of the suggestion's last step (stamped with its time)."""
        suggestions.send_notices(suggestion, suggestion.events.order_by("at", "id").last())
        return suggestion

    def _assign(self, suggestion, days_ago, unit, reply_in=10):
        due = self._day(days_ago).date() + timedelta(days=reply_in)
        return self._step(
            suggestion, Action.ASSIGN, days_ago, by=self.secretariat, unit=unit, deadline=due
        )

    def _reply(self, suggestion, days_ago):
        liaison = self.liaisons[suggestion.unit_id]
        return self._step(
            suggestion, Action.REPLY, days_ago, by=liaison, note=self.rng.choice(REPLIES)
        )

    def _convert(self, suggestion, days_ago, site, category, *, close: bool):
        self.stamp.at = self._day(days_ago, 11)
        unit = site.default_unit if site.default_unit_id in self.liaisons else None
        draft = ProblemDraft(site, category, suggestion.text, unit=unit)
        suggestion = suggestions.convert(
            suggestion, [draft], by=self.secretariat, now=self.stamp.at, notify=False
        )
        self._told(suggestion)
        problem = suggestion.problems.get()
        if unit is not None:
            workflow.announce(problem, "assign", by=self.secretariat)
        if not close or unit is None:
            return suggestion
        after = photo_pool(after=True)
        liaison = self.liaisons[unit.pk]
        self.stamp.at = self._day(days_ago - 3, 16)
        problem = workflow.perform(
            problem,
            "submit",
            by=liaison,
            note="已整改完毕。",
            photos=[after[problem.pk % len(after)]],
            now=self.stamp.at,
            notify=False,
        )
        workflow.announce(problem, "submit", by=liaison)
        self.stamp.at = self._day(days_ago - 4, 10)
        # 复查通过 closes the problem and, with it, the suggestion (its notice is sent then);
        # the demo's transaction has not committed yet, so the suggestion is followed by hand.
        workflow.perform(problem, "approve", by=self.inspector, now=self.stamp.at, notify=False)
        suggestions.follow_problem(problem.pk, at=self.stamp.at)
        return Suggestion.objects.get(pk=suggestion.pk)

    def _fate(self, suggestion, fate, start, site, category) -> None:  # noqa: C901
        author = suggestion.author
        unit = site.default_unit if site.default_unit_id in self.liaisons else None
        departments = [pk for pk, u in self.liaisons.items() if u.unit.kind == "department"]
        other = Unit.objects.get(pk=departments[0]) if departments else unit
        if fate == "pending":
            return
        if fate in CONVERTED:
            suggestion = self._convert(
                suggestion, start - 1, site, category, close=fate != "converted"
            )
            if fate == "closed_satisfied":
                self._step(suggestion, Action.RATE_SATISFIED, start - 6, by=author)
            if fate == "returned":
                self._step(
                    suggestion,
                    Action.RATE_UNSATISFIED,
                    start - 6,
                    by=author,
                    note="问题整改后不久又出现，希望建立长效机制。",
                )
            return
        if fate == "answered":
            suggestion = self._step(
                suggestion,
                Action.ANSWER,
                start - 2,
                by=self.secretariat,
                note="该建议已纳入下一阶段创建工作计划，将于下月组织实施。",
            )
            self._step(suggestion, Action.RATE_SATISFIED, start - 4, by=author)
            return
        target = other if fate in ("overdue", "second_round") else (unit or other)
        if target is None:
            return
        if fate == "assigned":
            self._assign(suggestion, 1, target, reply_in=10)
            return
        suggestion = self._assign(suggestion, start - 1, target, reply_in=7)
        if fate == "overdue":
            return
        suggestion = self._reply(suggestion, start - 5)
        if fate == "satisfied":
            self._step(suggestion, Action.RATE_SATISFIED, start - 7, by=author)
        elif fate == "basic":
            self._step(suggestion, Action.RATE_BASIC, start - 7, by=author, note="基本解决。")
        elif fate == "second_round":
            suggestion = self._step(
                suggestion,
                Action.RATE_UNSATISFIED,
                start - 7,
                by=author,
                note="答复只说明了原因，没有具体措施。",
            )
            suggestion = self._assign(suggestion, start - 8, unit or target, reply_in=7)
            suggestion = self._reply(suggestion, start - 11)
            self._step(suggestion, Action.RATE_SATISFIED, start - 12, by=author)


def _user(role: Role, username: str, *, name: str = "", title: str = "") -> User:
    """The demo login of a role if it exists, else any active one, else a new one (no password)."""
    users = User.objects.filter(groups__name=role, is_active=True).order_by("pk")
    found = users.filter(username=username).first() or (
        users.filter(is_superuser=False).first() if not name else None
    )
    if found is not None:
        return found
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={"name": name or username, "title": title, "password": make_password(None)},
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def _liaison_for(unit: Unit) -> User:
    user, created = User.objects.get_or_create(
        username=f"liaison_{unit.pk}",
        defaults={
            "name": f"{unit.display_name}联络员",
            "title": f"{unit.name}联络员",
            "unit": unit,
            "password": make_password(None),
        },
    )
    if created:
        user.groups.add(Group.objects.get(name=Role.LIAISON))
    return user
