"""The Huli District fixture (fixtures/huli.json) and the demo_users command."""

import re
from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civility.core.models import User
from civility.core.roles import Role
from civility.org.models import (
    AssessmentMethod,
    Assignment,
    Checklist,
    ChecklistItem,
    Headquarters,
    Indicator,
    Leader,
    Linkage,
    ProblemCategory,
    Site,
    SiteType,
    Unit,
    WorkGroup,
)

HULI = str(Path(__file__).resolve().parents[2] / "fixtures" / "huli.json")
FIXTURE_MODELS = (
    Headquarters,
    Leader,
    Unit,
    WorkGroup,
    Linkage,
    AssessmentMethod,
    Indicator,
    SiteType,
    Site,
    ProblemCategory,
    Checklist,
    ChecklistItem,
    Assignment,
)
COMMUNITIES_PER_STREET = {
    "湖里街道": 18,
    "殿前街道": 8,
    "禾山街道": 10,
    "江头街道": 9,
    "金山街道": 9,
}
DEMO_USERNAMES = {
    "admin",
    "secretariat",
    "leader",
    "inspector",
    "liaison",
    "liaison2",
    "representative",
}


def units(hq, kind):
    return Unit.objects.filter(headquarters=hq, kind=kind)


def counts():
    return {model.__name__: model.objects.count() for model in FIXTURE_MODELS}


# --- headquarters and leaders -------------------------------------------------------------------


def test_fixture_headquarters_has_commander_deputy_and_office(hq):
    assert hq.name == "湖里区创建全国文明城市指挥部"
    assert hq.doc_prefix == "湖创指"
    assert hq.commander.title == "区委书记"
    assert hq.commander.hq_role == Leader.HqRole.COMMANDER
    assert hq.executive_deputy.title == "区长"
    assert hq.executive_deputy.hq_role == Leader.HqRole.EXECUTIVE_DEPUTY
    assert hq.office_unit.name == "区委宣传部（区文明办）"


def test_fixture_leaders_cover_the_five_bodies(hq):
    leaders = Leader.objects.filter(headquarters=hq)
    assert leaders.count() >= 12
    assert set(leaders.values_list("body", flat=True)) == set(Leader.Body.values)


# --- units ------------------------------------------------------------------------------------


def test_fixture_has_five_streets(hq):
    assert set(units(hq, Unit.Kind.STREET).values_list("name", flat=True)) == set(
        COMMUNITIES_PER_STREET
    )


def test_fixture_has_the_communities_of_each_street(hq):
    per_street = Counter(units(hq, Unit.Kind.COMMUNITY).values_list("parent__name", flat=True))
    assert dict(per_street) == COMMUNITIES_PER_STREET


def test_fixture_communities_are_named_after_their_place(hq):
    assert all(
        name.endswith("社区")
        for name in units(hq, Unit.Kind.COMMUNITY).values_list("name", flat=True)
    )


def test_fixture_has_at_least_twenty_departments(hq):
    departments = units(hq, Unit.Kind.DEPARTMENT)
    assert departments.count() >= 20
    assert departments.filter(is_committee_member=False).count() == 0


def test_fixture_has_the_departments_other_code_relies_on(hq):
    names = {
        "区委宣传部（区文明办）",
        "区建设局",
        "区市政园林局",
        "区城市管理行政执法局",
        "区公安分局",
        "区交警大队",
        "区工商局",
        "区文体局",
        "区卫生局",
        "区教育局",
        "区民政局",
        "区环保局",
        "区交通局",
        "区商务局",
        "团区委",
        "区妇联",
    }
    found = set(
        units(hq, Unit.Kind.DEPARTMENT).filter(name__in=names).values_list("name", flat=True)
    )
    assert found == names


def test_fixture_committee_members_are_streets_and_departments_not_communities(hq):
    """The 文明委's members are the streets and the departments (and some stationed units);
    communities are assessed monthly but not in the annual assessment of members."""
    assert not units(hq, Unit.Kind.COMMUNITY).filter(is_committee_member=True).exists()
    for kind in (Unit.Kind.STREET, Unit.Kind.DEPARTMENT):
        assert not units(hq, kind).filter(is_committee_member=False).exists(), kind


def test_fixture_has_stationed_and_other_units(hq):
    assert units(hq, Unit.Kind.STATIONED).count() >= 3
    assert units(hq, Unit.Kind.OTHER).count() >= 1


# --- work groups ------------------------------------------------------------------------------


def test_fixture_has_ten_work_groups_each_fully_staffed(hq):
    groups = WorkGroup.objects.filter(headquarters=hq).order_by("order")
    assert [g.order for g in groups] == list(range(1, 11))
    for group in groups:
        assert group.head is not None, group
        assert group.lead_unit is not None, group
        assert 3 <= group.member_units.count() <= 8, group
        assert group.duties, group


