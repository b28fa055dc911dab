"""The campaign's lists cost the same number of queries for 1 row as for 3, and a unit's page
gets the unit's honours and 问责 records from the registry."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civility.campaign import accountability, honours
from civility.campaign.models import Accountability, Honour
from civility.core.registry import unit_sections
from civility.org.models import ProblemCategory, Site, Unit
from civility.supervision.problems import workflow
from tests.factories import photo

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def record(hq, secretariat, unit, inspector, n):
    site = Site.objects.filter(headquarters=hq).first()
    category = ProblemCategory.objects.filter(headquarters=hq).first()
    problem, _ = workflow.report_problem(
        by=inspector, site=site, category=category, description="占道", photos=[photo()]
    )
    return accountability.record(
        hq=hq,
        by=secretariat,
        unit=unit,
        measure=Accountability.Measure.CRITICISM,
        reason=f"第{n}次通报批评",
        on=timezone.localdate() - timedelta(days=n),
        problems=[problem],
    )


def test_accountability_list_query_count_is_constant(client, hq, secretariat, inspector):
    units = list(Unit.objects.filter(headquarters=hq).order_by("pk")[:3])
    client.force_login(secretariat)
    record(hq, secretariat, units[0], inspector, 1)
    one = queries(client, reverse("accountability_list"))
    record(hq, secretariat, units[1], inspector, 2)
    record(hq, secretariat, units[2], inspector, 3)
    assert queries(client, reverse("accountability_list")) == one


def test_honour_list_query_count_is_constant(client, hq, secretariat):
    units = list(Unit.objects.filter(headquarters=hq).order_by("pk")[:3])
    client.force_login(secretariat)

    def award(unit):
        honour = honours.award(
            hq=hq,
            by=secretariat,
            unit=unit,
            kind=Honour.Kind.CIVILISED_UNIT,
            level=Honour.Level.CITY,
            year_awarded=2024,
        )
        honours.change_status(honour, to=Honour.Status.WARNING, reason="黑榜", by=secretariat)

    award(units[0])
    one = queries(client, reverse("honour_list"))
    award(units[1])
    award(units[2])
    assert queries(client, reverse("honour_list")) == one


def test_org_page_badges_cost_one_query(client, hq, secretariat, leader):
    units = list(Unit.objects.filter(headquarters=hq).order_by("pk")[:3])
    client.force_login(leader)
    honours.award(
        hq=hq,
        by=secretariat,
        unit=units[0],
        kind=Honour.Kind.CIVILISED_UNIT,
        level=Honour.Level.CITY,
        year_awarded=2024,
    )
    one = queries(client, reverse("org"))
    for unit in units[1:]:
        honours.award(
            hq=hq,
            by=secretariat,
            unit=unit,
            kind=Honour.Kind.CIVILISED_UNIT,
            level=Honour.Level.CITY,
            year_awarded=2024,
        )
    assert queries(client, reverse("org")) == one


def test_unit_page_section_shows_the_units_honours_and_records(
    hq, street, secretariat, liaison, other_liaison, inspector
):
    honours.award(
        hq=hq,
        by=secretariat,
        unit=street,
        kind=Honour.Kind.CIVILISED_UNIT,
        level=Honour.Level.CITY,
        year_awarded=2024,
    )
    record(hq, secretariat, street, inspector, 1)
    section = next(s for s in unit_sections() if s.key == "campaign")
    request = RequestFactory().get(f"/units/{street.pk}/")
    request.user = liaison
    context = section.context(request, street)
    html = render_to_string(section.template, {**context, "unit": street})
    assert "市级文明单位" in html
    assert "第1次通报批评" in html
    request.user = other_liaison
    other = section.context(request, street)
    assert other["unit_honours"] == [] and other["unit_accountability"] == []
    request.user = inspector
    assert section.context(request, street) is None
