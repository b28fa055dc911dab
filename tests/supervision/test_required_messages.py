"""Every required field gets the app's Chinese message, never the browser's English bubble
(issue 10): each form that the browser would check (required, min/max, pattern, typed inputs) is
rendered ``novalidate``, and the server answers in Chinese; in a real browser, 提交整改 without a
photo shows the Chinese message in the modal."""

import re

import pytest
from django.urls import reverse

from civility.core.roles import Role
from civility.org.models import Unit
from civility.supervision.commentary import services as commentary_services
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.inspections import services
from civility.supervision.inspections.models import InspectionTeam
from civility.supervision.problems.models import Action, Problem
from tests.conftest import browser_login, make_user
from tests.factories import problem_in, street_site

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "modal"}
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
CONSTRAINED = re.compile(
    r"<(?:input|select|textarea)\b[^>]*?"
    r"(?:\s(?:required|min|max|pattern|minlength)(?=[\s=>/])"
    r"|type=\"(?:email|url|number|date|datetime-local)\")"
)


def forms_the_browser_would_check(html: str) -> list[str]:
    """The opening tags of POST forms whose fields carry browser constraints but no novalidate."""
    unchecked = []
    for attrs, body in FORM.findall(html):
        if 'method="post"' in attrs and CONSTRAINED.search(body) and "novalidate" not in attrs:
            unchecked.append(f"<form{attrs}>")
    return unchecked


def constrained_forms(html: str) -> int:
    return sum(1 for attrs, body in FORM.findall(html) if CONSTRAINED.search(body))


@pytest.fixture
def people(secretariat, leader, inspector, liaison):
    return {"secretariat": secretariat, "liaison": liaison, "inspector": inspector}


# Every action with a form, with a person who may take it and a state it is taken from.
ACTIONS = [
    ("reported", "secretariat", Action.ASSIGN),
    ("reported", "secretariat", Action.VOID),
    ("assigned", "liaison", Action.SUBMIT),
    ("assigned", "liaison", Action.DISPUTE),
    ("assigned", "liaison", Action.REQUEST_EXTENSION),
    ("assigned", "leader", Action.ESCALATE),
    ("disputed", "secretariat", Action.REASSIGN),
    ("disputed", "secretariat", Action.REJECT_DISPUTE),
    ("submitted", "inspector", Action.APPROVE),
    ("submitted", "inspector", Action.RETURN),
    ("pending_extension", "secretariat", Action.REJECT_EXTENSION),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "modal"])
@pytest.mark.parametrize(("state", "persona", "action"), ACTIONS, ids=[a[2] for a in ACTIONS])
def test_problem_action_forms_leave_validation_to_the_app(
    client, request, people, site, state, persona, action, htmx
):
    problem = problem_in(state, site=site, **people)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("problem_act", args=[problem.number, action.value])
    html = client.get(url, **(HTMX if htmx else {})).content.decode()
    assert 'id="action-form"' in html
    assert forms_the_browser_would_check(html) == []


def test_submit_without_photo_or_note_answers_in_chinese(client, people, site):
    problem = problem_in("assigned", site=site, **people)
    client.force_login(people["liaison"])
    url = reverse("problem_act", args=[problem.number, "submit"])
    response = client.post(url, {"version": problem.version, "note": ""}, **HTMX)
    html = response.content.decode()
    assert '<p class="field-error">请至少上传一张整改后照片。</p>' in html
    assert '<p class="field-error">请填写整改情况说明。</p>' in html
    problem.refresh_from_db()
    assert problem.status == Problem.Status.ASSIGNED


def test_inspection_forms_leave_validation_to_the_app(client, hq, inspector):
    team = InspectionTeam.objects.get(headquarters=hq, name="创建办督查组")
    team.members.add(inspector)
    client.force_login(inspector)
    html = client.get(reverse("inspection_new")).content.decode()
    assert constrained_forms(html) == 1
    assert forms_the_browser_would_check(html) == []
    inspection, _ = services.create_inspection(by=inspector, team=team)
    html = client.get(reverse("inspection_detail", args=[inspection.pk])).content.decode()
    assert 'id="problem-form"' in html
    assert constrained_forms(html) >= 1
    assert forms_the_browser_would_check(html) == []


def test_inspection_problem_without_anything_answers_in_chinese(client, hq, inspector):
    team = InspectionTeam.objects.get(headquarters=hq, name="创建办督查组")
    team.members.add(inspector)
    inspection, _ = services.create_inspection(by=inspector, team=team)
    client.force_login(inspector)
    response = client.post(
        reverse("inspection_add_problem", args=[inspection.pk]),
        {"site": "", "category": "", "description": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="problem-form",
    )
    html = response.content.decode()
    for message in ("请选择点位", "请选择问题类别。", "请填写问题描述。", "请至少拍摄或上传一张"):
        assert message in html
    assert inspection.problems.count() == 0


def test_commentary_forms_leave_validation_to_the_app(client, leader, liaison, street):
    client.force_login(leader)
    html = client.get(reverse("commentary_new")).content.decode()
    assert constrained_forms(html) == 1
    assert forms_the_browser_would_check(html) == []
    commentary, _ = commentary_services.issue_commentary(
        by=leader,
        headquarters=street.headquarters,
        kind=Commentary.Kind.WRITTEN,
        tone=Commentary.Tone.CRITICISM,
        title="禾山路卫生死角",
        text="予以批评。",
        units=[street],
    )
    receipt = CommentaryReceipt.objects.get(commentary=commentary)
    commentary_services.acknowledge_receipt(receipt, liaison)
    client.force_login(liaison)
    html = client.get(reverse("commentary_detail", args=[commentary.pk])).content.decode()
    assert 'class="reply-form"' in html
    assert forms_the_browser_would_check(html) == []


def test_login_form_leaves_validation_to_the_app(client):
    html = client.get(reverse("login")).content.decode()
    assert constrained_forms(html) == 1
    assert forms_the_browser_would_check(html) == []


@pytest.mark.parametrize("url_name", ["veto_new", "report_index"])
def test_secretariat_forms_leave_validation_to_the_app(client, secretariat, url_name):
    client.force_login(secretariat)
    html = client.get(reverse(url_name)).content.decode()
    assert forms_the_browser_would_check(html) == []


@pytest.mark.browser
def test_browser_submit_without_photo_shows_the_chinese_message_in_the_modal(
    live_huli, live_server, page
):
    street = Unit.objects.get(name="湖里街道")
    people = {
        "secretariat": make_user("b_secretariat", Role.SECRETARIAT),
        "liaison": make_user("b_liaison", Role.LIAISON, unit=street),
        "inspector": make_user("b_inspector", Role.INSPECTOR),
    }
    problem = problem_in("assigned", site=street_site(street), **people)

    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "b_liaison")
    page.goto(f"{live_server.url}{reverse('problem_detail', args=[problem.number])}")
    page.get_by_role("link", name="提交整改").click()
    modal = page.locator("#modal")
    modal.get_by_label("整改情况说明").fill("已清理占道摊点。")
    modal.locator("#action-form").get_by_role("button", name="提交整改").click()
    modal.locator(".field-error", has_text="请至少上传一张整改后照片。").wait_for()
    assert modal.is_visible()
    problem.refresh_from_db()
    assert problem.status == Problem.Status.ASSIGNED


def test_compile_without_a_period_answers_in_chinese(client, secretariat):
    client.force_login(secretariat)
    response = client.post(reverse("report_index"), {"kind": "monthly", "period": ""})
    assert '<p class="field-error">请填写期间。</p>' in response.content.decode()
