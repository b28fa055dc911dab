"""The inspection form's 专项行动: the drives running on the inspection's day, the running top-level
one preselected, "无" possible, a drive not running that day refused in Chinese."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civility.supervision.drives.models import Drive
from civility.supervision.inspections.models import Inspection, InspectionTeam

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(hq, inspector):
    team = InspectionTeam.objects.get(headquarters=hq, name="创建办督查组")
    team.members.add(inspector)
    return team


@pytest.fixture
def drives(hq):
    today = timezone.localdate()
    running = Drive.objects.create(
        headquarters=hq,
        name="占道经营专项整治",
        start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=20),
    )
    ended = Drive.objects.create(
        headquarters=hq,
        name="春节市容整治",
        start_date=today - timedelta(days=60),
        end_date=today - timedelta(days=30),
    )
    return running, ended


def post(client, team, day, **extra):
    token = uuid.uuid4()
    data = {
        "team": team.pk,
        "kind": Inspection.Kind.ROUTINE,
        "date": f"{day:%Y-%m-%d}",
        "client_token": str(token),
        **extra,
    }
    return client.post(reverse("inspection_new"), data), token


def test_form_preselects_the_running_drive(client, inspector, team, drives):
    running, ended = drives
    client.force_login(inspector)
    body = client.get(reverse("inspection_new")).content.decode()
    assert f'<option value="{running.pk}" selected>占道经营专项整治</option>' in body
    assert "春节市容整治" not in body
    assert '<option value="">无</option>' in body


def test_form_offers_the_drives_of_the_chosen_day(client, inspector, team, drives):
    running, ended = drives
    client.force_login(inspector)
    day = timezone.localdate() - timedelta(days=40)
    body = client.get(reverse("inspection_new"), {"date": f"{day:%Y-%m-%d}"}).content.decode()
    assert f'<option value="{ended.pk}" selected>春节市容整治</option>' in body
    assert "占道经营专项整治" not in body
    assert 'hx-select="#row-drive"' in body


def test_new_inspection_records_the_chosen_drive(client, inspector, team, drives):
    running, _ended = drives
    client.force_login(inspector)
    response, token = post(client, team, timezone.localdate(), drive=running.pk)
    assert response.status_code == 302
    assert Inspection.objects.get(client_token=token).drive == running


def test_new_inspection_without_a_drive(client, inspector, team, drives):
    client.force_login(inspector)
    response, token = post(client, team, timezone.localdate(), drive="")
    assert response.status_code == 302
    assert Inspection.objects.get(client_token=token).drive is None


def test_new_inspection_refuses_a_drive_not_running_that_day(client, inspector, team, drives):
    _running, ended = drives
    client.force_login(inspector)
    response, token = post(client, team, timezone.localdate(), drive=ended.pk)
    assert response.status_code == 200
    assert "所选专项行动在督查日期未在进行。" in response.content.decode()
    assert not Inspection.objects.filter(client_token=token).exists()


def test_inspection_page_shows_its_drive(client, inspector, team, drives):
    running, _ended = drives
    client.force_login(inspector)
    _response, token = post(client, team, timezone.localdate(), drive=running.pk)
    inspection = Inspection.objects.get(client_token=token)
    body = client.get(reverse("inspection_detail", args=[inspection.pk])).content.decode()
    assert '<dd id="inspection-drive">占道经营专项整治</dd>' in body
