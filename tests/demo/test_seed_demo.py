"""manage.py seed_demo: months of demo history, made only through the workflow, deterministic in
its plan, idempotent, and refused in production."""

import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F
from django.test import override_settings
from django.utils import timezone

from civility.core.models import User
from civility.core.periods import MONTH, Period
from civility.core.roles import Role
from civility.demo import history as demo
from civility.demo import pictures as demo_pictures
from civility.org.models import Unit
from civility.reports import scoring
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.visits import SiteVisit, SiteVisitItem
from civility.supervision.notifications.models import Notification
from civility.supervision.problems.models import Action, Photo, Problem, ProblemEvent

S = Problem.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


def run(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seeding takes seconds: done once for this module, in a transaction rolled back after it.
    (Each test still runs in its own savepoint through the ``db`` fixture.)"""
    media = tmp_path_factory.getbasetemp() / "media"
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            call_command("demo_users", "--force", stdout=io.StringIO())
            yield run("--force", "--problems", "60", "--months", "2")
            transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_seed_demo_creates_a_mix_of_states(seeded):
    statuses = set(Problem.objects.values_list("status", flat=True))
    assert {S.CLOSED, S.ASSIGNED, S.SUBMITTED, S.REPORTED} <= statuses
    assert 50 <= Problem.objects.count() <= 60
    assert Inspection.objects.filter(status=Inspection.Status.SUBMITTED).count() >= 10


def test_seed_demo_writes_an_event_for_every_change(seeded):
    assert ProblemEvent.objects.count() >= Problem.objects.count()
    for problem in Problem.objects.prefetch_related("events"):
        events = list(problem.events.all())
        assert events[0].action == "create"
        assert events[0].at == problem.reported_at
        # The trail ends in the problem's current state: nothing moved it but the workflow.
        assert events[-1].to_status == problem.status


def test_seed_demo_milestones_agree_with_events(seeded):
    now = timezone.now()
    assert not ProblemEvent.objects.filter(at__gt=now).exists()
    closed = Problem.objects.filter(status=S.CLOSED)
    assert closed.count() >= 20
    assert not closed.filter(closed_at__lt=F("submitted_at")).exists()
    assert not closed.filter(submitted_at__lt=F("assigned_at")).exists()
    assert not Problem.objects.filter(assigned_at__lt=F("reported_at")).exists()
    for problem in closed.prefetch_related("events"):
        approve = [e for e in problem.events.all() if e.action == Action.APPROVE]
        assert approve[-1].at == problem.closed_at


def test_seed_demo_closed_problems_have_after_photos(seeded):
    closed = Problem.objects.filter(status=S.CLOSED)
    with_after = closed.filter(photos__kind=Photo.Kind.AFTER).distinct()
    assert with_after.count() == closed.count()
    assert not Problem.objects.exclude(photos__kind=Photo.Kind.BEFORE).exists()
    photo = Photo.objects.filter(kind=Photo.Kind.AFTER).select_related("event").first()
    assert photo.width == 800 and photo.height == 600
    assert photo.uploaded_at == photo.event.at


def test_seed_demo_numbers_unique(seeded):
    numbers = list(Problem.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert all(number.startswith("HL-") for number in numbers)


def test_seed_demo_every_unit_can_act(seeded):
    liaisons = User.objects.filter(groups__name=Role.LIAISON, is_active=True)
    units_without = Unit.objects.filter(active=True).exclude(members__in=liaisons)
    assert list(units_without) == []
    created = User.objects.get(username__startswith="liaison_", unit__name="湖里社区")
    assert created.name == "湖里社区联络员"
    assert not created.has_usable_password()
    # The demo liaison of 湖里街道 is used, not doubled.
    assert not User.objects.filter(username=f"liaison_{created.unit.parent_id}").exists()


def test_seed_demo_demo_logins_sit_on_teams(seeded):
    inspector = User.objects.get(username="inspector")
    assert set(inspector.teams.values_list("kind", flat=True)) == {
        InspectionTeam.Kind.LEADERS,
        InspectionTeam.Kind.OFFICE,
    }
    representative = User.objects.get(username="representative")
    assert list(representative.teams.values_list("kind", flat=True)) == [
        InspectionTeam.Kind.DEPUTIES
    ]
    for team in InspectionTeam.objects.annotate(n=Count("members")):
        assert team.n >= 2


def test_seed_demo_acts_through_the_right_people(seeded):
    escalations = ProblemEvent.objects.filter(action=Action.ESCALATE)
    assert set(escalations.values_list("actor__username", flat=True)) <= {"leader"}
    voids = ProblemEvent.objects.filter(action=Action.VOID)
    assert set(voids.values_list("actor__username", flat=True)) <= {"secretariat"}
    for event in ProblemEvent.objects.filter(action=Action.SUBMIT).select_related("actor"):
        assert event.actor.has_role(Role.LIAISON)


def test_seed_demo_notifications_are_stamped_in_the_past(seeded):
    now = timezone.now()
    notes = Notification.objects.all()
    assert notes.exists()
    assert not notes.filter(created_at__gt=now).exists()
    old = notes.filter(created_at__lt=now - timedelta(days=7))
    assert old.exists()
    assert not old.filter(read_at__isnull=True).exists()
    assert not notes.filter(created_at__gte=now - timedelta(days=7), read_at__isnull=False).exists()


def test_seed_demo_commentary_has_receipts(seeded):
    commentaries = Commentary.objects.annotate(n=Count("receipts"))
    assert commentaries.count() >= 4
    assert {c.n for c in commentaries} <= {1, 2, 3}
    assert set(commentaries.values_list("kind", flat=True)) == set(Commentary.Kind.values)
    written = CommentaryReceipt.objects.filter(commentary__kind=Commentary.Kind.WRITTEN)
    assert written.filter(acknowledged_at__isnull=False).exists()
    overdue = written.filter(
        commentary__tone=Commentary.Tone.CRITICISM,
        replied_at__isnull=True,
        commentary__date__lt=timezone.localdate() - timedelta(days=5),
    )
    assert overdue.exists()


def test_seed_demo_second_run_creates_nothing(seeded):
    models = (Problem, ProblemEvent, Inspection, User, Notification, Commentary, Photo)
    before = {model: model.objects.count() for model in models}
    output = run("--force", "--problems", "60", "--months", "2", "--seed", "7")
    assert output.strip() == "演示数据已存在，跳过。"
    assert {model: model.objects.count() for model in models} == before


def test_seed_demo_summary_counts_by_status(seeded):
    assert "演示数据已生成" in seeded
    closed = Problem.objects.filter(status=S.CLOSED).count()
    assert f"已销号 {closed}" in seeded


def test_seed_demo_scores_every_visit_from_its_checklist_with_marks(seeded):
    """Each visit of the seeded inspections has its 得分率 from the site type's checklist (every
    site type of the fixtures has one); some items were marked 不合格 or 不适用 by the
    inspector through the scoring service, a 不合格 mark always with a problem of the visit."""
    visits = SiteVisit.objects.filter(inspection__status=Inspection.Status.SUBMITTED)
    inspected = Inspection.sites.through.objects.filter(
        inspection__status=Inspection.Status.SUBMITTED
    )
    assert visits.count() == inspected.count() > 0
    assert not visits.filter(checklist__isnull=True).exists()
    rates = sorted(visits.values_list("score_rate", flat=True))
    assert rates[-1] == 100 and rates[0] < 85  # spread, not everything perfect
    for visit in visits.filter(items_failed__gt=0).prefetch_related("items")[:20]:
        applicable = [i for i in visit.items.all() if i.result != SiteVisitItem.Result.NA]
        passed = sum(i.points for i in applicable if i.result == SiteVisitItem.Result.PASS)
        rate = Decimal(100) * passed / sum(i.points for i in applicable)
        assert visit.score_rate == rate.quantize(Decimal("0.0001"))  # as stored
    marked = SiteVisitItem.objects.filter(marked=True)
    assert marked.filter(result=SiteVisitItem.Result.NA).exists()
    assert marked.filter(result=SiteVisitItem.Result.FAIL).exists()
    for item in marked.filter(result=SiteVisitItem.Result.FAIL).prefetch_related("problems"):
        linked = list(item.problems.all())
        assert linked and all(p.inspection_id == item.visit.inspection_id for p in linked)
    na = marked.filter(result=SiteVisitItem.Result.NA).first()
    assert na.item.na_allowed
    # 不适用 is a property of the site: every visit of that site marks the item so.
    same = SiteVisitItem.objects.filter(item=na.item, visit__site=na.visit.site)
    assert set(same.values_list("result", flat=True)) == {SiteVisitItem.Result.NA}
    assert f"督查员标记不合格 {marked.filter(result='fail').count()} 项" in seeded


def test_seed_demo_summary_shows_the_bands_of_the_last_ended_month(seeded):
    last = Period.last_ended(MONTH)
    assert f"{last.label}考评等次分布：" in seeded
    scores = scoring.monthly_scores(Unit.objects.first().headquarters, last.year, last.number)
    streets = [u.band or "未考评" for u in scores.units if u.kind == Unit.Kind.STREET]
    line = next(line for line in seeded.splitlines() if line.strip().startswith("街道："))
    for band in ("优秀", "良好", "合格", "不合格", "未考评"):
        assert f"{band} {streets.count(band)}" in line


def test_seed_demo_refuses_when_debug_off(db, settings):
    settings.DEBUG = False
    before = (Problem.objects.count(), Inspection.objects.count(), User.objects.count())
    with pytest.raises(CommandError, match="DEBUG 已关闭"):
        run("--problems", "5", "--months", "1")
    assert (Problem.objects.count(), Inspection.objects.count(), User.objects.count()) == before


def test_seed_demo_force_passes_the_debug_check(seeded, settings):
    settings.DEBUG = False
    assert run("--force").strip() == "演示数据已存在，跳过。"


# --- the plan, without a database -------------------------------------------------------------


def catalogue() -> demo.Catalogue:
    units = (
        demo.UnitInfo(1, "东街道", "东", "street"),
        demo.UnitInfo(2, "西街道", "西", "street"),
        demo.UnitInfo(11, "东一社区", "", "community"),
        demo.UnitInfo(21, "西一社区", "", "community"),
        demo.UnitInfo(90, "区城管局", "城管局", "department"),
    )
    sites = tuple(
        demo.SiteInfo(pk, f"点位{pk}", kind, street, community, default)
        for pk, kind, street, community, default in (
            (1, "主干道", 1, None, 1),
            (2, "农贸市场", 1, 11, 11),
            (3, "网吧", 1, 11, 11),
            (4, "背街小巷", 2, 21, 21),
            (5, "学校周边", 2, 21, 2),
            (6, "城中村", 2, None, 2),
        )
    )
    categories = (
        demo.CategoryInfo(1, "占道经营", 48, 90),
        demo.CategoryInfo(2, "暴露垃圾", 24, None),
        demo.CategoryInfo(3, "黑网吧", 72, 90),
        demo.CategoryInfo(4, "违章搭建", 168, 90),
    )
    teams = tuple(
        demo.TeamInfo(pk, kind, name)
        for pk, kind, name in (
            (1, "deputies", "巡视组"),
            (2, "leaders", "领导组"),
            (3, "retirees", "顾问组"),
            (4, "office", "督查组"),
            (5, "third_party", "测评组"),
        )
    )
    members = (demo.DemoMember("inspector", ("office",), reports=True),)
    return demo.Catalogue(sites, categories, teams, units, members)


NOW = datetime(2008, 6, 18, 15, 30, tzinfo=SHANGHAI)
TARGET = {
    Action.ASSIGN: S.ASSIGNED,
    Action.VOID: S.VOID,
    Action.SUBMIT: S.SUBMITTED,
    Action.DISPUTE: S.DISPUTED,
    Action.REASSIGN: S.ASSIGNED,
    Action.REJECT_DISPUTE: S.ASSIGNED,
    Action.RETURN: S.ASSIGNED,
    Action.APPROVE: S.CLOSED,
}


def final_status(problem: demo.ProblemPlan) -> str:
    status = S.REPORTED
    for step in problem.steps:
        status = TARGET.get(step.action, status)
    return status


def plan(seed=2008, now=NOW, problems=200, months=3) -> demo.Plan:
    return demo.plan_history(
        seed=seed, now=now, months=months, problems=problems, catalogue=catalogue()
    )


def test_plan_history_same_seed_same_plan():
    first, second = plan(), plan()
    assert first == second
    assert len(first.problems) == 200
    assert plan(seed=2009) != first


def test_plan_history_stays_in_the_past():
    for problem in plan().problems:
        times = [problem.reported_at] + [step.at for step in problem.steps]
        assert times == sorted(times)
        assert times[-1] < NOW


@pytest.mark.parametrize("hours", range(0, 7 * 24, 11))
def test_plan_history_shows_every_state_whatever_the_time(hours):
    result = plan(now=NOW + timedelta(hours=hours), problems=60, months=2)
    statuses = {final_status(p) for p in result.problems}
    assert {S.REPORTED, S.ASSIGNED, S.SUBMITTED, S.CLOSED} <= statuses


def test_plan_history_hundred_day_drive_lasts_a_hundred_days():
    drives = plan(months=6, problems=60).drives
    assert [(d.name, (d.end - d.start).days + 1) for d in drives] == [("城市环境百日大会战", 100)]
    assert drives[0].end < NOW.date()
    short = plan(months=2, problems=60).drives
    assert [d.name for d in short] == ["市容环境集中整治行动"]


def test_plan_history_finds_problems_where_they_belong():
    sites = {s.pk: s for s in catalogue().sites}
    for problem in plan().problems:
        if problem.category_id == 3:  # 黑网吧: only at 网吧 (or 城中村)
            assert sites[problem.site_id].type_name in {"网吧", "城中村"}


def test_render_scene_is_a_jpeg_of_the_right_size():
    data = demo_pictures.render_scene(3, after=False)
    assert data[:3] == b"\xff\xd8\xff"
    assert demo_pictures.render_scene(3, after=False) == data
    assert demo_pictures.render_scene(3, after=True) != data