def test_fixture_work_group_heads_span_the_five_bodies(hq):
    bodies = set(WorkGroup.objects.filter(headquarters=hq).values_list("head__body", flat=True))
    assert bodies == set(Leader.Body.values)


# --- linkages ---------------------------------------------------------------------------------


def test_fixture_has_a_contact_leader_for_every_street(hq):
    linked = set(
        Linkage.objects.filter(headquarters=hq, kind=Linkage.Kind.LEADER_CONTACT).values_list(
            "target_id", flat=True
        )
    )
    streets = set(units(hq, Unit.Kind.STREET).values_list("pk", flat=True))
    assert streets <= linked


def test_fixture_has_a_paired_department_for_every_community(hq):
    pairings = Linkage.objects.filter(headquarters=hq, kind=Linkage.Kind.PAIRING)
    communities = set(units(hq, Unit.Kind.COMMUNITY).values_list("pk", flat=True))
    assert set(pairings.values_list("target_id", flat=True)) == communities
    assert set(pairings.values_list("department__kind", flat=True)) == {Unit.Kind.DEPARTMENT}


def test_fixture_has_at_least_six_cadre_linkages(hq):
    cadres = Linkage.objects.filter(headquarters=hq, kind=Linkage.Kind.CADRE_AREA)
    assert cadres.count() >= 6
    assert cadres.filter(cadre_name="").count() == 0
    assert cadres.filter(area="").count() == 0


def test_fixture_cadres_are_street_office_cadres_in_their_own_street(hq):
    """包片下点: a 街道机关干部 takes a 片区 (a community) of the street whose office they work
    in — not a department's deputy head."""
    cadres = Linkage.objects.filter(headquarters=hq, kind=Linkage.Kind.CADRE_AREA)
    for link in cadres.select_related("target__parent"):
        street = link.target.parent if link.target.kind == Unit.Kind.COMMUNITY else link.target
        assert street.kind == Unit.Kind.STREET, link
        assert link.cadre_name.split("（")[1].startswith(street.name), link.cadre_name
        assert "局" not in link.cadre_name, link.cadre_name


# --- assignments ------------------------------------------------------------------------------


def test_fixture_has_assignments_for_all_ten_work_groups(hq):
    assignments = Assignment.objects.filter(work_group__headquarters=hq)
    assert assignments.count() >= 45
    assert assignments.values("work_group").distinct().count() == 10
    kinds = set(assignments.values_list("unit__kind", flat=True))
    assert {Unit.Kind.STREET, Unit.Kind.COMMUNITY, Unit.Kind.DEPARTMENT} <= kinds


def test_fixture_assignment_progress_agrees_with_its_dates(hq):
    """A note never speaks of a year after the row was last updated (or completed), and a
    recurring assignment's note speaks of this year, not of 2007."""
    for a in Assignment.objects.filter(work_group__headquarters=hq):
        updated = a.completed_on or a.updated_at.date()
        years = {int(y) for y in re.findall(r"(20\d\d)年", a.progress)}
        assert all(year <= updated.year for year in years), (a.goal, a.progress)
        if a.due_date is None:
            assert years <= {updated.year}, (a.goal, a.progress)
        if a.completed_on is not None:
            assert a.completed_on <= a.updated_at.date(), a.goal


def test_fixture_parking_categories_are_told_apart(hq):
    categories = ProblemCategory.objects.filter(headquarters=hq, name__contains="停")
    assert {(c.name, c.default_department.name) for c in categories} == {
        ("非机动车乱停乱放", "区城市管理行政执法局"),
        ("机动车违章停放", "区交警大队"),
    }


def test_fixture_assignments_show_every_due_state(db):
    from datetime import date

    today = date(2026, 11, 28)
    states = {a.due_state(today) for a in Assignment.objects.all()}
    assert states == set(Assignment.DueState.values)


# --- standards --------------------------------------------------------------------------------


def test_fixture_has_the_six_assessment_methods(db):
    assert list(AssessmentMethod.objects.order_by("pk").values_list("name", flat=True)) == [
        "实地考察",
        "材料审核",
        "问卷调查",
        "网络调查",
        "听取汇报",
        "整体观察",
    ]


def test_fixture_has_a_three_level_indicator_tree_with_methods(hq):
    indicators = Indicator.objects.filter(headquarters=hq)
    assert indicators.count() >= 40
    assert set(indicators.values_list("level", flat=True)) == {1, 2, 3}
    assert indicators.filter(level=1).count() >= 6
    assert indicators.filter(methods__isnull=True).count() == 0


def test_fixture_has_at_least_eighteen_site_types(hq):
    assert SiteType.objects.filter(headquarters=hq).count() >= 18


def test_fixture_sites_have_an_area_unit_in_their_street(hq):
    sites = Site.objects.filter(headquarters=hq).select_related("community", "default_unit")
    assert sites.count() >= 40
    for site in sites:
        assert site.default_unit.kind in Unit.AREA_KINDS, site
        assert site.default_unit_id in (site.street_id, site.community_id), site
        if site.community:
            assert site.community.parent_id == site.street_id, site
        assert 1 <= site.cooperating_units.count() <= 3, site


