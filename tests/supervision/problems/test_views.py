"""The problem pages (SPEC §4, §8): /problems/ list and 批量交办, /problems/<number>/ with its
action panel, the action forms at /problems/<number>/act/<action>/, and the permission-checked
photos."""

import io
import json
import re
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from civility.org.models import ProblemCategory, Site, Unit
from civility.supervision.photos import process_upload
from civility.supervision.problems import workflow
from civility.supervision.problems.models import (
    Drive,
    ExtensionRequest,
    Photo,
    Problem,
    ProblemEvent,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

A = workflow.Action
S = Problem.Status
PERSONAS = ["secretariat", "leader", "inspector", "liaison", "other_liaison", "representative"]


# --- helpers ----------------------------------------------------------------------------------


def jpeg(color="red", size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(name="photo.jpg", color="green") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(color), content_type="image/jpeg")


def processed(color="red"):
    return process_upload(io.BytesIO(jpeg(color)))


def report(by, site, category=None, *, photos=1, **kwargs) -> Problem:
    category = category or ProblemCategory.objects.get(name="占道经营")
    problem, _ = workflow.report_problem(
        by=by,
        site=site,
        category=category,
        description=kwargs.pop("description", "路口流动摊贩占道经营。"),
        photos=[processed() for _ in range(photos)],
        **kwargs,
    )
    return problem


def assign(problem, by, unit, *, cooperating=(), **kwargs) -> Problem:
    """交办 with explicit cooperating units, so that no other unit sees it by accident."""
    return workflow.perform(
        problem, A.ASSIGN, by=by, unit=unit, cooperating_units=list(cooperating), **kwargs
    )


def problem_in(state, people, site, unit=None) -> Problem:
    """A problem at ``site`` in ``state`` whose primary unit is ``unit`` (the liaison's)."""
    sec, liaison = people["secretariat"], people["liaison"]
    problem = report(people["inspector"], site)
    if state == "reported":
        return problem
    if state == "void":
        return workflow.perform(problem, A.VOID, by=sec, note="重复上报")
    problem = assign(problem, sec, unit or liaison.unit)
    if state == "assigned":
        return problem
    if state == "pending_extension":
        return workflow.perform(
            problem,
            A.REQUEST_EXTENSION,
            by=liaison,
            note="需协调施工队",
            deadline=problem.deadline + timedelta(days=3),
        )
    if state == "disputed":
        return workflow.perform(problem, A.DISPUTE, by=liaison, note="不属本单位管辖")
    problem = workflow.perform(problem, A.SUBMIT, by=liaison, note="已清理", photos=[processed()])
    if state == "submitted":
        return problem
    assert state == "closed"
    return workflow.perform(problem, A.APPROVE, by=people["inspector"])


def rows(response) -> list[str]:
    return sorted(p.number for p in response.context["table"].data)


def count_queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def action_buttons(response) -> list[str]:
    body = response.content.decode()
    start = body.index('id="problem-actions"')
    panel = body[start : body.index("</section>", start)]
    return re.findall(r'data-action="([a-z_]+)"', panel)


# What htmx sends from the action modal, and from a direct button swapping the page region.
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "modal-body"}
HTMX_MAIN = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "problem-main"}


@pytest.fixture
def people(secretariat, leader, inspector, liaison, other_liaison, representative):
    return {
        "secretariat": secretariat,
        "leader": leader,
        "inspector": inspector,
        "liaison": liaison,
        "other_liaison": other_liaison,
        "representative": representative,
    }


@pytest.fixture
def site(street):
    """湖里大道: in 湖里街道, whose default (块) unit is 湖里街道 (the liaison's unit)."""
    site = Site.objects.get(name="湖里大道")
    assert site.default_unit_id == street.pk
    return site


@pytest.fixture
def far_site():
    """A site in another street (殿前街道)."""
    return Site.objects.get(name="高崎南五路")


# --- /problems/: who sees what ----------------------------------------------------------------


