"""Every URL of the problem area × every persona: the exact status code, and no cross-unit leak.

Three problems: ``mine`` (待整改, primary unit = the liaison's 湖里街道), ``theirs``
(待整改, primary unit = other_liaison's 区城市管理行政执法局) and ``fresh`` (待交办, no unit
yet), none with cooperating units. 302 is the login redirect; 403 is "you may not"; 404 is "not
yours to know of".
"""

import io

import openpyxl
import pytest
from django.urls import reverse

from civility.org.models import ProblemCategory, Site
from civility.supervision.photos import process_upload
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Photo, Problem, ProblemEvent
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
EVERYONE_SIGNED_IN = {p: 200 for p in PERSONAS if p not in ("anonymous", "nobody")}


def expect(default: int | None = None, **codes) -> dict:
    """Status per persona: anonymous is always sent to login; the rest as given or ``default``."""
    table = {p: default for p in PERSONAS}
    table.update(anonymous=302, **codes)
    missing = [p for p, code in table.items() if code is None]
    assert not missing, f"no expectation for {missing}"
    return table


SEES_ALL = {"secretariat": 200, "leader": 200, "inspector": 200, "superuser": 200}

# (name, method, url builder, expected status per persona)
MATRIX = [
    ("list", "get", lambda o: reverse("problem_list"), expect(nobody=403, **EVERYONE_SIGNED_IN)),
    (
        "export-xlsx",
        "get",
        lambda o: reverse("problem_list") + "?_export=xlsx",
        expect(nobody=403, **EVERYONE_SIGNED_IN),
    ),
    (
        "export-csv",
        "get",
        lambda o: reverse("problem_list") + "?_export=csv",
        expect(nobody=403, **EVERYONE_SIGNED_IN),
    ),
    (
        "bulk-assign",
        "post",
        lambda o: reverse("problem_list"),
        expect(403, secretariat=302, superuser=302),
    ),
    (
        "detail-mine",
        "get",
        lambda o: reverse("problem_detail", args=[o["mine"].number]),
        expect(404, nobody=403, liaison=200, **SEES_ALL),
    ),
    (
        "detail-theirs",
        "get",
        lambda o: reverse("problem_detail", args=[o["theirs"].number]),
        expect(404, nobody=403, other_liaison=200, **SEES_ALL),
    ),
    (
        "detail-fresh",
        "get",
        lambda o: reverse("problem_detail", args=[o["fresh"].number]),
        expect(404, nobody=403, **SEES_ALL),
    ),
    (
        "act-submit-mine",
        "get",
        lambda o: act(o["mine"], "submit"),
        expect(
            404, nobody=403, liaison=200, secretariat=403, leader=403, inspector=403, superuser=403
        ),
    ),
    (
        "act-submit-mine-post",
        "post",
        lambda o: act(o["mine"], "submit"),
        expect(
            404, nobody=403, liaison=200, secretariat=403, leader=403, inspector=403, superuser=403
        ),
    ),
    (
        "act-acknowledge-theirs",
        "get",
        lambda o: act(o["theirs"], "acknowledge"),
        expect(
            404,
            nobody=403,
            other_liaison=200,
            secretariat=403,
            leader=403,
            inspector=403,
            superuser=403,
        ),
    ),
    (
        "act-dispute-theirs-post",
        "post",
        lambda o: act(o["theirs"], "dispute"),
        expect(
            404,
            nobody=403,
            other_liaison=200,
            secretariat=403,
            leader=403,
            inspector=403,
            superuser=403,
        ),
    ),
    (
        "act-escalate-mine",
        "get",
        lambda o: act(o["mine"], "escalate"),
        expect(
            404, nobody=403, liaison=403, secretariat=200, leader=200, inspector=403, superuser=200
        ),
    ),
    (
        "act-request-extension-mine",
        "get",
        lambda o: act(o["mine"], "request_extension"),
        expect(
            404, nobody=403, liaison=200, secretariat=403, leader=403, inspector=403, superuser=403
        ),
    ),
    (
        "act-assign-fresh",
        "get",
        lambda o: act(o["fresh"], "assign"),
        expect(404, nobody=403, secretariat=200, inspector=200, superuser=200, leader=403),
    ),
    (
        "act-assign-fresh-post",
        "post",
        lambda o: act(o["fresh"], "assign"),
        expect(404, nobody=403, secretariat=200, inspector=302, superuser=200, leader=403),
    ),
    (
        "act-void-fresh",
        "get",
        lambda o: act(o["fresh"], "void"),
        expect(404, nobody=403, secretariat=200, superuser=200, inspector=403, leader=403),
    ),
    (
        "act-reassign-mine",
        "get",
        lambda o: act(o["mine"], "reassign"),
        expect(
            404, nobody=403, liaison=403, secretariat=403, leader=403, inspector=403, superuser=403
        ),
    ),  # only from 待协调
    (
        "photo-mine",
        "get",
        lambda o: reverse("photo", args=[o["mine_photo"].pk]),
        expect(404, liaison=200, **SEES_ALL),
    ),
    (
        "thumb-mine",
        "get",
        lambda o: reverse("photo_thumb", args=[o["mine_photo"].pk]),
        expect(404, liaison=200, **SEES_ALL),
    ),
    (
        "photo-theirs",
        "get",
        lambda o: reverse("photo", args=[o["theirs_photo"].pk]),
        expect(404, other_liaison=200, **SEES_ALL),
    ),
    (
        "thumb-fresh",
        "get",
        lambda o: reverse("photo_thumb", args=[o["fresh_photo"].pk]),
        expect(404, **SEES_ALL),
    ),
]


