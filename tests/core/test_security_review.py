"""Regression tests from the security and correctness review.

Each test pins a bug that was found and fixed: junk in query strings and forms that raised a 500,
the admin sign-in that looped for signed-in people without admin access, the admin login's
throttling, the 生成草稿 URL that compiled periods not yet begun, and the problem admin's full
save that could write a stale status back.
"""

import uuid
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.test import override_settings
from django.urls import reverse

from civility.core.models import LoginFailure
from civility.core.params import parse_id
from civility.reports.models import Report
from civility.supervision.commentary.models import Commentary
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.problems import workflow
from civility.supervision.problems.inbox import liaison_inbox
from civility.supervision.problems.models import Problem
from tests.conftest import client_for
from tests.factories import new_problem, street_site

pytestmark = pytest.mark.django_db

BIG = "9" * 30

# Every page with filters, paging or an ``?hq=`` / ``?year=`` / ``?id=`` choice.
LIST_PAGES = [
    "/",
    "/org/",
    "/assignments/",
    "/problems/",
    "/inspections/",
    "/commentary/",
    "/notifications/",
    "/reports/",
    "/reports/weekly/",
    "/reports/monthly/",
    "/reports/monthly/2026-03/",
    "/reports/weekly/2026-W10/",
    "/reports/monthly/2026-03/print/",
    "/reports/monthly/2026-03.docx",
    "/reports/monthly/2026-03.xlsx",
    "/rankings/",
    "/rankings/annual/2026/",
    "/rankings/vetoes/",
    "/rankings/vetoes/new/",
]
TABLE_PAGES = {
    "/assignments/",
    "/problems/",
    "/inspections/",
    "/commentary/",
    "/reports/weekly/",
    "/reports/monthly/",
}
JUNK = [
    {"page": "abc"},
    {"page": "99999"},
    {"page": "-1"},
    {"page": "²"},
    {"date_from": "2026-13-45"},
    {"date_to": "0000-00-00"},
    {"date_from": "99999-01-01"},
    {"unit": "xyz"},
    {"unit": "²"},
    {"unit": BIG},
    {"street": "-1"},
    {"category": "1e5"},
    {"drive": "abc"},
    {"team": "x"},
    {"status": "zzz"},
    {"due_state": "zzz"},
    {"overdue": "maybe"},
    {"read": "zz"},
    {"month": "2026-00"},
    {"month": "9999-99"},
    {"month": "²"},
    {"hq": "²"},
    {"hq": BIG},
    {"hq": "0"},
    {"year": "²"},
    {"year": "0"},
    {"year": "-5"},
    {"year": "1e100"},
    {"year": BIG},
    {"id": "²"},
    {"id": BIG},
    {"sort": "-__class__"},
    {"_export": "pdf"},
    {"q": "x" * 5000},
    {"q": "\x00"},
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_pages_survive_junk_query_params(client, secretariat, url):
    client_for(client, secretariat)
    failures = []
    for params in JUNK:
        full = f"{url}?{urlencode(params)}"
        variants = [{}]
        if url in TABLE_PAGES:  # and the HTMX partial the filter form asks for
            variants.append({"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "table-region"})
        for headers in variants:
            status = client.get(full, **headers).status_code
            if status >= 500:
                failures.append((full[:80], bool(headers), status))
    assert failures == []


def test_parse_id_accepts_only_ascii_ids_in_range():
    assert [parse_id(v) for v in ("7", " 12 ", "0", "-3", "²", "١٢", "1e3", BIG, None)] == [
        7,
        12,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    assert parse_id(str(2**63)) is None


def test_org_overview_superscript_hq_shows_the_default(client, liaison):
    # "²".isdigit() is true; int("²") is not: this was a 500.
    response = client_for(client, liaison).get("/org/", {"hq": "²"})
    assert response.status_code == 200
    assert response.context["hq"].pk == liaison.unit.headquarters_id


def test_rankings_superscript_hq_and_year_are_ignored(client, secretariat, hq):
    client_for(client, secretariat)
    assert client.get(reverse("rankings"), {"hq": "²"}).context["hq"] == hq
    response = client.get(reverse("veto_list"), {"year": "²"})
    assert response.status_code == 200
    assert response.context["year"] is None


@pytest.mark.parametrize("year", ["0", "-5", BIG])
def test_report_list_out_of_range_year_lists_everything(client, secretariat, year):
    response = client_for(client, secretariat).get(reverse("report_monthly_list"), {"year": year})
    assert response.status_code == 200
    assert "year" in response.context["filter"].form.errors


@pytest.mark.parametrize(
    "params, status",
    # A junk ?id= names no version: 404. A junk ?hq= is ignored: the period's friendly page
    # (nothing is published for it in these tests).
    [({"id": "²"}, 404), ({"hq": "²"}, 200), ({"hq": BIG}, 200)],
)
def test_report_page_junk_choice_is_not_a_500(client, liaison, params, status):
    response = client_for(client, liaison).get("/reports/monthly/2026-03/", params)
    assert response.status_code == status


@pytest.mark.parametrize("action", ["edit", "publish", "correct"])
def test_report_writes_with_junk_id_are_404(client, secretariat, action):
    url = reverse(f"report_{action}", args=["monthly", "2026-03"])
    assert client_for(client, secretariat).post(url, {"id": "²"}).status_code == 404


def test_report_compile_with_superscript_hq_uses_the_default(client, secretariat, hq):
    client_for(client, secretariat)
    response = client.post(reverse("report_compile", args=["monthly", "2026-03"]), {"hq": "²"})
    assert response.status_code == 302
    assert Report.objects.filter(headquarters=hq, period="2026-03", status="draft").count() == 1


def test_report_compile_refuses_a_period_not_yet_begun(client, secretariat):
    client_for(client, secretariat)
    response = client.post(reverse("report_compile", args=["monthly", "2999-01"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("report_index")
    assert not Report.objects.filter(period="2999-01").exists()


def test_weekly_report_of_the_last_week_of_9999_is_404(client, secretariat):
    # The ISO week starts 9999-12-27 and would end in year 10000: this was an OverflowError.
    client_for(client, secretariat)
    assert client.get("/reports/weekly/9999-W52/").status_code == 404
    assert client.get("/reports/weekly/9999-W52/print/").status_code == 404
    url = "/reports/weekly/9999-W52/compile/"  # reverse() refuses a week that does not exist
    assert client.post(url).status_code == 404


def test_bulk_assign_ignores_non_ascii_digits(client, secretariat, inspector, street):
    problem = new_problem(inspector, street_site(street))
    client_for(client, secretariat)
    data = {"problems": ["²", BIG, str(problem.pk)], "bulk-unit": ""}
    response = client.post(reverse("problem_list"), data)
    assert response.status_code == 302
    assert Problem.objects.get(pk=problem.pk).status == Problem.Status.ASSIGNED


def test_problem_act_superscript_version_is_a_form_error(
    client, leader, secretariat, inspector, street
):
    problem = new_problem(inspector, street_site(street))
    problem = workflow.perform(problem, workflow.Action.ASSIGN, by=secretariat, unit=street)
    client_for(client, leader)
    url = reverse("problem_act", args=[problem.number, "escalate"])
    assert client.get(url, {"v": "²"}).status_code == 200
    response = client.post(url, {"version": "²", "note": "抓紧"})
    assert response.status_code == 200
    assert "version" in response.context["form"].errors
    assert Problem.objects.get(pk=problem.pk).escalation_level == 0
    response = client.post(url, {"version": str(problem.version), "note": "抓紧"})
    assert response.status_code == 302
    assert Problem.objects.get(pk=problem.pk).escalation_level == 1


@pytest.mark.parametrize("value", ["²", BIG, "abc"])
def test_site_search_junk_inspection_is_400(client, inspector, value):
    client_for(client, inspector)
    assert client.get(reverse("site_search"), {"inspection": value}).status_code == 400


@pytest.mark.parametrize("value", ["²", BIG])
def test_add_site_junk_site_is_404(client, inspector, hq, value):
    team = InspectionTeam.objects.filter(headquarters=hq).first()
    inspection = Inspection.objects.create(headquarters=hq, team=team, created_by=inspector)
    client_for(client, inspector)
    url = reverse("inspection_add_site", args=[inspection.pk])
    assert client.post(url, {"site": value}).status_code == 404
    assert inspection.sites.count() == 0


# --- the admin sign-in ------------------------------------------------------------------------


def test_admin_for_signed_in_non_staff_shows_the_login_form(client, liaison):
    # /admin/ sends them to /admin/login/?next=/admin/, which used to send them back: a loop.
    client_for(client, liaison)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert "form" in response.context


def test_admin_login_signs_staff_in(client, secretariat):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "t_secretariat", "password": "test-password-123", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_admin_login_is_throttled(client, superuser):
    for _ in range(3):
        response = client.post("/admin/login/", {"username": "t_admin", "password": "wrong"})
        assert response.status_code == 200
    assert LoginFailure.objects.filter(username="t_admin").count() == 3
    response = client.post(
        "/admin/login/", {"username": "t_admin", "password": "test-password-123"}
    )
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- the problem admin never writes back a stale status -----------------------------------------


def test_problem_admin_save_keeps_a_transition_made_meanwhile(
    rf, superuser, secretariat, inspector, street
):
    problem = new_problem(inspector, street_site(street))
    model_admin = admin.site._registry[Problem]
    request = rf.post("/")
    request.user = superuser
    stale = Problem.objects.get(pk=problem.pk)  # loaded by the admin request: 待交办
    workflow.perform(problem, workflow.Action.ASSIGN, by=secretariat, unit=street)

    form_class = model_admin.get_form(request, stale, change=True)
    data = {
        "source": stale.source,
        "site": stale.site_id,
        "category": stale.category_id,
        "deduction": str(stale.deduction),
        "description": "更正后的描述",
    }
    form = form_class(data, instance=stale)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)

    after = Problem.objects.get(pk=problem.pk)
    assert after.description == "更正后的描述"
    assert (after.status, after.primary_unit_id, after.version) == (
        Problem.Status.ASSIGNED,
        street.pk,
        1,
    )


def test_problem_admin_change_page_saves_an_edit(client, superuser, inspector, street):
    problem = new_problem(inspector, street_site(street))
    client_for(client, superuser)
    url = reverse("admin:supervision_problem_change", args=[problem.pk])
    data = {
        "source": problem.source,
        "site": problem.site_id,
        "category": problem.category_id,
        "deduction": str(problem.deduction),
        "description": "新的描述",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    assert client.post(url, data).status_code == 302
    assert Problem.objects.get(pk=problem.pk).description == "新的描述"


# --- login throttling behind the documented nginx → gunicorn proxy ------------------------------


def _sign_in(client, password, forwarded, remote="127.0.0.1"):
    return client.post(
        reverse("login"),
        {"username": "t_leader", "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@override_settings(LOGIN_FAILURE_LIMIT=3, TRUSTED_PROXIES=["127.0.0.1"])
def test_login_throttle_behind_local_proxy_counts_the_forwarded_client(client, leader):
    # Every request reaches gunicorn from nginx's 127.0.0.1: keyed on that, three wrong guesses
    # from anywhere locked the leader out for everyone.
    for _ in range(3):
        _sign_in(client, "wrong", "203.0.113.9")
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    response = _sign_in(client, "test-password-123", "203.0.113.9")
    assert "登录失败次数过多" in response.content.decode()
    assert _sign_in(client, "test-password-123", "198.51.100.7").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3, TRUSTED_PROXIES=["127.0.0.1"])
def test_login_throttle_ignores_client_supplied_forwarded_entries(client, leader):
    # nginx appends the real address; whatever the client put before it changes nothing.
    for n in range(3):
        _sign_in(client, "wrong", f"10.9.9.{n}, 203.0.113.9")
    response = _sign_in(client, "test-password-123", "1.2.3.4, 203.0.113.9")
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_login_failure_from_a_direct_client_ignores_forwarded_for(client, leader):
    _sign_in(client, "wrong", "1.2.3.4", remote="10.0.0.1")
    _sign_in(client, "wrong", "not-an-address", remote="127.0.0.1")
    assert sorted(LoginFailure.objects.values_list("ip_address", flat=True)) == [
        "10.0.0.1",
        "127.0.0.1",
    ]


# --- a commentary dated in the future ----------------------------------------------------------


def test_commentary_in_the_future_is_refused(client, leader, street):
    client_for(client, leader)
    data = {
        "kind": "written",
        "tone": "criticism",
        "date": "9999-12-31",
        "title": "日期写错的点评",
        "text": "请整改。",
        "units": [street.pk],
        "reply_days": "5",
        "client_token": str(uuid.uuid4()),
    }
    response = client.post(reverse("commentary_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["点评日期不能晚于今天。"]
    assert not Commentary.objects.filter(title="日期写错的点评").exists()
    # Dated 9999-12-31, it broke the list for everyone (the reply deadline overflowed).
    assert client.get(reverse("commentary_list")).status_code == 200


# --- the liaison inbox's cards link to the rows they count --------------------------------------


def test_liaison_inbox_cards_link_to_the_rows_they_count(
    client, secretariat, inspector, liaison, street
):
    from tests.factories import problem_in

    site = street_site(street)
    people = {"secretariat": secretariat, "liaison": liaison, "inspector": inspector, "site": site}
    unacknowledged = problem_in("assigned", **people)
    acknowledged = workflow.perform(
        problem_in("assigned", **people), workflow.Action.ACKNOWLEDGE, by=liaison
    )
    returned = workflow.perform(
        problem_in("submitted", **people), workflow.Action.RETURN, by=inspector, note="仍有摊点"
    )
    client_for(client, liaison)
    cards = {card["key"]: card for card in liaison_inbox(liaison)["cards"]}

    def listed(url):
        return {row.record.number for row in client.get(url).context["table"].page.object_list}

    assert cards["to_acknowledge"]["count"] == 2
    assert listed(cards["to_acknowledge"]["url"]) == {unacknowledged.number, returned.number}
    assert cards["returned"]["count"] == 1
    assert listed(cards["returned"]["url"]) == {returned.number}
    assert acknowledged.number in listed(cards["to_rectify"]["url"])


def test_exports_neutralise_spreadsheet_formulas(client, secretariat, inspector, street):
    import io

    import openpyxl

    from civility.core.exports import csv_cell
    from civility.supervision.problems import workflow
    from tests.factories import street_site

    assert csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_cell("正常文字") == "正常文字"
    assert csv_cell(-3) == "-3"
    site = street_site(street)
    workflow.report_problem(
        by=inspector,
        site=site,
        category=site.headquarters.problem_categories.first(),
        description="=1+1 占道经营",
    )
    client.force_login(secretariat)
    response = client.get("/problems/", {"_export": "csv"})
    assert "'=1+1 占道经营" in response.content.decode("utf-8")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/problems/", {"_export": "xlsx"}).content))
    cells = [c for row in book.active.iter_rows() for c in row if c.value]
    # In Excel the text stays text: as typed, no apostrophe, not a formula.
    typed = [c for c in cells if c.value == "=1+1 占道经营"]
    assert [c.data_type for c in typed] == ["s"]
    assert not any(c.data_type == "f" for c in cells)
