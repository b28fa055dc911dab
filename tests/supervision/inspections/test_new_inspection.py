"""开始督查 for an inspector on two teams: the last team used is preselected, so one tap starts the
inspection; a missing choice is said in Chinese by the app, not by the browser's bubble."""

import re

import pytest
from django.urls import reverse

from civility.core.roles import Role
from civility.supervision.inspections import services
from civility.supervision.inspections.forms import NewInspectionForm
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.permissions import inspection_teams_for
from tests.conftest import browser_login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(hq, inspector):
    office = InspectionTeam.objects.get(headquarters=hq, name="创建办督查组")
    leaders = InspectionTeam.objects.get(headquarters=hq, name="区级领导督查组")
    office.members.add(inspector)
    leaders.members.add(inspector)
    return {"office": office, "leaders": leaders}


def selected_team(html: str) -> str | None:
    select = re.search(r'<select name="team".*?</select>', html, re.S).group(0)
    chosen = re.search(r'<option value="(\d*)"[^>]*selected>', select)
    return chosen.group(1) or None if chosen else None  # "" is the 请选择督查组 prompt


def new_page(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("inspection_new")).content.decode()


def test_new_inspection_preselects_the_team_of_the_latest_inspection(client, inspector, teams):
    services.create_inspection(by=inspector, team=teams["office"])
    services.create_inspection(by=inspector, team=teams["leaders"])
    assert selected_team(new_page(client, inspector)) == str(teams["leaders"].pk)


def test_new_inspection_counts_an_inspection_the_person_took_part_in(
    client, inspector, secretariat, teams
):
    services.create_inspection(by=inspector, team=teams["office"])
    joined, _ = services.create_inspection(by=secretariat, team=teams["leaders"])
    joined.inspectors.add(inspector)
    assert selected_team(new_page(client, inspector)) == str(teams["leaders"].pk)


def test_new_inspection_ignores_a_team_the_person_left(client, inspector, teams, hq):
    services.create_inspection(by=inspector, team=teams["office"])
    third = InspectionTeam.objects.get(headquarters=hq, name="第三方测评组")
    third.members.add(inspector)
    services.create_inspection(by=inspector, team=third)
    third.members.remove(inspector)
    assert selected_team(new_page(client, inspector)) == str(teams["office"].pk)


def test_new_inspection_without_history_leaves_two_teams_to_choose(client, inspector, teams):
    assert selected_team(new_page(client, inspector)) is None


def test_new_inspection_preselects_an_only_team(client, inspector, hq):
    office = InspectionTeam.objects.get(headquarters=hq, name="创建办督查组")
    office.members.add(inspector)
    assert selected_team(new_page(client, inspector)) == str(office.pk)


def test_new_inspection_form_leaves_validation_to_the_app(client, inspector, teams):
    html = new_page(client, inspector)
    assert re.search(r'<form[^>]*id="inspection-new-form"[^>]*novalidate', html)


def test_new_inspection_without_a_team_says_so_in_chinese(client, inspector, teams):
    client.force_login(inspector)
    response = client.post(
        reverse("inspection_new"), {"team": "", "kind": "routine", "date": "", "street": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="field-error">请选择督查组。</p>' in html
    assert '<p class="field-error">请填写督查日期。</p>' in html
    assert Inspection.objects.filter(created_by=inspector).count() == 0


def test_new_inspection_form_bound_to_a_post_keeps_the_posted_team(inspector, teams):
    services.create_inspection(by=inspector, team=teams["leaders"])
    form = NewInspectionForm(
        {"team": teams["office"].pk, "kind": "routine", "date": "2008-03-01"},
        teams=inspection_teams_for(inspector),
        user=inspector,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["team"] == teams["office"]


@pytest.mark.browser
def test_browser_inspector_with_two_teams_starts_an_inspection_in_one_tap(
    live_huli, live_server, page
):
    inspector = make_user("b_inspector", Role.INSPECTOR)
    office = InspectionTeam.objects.get(name="创建办督查组")
    leaders = InspectionTeam.objects.get(name="区级领导督查组")
    office.members.add(inspector)
    leaders.members.add(inspector)
    services.create_inspection(by=inspector, team=leaders)

    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "b_inspector")
    page.goto(f"{live_server.url}{reverse('inspection_new')}")
    page.get_by_role("button", name="开始督查").click()
    page.wait_for_url(re.compile(r"/inspections/\d+/$"))
    latest = Inspection.objects.filter(created_by=inspector).order_by("-id").first()
    assert latest.team == leaders
    assert Inspection.objects.filter(created_by=inspector).count() == 2


@pytest.mark.browser
def test_browser_new_inspection_without_a_team_shows_the_chinese_message(
    live_huli, live_server, page
):
    inspector = make_user("b_inspector", Role.INSPECTOR)
    for name in ("创建办督查组", "区级领导督查组"):
        InspectionTeam.objects.get(name=name).members.add(inspector)

    browser_login(page, live_server, "b_inspector")
    page.goto(f"{live_server.url}{reverse('inspection_new')}")
    page.get_by_role("button", name="开始督查").click()
    page.locator(".field-error", has_text="请选择督查组。").wait_for()
    assert Inspection.objects.filter(created_by=inspector).count() == 0
