"""四级同创: 小区/居民小组 units below a community (they own sites, are not ranked), and the
organisations taking part in a community's work, on /org/ and on the unit page's section."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civility.core.registry import unit_sections
from civility.org.models import Site, Unit
from civility.participation.models import ParticipatingOrganisation
from civility.reports.scoring import monthly_scores
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(street):
    return street.children.order_by("order", "id").first()


def neighbourhood(community, name="金山花园小区"):
    unit = Unit(
        headquarters=community.headquarters,
        name=name,
        kind=Unit.Kind.NEIGHBOURHOOD,
        parent=community,
    )
    unit.full_clean()
    unit.save()
    return unit


def test_neighbourhood_hangs_under_a_community(street, community):
    unit = Unit(
        headquarters=street.headquarters, name="某小区", kind="neighbourhood", parent=street
    )
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert error.value.message_dict == {"parent": ["小区/居民小组的上级必须是社区。"]}
    assert neighbourhood(community).parent == community


def test_neighbourhood_without_a_community_is_refused_by_the_database(street):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(headquarters=street.headquarters, name="无主小区", kind="neighbourhood")


def test_neighbourhood_can_own_a_site(community):
    compound = neighbourhood(community)
    site = Site.objects.filter(street=community.parent).first()
    site.community, site.default_unit = community, compound
    site.full_clean()


def test_scores_leave_neighbourhoods_out(hq, community):
    compound = neighbourhood(community)
    today = timezone.localdate()
    scores = monthly_scores(hq, today.year, today.month)
    assert compound.pk not in scores.by_unit()
    assert community.pk in scores.by_unit()
    assert [kind for kind, _label, _rows in scores.kinds if kind == "neighbourhood"] == []


def test_org_page_shows_neighbourhoods_and_organisations_in_constant_queries(
    client, leader, street, community
):
    client_for(client, leader)
    url = reverse("org")

    def count():
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        return len(queries), body

    neighbourhood(community, "金山花园小区")
    ParticipatingOrganisation.objects.create(
        community=community, name="湖里实验小学", kind="school"
    )
    first, body = count()
    assert "金山花园小区" in body and "学校：湖里实验小学" in body
    others = list(street.children.exclude(pk=community.pk)[:2])
    for i, other in enumerate(others):
        neighbourhood(other, f"第{i}小区")
        ParticipatingOrganisation.objects.create(community=other, name=f"驻军{i}", kind="garrison")
    again, body = count()
    assert "驻军1" in body and "第1小区" in body
    assert again == first


def test_unit_section_of_a_community(rf_request, community):
    compound = neighbourhood(community)
    ParticipatingOrganisation.objects.create(
        community=community, name="金山物业", kind="property", role="认领小区门前三包"
    )
    section = next(s for s in unit_sections() if s.key == "participation")
    context = section.context(rf_request, community)
    assert context["neighbourhoods"] == [compound]
    assert [o.name for o in context["participating_organisations"]] == ["金山物业"]
    assert context["unit_budget"]["allocated"] == 0


@pytest.fixture
def rf_request(leader):
    request = RequestFactory().get("/units/1/")
    request.user = leader
    return request
