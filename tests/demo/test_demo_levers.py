"""The demo's campaign levers: the 百日大会战 (100 days) with its 五大战役, a 专项整治 of 占道经营,
the 拼搏年 with its 四拼, problems tagged by the workflow, honours with their history."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from civility.campaign.models import Honour, HonourChange
from civility.supervision.drives.models import Drive
from civility.supervision.inspections.models import Inspection
from civility.supervision.problems.models import Problem


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.getbasetemp() / "media"
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            call_command("demo_users", "--force", stdout=io.StringIO())
            call_command(
                "seed_demo", "--force", "--problems", "120", "--months", "4", stdout=io.StringIO()
            )
            yield
            transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_demo_drives_and_their_sub_drives(seeded):
    battle = Drive.objects.get(name="城市环境百日大会战")
    assert battle.days == 100
    assert sorted(battle.children.values_list("name", flat=True)) == sorted(
        ["市容环境战役", "占道整治战役", "交通秩序战役", "拆违攻坚战役", "宣传氛围战役"]
    )
    year = Drive.objects.get(kind=Drive.Kind.THEME_YEAR)
    assert sorted(year.children.values_list("name", flat=True)) == sorted(
        ["拼环境", "拼秩序", "拼设施", "拼素质"]
    )
    special = Drive.objects.get(name="占道经营专项整治")
    assert list(special.categories.values_list("name", flat=True)) == ["占道经营"]
    assert battle.targets.count() == 3


def test_demo_problems_are_tagged_by_category(seeded):
    # Every problem of a drive with target categories is of one of them, reported in its period.
    checked = 0
    for drive in Drive.objects.prefetch_related("categories"):
        targets = {c.pk for c in drive.categories.all()}
        for problem in Problem.objects.filter(drive=drive):
            assert drive.runs_on(timezone.localdate(problem.reported_at))
            if targets:
                assert problem.category_id in targets, (drive.name, problem.number)
                checked += 1
    assert checked > 0
    assert Inspection.objects.filter(drive__isnull=False).exists()


def test_demo_recurrences_link_an_earlier_closed_problem_of_the_same_site(seeded):
    recurring = Problem.objects.filter(recurrence_of__isnull=False).select_related("recurrence_of")
    assert recurring.exists()
    for problem in recurring:
        earlier = problem.recurrence_of
        assert (earlier.site_id, earlier.category_id) == (problem.site_id, problem.category_id)
        assert earlier.closed_at <= problem.reported_at


def test_demo_honours_have_history(seeded):
    honours = Honour.objects.all()
    assert honours.count() >= 9
    for honour in honours:
        first = HonourChange.objects.filter(honour=honour).order_by("at", "id").first()
        assert (first.from_status, first.to_status) == ("", Honour.Status.ACTIVE)
