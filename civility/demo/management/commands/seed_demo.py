"""Fill a headquarters with months of realistic, deterministic history — for demos only.

The plan comes from ``civility.demo.history.plan_history`` (pure, seeded); this command
carries it out. Every problem is created by ``workflow.report_problem`` and moved only by
``workflow.perform`` with the step's past time, so events, milestones, numbers and notifications
agree with each other. Idempotent: when the headquarters already has inspections or problems it
does nothing. Refuses to run with DEBUG off unless --force.
"""

from __future__ import annotations

import time as clock
from collections import Counter
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from civility.core.models import User
from civility.core.periods import MONTH, Period
from civility.core.roles import Role
from civility.demo import campaign as campaign_demo
from civility.demo import visits as demo_visits
from civility.demo.bulletins import Published, publish_history
from civility.demo.history import (
    LEADER,
    LIAISON,
    SECRETARIAT,
    Catalogue,
    CategoryInfo,
    DemoMember,
    Plan,
    SiteInfo,
    TeamInfo,
    UnitInfo,
    plan_history,
)
from civility.demo.participation import seed_participation
from civility.demo.pictures import photo_pool
from civility.org.models import Headquarters, ProblemCategory, Site, Unit
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.commentary.services import notify_issued
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.visits import SiteVisit
from civility.supervision.notifications.models import Notification
from civility.supervision.notifications.services import collected
from civility.supervision.problems import workflow
from civility.supervision.problems.models import (
    ExtensionRequest,
    Photo,
    Problem,
    ProblemEvent,
)

# Created when a headquarters has no teams yet (normally they come from fixtures/).
DEFAULT_TEAMS = (
    ("人大代表政协委员巡视组", InspectionTeam.Kind.DEPUTIES),
    ("区级领导督查组", InspectionTeam.Kind.LEADERS),
    ("退休干部顾问组", InspectionTeam.Kind.RETIREES),
    ("创建办督查组", InspectionTeam.Kind.OFFICE),
    ("第三方测评组", InspectionTeam.Kind.THIRD_PARTY),
)
UNREAD_DAYS = 7  # notifications of the last week are left unread


