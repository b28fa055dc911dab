"""The home page's sections for inspectors (my desk) and liaisons (my unit's inbox)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civility.core.models import User
from civility.core.registry import home_sections
from civility.core.roles import Role
from civility.supervision.inspections import services
from civility.supervision.inspections.desk import inspector_home
from civility.supervision.inspections.models import InspectionTeam
from civility.supervision.problems import workflow
from civility.supervision.problems.inbox import liaison_inbox
from tests.conftest import make_user
from tests.factories import new_problem, problem_in

A = workflow.Action


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team(hq, inspector):
    team = InspectionTeam.objects.get(headquarters=hq, name="创建办督查组")
    team.members.add(inspector)
    return team


def fresh(user) -> User:
    """The user as a new request would load it (nothing cached)."""
    return User.objects.get(pk=user.pk)


def count_queries(func, *args) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = func(*args)
    return len(ctx.captured_queries), result


# --- inspector ---------------------------------------------------------------------------------


def test_inspector_home_counts_waiting_review_oldest_first(inspector, secretariat, liaison, site):
    people = {"secretariat": secretariat, "liaison": liaison, "inspector": inspector}
    first = problem_in("submitted", site=site, **people)
    second = problem_in("submitted", site=site, **people)
    problem_in("assigned", site=site, **people)
    home = inspector_home(fresh(inspector))
    assert home["waiting_review"]["count"] == 2
    assert [p.pk for p in home["waiting_review"]["problems"]] == [first.pk, second.pk]


def test_inspector_home_lists_own_drafts_and_recent_inspections(inspector, team, site):
    mine_draft, _ = services.create_inspection(by=inspector, team=team)
    submitted, _ = services.create_inspection(by=inspector, team=team)
    services.add_site(inspection=submitted, site=site)
    services.submit_inspection(submitted, inspector)
    other = make_user("t_inspector2", Role.INSPECTOR)
    team.members.add(other)
    services.create_inspection(by=other, team=team)  # someone else's draft
    with_me, _ = services.create_inspection(by=other, team=team)
    with_me.inspectors.add(inspector)
    services.add_site(inspection=with_me, site=site)
    services.submit_inspection(with_me, other)

    home = inspector_home(fresh(inspector))
    assert [i.pk for i in home["drafts"]] == [mine_draft.pk]
    assert {i.pk for i in home["recent"]} == {submitted.pk, with_me.pk}
    assert {i.site_count for i in home["recent"]} == {1}


def test_inspector_home_query_count_is_constant(inspector, secretariat, liaison, team, site):
    people = {"secretariat": secretariat, "liaison": liaison, "inspector": inspector}
    problem_in("submitted", site=site, **people)
    services.create_inspection(by=inspector, team=team)
    few, _ = count_queries(inspector_home, fresh(inspector))
    for _ in range(3):
        problem_in("submitted", site=site, **people)
        services.create_inspection(by=inspector, team=team)
        done, _ = services.create_inspection(by=inspector, team=team)
        services.add_site(inspection=done, site=site)
        services.submit_inspection(done, inspector)
    many, home = count_queries(inspector_home, fresh(inspector))
    assert len(home["drafts"]) == 4 and len(home["recent"]) == 3
    assert many == few


def test_home_inspector_template_has_start_button_and_links(
    inspector, secretariat, liaison, team, site
):
    people = {"secretariat": secretariat, "liaison": liaison, "inspector": inspector}
    waiting = problem_in("submitted", site=site, **people)
    draft, _ = services.create_inspection(by=inspector, team=team)
    html = render_to_string(
        "supervision/inspections/_desk.html", {"inspector_home": inspector_home(inspector)}
    )
    assert f'href="{reverse("inspection_new")}"' in html
    assert "开始督查" in html
    assert reverse("inspection_detail", args=[draft.pk]) in html
    assert reverse("problem_detail", args=[waiting.number]) in html
    assert f"{reverse('problem_list')}?status=submitted" in html


# --- liaison -----------------------------------------------------------------------------------


@pytest.fixture
def inbox_problems(secretariat, liaison, inspector, site, department):
    """One problem per situation of the street's inbox, plus ones that must not be counted."""
    people = {"secretariat": secretariat, "liaison": liaison, "inspector": inspector}
    street = liaison.unit
    unacknowledged = problem_in("assigned", site=site, **people)
    acknowledged = workflow.perform(
        problem_in("assigned", site=site, **people), A.ACKNOWLEDGE, by=liaison
    )
    overdue = workflow.perform(
        new_problem(inspector, site),
        A.ASSIGN,
        by=secretariat,
        unit=street,
        now=timezone.now() - timedelta(days=5),
    )
    due_soon = workflow.perform(
        new_problem(inspector, site),
        A.ASSIGN,
        by=secretariat,
        unit=street,
        deadline=timezone.now() + timedelta(hours=5),
    )
    returned = workflow.perform(
        problem_in("submitted", site=site, **people), A.RETURN, by=inspector, note="仍有摊点"
    )
    disputed = problem_in("disputed", site=site, **people)
    # Not this unit's inbox: another unit's problem, one not yet assigned, one closed.
    workflow.perform(new_problem(inspector, site), A.ASSIGN, by=secretariat, unit=department)
    new_problem(inspector, site)
    problem_in("closed", site=site, **people)
    return {
        "unacknowledged": unacknowledged,
        "acknowledged": acknowledged,
        "overdue": overdue,
        "due_soon": due_soon,
        "returned": returned,
        "disputed": disputed,
    }


