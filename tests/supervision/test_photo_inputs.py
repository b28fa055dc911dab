"""Every photo input lets people choose the camera or the gallery (issue 10).

``capture="environment"`` together with ``multiple`` makes Android open the camera directly and hide
the gallery; a plain ``accept="image/*" multiple`` input offers both.
"""

import re

import pytest
from django.urls import reverse

from civility.supervision.inspections import services
from civility.supervision.inspections.models import InspectionTeam
from tests.factories import problem_in

pytestmark = pytest.mark.django_db

FILE_INPUT = re.compile(r"<input[^>]*type=\"file\"[^>]*>")


def file_inputs(html: str) -> list[str]:
    return FILE_INPUT.findall(html)


def assert_camera_or_gallery(html: str, count: int = 1) -> None:
    inputs = file_inputs(html)
    assert len(inputs) == count, inputs
    for tag in inputs:
        assert "capture" not in tag
        assert 'accept="image/*"' in tag
        assert " multiple" in tag


@pytest.fixture
def people(secretariat, liaison, inspector):
    return {"secretariat": secretariat, "liaison": liaison, "inspector": inspector}


def test_inspection_editor_photo_input_offers_camera_and_gallery(client, hq, inspector):
    team = InspectionTeam.objects.get(headquarters=hq, name="创建办督查组")
    team.members.add(inspector)
    inspection, _ = services.create_inspection(by=inspector, team=team)
    client.force_login(inspector)
    html = client.get(reverse("inspection_detail", args=[inspection.pk])).content.decode()
    assert_camera_or_gallery(html)
    assert "可拍摄或选择多张" in html


@pytest.mark.parametrize(
    ("state", "persona", "action"),
    [("assigned", "liaison", "submit"), ("submitted", "inspector", "approve")],
)
def test_problem_action_photo_input_offers_camera_and_gallery(
    client, people, site, state, persona, action
):
    problem = problem_in(state, site=site, **people)
    client.force_login(people[persona])
    html = client.get(reverse("problem_act", args=[problem.number, action])).content.decode()
    assert_camera_or_gallery(html)


def test_submit_hint_says_camera_or_album(client, people, site):
    problem = problem_in("assigned", site=site, **people)
    client.force_login(people["liaison"])
    html = client.get(reverse("problem_act", args=[problem.number, "submit"])).content.decode()
    assert "可拍照或从相册选择，最多 9 张。" in html


def test_commentary_form_photo_input_offers_camera_and_gallery(client, leader):
    client.force_login(leader)
    html = client.get(reverse("commentary_new")).content.decode()
    assert_camera_or_gallery(html)