class Command(BaseCommand):
    help = "生成确定性的演示历史数据（督查、问题及其流转、点评、通知）。仅用于开发/演示环境。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2008, help="随机种子（默认 2008）")
        # A year, so that a leader's first visit finds a year of published bulletins.
        parser.add_argument(
            "--months", type=int, default=12, help="生成最近几个月的数据（默认 12）"
        )
        parser.add_argument("--problems", type=int, default=3000, help="问题数量（默认 3000）")
        parser.add_argument(
            "--headquarters", default="HL", metavar="CODE", help="指挥部编号前缀（默认 HL）"
        )
        parser.add_argument(
            "--force", action="store_true", help="即使 DEBUG 关闭也生成（切勿用于生产环境）"
        )

    def handle(self, *args, seed, months, problems, headquarters, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 已关闭（生产环境）：演示数据会混入真实数据，拒绝生成。"
                "如确需在此环境生成，请加 --force。"
            )
        if not 1 <= months <= 36:
            raise CommandError("--months 必须在 1 到 36 之间。")
        if not 0 <= problems <= 50000:
            raise CommandError("--problems 必须在 0 到 50000 之间。")
        hq = Headquarters.objects.filter(code=headquarters).first()
        if hq is None:
            raise CommandError(
                f"未找到编号为 {headquarters} 的指挥部。"
                "请先加载基础数据：python manage.py loaddata fixtures/huli.json"
            )
        if (
            Inspection.objects.filter(headquarters=hq).exists()
            or Problem.objects.filter(headquarters=hq).exists()
        ):
            self.stdout.write("演示数据已存在，跳过。")
            if participation := seed_participation(hq, now=timezone.now(), seed=seed):
                self.stdout.write(participation)
            return
        started = clock.monotonic()
        seeder = Seeder(hq, seed=seed, months=months, problems=problems, now=timezone.now())
        seeder.run()
        self.print_summary(seeder, seed, months, clock.monotonic() - started)
        self.stdout.write(seeder.participation)

    def print_summary(self, seeder: Seeder, seed: int, months: int, seconds: float) -> None:
        hq, now = seeder.hq, seeder.now
        problems = Problem.objects.filter(headquarters=hq)
        by_status = dict(problems.values_list("status").annotate(n=Count("pk")).order_by())
        overdue = problems.filter(Problem.due_state_q(Problem.DueState.OVERDUE, now)).count()
        late = problems.filter(Problem.due_state_q(Problem.DueState.CLOSED_LATE, now)).count()
        notes = Notification.objects.filter(problem__headquarters=hq)
        out = self.stdout.write
        out(
            self.style.SUCCESS(
                f"演示数据已生成（种子 {seed}，{months} 个月，用时 {seconds:.1f} 秒）："
            )
        )
        out(
            f"  督查 {Inspection.objects.filter(headquarters=hq).count()} 次，"
            f"问题 {problems.count()} 个，"
            f"流转记录 {ProblemEvent.objects.filter(problem__headquarters=hq).count()} 条，"
            f"照片 {Photo.objects.filter(problem__headquarters=hq).count()} 张"
        )
        parts = [f"{status.label} {by_status.get(status.value, 0)}" for status in Problem.Status]
        out("  问题状态：" + "、".join(parts))
        out(f"  其中逾期未销号 {overdue} 个，逾期销号 {late} 个")
        escalations = ProblemEvent.objects.filter(
            problem__headquarters=hq, action=workflow.Action.ESCALATE
        ).count()
        out(
            f"  督办 {escalations} 次，"
            f"延期申请 {ExtensionRequest.objects.filter(problem__headquarters=hq).count()} 件，"
            f"点评 {Commentary.objects.filter(headquarters=hq).count()} 条，"
            f"问题通知 {notes.count()} 条（未读 {notes.filter(read_at__isnull=True).count()} 条）"
        )
        out(f"  新建账号 {seeder.created_users} 个（联络员、督查员；无密码，不能登录）")
        out(seeder.bulletins.summary())
        marks = seeder.marks
        out(
            f"  点位测评 {SiteVisit.objects.filter(inspection__headquarters=hq).count()} 个次，"
            f"督查员标记不合格 {marks['fail']} 项、不适用 {marks['na']} 项"
        )
        last = Period.last_ended(MONTH, timezone.localdate(now))
        out(f"  {last.label}考评等次分布：")
        for label, bands in demo_visits.band_distribution(hq, last, now=now).items():
            shown = [f"{band} {bands[band]}" for band in (*demo_visits.BANDS, "未考评")]
            out(f"    {label}：" + "、".join(shown))


class _Outbox:
    """Notifications stamped with the time of the step that caused them.

    The workflow sends its notifications after commit, stamped "now"; a seeded history needs
    them in the past, and read unless recent. So the seeder performs each step with
    ``notify=False``, sends the step's notices itself right after it, and while seeding
    ``notifications.collected`` hands the rows here (timestamped by ``self.at``) to be inserted in
    bulk at the end.
    """

    def __init__(self, now: datetime):
        self.now = now
        self.at = now
        self.rows: list[tuple[Notification, datetime]] = []

    def __enter__(self):
        self._collecting = collected(self.collect)
        self._collecting.__enter__()
        return self

    def __exit__(self, *exc):
        self._collecting.__exit__(*exc)

    def collect(self, rows: list[Notification]) -> None:
        old = self.at < self.now - timedelta(days=UNREAD_DAYS)
        read_at = min(self.at + timedelta(hours=3), self.now) if old else None
        for row in rows:
            row.read_at = read_at
        self.rows += [(row, self.at) for row in rows]

    def flush(self) -> None:
        rows = [row for row, _ in self.rows]
        Notification.objects.bulk_create(rows, batch_size=500)
        for row, at in self.rows:
            row.created_at = at  # auto_now_add stamped them "now"
        Notification.objects.bulk_update(rows, ["created_at"], batch_size=500)
        self.rows = []


