"""Tagging: a new problem gets the running drive that targets its category (the most specific
one), else its inspection's drive, else a running drive for every category; an inspection is
preselected with the running top-level drive of its day."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civility.org.models import ProblemCategory
from civility.supervision.drives.models import Drive
from civility.supervision.drives.services import (
    default_drive_for_inspection,
    drives_running_on,
    family_ids,
    running_drive_for,
)
from civility.supervision.inspections import services as inspections
from civility.supervision.inspections.models import InspectionTeam
from civility.supervision.problems import workflow
from tests.factories import photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def cats(hq):
    names = ["占道经营", "暴露垃圾", "非机动车乱停乱放", "黑网吧"]
    by_name = {c.name: c for c in ProblemCategory.objects.filter(headquarters=hq, name__in=names)}
    return [by_name[n] for n in names]


def drive(hq, name, start, end, *, categories=(), parent=None, kind=Drive.Kind.SPECIAL):
    made = Drive.objects.create(
        headquarters=hq, name=name, start_date=start, end_date=end, parent=parent, kind=kind
    )
    made.categories.set(categories)
    return made


@pytest.fixture
def battle(hq, today, cats):
    """百日大会战 (every category) with two of its 五大战役 running, and an ended 专项整治."""
    whole = drive(
        hq,
        "百日大会战",
        today - timedelta(days=20),
        today + timedelta(days=79),
        kind=Drive.Kind.HUNDRED_DAYS,
    )
    street_order = drive(
        hq,
        "市容秩序战役",
        today - timedelta(days=20),
        today + timedelta(days=40),
        categories=[cats[0], cats[1]],
        parent=whole,
        kind=Drive.Kind.BATTLE,
    )
    traffic = drive(
        hq,
        "交通秩序战役",
        today - timedelta(days=20),
        today + timedelta(days=40),
        categories=[cats[2]],
        parent=whole,
        kind=Drive.Kind.BATTLE,
    )
    drive(
        hq, "旧整治", today - timedelta(days=90), today - timedelta(days=60), categories=[cats[0]]
    )
    return {"whole": whole, "street_order": street_order, "traffic": traffic}


def test_running_drive_prefers_the_sub_drive_targeting_the_category(hq, today, cats, battle):
    assert running_drive_for(cats[0], today, hq) == battle["street_order"]
    assert running_drive_for(cats[2], today, hq) == battle["traffic"]


def test_running_drive_falls_back_to_the_drive_for_every_category(hq, today, cats, battle):
    assert running_drive_for(cats[3], today, hq) == battle["whole"]


def test_running_drive_prefers_the_inspection_drive_over_a_general_one(hq, today, cats, battle):
    special = drive(hq, "网吧整治", today, today + timedelta(days=5), categories=[cats[3]])
    assert running_drive_for(cats[1], today, hq, fallback=special) == battle["street_order"]
    other = ProblemCategory.objects.filter(headquarters=hq).exclude(pk__in=[c.pk for c in cats])
    assert running_drive_for(other.first(), today, hq, fallback=special) == special


def test_a_narrower_special_drive_wins_over_a_broad_battle(hq, today, cats, battle):
    focused = drive(hq, "占道经营专项整治", today - timedelta(days=3), today, categories=[cats[0]])
    assert running_drive_for(cats[0], today, hq) == focused
    # The day after it ended, the battle again.
    assert running_drive_for(cats[0], today + timedelta(days=1), hq) == battle["street_order"]


def test_no_drive_outside_every_period(hq, today, cats, battle):
    assert running_drive_for(cats[0], today + timedelta(days=200), hq) is None
    assert list(drives_running_on(hq, today - timedelta(days=70))) == [
        Drive.objects.get(name="旧整治")
    ]


def test_reported_problem_is_tagged_automatically(hq, today, cats, battle, site, inspector):
    problem, _ = workflow.report_problem(
        by=inspector, site=site, category=cats[1], description="垃圾外露", photos=[photo()]
    )
    assert problem.drive == battle["street_order"]


def test_problem_on_an_inspection_takes_its_drive_for_other_categories(
    hq, today, cats, battle, site, inspector
):
    team = InspectionTeam.objects.filter(headquarters=hq).first()
    special = drive(hq, "网吧整治", today, today, categories=[cats[3]])
    inspection, _ = inspections.create_inspection(by=inspector, team=team, drive=special)
    other = ProblemCategory.objects.filter(headquarters=hq).exclude(pk__in=[c.pk for c in cats])
    problem, _ = workflow.report_problem(
        by=inspector,
        site=site,
        category=other.first(),
        description="设施破损",
        photos=[photo()],
        inspection=inspection,
    )
    assert problem.drive == special


def test_inspection_is_preselected_with_the_running_top_level_drive(hq, today, battle):
    assert default_drive_for_inspection(hq, today) == battle["whole"]
    assert default_drive_for_inspection(hq, today + timedelta(days=300)) is None


def test_family_counts_sub_drives(battle):
    assert sorted(family_ids(battle["whole"])) == sorted(
        [battle["whole"].pk, battle["street_order"].pk, battle["traffic"].pk]
    )
    assert family_ids(battle["traffic"]) == [battle["traffic"].pk]


def test_sub_drive_must_run_within_its_parent(hq, today, battle):
    late = Drive(
        headquarters=hq,
        name="超期战役",
        start_date=today,
        end_date=today + timedelta(days=200),
        parent=battle["whole"],
    )
    with pytest.raises(ValidationError) as error:
        late.full_clean()
    assert "子行动的起止日期必须在上级行动的期间内" in str(error.value)


def test_drive_cannot_be_its_own_ancestor(battle):
    whole = battle["whole"]
    whole.parent = battle["traffic"]
    with pytest.raises(ValidationError) as error:
        whole.full_clean()
    assert "上级行动不能是本行动或其下级行动" in str(error.value)
