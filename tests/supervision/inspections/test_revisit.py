"""回头看: the sites where last week's (or last month's) problems were closed, and a 回头看
inspection opened with them already added."""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civility.core.periods import MONTH, WEEK, Period
from civility.org.models import ProblemCategory, Site
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.revisit import closed_sites
from civility.supervision.problems import workflow
from tests.factories import photo

pytestmark = pytest.mark.django_db
A = workflow.Action
TZ = timezone.get_current_timezone()


@pytest.fixture
def team(hq, inspector):
    team = InspectionTeam.objects.get(headquarters=hq, name="创建办督查组")
    team.members.add(inspector)
    return team


def closed_on(day, site, people):
    secretariat, inspector, liaison = people
    when = datetime.combine(day, time(9), tzinfo=TZ)
    category = ProblemCategory.objects.filter(headquarters=site.headquarters).first()
    problem, _ = workflow.report_problem(
        by=inspector, site=site, category=category, description="垃圾", photos=[photo()], now=when
    )
    problem = workflow.perform(problem, A.ASSIGN, by=secretariat, unit=liaison.unit, now=when)
    problem = workflow.perform(
        problem,
        A.SUBMIT,
        by=liaison,
        note="已清理",
        photos=[photo()],
        now=when + timedelta(hours=2),
    )
    return workflow.perform(problem, A.APPROVE, by=inspector, now=when + timedelta(hours=3))


@pytest.fixture
def history(hq, street, secretariat, inspector, liaison):
    people = (secretariat, inspector, liaison)
    sites = list(Site.objects.filter(headquarters=hq, street=street).order_by("pk")[:3])
    last_week = Period.last_ended(WEEK)
    closed_on(last_week.first + timedelta(days=1), sites[0], people)
    closed_on(last_week.first + timedelta(days=2), sites[0], people)
    closed_on(last_week.first + timedelta(days=3), sites[1], people)
    closed_on(last_week.first - timedelta(days=3), sites[2], people)  # the week before
    return sites


def test_closed_sites_of_last_week(hq, history):
    rows = closed_sites(hq, Period.last_ended(WEEK))
    assert [(row.site, row.closed) for row in rows] == [(history[0], 2), (history[1], 1)]


def test_closed_sites_of_last_month_include_the_month(hq, history):
    month = Period.last_ended(MONTH)
    rows = {row.site: row.closed for row in closed_sites(hq, month)}
    expected = {}
    last_week = Period.last_ended(WEEK)
    for offset, site in ((1, history[0]), (2, history[0]), (3, history[1]), (-3, history[2])):
        if month.contains(last_week.first + timedelta(days=offset)):
            expected[site] = expected.get(site, 0) + 1
    assert rows == expected


def test_revisit_page_lists_the_sites(client, inspector, team, history):
    client.force_login(inspector)
    body = client.get(reverse("revisit_new")).content.decode()
    assert f'name="sites" value="{history[0].pk}"' in body
    assert f'name="sites" value="{history[1].pk}"' in body
    assert f'name="sites" value="{history[2].pk}"' not in body
    assert "生成回头看督查" in body


def test_revisit_creates_an_inspection_with_the_chosen_sites(client, inspector, team, history):
    client.force_login(inspector)
    token = uuid.uuid4()
    data = {"team": team.pk, "sites": [history[0].pk], "client_token": str(token)}
    response = client.post(reverse("revisit_new"), data)
    inspection = Inspection.objects.get(client_token=token)
    assert response.status_code == 302
    assert response["Location"] == reverse("inspection_detail", args=[inspection.pk])
    assert inspection.kind == Inspection.Kind.REVISIT
    assert inspection.status == Inspection.Status.DRAFT
    assert list(inspection.sites.all()) == [history[0]]
    assert Period.last_ended(WEEK).label in inspection.summary
    # A second click on the same form creates nothing more.
    client.post(reverse("revisit_new"), data)
    assert Inspection.objects.filter(kind=Inspection.Kind.REVISIT).count() == 1


def test_revisit_without_sites_is_refused_in_chinese(client, inspector, team, history):
    client.force_login(inspector)
    response = client.post(
        reverse("revisit_new"), {"team": team.pk, "client_token": str(uuid.uuid4())}
    )
    assert response.status_code == 200
    assert "请至少选择一个点位。" in response.content.decode()
    assert not Inspection.objects.filter(kind=Inspection.Kind.REVISIT).exists()


def test_revisit_refuses_a_team_the_inspector_is_not_on(client, inspector, team, history, hq):
    other = InspectionTeam.objects.filter(headquarters=hq).exclude(pk=team.pk).first()
    client.force_login(inspector)
    data = {"team": other.pk, "sites": [history[0].pk], "client_token": str(uuid.uuid4())}
    response = client.post(reverse("revisit_new"), data)
    assert "请选择督查组。" in response.content.decode()
    assert not Inspection.objects.filter(kind=Inspection.Kind.REVISIT).exists()