class Seeder:
    """Carries out one plan for one headquarters, in one transaction."""

    def __init__(self, hq: Headquarters, *, seed: int, months: int, problems: int, now: datetime):
        self.hq, self.seed, self.months, self.count, self.now = hq, seed, months, problems, now
        self.tz = timezone.get_current_timezone()
        self.created_users = 0
        self.commentaries: list[Commentary] = []
        self.bulletins = Published()
        self.marks: Counter = Counter()

    def run(self) -> Plan:
        with _Outbox(self.now) as self.outbox, transaction.atomic():
            self.groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
            self.units = {u.pk: u for u in Unit.objects.filter(headquarters=self.hq)}
            self.teams = self._teams()
            self.secretariat = self._role_user(Role.SECRETARIAT, "secretariat", "创建办演示账号")
            self.leader = self._role_user(Role.LEADER, "leader", "指挥部领导演示账号")
            self.liaisons = self._liaisons()
            self.plan = plan_history(
                seed=self.seed,
                now=self.now,
                months=self.months,
                problems=self.count,
                catalogue=self._catalogue(),
            )
            self._people()
            self.before, self.after = photo_pool(after=False), photo_pool(after=True)
            drives = campaign_demo.create_drives(self.hq, now=self.now, months=self.months)
            inspections = self._inspections()
            campaign_demo.tag_inspections(inspections)
            problems = self._problems(inspections, drives)
            # Each visit is scored as it was submitted: with the problems recorded on it (not
            # yet moved on by the workflow) and the inspectors' 不合格/不适用 marks.
            self.marks = demo_visits.score_inspections(inspections, seed=self.seed)
            problems = self._lives(problems)
            campaign_demo.link_recurrences(problems)
            self._commentaries(inspections, problems)
            self._backdate(inspections)
            # Suggestions and activities before the bulletins, so the published months carry them.
            self.participation = seed_participation(self.hq, now=self.now, seed=self.seed)
            self.bulletins = publish_history(self)
            campaign_demo.seed_levers(self.hq, self.secretariat, self.leader, now=self.now)
            self.outbox.flush()
        return self.plan

    # -- people

    def _teams(self) -> dict[int, InspectionTeam]:
        teams = InspectionTeam.objects.filter(headquarters=self.hq, active=True)
        if not teams.exists():
            for name, kind in DEFAULT_TEAMS:
                InspectionTeam.objects.get_or_create(
                    headquarters=self.hq, name=name, defaults={"kind": kind}
                )
        return {t.pk: t for t in teams.order_by("pk")}

    def _new_user(self, username: str, name: str, role: Role, **fields) -> User:
        user = User.objects.create(
            username=username, name=name, password=make_password(None), **fields
        )
        user.groups.add(self.groups[role])
        self.created_users += 1
        return user

    def _role_user(self, role: Role, username: str, name: str) -> User:
        """The demo login of a role if it exists, else any such user, else a new one."""
        users = User.objects.filter(groups__name=role, is_active=True).order_by("pk")
        return (
            users.filter(username=username).first()
            or users.filter(is_superuser=False).first()
            or self._new_user(f"demo_{role}", name, role)
        )

    def _liaisons(self) -> dict[int, User]:
        """The liaison of every active unit; units without one get one (no password)."""
        existing = User.objects.filter(
            groups__name=Role.LIAISON, is_active=True, unit__headquarters=self.hq
        ).order_by("pk")
        by_unit: dict[int, User] = {}
        for user in existing:
            by_unit.setdefault(user.unit_id, user)
        taken = set(
            User.objects.filter(username__startswith="liaison_").values_list("username", flat=True)
        )
        for unit in self.units.values():
            if unit.active and unit.pk not in by_unit and f"liaison_{unit.pk}" not in taken:
                by_unit[unit.pk] = self._new_user(
                    f"liaison_{unit.pk}",
                    f"{unit.display_name}联络员",
                    Role.LIAISON,
                    unit=unit,
                    title=f"{unit.name}联络员",
                )
        return by_unit

    def _catalogue(self) -> Catalogue:
        sites = (
            Site.objects.filter(headquarters=self.hq, active=True)
            .select_related("type", "headquarters", "default_unit")
            .prefetch_related("cooperating_units")
            .order_by("pk")
        )
        self.sites = {s.pk: s for s in sites}
        categories = (
            ProblemCategory.objects.filter(headquarters=self.hq, active=True)
            .select_related("default_department")
            .order_by("order", "pk")
        )
        self.categories = {c.pk: c for c in categories}
        demo = []
        for username, kinds in (
            ("inspector", ("leaders", "office")),
            ("representative", ("deputies",)),
        ):
            user = User.objects.filter(username=username, is_active=True).first()
            if user is not None:
                demo.append(DemoMember(username, kinds, reports=user.has_role(Role.INSPECTOR)))
        return Catalogue(
            sites=tuple(
                SiteInfo(s.pk, s.name, s.type.name, s.street_id, s.community_id, s.default_unit_id)
                for s in self.sites.values()
            ),
            categories=tuple(
                CategoryInfo(c.pk, c.name, c.time_limit_hours, c.default_department_id)
                for c in self.categories.values()
            ),
            teams=tuple(TeamInfo(t.pk, t.kind, t.name) for t in self.teams.values()),
            units=tuple(
                UnitInfo(u.pk, u.name, u.short_name, u.kind)
                for u in sorted(self.units.values(), key=lambda u: u.pk)
                if u.active and u.pk in self.liaisons
            ),
            demo_members=tuple(demo),
        )

    def _people(self) -> None:
        """The planned inspectors, and every team's members."""
        planned = [p.username for p in self.plan.users]
        self.users = {u.username: u for u in User.objects.filter(username__in=planned)}
        for person in self.plan.users:
            if person.username not in self.users:
                self.users[person.username] = self._new_user(
                    person.username, person.name, Role.INSPECTOR, title=person.title
                )
        for member in User.objects.filter(username__in=("inspector", "representative")):
            self.users[member.username] = member
        for team_pk, usernames in self.plan.team_members:
            self.teams[team_pk].members.add(*(self.users[name] for name in usernames))

    def _actor(self, actor: str, problem: Problem | None = None) -> User:
        if actor == SECRETARIAT:
            return self.secretariat
        if actor == LEADER:
            return self.leader
        if actor == LIAISON:
            return self.liaisons[problem.primary_unit_id]
        return self.users[actor]

    # -- inspections and problems

    def _inspections(self) -> list[Inspection]:
        result = []
        for plan in self.plan.inspections:
            inspection = Inspection.objects.create(
                headquarters=self.hq,
                team=self.teams[plan.team_id],
                kind=plan.kind,
                date=plan.date,
                street=self.units[plan.street_id],
                summary=plan.summary,
                status=Inspection.Status.SUBMITTED,
                submitted_at=plan.submitted_at,
                created_by=self.users[plan.created_by],
            )
            inspection.inspectors.set([self.users[name] for name in plan.inspectors])
            inspection.sites.set(plan.site_ids)
            result.append(inspection)
        return result

    def _recache(self, problem: Problem, reporter: User) -> Problem:
        """refresh_from_db() drops cached relations; put back the objects already in memory."""
        problem.headquarters = self.hq
        problem.site = self.sites[problem.site_id]
        problem.category = self.categories[problem.category_id]
        problem.reported_by = reporter
        if problem.primary_unit_id:
            problem.primary_unit = self.units[problem.primary_unit_id]
        return problem

    def _problems(self, inspections, drives) -> list[Problem]:
        """Every planned problem, reported (its life comes after the visits are scored)."""
        result = []
        for plan in self.plan.problems:
            reporter = self._actor(plan.reporter)
            self.outbox.at = plan.reported_at
            problem, _ = workflow.report_problem(
                by=reporter,
                site=self.sites[plan.site_id],
                category=self.categories[plan.category_id],
                description=plan.description,
                photos=[self.before[plan.photo]],
                inspection=inspections[plan.inspection] if plan.inspection is not None else None,
                source=plan.source,
                now=plan.reported_at,
            )
            result.append(self._recache(problem, reporter))
        return result

    def _lives(self, problems: list[Problem]) -> list[Problem]:
        result = []
        for problem, plan in zip(problems, self.plan.problems, strict=True):
            reporter = problem.reported_by
            for step in plan.steps:
                problem = self._step(problem, step, reporter)
            result.append(problem)
        return result

    def _step(self, problem: Problem, step, reporter: User) -> Problem:
        action = workflow.Action(step.action)
        by = self._actor(step.actor, problem)
        extra = {}
        if step.unit_id is not None:
            extra["unit"] = self.units[step.unit_id]
        if step.extend_days:
            extra["deadline"] = problem.deadline + timedelta(days=step.extend_days)
        if step.photo is not None:
            extra["photos"] = [self.after[step.photo]]
        self.outbox.at = step.at
        try:
            problem = workflow.perform(
                problem, action, by=by, note=step.note, now=step.at, notify=False, **extra
            )
        except (workflow.WorkflowError, ValidationError) as exc:
            message = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", []))
            raise CommandError(
                f"演示数据生成失败：{problem.number}「{action.label}」（{by}）：{message}"
            ) from exc
        self._recache(problem, reporter)
        workflow.announce(problem, action, by=by)
        if action == workflow.Action.REQUEST_EXTENSION:
            ExtensionRequest.objects.filter(
                problem=problem, status=ExtensionRequest.Status.PENDING
            ).update(created_at=step.at)
        return problem

    # -- commentary

    def _commentaries(self, inspections, problems) -> None:
        for plan in self.plan.commentaries:
            issued = datetime.combine(plan.date, time(10), tzinfo=self.tz)
            commentary = Commentary.objects.create(
                headquarters=self.hq,
                kind=plan.kind,
                tone=plan.tone,
                date=plan.date,
                author=self.leader,
                title=plan.title,
                text=plan.text,
                inspection=inspections[plan.inspection] if plan.inspection is not None else None,
                site=self.sites.get(plan.site_id),
            )
            commentary.created_at = issued
            receipts = []
            for receipt in plan.receipts:
                liaison = self.liaisons.get(receipt.unit_id)
                receipts.append(
                    CommentaryReceipt(
                        commentary=commentary,
                        unit=self.units[receipt.unit_id],
                        acknowledged_by=liaison if receipt.acknowledged_at else None,
                        acknowledged_at=receipt.acknowledged_at,
                        reply=receipt.reply,
                        replied_by=liaison if receipt.replied_at else None,
                        replied_at=receipt.replied_at,
                    )
                )
            CommentaryReceipt.objects.bulk_create(receipts)
            if plan.problems:
                commentary.problems.set([problems[i] for i in plan.problems])
            self.outbox.at = issued
            notify_issued(commentary)
            self.commentaries.append(commentary)

    def _backdate(self, inspections) -> None:
        """auto_now_add stamped rows "now"; give them the time they belong to."""
        for inspection in inspections:
            inspection.created_at = datetime.combine(inspection.date, time(8, 30), tzinfo=self.tz)
        Inspection.objects.bulk_update(inspections, ["created_at"], batch_size=500)
        Commentary.objects.bulk_update(self.commentaries, ["created_at"], batch_size=500)
        event_time = ProblemEvent.objects.filter(pk=OuterRef("event_id")).values("at")[:1]
        Photo.objects.filter(problem__headquarters=self.hq, event__isnull=False).update(
            uploaded_at=Subquery(event_time)
        )
