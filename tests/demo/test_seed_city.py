"""manage.py seed_city: a city-sized district written in bulk, whose rows agree with each other as
if the workflow had written them, deterministic, and refused where it does not belong."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.test import override_settings

from civility.core.models import User
from civility.org.models import Headquarters, Site, Unit
from civility.supervision.inspections.models import Inspection
from civility.supervision.inspections.visits import SiteVisit, SiteVisitItem, record_visit_results
from civility.supervision.problems import workflow
from civility.supervision.problems.models import (
    CREATED,
    Action,
    Photo,
    Problem,
    ProblemEvent,
    Sequence,
)

S = Problem.Status
UNTIL = "2026-11-30"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_city", "--force", "--until", UNTIL, *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """Seeded once for the module inside a transaction rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo_users", "--force", stdout=io.StringIO())
        with transaction.atomic():
            seed("--problems", "400")
            first = snapshot()
            transaction.set_rollback(True)
        output = seed("--problems", "400")
        yield output, first
        transaction.set_rollback(True)


def snapshot() -> list[tuple]:
    return list(
        Problem.objects.order_by("number").values_list(
            "number", "status", "primary_unit__name", "site__name", "reported_at", "deadline"
        )
    )


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_seed_city_builds_a_city_sized_district(seeded):
    hq = Headquarters.objects.get(code="HL")
    # 593 units of the district (the participation seed adds a few 小区/居民小组 beside them).
    district = Unit.objects.filter(headquarters=hq).exclude(kind=Unit.Kind.NEIGHBOURHOOD)
    assert district.count() == 593
    assert Site.objects.filter(headquarters=hq).count() == 3455
    # 400 of the history; the participation seed's suggestions become a few problems more.
    assert Problem.objects.exclude(source=Problem.Source.SUGGESTION).count() == 400
    # Every unit has a liaison who can sign in to its inbox.
    assert not district.exclude(members__groups__name="liaison").exists()
    output, _ = seeded
    assert "problem 400" in output


def test_seed_city_spreads_problems_over_five_years(seeded):
    years = set(Problem.objects.values_list("reported_at__year", flat=True))
    assert years == {2021, 2022, 2023, 2024, 2025, 2026}
    assert Inspection.objects.count() >= 400 // 5


def test_seed_city_status_is_the_last_event(seeded):
    last = {}
    for problem_id, to_status in ProblemEvent.objects.order_by("at", "id").values_list(
        "problem_id", "to_status"
    ):
        last[problem_id] = to_status
    assert last == dict(Problem.objects.values_list("id", "status"))


def test_seed_city_events_chain_like_the_workflow(seeded):
    previous = {}
    for problem_id, action, from_status, to_status in ProblemEvent.objects.order_by(
        "problem_id", "at", "id"
    ).values_list("problem_id", "action", "from_status", "to_status"):
        if problem_id not in previous:
            assert (action, from_status, to_status) == (CREATED, "", S.REPORTED)
        else:
            assert from_status == previous[problem_id]
            spec = workflow.ACTIONS[Action(action)]
            assert from_status in spec.sources
            assert to_status == (spec.target or from_status)
        previous[problem_id] = to_status


def test_seed_city_fields_agree_with_events(seeded):
    for problem in Problem.objects.annotate(
        returns=Count("events", filter=Q(events__action=Action.RETURN)),
        escalations=Count("events", filter=Q(events__action=Action.ESCALATE)),
        closed=Max("events__at", filter=Q(events__action=Action.APPROVE)),
    ):
        assert problem.rework_count == problem.returns
        assert problem.escalation_level == problem.escalations
        assert problem.closed_at == problem.closed
        if problem.status in (S.REPORTED, S.VOID):
            assert problem.primary_unit_id is None
            assert not problem.cooperating_units.exists()
        else:
            assert problem.primary_unit_id is not None and problem.deadline is not None


def test_seed_city_distributions_are_realistic(seeded):
    total = Problem.objects.count()
    late = Problem.objects.filter(
        Q(status=S.CLOSED, closed_at__gt=F("deadline")) | Q(status__in=Problem.OPEN_STATUSES)
    )
    returned = Problem.objects.filter(rework_count__gt=0).count()
    escalated = Problem.objects.filter(escalation_level__gt=0).count()
    assert 0.08 * total < late.count() < 0.25 * total
    assert 0.05 * total < returned < 0.16 * total
    assert 0.01 * total < escalated < 0.10 * total
    # Each problem has its before-photo rows (no files), submits have after-photos.
    assert (
        Photo.objects.filter(kind=Photo.Kind.BEFORE).values("problem").distinct().count() == total
    )
    assert (
        Photo.objects.filter(kind=Photo.Kind.AFTER).count()
        >= ProblemEvent.objects.filter(action=Action.SUBMIT).count()
    )


def test_seed_city_numbers_continue_in_the_workflow(seeded, site, inspector):
    """The yearly sequence is moved past the seeded numbers, so the next report gets a new one."""
    last = Sequence.objects.get(name="problem", year=2026).value
    assert Problem.objects.filter(number=f"HL-2026-{last:06d}").exists()
    problem, _ = workflow.report_problem(
        by=inspector,
        site=site,
        category=site.headquarters.problem_categories.first(),
        description="新问题",
        now=datetime(2026, 12, 1, 10, tzinfo=SHANGHAI),
    )
    assert problem.number == f"HL-2026-{last + 1:06d}"


def test_seed_city_is_deterministic(seeded):
    _, first = seeded
    assert snapshot() == first


def test_seed_city_refuses_a_headquarters_with_problems(seeded):
    with pytest.raises(CommandError, match="已有问题数据"):
        seed("--problems", "10")


def test_seed_city_refuses_without_debug(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_city", "--problems", "10", stdout=io.StringIO())


def test_seed_city_liaisons_have_no_usable_password(seeded):
    user = User.objects.filter(username__startswith="city-liaison-").first()
    assert user is not None and not user.has_usable_password()
    assert date.fromisoformat(UNTIL).year == 2026


def test_seed_city_visits_are_scored_as_submitting_scores_them(seeded):
    """Every inspected site has its visit; rescoring an inspection through the editor's own
    service gives the same 得分率 and item results."""
    pairs = Inspection.sites.through.objects.count()
    assert SiteVisit.objects.count() == pairs
    assert SiteVisitItem.objects.filter(result=SiteVisitItem.Result.FAIL).exists()
    with_failures = (
        Inspection.objects.filter(visits__items_failed__gt=0).distinct().order_by("id")[:5]
    )
    for inspection in with_failures:
        seeded_rows = visit_rows(inspection)
        record_visit_results(inspection)
        assert visit_rows(inspection) == seeded_rows


def visit_rows(inspection) -> list[tuple]:
    return [
        (
            visit.site_id,
            visit.checklist_id,
            visit.score_rate,
            visit.items_failed,
            sorted(
                (i.item_id, i.result, tuple(sorted(p.pk for p in i.problems.all())))
                for i in visit.items.all()
            ),
        )
        for visit in SiteVisit.objects.filter(inspection=inspection)
        .prefetch_related("items__problems")
        .order_by("site_id")
    ]