def test_problem_list_requires_login(client):
    response = client.get(reverse("problem_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_problem_list_denies_a_user_without_roles(client):
    client.force_login(make_user("nobody"))
    assert client.get(reverse("problem_list")).status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_problem_list_opens_for_every_role(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("problem_list"))
    assert response.status_code == 200
    assert 'id="problems-table"' in response.content.decode()


@pytest.fixture
def spread(people, site, street, department):
    """Four problems: the liaison's unit primary, cooperating, neither, and not yet assigned."""
    sec = people["secretariat"]
    return {
        "primary": assign(report(people["inspector"], site), sec, street),
        "cooperating": assign(
            report(people["inspector"], site), sec, department, cooperating=[street]
        ),
        "foreign": assign(report(people["inspector"], site), sec, department),
        "reported": report(people["inspector"], site),
    }


def test_problem_list_liaison_sees_primary_and_cooperating_only(client, liaison, spread):
    client.force_login(liaison)
    response = client.get(reverse("problem_list"))
    assert rows(response) == sorted([spread["primary"].number, spread["cooperating"].number])
    body = response.content.decode()
    assert spread["foreign"].number not in body
    assert spread["reported"].number not in body


def test_problem_list_other_liaison_sees_own_unit_only(client, other_liaison, spread):
    client.force_login(other_liaison)
    response = client.get(reverse("problem_list"))
    assert rows(response) == sorted([spread["cooperating"].number, spread["foreign"].number])


@pytest.mark.parametrize("persona", ["secretariat", "leader", "inspector"])
def test_problem_list_shows_everything_to_office_roles(client, request, persona, spread):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("problem_list"))
    assert rows(response) == sorted(p.number for p in spread.values())


def test_problem_list_representative_sees_nothing_unrelated(client, representative, spread):
    client.force_login(representative)
    response = client.get(reverse("problem_list"))
    assert rows(response) == []


def test_problem_list_liaison_filter_offers_only_visible_units(client, liaison, spread, street):
    client.force_login(liaison)
    response = client.get(reverse("problem_list"))
    form = response.context["filter"].form
    offered = set(form.fields["unit"].queryset.values_list("name", flat=True))
    assert offered == {"湖里街道", "区城市管理行政执法局"}  # primary units of what they see
    assert set(form.fields["street"].queryset.values_list("name", flat=True)) == {"湖里街道"}


def test_problem_list_liaison_cannot_filter_into_another_unit(client, liaison, spread, hq):
    other = Unit.objects.get(headquarters=hq, name="殿前街道")
    client.force_login(liaison)
    response = client.get(reverse("problem_list"), {"unit": other.pk})
    assert "unit" in response.context["filter"].form.errors
    assert rows(response) == sorted([spread["primary"].number, spread["cooperating"].number])


# --- /problems/: filters ----------------------------------------------------------------------


def test_problem_list_filter_by_street(client, people, site, far_site):
    here, there = report(people["inspector"], site), report(people["inspector"], far_site)
    client.force_login(people["leader"])
    response = client.get(reverse("problem_list"), {"street": far_site.street_id})
    assert rows(response) == [there.number]
    response = client.get(reverse("problem_list"), {"street": site.street_id})
    assert rows(response) == [here.number]


def test_problem_list_filter_by_unit(client, people, site, street, department):
    mine = assign(report(people["inspector"], site), people["secretariat"], street)
    assign(report(people["inspector"], site), people["secretariat"], department)
    client.force_login(people["leader"])
    response = client.get(reverse("problem_list"), {"unit": street.pk})
    assert rows(response) == [mine.number]


def test_problem_list_filter_by_category(client, people, site):
    litter = ProblemCategory.objects.get(name="暴露垃圾")
    wanted = report(people["inspector"], site, litter)
    report(people["inspector"], site)
    client.force_login(people["leader"])
    response = client.get(reverse("problem_list"), {"category": litter.pk})
    assert rows(response) == [wanted.number]


def test_problem_list_filter_by_status(client, people, site):
    assigned = problem_in("assigned", people, site)
    problem_in("reported", people, site)
    problem_in("disputed", people, site)
    client.force_login(people["leader"])
    response = client.get(reverse("problem_list"), {"status": "assigned"})
    assert rows(response) == [assigned.number]


def test_problem_list_filter_by_due_state(client, people, site, street):
    sec, now = people["secretariat"], timezone.now()
    overdue = assign(report(people["inspector"], site), sec, street, now=now - timedelta(days=10))
    soon = assign(report(people["inspector"], site), sec, street, deadline=now + timedelta(hours=6))
    on_time = assign(
        report(people["inspector"], site), sec, street, deadline=now + timedelta(days=5)
    )
    late = assign(report(people["inspector"], site), sec, street, now=now - timedelta(days=10))
    late = workflow.perform(
        late, A.SUBMIT, by=people["liaison"], note="已整改", photos=[processed()]
    )
    late = workflow.perform(late, A.APPROVE, by=people["inspector"])
    report(people["inspector"], site)  # 待交办: no due state at all
    client.force_login(people["leader"])
    expected = {
        "overdue": overdue,
        "due_soon": soon,
        "on_time": on_time,
        "closed_late": late,
    }
    for state, problem in expected.items():
        response = client.get(reverse("problem_list"), {"due_state": state})
        assert rows(response) == [problem.number], state
    body = client.get(reverse("problem_list"), {"due_state": "overdue"}).content.decode()
    assert '<span class="badge due-overdue">逾期</span>' in body


def test_problem_list_filter_by_source_and_drive(client, people, site, hq):
    # An ended drive: a running one would tag every new problem (drives.running_drive_for).
    drive = Drive.objects.create(
        headquarters=hq,
        name="百日大会战",
        start_date=timezone.localdate() - timedelta(days=200),
        end_date=timezone.localdate() - timedelta(days=100),
    )
    hotline = report(people["inspector"], site, source=Problem.Source.HOTLINE)
    tagged = report(people["inspector"], site, drive=drive)
    report(people["inspector"], site)
    client.force_login(people["leader"])
    assert rows(client.get(reverse("problem_list"), {"source": "hotline"})) == [hotline.number]
    assert rows(client.get(reverse("problem_list"), {"drive": drive.pk})) == [tagged.number]


def test_problem_list_filter_by_report_date_range(client, people, site):
    now = timezone.now()
    old = report(people["inspector"], site, now=now - timedelta(days=40))
    middle = report(people["inspector"], site, now=now - timedelta(days=20))
    new = report(people["inspector"], site, now=now)
    client.force_login(people["leader"])
    day = lambda d: timezone.localtime(now - timedelta(days=d)).date().isoformat()  # noqa: E731
    response = client.get(reverse("problem_list"), {"date_from": day(25), "date_to": day(10)})
    assert rows(response) == [middle.number]
    assert rows(client.get(reverse("problem_list"), {"date_to": day(30)})) == [old.number]
    assert rows(client.get(reverse("problem_list"), {"date_from": day(0)})) == [new.number]


def test_problem_list_filter_by_text(client, people, site, far_site):
    a = report(people["inspector"], site, description="井盖缺失，存在安全隐患")
    b = report(people["inspector"], far_site)
    client.force_login(people["leader"])
    assert rows(client.get(reverse("problem_list"), {"q": "井盖"})) == [a.number]
    assert rows(client.get(reverse("problem_list"), {"q": far_site.name})) == [b.number]
    assert rows(client.get(reverse("problem_list"), {"q": b.number})) == [b.number]


def test_problem_list_bad_filter_value_shows_error_and_keeps_rows(client, people, site):
    problem = report(people["inspector"], site)
    client.force_login(people["leader"])
    response = client.get(reverse("problem_list"), {"due_state": "bogus"})
    assert response.status_code == 200
    assert "due_state" in response.context["filter"].form.errors
    assert rows(response) == [problem.number]


# --- /problems/: sorting, HTMX, export, query count --------------------------------------------


def test_problem_list_sorts_by_deadline(client, people, site, street):
    sec, now = people["secretariat"], timezone.now()
    later = assign(report(people["inspector"], site), sec, street, deadline=now + timedelta(days=5))
    sooner = assign(
        report(people["inspector"], site), sec, street, deadline=now + timedelta(days=1)
    )
    client.force_login(people["leader"])
    response = client.get(reverse("problem_list"), {"sort": "deadline", "status": "assigned"})
    assert [p.number for p in response.context["table"].page.object_list.data] == [
        sooner.number,
        later.number,
    ]
    response = client.get(reverse("problem_list"), {"sort": "-deadline", "status": "assigned"})
    assert [p.number for p in response.context["table"].page.object_list.data] == [
        later.number,
        sooner.number,
    ]


def test_problem_list_default_order_is_newest_first(client, people, site):
    now = timezone.now()
    old = report(people["inspector"], site, now=now - timedelta(days=2))
    new = report(people["inspector"], site, now=now)
    client.force_login(people["leader"])
    response = client.get(reverse("problem_list"))
    assert [p.number for p in response.context["table"].page.object_list.data] == [
        new.number,
        old.number,
    ]


def test_problem_list_paginates_by_25(client, people, site):
    for _ in range(26):
        report(people["inspector"], site, photos=0)
    client.force_login(people["leader"])
    response = client.get(reverse("problem_list"))
    assert len(response.context["table"].page.object_list) == 25
    assert len(client.get(reverse("problem_list"), {"page": 2}).context["table"].page) == 1


def test_problem_list_htmx_request_returns_only_the_table(client, people, site):
    problem = report(people["inspector"], site)
    client.force_login(people["leader"])
    response = client.get(
        reverse("problem_list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-region"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="problems-table"' in body
    assert problem.number in body
    assert "HX-Request" in response["Vary"]


def test_problem_list_xlsx_export_holds_exactly_the_filtered_rows(client, people, site, far_site):
    here = [report(people["inspector"], site) for _ in range(3)]
    report(people["inspector"], far_site)
    assign(here[0], people["secretariat"], site.default_unit)
    client.force_login(people["leader"])
    params = {"street": site.street_id}
    expected = rows(client.get(reverse("problem_list"), params))
    assert expected == sorted(p.number for p in here)
    response = client.get(reverse("problem_list"), {**params, "_export": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *data = list(sheet.iter_rows(values_only=True))
    assert header[:7] == ("编号", "点位", "类别", "主责单位", "状态", "期限", "上报时间")
    assert "问题描述" in header and "街道" in header and "期限状态" in header
    assert sorted(row[0] for row in data) == expected
    cells = [str(cell) for row in data for cell in row if cell is not None]
    assert not any("<" in cell for cell in cells), "exports hold plain text, not HTML"
    statuses = {row[header.index("编号")]: row[header.index("状态")] for row in data}
    assert statuses[here[0].number] == "待整改"
    assert statuses[here[1].number] == "待交办"


def test_problem_list_csv_export_for_liaison_holds_only_visible_rows(client, liaison, spread):
    client.force_login(liaison)
    response = client.get(reverse("problem_list"), {"_export": "csv"})
    text = response.content.decode("utf-8")
    assert spread["primary"].number in text
    assert spread["cooperating"].number in text
    assert spread["foreign"].number not in text
    assert spread["reported"].number not in text


@pytest.mark.parametrize("persona", ["secretariat", "liaison"])
def test_problem_list_query_count_is_constant_in_rows(client, request, people, site, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assign(report(people["inspector"], site), people["secretariat"], site.default_unit)
    client.get(reverse("problem_list"))  # a liaison's visibility plan is counted once, then cached
    few = count_queries(client, reverse("problem_list"))
    for i in range(29):
        problem = report(people["inspector"], site, photos=0)
        if i % 2:
            assign(problem, people["secretariat"], site.default_unit)
    many = count_queries(client, reverse("problem_list"))
    assert few == many
    partial = count_queries(
        client, reverse("problem_list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-region"
    )
    assert partial <= many


# --- /problems/: 批量交办 ---------------------------------------------------------------------


def test_bulk_assign_assigns_ticked_problems_to_site_default_units(client, people, site, far_site):
    a, b = report(people["inspector"], site), report(people["inspector"], far_site)
    untouched = report(people["inspector"], site)
    client.force_login(people["secretariat"])
    response = client.post(
        reverse("problem_list") + "?status=reported",
        {"problems": [a.pk, b.pk]},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="table-region",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert triggers(response)["toast"] == {"message": "已交办 2 个问题。", "level": "success"}
    a.refresh_from_db(), b.refresh_from_db(), untouched.refresh_from_db()
    assert (a.status, a.primary_unit_id) == (S.ASSIGNED, site.default_unit_id)
    assert (b.status, b.primary_unit_id) == (S.ASSIGNED, far_site.default_unit_id)
    assert untouched.status == S.REPORTED
    assert ProblemEvent.objects.filter(problem__in=[a, b], action=A.ASSIGN).count() == 2
    # The table is shown again with the same filters: only the one still 待交办.
    assert rows(response) == [untouched.number]


def test_bulk_assign_to_a_chosen_unit_and_reports_failures(client, people, site, department):
    fresh = report(people["inspector"], site)
    done = problem_in("assigned", people, site)
    client.force_login(people["secretariat"])
    response = client.post(
        reverse("problem_list"),
        {"problems": [fresh.pk, done.pk], "bulk-unit": department.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="table-region",
    )
    fresh.refresh_from_db()
    assert fresh.primary_unit_id == department.pk
    message = triggers(response)["toast"]["message"]
    assert message.startswith("已交办 1 个问题，1 个未能交办（")
    assert done.number in message
    assert ProblemEvent.objects.filter(problem=done).count() == 2  # 上报, 交办: nothing new


def test_bulk_assign_with_nothing_ticked_says_so(client, people, site):
    report(people["inspector"], site)
    client.force_login(people["secretariat"])
    response = client.post(
        reverse("problem_list"), {}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-region"
    )
    assert triggers(response)["toast"] == {"message": "请先勾选要交办的问题。", "level": "error"}


def test_bulk_assign_plain_post_redirects_with_message(client, people, site):
    problem = report(people["inspector"], site)
    client.force_login(people["secretariat"])
    response = client.post(
        reverse("problem_list") + "?status=reported", {"problems": [problem.pk]}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("problem_list") + "?status=reported"
    assert "已交办 1 个问题。" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == S.ASSIGNED


@pytest.mark.parametrize("persona", ["inspector", "liaison", "leader", "representative"])
def test_bulk_assign_is_refused_to_other_roles(client, request, people, site, persona):
    problem = report(people["inspector"], site)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("problem_list"), {"problems": [problem.pk]})
    assert response.status_code == 403
    problem.refresh_from_db()
    assert problem.status == S.REPORTED
    assert ProblemEvent.objects.filter(problem=problem).count() == 1


def test_bulk_assign_checkboxes_only_for_secretariat_and_only_on_reported_rows(
    client, people, site
):
    reported = report(people["inspector"], site)
    assigned = problem_in("assigned", people, site)
    client.force_login(people["secretariat"])
    body = client.get(reverse("problem_list")).content.decode()
    assert f'name="problems" value="{reported.pk}"' in body
    assert f'name="problems" value="{assigned.pk}"' not in body
    assert 'id="bulk-assign"' in body
    client.force_login(people["inspector"])
    body = client.get(reverse("problem_list")).content.decode()
    assert 'name="problems"' not in body
    assert 'id="bulk-assign"' not in body


# --- /problems/<number>/ ----------------------------------------------------------------------


def detail_url(problem) -> str:
    return reverse("problem_detail", args=[problem.number])


def act_url(problem, action) -> str:
    return reverse("problem_act", args=[problem.number, action])


def test_problem_detail_requires_login(client, people, site):
    problem = problem_in("assigned", people, site)
    response = client.get(detail_url(problem))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_problem_detail_denies_a_user_without_roles(client, people, site):
    problem = problem_in("assigned", people, site)
    client.force_login(make_user("nobody"))
    assert client.get(detail_url(problem)).status_code == 403


def test_problem_detail_is_404_for_other_unit_liaison(client, people, site):
    problem = problem_in("assigned", people, site)
    client.force_login(people["other_liaison"])
    assert client.get(detail_url(problem)).status_code == 404


def test_problem_detail_is_404_for_unknown_number(client, people):
    client.force_login(people["secretariat"])
    assert client.get(reverse("problem_detail", args=["HL-1999-000001"])).status_code == 404


def test_problem_detail_shows_facts_photos_and_timeline(client, people, site, street):
    problem = problem_in("submitted", people, site)
    problem = workflow.perform(problem, A.ESCALATE, by=people["leader"], note="请尽快复查")
    client.force_login(people["liaison"])
    response = client.get(detail_url(problem))
    assert response.status_code == 200
    body = response.content.decode()
    assert problem.number in body
    assert '<span class="badge status-submitted" id="problem-status">待复查</span>' in body
    assert "湖里大道" in body and "湖里街道" in body and "占道经营" in body
    assert "4.0 分" in body and "督办加倍，原 2.0 分" in body  # 占道经营: 2 分, doubled
    before = Photo.objects.get(problem=problem, kind=Photo.Kind.BEFORE)
    after = Photo.objects.get(problem=problem, kind=Photo.Kind.AFTER)
    assert reverse("photo_thumb", args=[before.pk]) in body
    assert reverse("photo", args=[after.pk]) in body
    assert body.index("整改前") < body.index("整改后")
    for label in ("上报", "交办", "提交整改", "督办", "请尽快复查", "待整改 → 待复查"):
        assert label in body
    local = timezone.localtime(problem.reported_at)
    assert f"{local.year}年{local.month}月{local.day}日" in body


def test_problem_detail_shows_pending_extension(client, people, site):
    problem = problem_in("pending_extension", people, site)
    client.force_login(people["secretariat"])
    body = client.get(detail_url(problem)).content.decode()
    assert 'id="pending-extension"' in body
    assert "需协调施工队" in body


# The action panel: exactly the buttons of workflow.available_actions, per persona and state.
PANEL = [
    ("reported", "secretariat", ["assign", "void"]),
    ("reported", "inspector", ["assign"]),
    ("reported", "leader", []),
    ("assigned", "liaison", ["acknowledge", "submit", "dispute", "request_extension"]),
    ("assigned", "secretariat", ["escalate"]),
    ("assigned", "leader", ["escalate"]),
    ("assigned", "inspector", []),
    ("pending_extension", "liaison", ["acknowledge", "submit", "dispute"]),
    ("pending_extension", "secretariat", ["escalate", "approve_extension", "reject_extension"]),
    ("disputed", "secretariat", ["reassign", "reject_dispute", "escalate"]),
    ("disputed", "liaison", []),
    ("submitted", "inspector", ["approve", "return"]),
    ("submitted", "secretariat", ["approve", "return", "escalate"]),
    ("submitted", "liaison", []),
    ("closed", "secretariat", []),
    ("void", "secretariat", []),
]


@pytest.mark.parametrize(("state", "persona", "expected"), PANEL)
def test_problem_detail_action_panel_offers_exactly_the_allowed_actions(
    client, people, site, state, persona, expected
):
    problem = problem_in(state, people, site)
    client.force_login(people[persona])
    response = client.get(detail_url(problem))
    assert response.status_code == 200
    assert action_buttons(response) == expected
    body = response.content.decode()
    for action in expected:
        assert f">{A(action).label}</" in body  # the exact SPEC §4 label


def test_problem_detail_action_panel_buttons_open_modal_with_page_fallback(client, people, site):
    problem = problem_in("assigned", people, site)
    client.force_login(people["liaison"])
    body = client.get(detail_url(problem)).content.decode()
    url = act_url(problem, "submit") + f"?v={problem.version}"
    assert f'href="{url}" hx-get="{url}" hx-target="#modal-body"' in body
    # 签收 posts at once (no form to fill in).
    assert f'hx-post="{act_url(problem, "acknowledge")}" hx-target="#problem-main"' in body


@pytest.mark.parametrize("state", ["reported", "assigned", "other_liaison_assigned"])
def test_problem_detail_other_liaison_gets_404(client, people, site, department, state):
    unit = department if state == "other_liaison_assigned" else None
    problem = problem_in("assigned" if unit else state, people, site)
    if unit:
        problem = workflow.perform(problem, A.DISPUTE, by=people["liaison"], note="不属本单位")
        problem = workflow.perform(
            problem, A.REASSIGN, by=people["secretariat"], unit=unit, cooperating_units=[]
        )
        client.force_login(people["other_liaison"])
        assert client.get(detail_url(problem)).status_code == 200
        client.force_login(people["liaison"])
    else:
        client.force_login(people["other_liaison"])
    assert client.get(detail_url(problem)).status_code == 404


def test_problem_detail_query_count_is_constant_in_events_and_photos(client, people, site):
    sec = people["secretariat"]
    small = assign(report(people["inspector"], site, photos=1), sec, site.default_unit)
    big = assign(report(people["inspector"], site, photos=5), sec, site.default_unit)
    for _ in range(3):
        big = workflow.perform(big, A.ESCALATE, by=people["leader"], note="加快整改")
    assert ProblemEvent.objects.filter(problem=big).count() == 5
    client.force_login(sec)
    assert count_queries(client, detail_url(small)) == count_queries(client, detail_url(big))


# --- /problems/<number>/act/<action>/ ---------------------------------------------------------


def future(problem, days=3) -> str:
    return timezone.localtime(problem.deadline + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


# (state, persona, action, form data, status afterwards, check on the problem)
ACTIONS = [
    (
        "reported",
        "secretariat",
        "assign",
        lambda p, u: {"unit": u["street"].pk},
        S.ASSIGNED,
        lambda p, u: p.primary_unit_id == u["street"].pk and p.deadline is not None,
    ),
    (
        "reported",
        "inspector",
        "assign",
        lambda p, u: {},
        S.ASSIGNED,
        lambda p, u: p.primary_unit_id == p.site.default_unit_id,
    ),
    (
        "reported",
        "secretariat",
        "void",
        lambda p, u: {"note": "重复上报"},
        S.VOID,
        lambda p, u: True,
    ),
    (
        "assigned",
        "liaison",
        "acknowledge",
        lambda p, u: {},
        S.ASSIGNED,
        lambda p, u: p.acknowledged_at is not None,
    ),
    (
        "assigned",
        "liaison",
        "submit",
        lambda p, u: {"note": "已清理完毕", "photos": [upload("a.jpg"), upload("b.png")]},
        S.SUBMITTED,
        lambda p, u: p.photos.filter(kind=Photo.Kind.AFTER).count() == 2,
    ),
    (
        "assigned",
        "liaison",
        "dispute",
        lambda p, u: {"note": "该路段不属本单位"},
        S.DISPUTED,
        lambda p, u: True,
    ),
    (
        "disputed",
        "secretariat",
        "reassign",
        lambda p, u: {"unit": u["department"].pk},
        S.ASSIGNED,
        lambda p, u: p.primary_unit_id == u["department"].pk,
    ),
    (
        "disputed",
        "secretariat",
        "reject_dispute",
        lambda p, u: {},
        S.ASSIGNED,
        lambda p, u: p.primary_unit_id == u["street"].pk,
    ),
    (
        "submitted",
        "inspector",
        "approve",
        lambda p, u: {"note": "复查合格"},
        S.CLOSED,
        lambda p, u: p.closed_at is not None,
    ),
    (
        "submitted",
        "secretariat",
        "return",
        lambda p, u: {"note": "整改不到位", "photos": [upload()]},
        S.ASSIGNED,
        lambda p, u: p.rework_count == 1 and p.photos.filter(kind=Photo.Kind.REVIEW).count() == 1,
    ),
    (
        "assigned",
        "leader",
        "escalate",
        lambda p, u: {"note": "请加快"},
        S.ASSIGNED,
        lambda p, u: p.escalation_level == 1 and p.effective_deduction == 2 * p.deduction,
    ),
    (
        "assigned",
        "liaison",
        "request_extension",
        lambda p, u: {"note": "需协调施工队", "deadline": future(p)},
        S.ASSIGNED,
        lambda p, u: p.extension_requests.filter(status="pending").count() == 1,
    ),
    (
        "pending_extension",
        "secretariat",
        "approve_extension",
        lambda p, u: {},
        S.ASSIGNED,
        lambda p, u: p.deadline == p.extension_requests.get().requested_deadline,
    ),
    (
        "pending_extension",
        "secretariat",
        "reject_extension",
        lambda p, u: {"note": "理由不足"},
        S.ASSIGNED,
        lambda p, u: p.extension_requests.get().status == "rejected",
    ),
]


@pytest.mark.parametrize(
    ("state", "persona", "action", "data", "after", "check"),
    ACTIONS,
    ids=[f"{c[2]}-{c[1]}" for c in ACTIONS],
)
def test_problem_act_post_changes_problem_and_writes_one_event(
    client, people, site, street, department, state, persona, action, data, after, check
):
    units = {"street": street, "department": department}
    problem = problem_in(state, people, site)
    events = ProblemEvent.objects.filter(problem=problem).count()
    client.force_login(people[persona])
    payload = {"version": problem.version, **data(problem, units)}
    response = client.post(act_url(problem, action), payload)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == detail_url(problem)
    problem.refresh_from_db()
    assert problem.status == after
    assert check(problem, units)
    assert ProblemEvent.objects.filter(problem=problem).count() == events + 1
    event = ProblemEvent.objects.filter(problem=problem).latest("at", "id")
    assert (event.action, event.actor) == (action, people[persona])


def test_problem_act_htmx_post_returns_page_regions_toast_and_closes_modal(client, people, site):
    problem = problem_in("assigned", people, site)
    client.force_login(people["liaison"])
    response = client.post(
        act_url(problem, "submit"),
        {"version": problem.version, "note": "已清理", "photos": [upload()]},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#problem-main"
    assert response["HX-Reswap"] == "outerHTML"
    assert triggers(response) == {
        "toast": {"message": "已提交整改，等待复查", "level": "success"},
        "closeModal": {},
    }
    body = response.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="problem-main"')
    assert 'id="problem-actions"' in body and 'id="problem-timeline"' in body
    assert '<span class="badge status-submitted" id="problem-status">待复查</span>' in body
    assert "已清理" in body  # the new event in the timeline


def test_problem_act_direct_acknowledge_via_htmx(client, people, site):
    problem = problem_in("assigned", people, site)
    client.force_login(people["liaison"])
    response = client.post(
        act_url(problem, "acknowledge"), {"version": problem.version}, **HTMX_MAIN
    )
    assert triggers(response)["toast"]["message"] == "已签收"
    assert "acknowledge" not in action_buttons_from_body(response.content.decode())
    problem.refresh_from_db()
    assert problem.acknowledged_at is not None


def action_buttons_from_body(body: str) -> list[str]:
    start = body.index('id="problem-actions"')
    return re.findall(r'data-action="([a-z_]+)"', body[start : body.index("</section>", start)])


def test_problem_act_stale_post_is_refused_as_conflict(client, people, site):
    problem = problem_in("assigned", people, site)
    seen = problem.version
    # Meanwhile a leader escalates it: the liaison's page is out of date.
    workflow.perform(problem, A.ESCALATE, by=people["leader"], note="加快")
    client.force_login(people["liaison"])
    response = client.post(
        act_url(problem, "submit"),
        {"version": seen, "note": "已清理", "photos": [upload()]},
        **HTMX,
    )
    assert response.status_code == 200
    toast = triggers(response)["toast"]
    assert toast["level"] == "error"
    assert toast["message"].startswith("已被他人处理")
    assert "closeModal" in triggers(response)
    assert response["HX-Retarget"] == "#problem-main"
    problem.refresh_from_db()
    assert problem.status == S.ASSIGNED
    assert not problem.photos.filter(kind=Photo.Kind.AFTER).exists()
    assert list(ProblemEvent.objects.filter(problem=problem).values_list("action", flat=True)) == [
        "create",
        "assign",
        "escalate",
    ]


def test_problem_act_second_click_on_acknowledge_is_told_it_was_handled(client, people, site):
    problem = problem_in("assigned", people, site)
    colleague = make_user(
        "t_liaison_colleague", *people["liaison"].roles, unit=people["liaison"].unit
    )
    seen = problem.version
    client.force_login(people["liaison"])
    assert client.post(act_url(problem, "acknowledge"), {"version": seen}).status_code == 302
    client.force_login(colleague)
    response = client.post(act_url(problem, "acknowledge"), {"version": seen}, follow=True)
    assert "已被他人处理" in response.content.decode()
    assert ProblemEvent.objects.filter(problem=problem, action="acknowledge").count() == 1


def test_problem_act_stale_form_link_shows_current_state(client, people, site):
    problem = problem_in("submitted", people, site)
    stale = problem.version
    workflow.perform(problem, A.APPROVE, by=people["secretariat"])
    client.force_login(people["inspector"])
    response = client.get(act_url(problem, "return") + f"?v={stale}", **HTMX)
    assert response.status_code == 200
    assert triggers(response)["toast"]["message"].startswith("已被他人处理")
    assert '<span class="badge status-closed" id="problem-status">已销号</span>' in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("state", "persona", "action", "data", "message"),
    [
        ("reported", "secretariat", "void", {}, "请填写作废原因。"),
        ("assigned", "liaison", "submit", {"note": "已清理"}, "请至少上传一张整改后照片。"),
        ("assigned", "liaison", "dispute", {"note": "  "}, "请填写权属异议的理由。"),
        ("submitted", "inspector", "return", {}, "请填写退回重改的原因。"),
        ("assigned", "liaison", "request_extension", {"note": "需要时间"}, "请填写新的整改期限。"),
        ("pending_extension", "secretariat", "reject_extension", {}, "请填写驳回理由。"),
        ("disputed", "secretariat", "reassign", {}, "请选择改派的单位。"),
    ],
)
def test_problem_act_validation_error_changes_nothing(
    client, people, site, state, persona, action, data, message
):
    problem = problem_in(state, people, site)
    before = (problem.status, problem.version, ProblemEvent.objects.filter(problem=problem).count())
    client.force_login(people[persona])
    response = client.post(act_url(problem, action), {"version": problem.version, **data}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#modal-body"
    body = response.content.decode()
    assert message in body
    assert 'id="action-form"' in body
    problem.refresh_from_db()
    after = (problem.status, problem.version, ProblemEvent.objects.filter(problem=problem).count())
    assert after == before


def test_problem_act_rejects_a_file_that_is_not_an_image(client, people, site):
    problem = problem_in("assigned", people, site)
    client.force_login(people["liaison"])
    bad = SimpleUploadedFile("notes.jpg", b"this is not a picture", content_type="image/jpeg")
    response = client.post(
        act_url(problem, "submit"),
        {"version": problem.version, "note": "已清理", "photos": [upload("ok.jpg"), bad]},
    )
    assert response.status_code == 200
    assert "第 2 张照片（notes.jpg）：文件不是有效的图片。" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == S.ASSIGNED
    assert not Photo.objects.filter(problem=problem, kind=Photo.Kind.AFTER).exists()


def test_problem_act_workflow_validation_reaches_the_form(client, people, site):
    problem = problem_in("assigned", people, site)
    client.force_login(people["liaison"])
    earlier = timezone.localtime(problem.deadline - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        act_url(problem, "request_extension"),
        {"version": problem.version, "note": "需要时间", "deadline": earlier},
    )
    assert response.status_code == 200
    assert "申请的期限必须晚于当前期限。" in response.content.decode()
    assert not ExtensionRequest.objects.filter(problem=problem).exists()


@pytest.mark.parametrize(
    ("state", "persona", "action"),
    [
        ("reported", "liaison", "void"),  # 404 first: liaison cannot see a 待交办 problem
        ("assigned", "inspector", "submit"),
        ("assigned", "leader", "acknowledge"),
        ("assigned", "secretariat", "submit"),
        ("submitted", "liaison", "approve"),
        ("reported", "inspector", "void"),
    ],
)
def test_problem_act_refuses_people_who_may_not(client, people, site, state, persona, action):
    problem = problem_in(state, people, site)
    events = ProblemEvent.objects.filter(problem=problem).count()
    client.force_login(people[persona])
    response = client.post(act_url(problem, action), {"version": problem.version, "note": "x"})
    expected = 404 if (state, persona) == ("reported", "liaison") else 403
    assert response.status_code == expected
    if expected == 403:
        assert "不能对该问题执行" in response.content.decode()
    assert client.get(act_url(problem, action)).status_code == expected
    problem.refresh_from_db()
    assert ProblemEvent.objects.filter(problem=problem).count() == events


def test_problem_act_unknown_action_is_404(client, people, site):
    problem = problem_in("assigned", people, site)
    client.force_login(people["secretariat"])
    assert client.get(act_url(problem, "delete")).status_code == 404


def test_problem_act_form_for_htmx_is_a_modal_partial(client, people, site):
    problem = problem_in("assigned", people, site)
    client.force_login(people["liaison"])
    response = client.get(act_url(problem, "submit"), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'hx-encoding="multipart/form-data"' in body
    assert 'enctype="multipart/form-data"' in body
    assert re.search(r'<input type="file" name="photos"[^>]*accept="image/\*"', body)
    assert "capture=" not in body and " multiple" in body
    assert ">提交整改</button>" in body
    assert "data-close-modal" in body


def test_problem_act_form_without_htmx_is_a_full_page(client, people, site):
    problem = problem_in("reported", people, site)
    client.force_login(people["secretariat"])
    response = client.get(act_url(problem, "assign"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    form_tag = re.search(r'<form[^>]*id="action-form"[^>]*>', body).group(0)
    assert 'action="' in form_tag and "hx-post" not in form_tag  # a plain form on its own page
    assert 'name="unit"' in body and 'name="cooperating_units"' in body
    assert f'<option value="{site.default_unit_id}" selected>' in body
    for unit in site.cooperating_units.all():
        assert re.search(rf'value="{unit.pk}"[^>]*checked', body), unit.name


def test_problem_act_assign_form_for_inspector_names_the_default_unit(client, people, site):
    problem = problem_in("reported", people, site)
    client.force_login(people["inspector"])
    body = client.get(act_url(problem, "assign")).content.decode()
    assert "现场交办" in body and site.default_unit.name in body
    assert 'name="unit"' not in body


# --- /photos/<pk>/ ----------------------------------------------------------------------------


@pytest.fixture
def photo_of(people, site):
    problem = problem_in("assigned", people, site)
    return Photo.objects.get(problem=problem, kind=Photo.Kind.BEFORE)


@pytest.mark.parametrize("persona", ["secretariat", "leader", "inspector", "liaison"])
@pytest.mark.parametrize("name", ["photo", "photo_thumb"])
def test_photo_is_served_to_people_who_see_the_problem(client, request, photo_of, persona, name):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(name, args=[photo_of.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    data = b"".join(response.streaming_content)
    field = photo_of.thumbnail if name == "photo_thumb" else photo_of.image
    with field.open("rb") as stored:
        assert data == stored.read()
    assert Image.open(io.BytesIO(data)).format == "JPEG"


@pytest.mark.parametrize("persona", ["other_liaison", "representative"])
def test_photo_is_404_for_people_who_do_not_see_the_problem(client, request, photo_of, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("photo", args=[photo_of.pk])).status_code == 404
    assert client.get(reverse("photo_thumb", args=[photo_of.pk])).status_code == 404


def test_photo_is_404_for_missing_photo_and_user_without_roles(client, photo_of):
    client.force_login(make_user("nobody"))
    assert client.get(reverse("photo", args=[photo_of.pk])).status_code == 404
    assert client.get(reverse("photo", args=[photo_of.pk + 10_000])).status_code == 404


def test_photo_requires_login(client, photo_of):
    response = client.get(reverse("photo", args=[photo_of.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- browser journeys (the only proof that the HTMX swaps happen) ------------------------------


def _people_for_browser():
    from civility.core.roles import Role
    from civility.org.models import Unit

    street = Unit.objects.get(name="湖里街道")
    return {
        "secretariat": make_user("b_secretariat", Role.SECRETARIAT),
        "inspector": make_user("b_inspector", Role.INSPECTOR),
        "liaison": make_user("b_liaison", Role.LIAISON, unit=street),
    }


@pytest.mark.browser
def test_browser_liaison_submits_rectification_in_the_modal(live_huli, live_server, page):
    from tests.conftest import browser_login

    people = _people_for_browser()
    site = Site.objects.get(name="湖里大道")
    problem = assign(report(people["inspector"], site), people["secretariat"], site.default_unit)
    browser_login(page, live_server, "b_liaison")
    page.goto(f"{live_server.url}{detail_url(problem)}")
    page.evaluate("window.__noReload = true")

    page.locator("#problem-actions").get_by_role("link", name="提交整改").click()
    modal = page.locator("#modal")
    modal.get_by_label("整改情况说明").wait_for()
    modal.get_by_label("整改情况说明").fill("已清理完毕")
    modal.get_by_label("整改后照片").set_input_files(
        [{"name": "bad.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture"}]
    )
    modal.get_by_role("button", name="提交整改").click()
    # The server's refusal is shown in the modal, which stays open with what was typed.
    modal.get_by_text("第 1 张照片（bad.jpg）：文件不是有效的图片。").wait_for()
    assert modal.get_by_label("整改情况说明").input_value() == "已清理完毕"

    modal.get_by_label("整改后照片").set_input_files(
        [{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg("green")}]
    )
    modal.get_by_role("button", name="提交整改").click()
    page.locator("#problem-status", has_text="待复查").wait_for()
    page.locator(".toast", has_text="已提交整改").wait_for()
    assert not modal.evaluate("m => m.open")
    assert page.evaluate("window.__noReload") is True
    assert page.locator("#problem-actions [data-action]").count() == 0
    assert page.locator("#problem-timeline").get_by_text("已清理完毕").count() == 1
    problem.refresh_from_db()
    assert problem.status == S.SUBMITTED
    thumb = page.locator("#problem-photos img").nth(1)
    # The swapped-in thumbnail is fetched after the swap: wait for it to arrive.
    thumb.evaluate(
        "img => img.complete ? true : new Promise(ok => img.addEventListener('load', ok))"
    )
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")


@pytest.mark.browser
def test_browser_secretariat_bulk_assigns_from_the_list(live_huli, live_server, page):
    from tests.conftest import browser_login

    people = _people_for_browser()
    site = Site.objects.get(name="湖里大道")
    first, second = report(people["inspector"], site), report(people["inspector"], site)
    browser_login(page, live_server, "b_secretariat")
    page.goto(f"{live_server.url}{reverse('problem_list')}?status=reported")
    page.evaluate("window.__noReload = true")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label(f"选择 {first.number}").check()
    page.get_by_label(f"选择 {second.number}").check()
    page.get_by_role("button", name="批量交办").click()
    page.locator(".toast", has_text="已交办 2 个问题。").wait_for()
    page.locator("#row-count", has_text="共 0 个问题").wait_for()
    assert page.evaluate("window.__noReload") is True
    assert set(Problem.objects.values_list("status", flat=True)) == {S.ASSIGNED}


def test_reassign_form_shows_the_units_dispute_reason(
    client, secretariat, liaison, inspector, street
):
    from tests.factories import problem_in, street_site

    problem = problem_in(
        "disputed",
        secretariat=secretariat,
        liaison=liaison,
        inspector=inspector,
        site=street_site(street),
    )
    client.force_login(secretariat)
    body = client.get(f"/problems/{problem.number}/act/reassign/").content.decode()
    assert "提出权属异议" in body
    assert "该路段不属我单位管辖" in body
