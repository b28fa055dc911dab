"""Every page and export of the campaign's levers × every persona: the exact status code, and a
liaison never sees another unit's drive, records or honours.

Objects: a district-wide drive, a drive of 区城市管理行政执法局 only (the other liaison's unit),
and (added with their pages) 问责 records and honours of each liaison's unit.
302 is the login redirect; 403 is "you may not"; 404 is "not yours to know of".
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civility.supervision.drives.models import Drive
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "nobody",
    "secretariat",
    "leader",
    "inspector",
    "liaison",
    "other_liaison",
    "representative",
    "superuser",
]
ALL_ROLES = {p: 200 for p in PERSONAS if p not in ("anonymous", "nobody")}


def expect(default=None, **codes) -> dict:
    table = {p: default for p in PERSONAS}
    table.update(anonymous=302, **codes)
    assert None not in table.values(), table
    return table


MATRIX = [
    ("drive-list", lambda o: reverse("drive_list"), expect(nobody=403, **ALL_ROLES)),
    (
        "drive-wide",
        lambda o: reverse("drive_detail", args=[o["wide"].pk]),
        expect(nobody=403, **ALL_ROLES),
    ),
    (
        "drive-theirs",
        lambda o: reverse("drive_detail", args=[o["theirs"].pk]),
        expect(nobody=403, **{**ALL_ROLES, "liaison": 404}),
    ),
    (
        "drive-theirs-xlsx",
        lambda o: reverse("drive_export", args=[o["theirs"].pk]),
        expect(nobody=403, **{**ALL_ROLES, "liaison": 404}),
    ),
    (
        "revisit",
        lambda o: reverse("revisit_new"),
        expect(403, secretariat=200, inspector=200, superuser=200),
    ),
]


@pytest.fixture
def objects(hq, department):
    today = timezone.localdate()
    period = {"start_date": today - timedelta(days=5), "end_date": today + timedelta(days=5)}
    wide = Drive.objects.create(headquarters=hq, name="全区集中整治", **period)
    theirs = Drive.objects.create(headquarters=hq, name="执法局专项行动", **period)
    theirs.units.set([department])
    return {"wide": wide, "theirs": theirs}


@pytest.fixture
def who(request, db):
    def resolve(persona):
        if persona == "anonymous":
            return None
        if persona == "nobody":
            return make_user("t_nobody")
        return request.getfixturevalue(persona)

    return resolve


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix_of_campaign_pages(client, objects, who, persona):
    user = who(persona)
    if user is not None:
        client.force_login(user)
    actual, expected = {}, {}
    for name, url_of, codes in MATRIX:
        response = client.get(url_of(objects))
        actual[name], expected[name] = response.status_code, codes[persona]
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), name
    assert actual == expected


def test_liaison_drive_list_names_only_their_drives(client, liaison, objects):
    client.force_login(liaison)
    body = client.get(reverse("drive_list")).content.decode()
    assert "全区集中整治" in body
    assert "执法局专项行动" not in body
    assert "数字只统计本单位为主责单位的问题" in body


def test_drive_nav_entry_for_every_role(client, representative, objects):
    client.force_login(representative)
    body = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("drive_list")}" >专项行动</a>' in body
