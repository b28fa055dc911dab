"""Every participation URL × every persona: the exact status code, and no leak across units or
representatives. 302 for anonymous is the login redirect; 403 is "you may not"; 404 is "not
yours to know of"."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from civility.core.roles import Role
from civility.participation.models import Budget, ParticipationPhoto, Selection
from tests.conftest import make_user
from tests.factories import photo
from tests.participation import helpers

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


def expect(default=None, **codes) -> dict:
    table = {p: default for p in PERSONAS}
    table.update(anonymous=302, **codes)
    missing = [p for p, code in table.items() if code is None]
    assert not missing, f"no expectation for {missing}"
    return table


ROLES = {p: 200 for p in PERSONAS if p not in ("anonymous", "nobody")}
MANAGERS = {"secretariat": 200, "superuser": 200}
SEES_ALL = {"secretariat": 200, "leader": 200, "superuser": 200}
LIAISONS = {"liaison": 200, "other_liaison": 200}
BUDGET = {**SEES_ALL, "representative": 200}


def act(o, key, action):
    return reverse("suggestion_act", args=[o[key].pk, action])


MATRIX = [
    # 建议意见
    (
        "s-list",
        "get",
        lambda o: reverse("suggestion_list"),
        expect(403, **SEES_ALL, **LIAISONS, representative=200),
    ),
    (
        "s-xlsx",
        "get",
        lambda o: reverse("suggestion_list") + "?_export=xlsx",
        expect(403, **SEES_ALL, **LIAISONS, representative=200),
    ),
    (
        "s-csv",
        "get",
        lambda o: reverse("suggestion_list") + "?_export=csv",
        expect(403, **SEES_ALL, **LIAISONS, representative=200),
    ),
    ("s-new", "get", lambda o: reverse("suggestion_new"), expect(403, representative=200)),
    ("s-new-post", "post", lambda o: reverse("suggestion_new"), expect(403, representative=200)),
    (
        "s-site-search",
        "get",
        lambda o: reverse("suggestion_site_search") + "?q=湖里",
        expect(403, representative=200),
    ),
    (
        "s-mine",
        "get",
        lambda o: reverse("suggestion_detail", args=[o["mine"].pk]),
        expect(404, nobody=403, inspector=403, **SEES_ALL, liaison=200, representative=200),
    ),
    (
        "s-theirs",
        "get",
        lambda o: reverse("suggestion_detail", args=[o["theirs"].pk]),
        expect(404, nobody=403, inspector=403, **SEES_ALL),
    ),
    (
        "s-reply-mine",
        "get",
        lambda o: act(o, "mine", "reply"),
        expect(403, liaison=200, other_liaison=404),
    ),
    (
        "s-reply-mine-post",
        "post",
        lambda o: act(o, "mine", "reply"),
        expect(403, liaison=200, other_liaison=404),
    ),
    (
        "s-assign-theirs",
        "get",
        lambda o: act(o, "theirs", "assign"),
        expect(404, nobody=403, inspector=403, leader=403, **MANAGERS),
    ),
    (
        "s-convert-theirs",
        "get",
        lambda o: act(o, "theirs", "convert"),
        expect(404, nobody=403, inspector=403, leader=403, **MANAGERS),
    ),
    (
        "s-rate-answered",
        "get",
        lambda o: act(o, "answered", "rate_unsatisfied"),
        expect(
            404,
            nobody=403,
            inspector=403,
            leader=403,
            secretariat=403,
            superuser=403,
            representative=200,
        ),
    ),
    (
        "s-close-by-hand",
        "get",
        lambda o: act(o, "theirs", "close"),
        expect(404),
    ),
    (
        "s-photo",
        "get",
        lambda o: reverse("participation_photo", args=[o["mine_photo"].pk]),
        expect(404, **SEES_ALL, liaison=200, representative=200),
    ),
    # 全民参与
    ("a-list", "get", lambda o: reverse("activity_list"), expect(403, **ROLES)),
    ("a-xlsx", "get", lambda o: reverse("activity_list") + "?_export=xlsx", expect(403, **ROLES)),
    ("a-new", "get", lambda o: reverse("activity_new"), expect(403, **MANAGERS, **LIAISONS)),
    ("a-new-post", "post", lambda o: reverse("activity_new"), expect(403, **MANAGERS, **LIAISONS)),
    (
        "a-street",
        "get",
        lambda o: reverse("activity_detail", args=[o["street_activity"].pk]),
        expect(200, nobody=403, other_liaison=404),
    ),
    (
        "a-edit-street",
        "get",
        lambda o: reverse("activity_edit", args=[o["street_activity"].pk]),
        expect(403, **MANAGERS, liaison=200, other_liaison=404),
    ),
    (
        "a-photo",
        "get",
        lambda o: reverse("participation_thumb", args=[o["activity_photo"].pk]),
        expect(200, nobody=404, other_liaison=404),
    ),
    (
        "a-series",
        "get",
        lambda o: reverse("series_detail", args=[o["series"].pk]),
        expect(403, **ROLES),
    ),
    # 典型评选
    ("e-list", "get", lambda o: reverse("selection_list"), expect(403, **ROLES)),
    ("e-new", "get", lambda o: reverse("selection_new"), expect(403, **MANAGERS)),
    (
        "e-open",
        "get",
        lambda o: reverse("selection_detail", args=[o["open"].pk]),
        expect(404, nobody=403, **SEES_ALL, **LIAISONS),
    ),
    (
        "e-public",
        "get",
        lambda o: reverse("selection_detail", args=[o["public"].pk]),
        expect(403, **ROLES),
    ),
    (
        "e-nominate",
        "get",
        lambda o: reverse("nomination_new", args=[o["open"].pk]),
        expect(404, nobody=403, leader=403, **MANAGERS, **LIAISONS),
    ),
    (
        "e-nominate-public",
        "get",
        lambda o: reverse("nomination_new", args=[o["public"].pk]),
        expect(403),
    ),
    (
        "e-review",
        "get",
        lambda o: reverse("selection_review", args=[o["public"].pk]),
        expect(403, secretariat=302, superuser=302),
    ),
    (
        "e-publish-early",
        "post",
        lambda o: reverse("selection_publish", args=[o["public"].pk]),
        expect(403, secretariat=302, superuser=302),
    ),
    (
        "e-nomination-photo",
        "get",
        lambda o: reverse("participation_thumb", args=[o["nomination_photo"].pk]),
        expect(404, **SEES_ALL, liaison=200),
    ),
    # 投入保障
    ("b-index", "get", lambda o: reverse("budget"), expect(403, **{p: 302 for p in BUDGET})),
    ("b-year", "get", lambda o: reverse("budget_year", args=[o["year"]]), expect(403, **BUDGET)),
    ("b-xlsx", "get", lambda o: reverse("budget_xlsx", args=[o["year"]]), expect(403, **BUDGET)),
    (
        "b-far-future",
        "get",
        lambda o: reverse("budget_year", args=[3000]),
        expect(403, **{p: 404 for p in BUDGET}),
    ),
    # A state change last: it moves the open selection on.
    (
        "e-start-review",
        "post",
        lambda o: reverse("selection_start_review", args=[o["open"].pk]),
        expect(
            404,
            nobody=403,
            leader=403,
            liaison=403,
            other_liaison=403,
            secretariat=302,
            superuser=302,
        ),
    ),
]


@pytest.fixture
def objects(hq, street, department, site, secretariat, representative, liaison, other_liaison):
    other_rep = make_user("t_other_rep", Role.REPRESENTATIVE)
    mine = helpers.assigned(
        representative, hq, secretariat, street, photos=[photo("red")], site=site
    )
    theirs = helpers.suggestion(other_rep, hq, text="公园夜间照明不足。")
    answered = helpers.answered(representative, hq, secretariat)
    street_activity = helpers.activity(liaison, street, photos=[photo("green")])
    helpers.activity(other_liaison, department)
    open_selection = helpers.selection(hq)
    nomination = helpers.nominate(open_selection, liaison, street, "金山花园物业", with_photo=True)
    helpers.nominate(open_selection, other_liaison, department, "园林绿化工程")
    public = helpers.selection(hq, kind=Selection.Kind.MORAL_MODEL)
    shortlisted = [helpers.nominate(public, secretariat, street, "林阿姨")]
    today = timezone.localdate()
    public = helpers.on_publicity(
        public, secretariat, shortlisted, start=today, end=today + timedelta(days=6)
    )
    Budget.objects.create(
        headquarters=hq, year=today.year, source="district", amount=Decimal("100")
    )
    return {
        "mine": mine,
        "theirs": theirs,
        "answered": answered,
        "mine_photo": ParticipationPhoto.objects.get(suggestion=mine),
        "street_activity": street_activity,
        "activity_photo": ParticipationPhoto.objects.get(activity=street_activity),
        "series": street_activity.series,
        "open": open_selection,
        "public": public,
        "nomination_photo": ParticipationPhoto.objects.get(nomination=nomination),
        "year": today.year,
    }


@pytest.fixture
def who(request, db):
    def resolve(persona):
        if persona == "anonymous":
            return None
        if persona == "nobody":
            return make_user("t_nobody")
        return request.getfixturevalue(persona)

    return resolve


def state_of(o) -> dict:
    return {
        key: (type(o[key]).objects.filter(pk=o[key].pk).values_list("status", "version").get())
        for key in ("mine", "theirs", "answered", "public")
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix_of_participation(client, objects, who, persona):
    user = who(persona)
    if user is not None:
        client.force_login(user)
    actual, expected = {}, {}
    for name, method, url_of, codes in MATRIX:
        url = url_of(objects)
        before = state_of(objects)
        response = client.get(url) if method == "get" else client.post(url, {})
        actual[name], expected[name] = response.status_code, codes[persona]
        if response.status_code == 302 and persona == "anonymous":
            assert response["Location"].startswith(reverse("login")), name
        if method == "post" and name != "e-start-review":
            assert state_of(objects) == before, f"{name} changed something for {persona}"
    assert actual == expected


VISIBLE = {
    "secretariat": {"mine", "theirs", "answered"},
    "leader": {"mine", "theirs", "answered"},
    "superuser": {"mine", "theirs", "answered"},
    "liaison": {"mine"},
    "other_liaison": set(),
    "representative": {"mine", "answered"},
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_suggestion_list_and_exports_leak_nothing(client, objects, who, persona):
    client.force_login(who(persona))
    wanted = {objects[key].number for key in VISIBLE[persona]}
    hidden = {objects[key].number for key in ("mine", "theirs", "answered")} - wanted
    body = client.get(reverse("suggestion_list")).content.decode()
    csv = client.get(reverse("suggestion_list"), {"_export": "csv"}).content.decode("utf-8")
    xlsx = client.get(reverse("suggestion_list"), {"_export": "xlsx"}).content
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert {row[0] for row in rows[1:]} == wanted
    for number in wanted:
        assert number in body and number in csv
    for number in hidden:
        assert number not in body and number not in csv


@pytest.mark.parametrize(
    "persona,titles",
    [
        ("secretariat", {"湖里街道清洁家园", "区城市管理行政执法局清洁家园"}),
        ("representative", {"湖里街道清洁家园", "区城市管理行政执法局清洁家园"}),
        ("liaison", {"湖里街道清洁家园"}),
        ("other_liaison", {"区城市管理行政执法局清洁家园"}),
    ],
)
def test_activity_list_and_export_show_a_liaison_only_their_unit(
    client, objects, who, persona, titles
):
    client.force_login(who(persona))
    xlsx = client.get(reverse("activity_list"), {"_export": "xlsx"}).content
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    column = rows[0].index("活动名称")
    assert {row[column] for row in rows[1:]} == titles
    body = client.get(reverse("activity_list")).content.decode()
    for title in {"湖里街道清洁家园", "区城市管理行政执法局清洁家园"} - titles:
        assert title not in body


def test_nominations_a_liaison_sees_are_their_units_until_public(
    client, objects, liaison, representative
):
    client.force_login(liaison)
    body = client.get(reverse("selection_detail", args=[objects["open"].pk])).content.decode()
    assert "金山花园物业" in body and "园林绿化工程" not in body
    client.force_login(representative)
    body = client.get(reverse("selection_detail", args=[objects["public"].pk])).content.decode()
    assert "林阿姨" in body and "入围名单" in body
