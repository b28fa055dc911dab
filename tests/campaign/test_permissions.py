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

from civility.campaign import accountability, honours
from civility.campaign.models import Accountability, Honour
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
DECIDERS = {"secretariat": 200, "leader": 200, "superuser": 200}
OWN_OR_ALL = {**DECIDERS, "liaison": 200, "other_liaison": 200}


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
    ("accountability", lambda o: reverse("accountability_list"), expect(403, **OWN_OR_ALL)),
    (
        "accountability-xlsx",
        lambda o: reverse("accountability_list") + "?_export=xlsx",
        expect(403, **OWN_OR_ALL),
    ),
    ("accountability-new", lambda o: reverse("accountability_new"), expect(403, **DECIDERS)),
    (
        "accountability-dismiss",
        lambda o: reverse("accountability_dismiss") + "?suggestion=escalated:1",
        expect(403, **DECIDERS),
    ),
    ("honours", lambda o: reverse("honour_list"), expect(403, **OWN_OR_ALL)),
    ("honours-csv", lambda o: reverse("honour_list") + "?_export=csv", expect(403, **OWN_OR_ALL)),
    (
        "honour-status",
        lambda o: reverse("honour_status", args=[o["honour"].pk]),
        expect(403, secretariat=200, superuser=200),
    ),
    ("review", lambda o: reverse("honour_review", args=[o["year"]]), expect(403, **DECIDERS)),
    (
        "review-xlsx",
        lambda o: reverse("honour_review_export", args=[o["year"]]),
        expect(403, **DECIDERS),
    ),
]


@pytest.fixture
def objects(hq, department, street, secretariat):
    today = timezone.localdate()
    period = {"start_date": today - timedelta(days=5), "end_date": today + timedelta(days=5)}
    wide = Drive.objects.create(headquarters=hq, name="全区集中整治", **period)
    theirs = Drive.objects.create(headquarters=hq, name="执法局专项行动", **period)
    theirs.units.set([department])
    made = {"wide": wide, "theirs": theirs, "year": today.year - 1}
    for unit in (street, department):
        accountability.record(
            hq=hq,
            by=secretariat,
            unit=unit,
            measure=Accountability.Measure.INTERVIEW,
            reason=f"{unit.name}约谈",
            on=today,
        )
        made["honour"] = honours.award(
            hq=hq,
            by=secretariat,
            unit=unit,
            kind=Honour.Kind.CIVILISED_UNIT,
            level=Honour.Level.DISTRICT,
            year_awarded=today.year - 3,
            title=f"{unit.name}区级文明单位",
        )
    return made


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


@pytest.mark.parametrize(
    ("persona", "own", "other"),
    [
        ("liaison", "湖里街道", "区城市管理行政执法局"),
        ("other_liaison", "区城市管理行政执法局", "湖里街道"),
    ],
)
def test_liaisons_see_only_their_units_records_and_honours(
    client, objects, who, persona, own, other
):
    client.force_login(who(persona))
    for url in (reverse("accountability_list"), reverse("honour_list")):
        for export in ("", "?_export=csv"):
            body = client.get(url + export).content.decode("utf-8-sig")
            assert own in body, url + export
            assert other not in body, url + export


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
