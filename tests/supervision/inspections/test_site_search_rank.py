"""Site search ranks the inspection's street first (issue 10): typing "湖里" in a 湖里街道
inspection lists 湖里街道's sites before 湖里万达广场 (江头街道)."""

import re

import pytest
from django.urls import reverse

from civility.org.models import Site, Unit
from civility.supervision.inspections import services
from civility.supervision.inspections.models import InspectionTeam

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "site-results"}


@pytest.fixture
def team(hq, inspector):
    team = InspectionTeam.objects.get(headquarters=hq, name="创建办督查组")
    team.members.add(inspector)
    return team


def search(client, inspector, team, street_name, query) -> list[str]:
    street = Unit.objects.get(name=street_name) if street_name else None
    inspection, _ = services.create_inspection(by=inspector, team=team, street=street)
    client.force_login(inspector)
    body = client.get(
        reverse("site_search"), {"inspection": inspection.pk, "q": query}, **HTMX
    ).content.decode()
    return re.findall(r"<strong>([^<]+)</strong>", body)


def streets_of(names: list[str]) -> list[str]:
    by_name = dict(Site.objects.filter(name__in=names).values_list("name", "street__name"))
    return [by_name[name] for name in names]


def test_site_search_lists_the_inspections_street_first(client, inspector, team):
    names = search(client, inspector, team, "湖里街道", "湖里")
    assert len(names) == 10
    assert set(streets_of(names)) == {"湖里街道"}
    assert "湖里万达广场" not in names
    # Within the street: names starting with the query, then an address-only match.
    assert names[-1] == "海天路"


def test_site_search_in_another_street_lists_that_streets_site_first(client, inspector, team):
    names = search(client, inspector, team, "江头街道", "湖里")
    assert names[0] == "湖里万达广场"
    assert streets_of(names[1:]) == ["湖里街道"] * (len(names) - 1)


def test_site_search_puts_an_exact_name_first_whatever_the_street(client, inspector, team):
    names = search(client, inspector, team, "江头街道", "湖里大道")
    assert names[0] == "湖里大道"


def test_site_search_without_a_street_ranks_by_name_match(client, inspector, team):
    names = search(client, inspector, team, None, "湖里")
    assert names[0] == "湖里万达广场"  # names starting with the query, in name order
    assert "海天路" not in names  # the address-only match is cut by the ten