def act(problem, action) -> str:
    return reverse("problem_act", args=[problem.number, action])


def jpeg() -> io.BytesIO:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "red").save(buffer, format="JPEG")
    buffer.seek(0)
    return buffer


@pytest.fixture
def objects(secretariat, inspector, street, department):
    site = Site.objects.get(name="湖里大道")
    category = ProblemCategory.objects.get(name="占道经营")

    def new():
        problem, _ = workflow.report_problem(
            by=inspector,
            site=site,
            category=category,
            description="占道经营",
            photos=[process_upload(jpeg())],
        )
        return problem

    def assigned(unit):
        return workflow.perform(
            new(), workflow.Action.ASSIGN, by=secretariat, unit=unit, cooperating_units=[]
        )

    found = {"mine": assigned(street), "theirs": assigned(department), "fresh": new(), "new": new}
    for key in ("mine", "theirs", "fresh"):
        found[f"{key}_photo"] = Photo.objects.get(problem=found[key])
    return found


@pytest.fixture
def who(request, db):
    def resolve(persona):
        if persona == "anonymous":
            return None
        if persona == "nobody":
            return make_user("t_nobody")
        return request.getfixturevalue(persona)

    return resolve


def state_of(objects) -> dict:
    problems = Problem.objects.filter(pk__in=[objects[k].pk for k in ("mine", "theirs", "fresh")])
    return {
        "problems": sorted(problems.values_list("pk", "status", "version")),
        "events": ProblemEvent.objects.count(),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix_of_problem_area(client, objects, who, persona):
    user = who(persona)
    if user is not None:
        client.force_login(user)
    actual, expected = {}, {}
    for name, method, url_of, codes in MATRIX:
        url = url_of(objects)
        before = state_of(objects)
        if method == "get":
            response = client.get(url)
        else:
            # Empty posts: allowed people get the form back with errors (200) or, for the
            # inspector's 现场交办 that needs no input, the action is taken (302).
            # Every action post carries the problem's version (issue 10).
            data = {"problems": [objects["fresh"].pk]} if name == "bulk-assign" else {}
            if name == "act-assign-fresh-post":
                data = {"version": Problem.objects.get(pk=objects["fresh"].pk).version}
            response = client.post(url, data)
        actual[name], expected[name] = response.status_code, codes[persona]
        if response.status_code == 302 and persona == "anonymous":
            assert response["Location"].startswith(reverse("login")), name
        if response.status_code != 302 and method == "post":
            assert state_of(objects) == before, f"{name} changed something for {persona}"
        assigned = name in ("bulk-assign", "act-assign-fresh-post") and persona != "anonymous"
        if assigned and response.status_code == 302:
            # It really was assigned: the next URLs get a new 待交办 problem.
            assert Problem.objects.get(pk=objects["fresh"].pk).status == Problem.Status.ASSIGNED
            objects["fresh"] = objects["new"]()
            objects["fresh_photo"] = Photo.objects.get(problem=objects["fresh"])
    assert actual == expected


VISIBLE = {
    "secretariat": {"mine", "theirs", "fresh"},
    "leader": {"mine", "theirs", "fresh"},
    "inspector": {"mine", "theirs", "fresh"},
    "superuser": {"mine", "theirs", "fresh"},
    "liaison": {"mine"},
    "other_liaison": {"theirs"},
    "representative": set(),
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_permission_matrix_list_and_exports_leak_nothing(client, objects, who, persona):
    client.force_login(who(persona))
    wanted = {objects[key].number for key in VISIBLE[persona]}
    hidden = {objects[key].number for key in ("mine", "theirs", "fresh")} - wanted
    body = client.get(reverse("problem_list")).content.decode()
    csv = client.get(reverse("problem_list"), {"_export": "csv"}).content.decode("utf-8")
    xlsx = client.get(reverse("problem_list"), {"_export": "xlsx"}).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    exported = {row[0] for row in list(sheet.iter_rows(values_only=True))[1:]}
    assert exported == wanted
    for number in wanted:
        assert number in body and number in csv
    for number in hidden:
        assert number not in body and number not in csv
    # Nor do the filter choices name a unit whose problems this person cannot see.
    offered = set(
        client.get(reverse("problem_list")).context["filter"].form.fields["unit"].queryset
    )
    units_seen = {objects[key].primary_unit for key in VISIBLE[persona] if key != "fresh"}
    assert offered == units_seen