def test_liaison_inbox_counts_each_situation(liaison, inbox_problems):
    inbox = liaison_inbox(fresh(liaison))
    assert inbox["unit"] == liaison.unit
    counts = {card["key"]: card["count"] for card in inbox["cards"]}
    assert counts == {
        "to_acknowledge": 4,  # unacknowledged, overdue, due_soon, returned
        "to_rectify": 5,
        "due_soon": 1,
        "overdue": 1,
        "returned": 1,
        "disputed": 1,
    }
    p = inbox_problems
    assert inbox["urgent"][0] == p["overdue"]
    assert inbox["urgent"][1] == p["due_soon"]
    assert {x.pk for x in inbox["to_acknowledge"]} == {
        p[k].pk for k in ("unacknowledged", "overdue", "due_soon", "returned")
    }


def test_liaison_inbox_cards_link_to_the_filtered_problem_list(liaison, inbox_problems):
    inbox = liaison_inbox(fresh(liaison))
    urls = {card["key"]: card["url"] for card in inbox["cards"]}
    base = reverse("problem_list")
    unit = liaison.unit_id
    assert urls["overdue"] == f"{base}?due_state=overdue&unit={unit}"
    assert urls["due_soon"] == f"{base}?due_state=due_soon&unit={unit}"
    assert urls["disputed"] == f"{base}?status=disputed&unit={unit}"
    assert urls["to_rectify"] == f"{base}?status=assigned&unit={unit}"


def test_liaison_inbox_does_not_count_another_units_problems(other_liaison, inbox_problems):
    inbox = liaison_inbox(fresh(other_liaison))
    counts = {card["key"]: card["count"] for card in inbox["cards"]}
    assert counts["to_rectify"] == 1
    assert counts["overdue"] == counts["returned"] == counts["disputed"] == 0


def test_liaison_inbox_is_none_for_other_roles(inspector, leader, representative):
    for user in (inspector, leader, representative):
        assert liaison_inbox(fresh(user)) is None


def test_liaison_inbox_query_count_is_constant(liaison, secretariat, inspector, site):
    people = {"secretariat": secretariat, "liaison": liaison, "inspector": inspector}
    problem_in("assigned", site=site, **people)
    few, _ = count_queries(liaison_inbox, fresh(liaison))
    for state in ("assigned", "assigned", "disputed", "submitted"):
        problem_in(state, site=site, **people)
    many, inbox = count_queries(liaison_inbox, fresh(liaison))
    assert inbox["counts"]["to_rectify"] == 3
    assert many == few


def test_home_liaison_template_renders_cards_and_lists(liaison, inbox_problems):
    inbox = liaison_inbox(fresh(liaison))
    html = render_to_string("supervision/problems/_inbox.html", {"liaison_inbox": inbox})
    assert "湖里街道的待办问题" in html
    for label in ("待签收", "待整改", "即将到期", "逾期", "被退回", "待协调"):
        assert label in html
    assert 'id="inbox-overdue"' in html
    overdue = inbox_problems["overdue"]
    assert reverse("problem_detail", args=[overdue.number]) in html
    assert "badge due-overdue" in html


def _sections(user) -> set[str]:
    """The keys of the 督查点评 home sections this person gets."""
    request = RequestFactory().get("/")
    request.user = user
    return {
        section.key
        for section in home_sections()
        if section.key in {"inspector", "inbox"} and section.context(request) is not None
    }


def test_home_sections_match_the_roles(inspector, liaison, leader):
    assert _sections(fresh(inspector)) == {"inspector"}
    assert _sections(fresh(liaison)) == {"inbox"}
    assert _sections(fresh(leader)) == set()
    both = make_user("t_both", Role.INSPECTOR, Role.LIAISON, unit=liaison.unit)
    assert _sections(fresh(both)) == {"inspector", "inbox"}