def test_fixture_has_at_least_fifteen_problem_categories(hq):
    categories = ProblemCategory.objects.filter(headquarters=hq)
    assert categories.count() >= 15
    for category in categories:
        assert category.work_group is not None, category
        assert category.default_department is not None, category
        assert category.indicator.level == 3, category
        assert 24 <= category.time_limit_hours <= 168, category


def test_fixture_has_a_checklist_for_every_site_type(hq):
    types = SiteType.objects.filter(headquarters=hq)
    checklists = Checklist.for_year(hq, date.today().year)
    assert set(checklists) == set(types.values_list("pk", flat=True))
    for checklist in checklists.values():
        items = list(checklist.items.all())
        assert 8 <= len(items) <= 10, checklist
        total = sum(item.points for item in items)
        assert total == 100, checklist
        # Two or three failed items of average weight land around 70–85 (模拟测评).
        two, three = (Decimal(100) * (1 - Decimal(k) / len(items)) for k in (2, 3))
        assert 75 <= two <= 80 and 62 <= three <= 70, checklist
        categories = [c.pk for item in items for c in item.categories.all()]
        assert len(categories) == len(set(categories)), f"a category fails two items: {checklist}"
        # Most items fail by the problems recorded; the rest only by the inspector's mark.
        assert sum(bool(item.categories.all()) for item in items) > len(items) / 2, checklist
        assert all(item.indicator.level == 3 for item in items), checklist
        assert {m.name for item in items for m in item.indicator.methods.all()} >= {"实地考察"}


def test_fixture_checklist_items_fail_on_the_categories_of_their_indicator(hq):
    """Items read like the 测评体系: a category fails an item of the same Ⅲ indicator, or of a
    closely related one (e.g. 设施破损 at a bus stop fails 候车设施完好, Ⅲ-5.4.3)."""
    items = ChecklistItem.objects.filter(checklist__headquarters=hq)
    matching = total = 0
    for item in items.prefetch_related("categories").select_related("indicator"):
        for category in item.categories.all():
            total += 1
            matching += category.indicator_id == item.indicator_id
    assert total >= 150 and matching / total >= 0.7


@pytest.mark.parametrize("model", FIXTURE_MODELS, ids=lambda m: m.__name__)
def test_fixture_objects_pass_full_clean(db, model):
    for obj in model.objects.all():
        obj.full_clean()


def test_fixture_loaded_twice_changes_nothing(db):
    before = counts()
    call_command("loaddata", HULI, verbosity=0)
    assert counts() == before


# --- demo_users -------------------------------------------------------------------------------


def run_demo_users(*args) -> str:
    out = StringIO()
    call_command("demo_users", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # The command hashes seven passwords per run; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def debug(settings, db):
    settings.DEBUG = True
    return settings


def test_demo_users_creates_one_login_per_role(debug):
    output = run_demo_users()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert set(users) == DEMO_USERNAMES
    assert {u: sorted(users[u].role_names) for u in users} == {
        "admin": [Role.SECRETARIAT],
        "secretariat": [Role.SECRETARIAT],
        "leader": [Role.LEADER],
        "inspector": [Role.INSPECTOR],
        "liaison": [Role.LIAISON],
        "liaison2": [Role.LIAISON],
        "representative": [Role.REPRESENTATIVE],
    }
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["secretariat"].is_staff and not users["secretariat"].is_superuser
    assert users["liaison"].unit.name == "湖里街道"
    assert users["liaison2"].unit.name == "区城市管理行政执法局"
    assert users["representative"].title == "区人大代表"
    assert all(u.check_password("civility-demo") for u in users.values())
    assert "liaison2" in output and "区城市管理行政执法局" in output


def test_demo_users_links_the_leader_login_to_the_executive_deputy(debug, hq):
    run_demo_users()
    hq.refresh_from_db()
    assert hq.executive_deputy.user.username == "leader"


def test_demo_users_run_twice_changes_nothing(debug):
    run_demo_users()
    before = (User.objects.count(), User.groups.through.objects.count())
    passwords = dict(User.objects.values_list("username", "password"))
    run_demo_users()
    assert (User.objects.count(), User.groups.through.objects.count()) == before
    assert dict(User.objects.values_list("username", "password")) == passwords


def test_demo_users_refuses_when_debug_is_off(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("demo_users")
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == 0


def test_demo_users_runs_with_force_when_debug_is_off(settings, db):
    settings.DEBUG = False
    run_demo_users("--force")
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERNAMES)


def test_demo_users_asks_for_fixtures_when_headquarters_is_missing(debug):
    with pytest.raises(CommandError, match="loaddata"):
        call_command("demo_users", "--headquarters", "XX")
