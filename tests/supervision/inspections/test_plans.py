"""督查安排: the secretariat plans inspections on a small page; others read them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html

from civility.org.models import Unit
from civility.supervision.inspections.models import InspectionPlan, InspectionTeam

pytestmark = pytest.mark.django_db
URL = reverse("inspection_plans")


def tree(response):
    return html.fromstring(response.content.decode())


def test_secretariat_adds_a_plan(client, secretariat, hq):
    team = InspectionTeam.objects.filter(headquarters=hq).first()
    street = Unit.objects.get(headquarters=hq, name="湖里街道")
    day = timezone.localdate() + timedelta(days=3)
    client.force_login(secretariat)
    response = client.post(
        URL, {"team": team.pk, "date": f"{day:%Y-%m-%d}", "street": street.pk, "note": "背街小巷"}
    )
    assert response.status_code == 302
    plan = InspectionPlan.objects.get()
    assert (plan.team, plan.date, plan.street, plan.note, plan.created_by) == (
        team,
        day,
        street,
        "背街小巷",
        secretariat,
    )
    rows = tree(client.get(URL)).xpath("//table[@id='plan-list']/tbody/tr/td[3]/text()")
    assert rows == ["湖里街道"]


def test_a_plan_needs_a_street_or_sites_and_a_day_ahead(client, secretariat, hq):
    team = InspectionTeam.objects.filter(headquarters=hq).first()
    yesterday = timezone.localdate() - timedelta(days=1)
    client.force_login(secretariat)
    response = client.post(URL, {"team": team.pk, "date": f"{yesterday:%Y-%m-%d}"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "请选择街道或点位。" in text and "计划日期不能早于今天。" in text
    assert not InspectionPlan.objects.exists()


def test_inspectors_read_plans_but_cannot_add(client, inspector, hq):
    team = InspectionTeam.objects.filter(headquarters=hq).first()
    InspectionPlan.objects.create(
        headquarters=hq, team=team, date=timezone.localdate() + timedelta(days=1), note="夜查"
    )
    client.force_login(inspector)
    page = tree(client.get(URL))
    assert page.xpath("//table[@id='plan-list']/tbody/tr/td[4]/text()") == ["夜查"]
    assert not page.xpath("//form[@id='plan-form']")
    assert client.post(URL, {"team": team.pk}).status_code == 403


def test_plans_are_denied_to_liaisons(client, liaison):
    client.force_login(liaison)
    assert client.get(URL).status_code == 403


def test_secretariat_deletes_a_plan(client, secretariat, hq):
    team = InspectionTeam.objects.filter(headquarters=hq).first()
    plan = InspectionPlan.objects.create(
        headquarters=hq, team=team, date=timezone.localdate() + timedelta(days=1)
    )
    client.force_login(secretariat)
    response = client.post(reverse("inspection_plan_delete", args=[plan.pk]))
    assert response.status_code == 302
    assert not InspectionPlan.objects.exists()
