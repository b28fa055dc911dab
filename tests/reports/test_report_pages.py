"""The 通报 pages: index, lists, the document (draft editing, 发布, 更正, 已阅), photos.

Built on the hand-worked March of conftest.py (a small district with its own headquarters).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html

from civility.core.periods import Period
from civility.core.roles import Role
from civility.reports import compile as reports
from civility.reports.document import rank_change, ranking_remark, ranking_tables
from civility.reports.models import Report, ReportRead
from civility.supervision.notifications.models import Notification
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Photo, Problem
from tests.conftest import make_user
from tests.factories import photo
from tests.reports.conftest import assign, at, fix, inspect, problem

pytestmark = pytest.mark.django_db
MONTHLY, WEEKLY = Report.Kind.MONTHLY, Report.Kind.WEEKLY
MARCH = "/reports/monthly/2026-03/"
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "report-main"}


# --- helpers (also used by test_report_exports.py) ---------------------------------------------


def compile_march(march) -> Report:
    report, _ = reports.compile_report(march["hq"], MONTHLY, "2026-03")
    return report


def publish_march(march, requirements="各单位要立即整改。") -> Report:
    report = compile_march(march)
    report.narrative["requirements"] = requirements
    report.save()
    return reports.publish(report, by=march["secretariat"])


def page(content: bytes):
    return lxml_html.fromstring(content.decode())


def rows(tree, xpath: str) -> list[list[str]]:
    """The text of every cell of the rows matched by ``xpath``."""
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("th|td")]
        for row in tree.xpath(xpath)
    ]


def overview_value(tree, key: str) -> str:
    return rows(tree, f"//table[@id='overview-table']/tbody/tr[@data-key='{key}']")[0][1]


def login(client, user):
    client.force_login(user)
    return client


def typical_case(march):
    """A March problem with before and after photos (so it is a typical case of the bulletin)."""
    d = march
    p, _ = workflow.report_problem(
        by=d["inspector"],
        site=d["sites"]["SA"],
        category=d["category"],
        description="垃圾堆放",
        photos=[photo("red")],
        now=at(3, 10),
        source="hotline",
    )
    p = assign(d, p, "A", at(3, 10))
    p = workflow.perform(p, workflow.Action.ESCALATE, by=d["leader"], now=at(3, 10, 12))
    fix(d, p, "A", at(3, 11))
    return p


# --- index and compile -------------------------------------------------------------------------


def test_index_shows_compile_buttons_to_secretariat(client, secretariat):
    response = login(client, secretariat).get("/reports/")
    assert response.status_code == 200
    tree = page(response.content)
    assert tree.xpath("//section[@id='compile']//button[@data-kind='monthly']")
    assert tree.xpath("//a[@id='link-weekly']/@href") == [reverse("report_weekly_list")]


@pytest.mark.parametrize("persona", ["leader", "liaison", "inspector", "representative"])
def test_index_hides_compile_from_others(client, request, persona):
    response = login(client, request.getfixturevalue(persona)).get("/reports/")
    assert response.status_code == 200
    assert not page(response.content).xpath("//section[@id='compile']")


def test_index_is_denied_without_a_role(client, db):
    nobody = make_user("t_nobody")
    assert login(client, nobody).get("/reports/").status_code == 403


def test_index_requires_login(client, db):
    response = client.get("/reports/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_compile_button_creates_the_draft(client, march):
    url = reverse("report_compile", args=["monthly", "2026-03"])
    response = login(client, march["secretariat"]).post(url, {"hq": march["hq"].pk})
    draft = Report.objects.get(headquarters=march["hq"], kind=MONTHLY, period="2026-03")
    assert draft.status == Report.Status.DRAFT
    assert response.status_code == 302
    assert response["Location"] == f"{MARCH}?id={draft.pk}"


def test_compile_button_answers_htmx_with_a_client_redirect(client, march):
    url = reverse("report_compile", args=["monthly", "2026-03"])
    response = login(client, march["secretariat"]).post(
        url, {"hq": march["hq"].pk}, HTTP_HX_REQUEST="true"
    )
    draft = Report.objects.get(headquarters=march["hq"], period="2026-03")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{MARCH}?id={draft.pk}"


@pytest.mark.parametrize("persona", ["leader", "liaison", "inspector", "representative"])
def test_compile_is_forbidden_to_others(client, request, march, persona):
    url = reverse("report_compile", args=["monthly", "2026-03"])
    response = login(client, request.getfixturevalue(persona)).post(url, {"hq": march["hq"].pk})
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_index_form_compiles_any_period(client, march):
    response = login(client, march["secretariat"]).post(
        "/reports/", {"kind": "weekly", "period": "2026-W11", "hq": march["hq"].pk}
    )
    report = Report.objects.get(kind=WEEKLY, period="2026-W11")
    assert response["Location"] == f"/reports/weekly/2026-W11/?id={report.pk}"


def test_index_form_rejects_a_malformed_period(client, march):
    response = login(client, march["secretariat"]).post(
        "/reports/", {"kind": "monthly", "period": "2026-13", "hq": march["hq"].pk}
    )
    assert response.status_code == 200
    assert "期间格式不正确" in response.content.decode()
    assert not Report.objects.exists()


def test_recompile_keeps_the_edited_narrative(client, march):
    draft = compile_march(march)
    client = login(client, march["secretariat"])
    client.post(
        reverse("report_edit", args=["monthly", "2026-03"]),
        {
            "id": draft.pk,
            "title": draft.title,
            "addressees": "各街道",
            "overview": "改过的总体情况",
            "problems": "改过的问题",
            "requirements": "限期整改",
        },
    )
    client.post(reverse("report_compile", args=["monthly", "2026-03"]), {"hq": march["hq"].pk})
    draft.refresh_from_db()
    assert draft.narrative["overview"] == "改过的总体情况"
    assert draft.narrative["requirements"] == "限期整改"
    assert draft.addressees == "各街道"


# --- who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["liaison", "representative", "inspector"])
def test_draft_is_hidden_from_recipients(client, request, march, persona):
    draft = compile_march(march)
    client = login(client, request.getfixturevalue(persona))
    assert client.get(MARCH).status_code == 404
    assert client.get(f"{MARCH}?id={draft.pk}").status_code == 404
    listing = client.get("/reports/monthly/")
    assert listing.status_code == 200
    assert draft.title not in listing.content.decode()


@pytest.mark.parametrize("persona", ["secretariat", "leader"])
def test_draft_is_shown_to_secretariat_and_leaders(client, request, march, persona):
    draft = compile_march(march)
    client = login(client, request.getfixturevalue(persona))
    response = client.get(MARCH)
    assert response.status_code == 200
    assert page(response.content).xpath("//h1[@id='doc-title']/text()") == [draft.title]
    assert draft.title in client.get("/reports/monthly/").content.decode()


@pytest.mark.parametrize(
    "persona", ["secretariat", "leader", "liaison", "other_liaison", "inspector", "representative"]
)
def test_published_report_is_visible_to_every_role(client, request, march, persona):
    report = publish_march(march)
    client = login(client, request.getfixturevalue(persona))
    response = client.get(MARCH)
    assert response.status_code == 200
    assert page(response.content).xpath("//p[@id='doc-number']/text()") == [report.number]
    assert report.number in client.get("/reports/monthly/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/reports/monthly/2026-13/",
        "/reports/monthly/2026-00/",
        "/reports/weekly/2026-W54/",
        "/reports/weekly/2026-W00/",
        "/reports/monthly/2026-3/",
        "/reports/monthly/2026-03.docx?id=abc",
    ],
)
def test_malformed_period_is_not_found(client, leader, url):
    assert login(client, leader).get(url).status_code == 404


def test_missing_period_offers_the_secretariat_to_compile(client, secretariat, liaison):
    response = login(client, secretariat).get("/reports/monthly/2026-02/")
    assert response.status_code == 404
    assert reverse("report_compile", args=["monthly", "2026-02"]) in response.content.decode()
    client.force_login(liaison)
    assert client.get("/reports/monthly/2026-02/").status_code == 404


# --- the document shows the frozen snapshot ----------------------------------------------------


def test_page_shows_the_frozen_numbers_after_problems_change(client, march):
    report = publish_march(march)
    client = login(client, march["leader"])
    before = page(client.get(MARCH).content)
    frozen_found = str(report.snapshot["data"]["overview"]["found"])
    assert overview_value(before, "found") == frozen_found
    streets_before = rows(before, "//table[@data-kind='street']/tbody/tr")
    # March changes after publishing: an open problem is escalated and two more are found.
    open_problem = Problem.objects.get(status="assigned", primary_unit=march["u"]["B1"])
    workflow.perform(open_problem, workflow.Action.ESCALATE, by=march["leader"])
    inspection = inspect(march, 26, ["SB"])
    for _ in range(2):
        assign(march, problem(march, "SB", at(3, 26), inspection), "B", at(3, 26))
    march_data = reports.monthly_data(march["hq"], Period.month(2026, 3))
    assert march_data["overview"]["found"] == int(frozen_found) + 2
    after = page(client.get(MARCH).content)
    assert overview_value(after, "found") == frozen_found
    assert rows(after, "//table[@data-kind='street']/tbody/tr") == streets_before


def test_page_shows_the_sections_of_a_monthly_bulletin(client, march):
    # A1 is criticised too, so that a list entry names its 同奖同罚 partners.
    march["u"]["A1"].commentary_receipts.create(commentary=march["u"]["A"].commentaries.first())
    report = publish_march(march)
    tree = page(login(client, march["leader"]).get(MARCH).content)
    streets = rows(tree, "//table[@data-kind='street']/tbody/tr")
    frozen = next(r for r in report.snapshot["data"]["rankings"] if r["kind"] == "street")
    assert [r[:7] for r in streets] == [
        [
            str(r["rank"]),
            r["unit"],
            r["field"] or "—",
            r["rectification"] or "—",
            r["total"],
            r["band"],
            rank_change(r["rank_change"]),
        ]
        for r in frozen["rows"]
    ]
    # February had no data: neither street was ranked, so no 名次变化.
    assert [(r[0], r[1], r[4], r[5], r[6]) for r in streets] == [
        ("1", "A", "83.5", "良好", "—"),
        ("2", "B", "73.3", "合格", "—"),
    ]
    red = rows(tree, "//table[@id='red-list']/tbody/tr")
    assert [(r[0], r[3], r[4]) for r in red] == [
        ("B1", "点评表扬：点评（3月18日）", "—"),
        ("D3", "总分100.0，按期办结率100%，返工率0%，区直部门第1名", "—"),
    ]
    black = rows(tree, "//table[@id='black-list']/tbody/tr")
    assert [r[0] for r in black] == ["A", "B", "A1", "D1", "D2"]
    assert black[2][3:] == ["点评批评：点评（3月18日）", "挂钩：王领导；结对：D1"]
    problems = rows(tree, "//table[@id='problem-table']/tbody/tr")
    assert len(problems) == len(report.snapshot["data"]["problems"])
    assert tree.xpath("string(//div[@id='doc-requirements'])").strip() == "各单位要立即整改。"
    year = report.published_at.astimezone().year
    date = report.published_at.astimezone()
    assert tree.xpath("//p[@id='doc-date']/text()") == [f"{year}年{date.month}月{date.day}日"]
    remark = tree.xpath("string(//p[@id='ranking-remark'])")
    assert remark.startswith("说明：街道、社区总分＝现场分×0.70＋整改分×0.30")


def test_ranking_notes_show_the_counts_behind_every_score(client, march):
    publish_march(march)
    tree = page(login(client, march["leader"]).get(MARCH).content)
    notes = {
        r[1]: r[7]
        for kind in ("street", "community", "department")
        for r in rows(tree, f"//table[@data-kind='{kind}']/tbody/tr")
    }
    assert notes == {
        "A": "点位4个次，不合格项2；到期3个，按期办结3个，退回1次，督办1件",
        "B": "点位3个次，不合格项3；到期1个，按期办结1个，退回0次，督办0件；"
        "整改分未考评，总分为现场分",
        "A1": "点位4个次，不合格项2；到期1个，按期办结1个，退回0次，督办0件；"
        "整改分未考评，总分为现场分",
        "D3": "到期3个，按期办结3个，退回0次，督办0件",
        "D1": "到期3个，按期办结2个，退回0次，督办0件",
        "D2": "到期3个，按期办结2个，退回0次，督办0件",
    }
    unassessed = tree.xpath("//section[@id='sec-rankings']//p[contains(@class,'rd-unassessed')]")
    assert [p.text_content() for p in unassessed] == ["本月未考评单位：B1"]


def test_v1_snapshot_still_marks_insufficient_samples():
    """Bulletins published before 考评 v2 keep their frozen rows and remark."""
    data = {
        "rankings": [
            {"kind": "department", "label": "区直部门", "rows": [
                {"rank": 1, "unit": "D2", "total": "100.0", "band": "优秀", "insufficient": True,
                 "due": 1},
            ]},
        ]
    }  # fmt: skip
    (table,) = ranking_tables(data)
    assert (table.rows[0].insufficient, table.rows[0].note) == (True, "样本不足（到期问题1个）")
    assert ranking_remark(data).startswith("说明：块单位总分＝现场分×0.9")


def test_weekly_report_page_has_its_own_sections(client, march):
    report, _ = reports.compile_report(march["hq"], WEEKLY, "2026-W11")
    reports.publish(report, by=march["secretariat"])
    response = login(client, march["A"]).get("/reports/weekly/2026-W11/")
    assert response.status_code == 200
    tree = page(response.content)
    assert overview_value(tree, "inspections") == "1"
    text = response.content.decode()
    for heading in ("二、分街道情况", "三、分类别情况", "四、本周点评", "五、典型问题"):
        assert heading in text


# --- editing, publishing, correcting -----------------------------------------------------------


def edit_data(report, **changes):
    data = {
        "id": report.pk,
        "title": report.title,
        "addressees": report.addressees,
        "overview": report.narrative.get("overview", ""),
        "problems": report.narrative.get("problems", ""),
        "requirements": report.narrative.get("requirements", ""),
    }
    data.update(changes)
    return data


def test_edit_saves_the_narrative_with_htmx(client, march):
    draft = compile_march(march)
    response = login(client, march["secretariat"]).post(
        reverse("report_edit", args=["monthly", "2026-03"]),
        edit_data(draft, requirements="一、立即整改。\n二、举一反三。"),
        **HX,
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    draft.refresh_from_db()
    assert draft.narrative["requirements"] == "一、立即整改。\n二、举一反三。"
    tree = page(response.content)
    assert tree.xpath("//div[@id='doc-requirements']/p/text()") == [
        "一、立即整改。",
        "二、举一反三。",
    ]


def test_edit_errors_answer_200_and_change_nothing(client, march):
    draft = compile_march(march)
    response = login(client, march["secretariat"]).post(
        reverse("report_edit", args=["monthly", "2026-03"]),
        edit_data(draft, title="", requirements="新的要求"),
        **HX,
    )
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    draft.refresh_from_db()
    assert draft.narrative["requirements"] == ""


def test_edit_form_is_shown_only_to_the_secretariat_on_a_draft(client, march):
    compile_march(march)
    assert page(login(client, march["secretariat"]).get(MARCH).content).xpath(
        "//form[@id='report-form']"
    )
    assert not page(login(client, march["leader"]).get(MARCH).content).xpath(
        "//form[@id='report-form']"
    )


def test_publish_refuses_without_requirements(client, march):
    draft = compile_march(march)
    response = login(client, march["secretariat"]).post(
        reverse("report_publish", args=["monthly", "2026-03"]), edit_data(draft), **HX
    )
    assert response.status_code == 200
    assert "请填写整改要求后再发布。" in response.content.decode()
    assert Report.objects.get(pk=draft.pk).status == Report.Status.DRAFT


def test_publish_without_posted_texts_refuses_too(client, march):
    draft = compile_march(march)
    response = login(client, march["secretariat"]).post(
        reverse("report_publish", args=["monthly", "2026-03"]), {"id": draft.pk}
    )
    assert response.status_code == 200
    assert "请填写整改要求后再发布。" in response.content.decode()
    assert Report.objects.get(pk=draft.pk).status == Report.Status.DRAFT


def test_publish_saves_the_texts_and_freezes(client, march):
    draft = compile_march(march)
    response = login(client, march["secretariat"]).post(
        reverse("report_publish", args=["monthly", "2026-03"]),
        edit_data(draft, requirements="限期整改到位。"),
        HTTP_HX_REQUEST="true",
    )
    draft.refresh_from_db()
    assert draft.status == Report.Status.PUBLISHED
    assert draft.snapshot["narrative"]["requirements"] == "限期整改到位。"
    assert response["HX-Redirect"] == f"{MARCH}?id={draft.pk}"


def test_publish_button_asks_for_confirmation(client, march):
    compile_march(march)
    tree = page(login(client, march["secretariat"]).get(MARCH).content)
    assert tree.xpath("//button[@id='publish']/@hx-confirm") == [
        "发布后内容将冻结，不能修改。确认发布？"
    ]


@pytest.mark.parametrize("persona", ["leader", "liaison", "inspector", "representative"])
@pytest.mark.parametrize("action", ["report_edit", "report_publish", "report_correct"])
def test_writes_are_forbidden_to_others(client, request, march, persona, action):
    report = compile_march(march) if action != "report_correct" else publish_march(march)
    before = Report.objects.get(pk=report.pk)
    response = login(client, request.getfixturevalue(persona)).post(
        reverse(action, args=["monthly", "2026-03"]),
        edit_data(report, requirements="别人写的"),
    )
    assert response.status_code == 403
    after = Report.objects.get(pk=report.pk)
    assert (after.status, after.narrative) == (before.status, before.narrative)
    assert Report.objects.count() == 1


def test_published_report_cannot_be_edited(client, march):
    report = publish_march(march)
    login(client, march["secretariat"]).post(
        reverse("report_edit", args=["monthly", "2026-03"]), edit_data(report, title="改标题")
    )
    report.refresh_from_db()
    assert report.title != "改标题" and report.snapshot["title"] != "改标题"


def test_correction_goes_to_the_draft_and_banners_link_both_ways(client, march):
    original = publish_march(march)
    client = login(client, march["secretariat"])
    response = client.post(
        reverse("report_correct", args=["monthly", "2026-03"]), {"id": original.pk}
    )
    correction = Report.objects.get(corrects=original)
    assert response["Location"] == f"{MARCH}?id={correction.pk}"
    # The plain URL still shows the published original while the correction is a draft.
    assert page(client.get(MARCH).content).xpath("//p[@id='doc-number']/text()") == [
        original.number
    ]
    reports.publish(correction, by=march["secretariat"])
    correction.refresh_from_db()
    tree = page(client.get(MARCH).content)
    assert tree.xpath("//p[@id='doc-number']/text()") == [correction.number]
    assert tree.xpath("//p[@id='banner-correction']/a/@href") == [f"{MARCH}?id={original.pk}"]
    old = page(client.get(f"{MARCH}?id={original.pk}").content)
    assert old.xpath("//p[@id='doc-number']/text()") == [original.number]
    banner = old.xpath("//p[@id='banner-superseded']")[0]
    assert "本通报已被更正" in banner.text_content()
    assert banner.xpath("a/@href") == [f"{MARCH}?id={correction.pk}"]


def test_correct_button_only_on_the_current_published_report(client, march):
    original = publish_march(march)
    client = login(client, march["secretariat"])
    assert page(client.get(MARCH).content).xpath("//button[@id='correct']")
    client.post(reverse("report_correct", args=["monthly", "2026-03"]), {"id": original.pk})
    assert not page(client.get(MARCH).content).xpath("//button[@id='correct']")


# --- 已阅 ----------------------------------------------------------------------------------------


def test_opening_a_published_report_records_read_once(client, march):
    report = publish_march(march)
    client = login(client, march["A"])
    client.get(MARCH)
    client.get(MARCH)
    assert list(ReportRead.objects.filter(report=report).values_list("user", flat=True)) == [
        march["A"].pk
    ]


def test_opening_a_draft_records_nothing(client, march):
    compile_march(march)
    login(client, march["leader"]).get(MARCH)
    assert not ReportRead.objects.exists()


def test_opening_a_published_report_reads_its_notice(
    client, march, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_march(march)
    reader = march["A"]
    notices = Notification.objects.filter(user=reader, kind=Notification.Kind.REPORT)
    assert notices.filter(read_at__isnull=True).count() == 1
    before = login(client, reader).get("/").content.decode()
    assert 'id="bell-count">1<' in before
    client.get(MARCH)
    assert notices.filter(read_at__isnull=True).count() == 0
    assert 'id="bell-count"' not in client.get("/").content.decode()


def unread_ids(tree) -> set[int]:
    return {int(pk) for pk in tree.xpath("//ul[@class='readers-unread']/li/@data-user")}


def test_unread_panel_lists_a_recipient_until_they_open_it(client, march):
    publish_march(march)
    reader = march["B1"]
    leader = login(client, march["secretariat"])
    tree = page(leader.get(MARCH).content)
    assert reader.pk in unread_ids(tree)
    total_unread = int(tree.xpath("string(//strong[@id='unread-total'])"))
    client.force_login(reader)
    client.get(MARCH)
    client.force_login(march["secretariat"])
    tree = page(client.get(MARCH).content)
    assert reader.pk not in unread_ids(tree)
    assert int(tree.xpath("string(//strong[@id='unread-total'])")) == total_unread - 1


def test_unread_panel_is_for_secretariat_and_leaders_only(client, march):
    publish_march(march)
    assert page(login(client, march["leader"]).get(MARCH).content).xpath(
        "//*[@id='report-readers']"
    )
    client.force_login(march["A"])
    assert not page(client.get(MARCH).content).xpath("//*[@id='report-readers']")


def test_list_shows_unread_then_read(client, march):
    report = publish_march(march)
    client = login(client, march["A"])
    tree = page(client.get("/reports/monthly/").content)
    assert rows(tree, f"//tr[@data-pk='{report.pk}']")[0][-1] == "未阅"
    client.get(MARCH)
    tree = page(client.get("/reports/monthly/").content)
    assert rows(tree, f"//tr[@data-pk='{report.pk}']")[0][-1] == "已阅"
    unread = page(client.get("/reports/monthly/?read=unread").content)
    assert not unread.xpath(f"//tr[@data-pk='{report.pk}']")


def test_list_answers_htmx_with_the_table_only(client, march):
    publish_march(march)
    response = login(client, march["A"]).get(
        "/reports/monthly/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-region"
    )
    assert response.status_code == 200
    assert b"<html" not in response.content and b'id="table-region"' in response.content


# --- query counts --------------------------------------------------------------------------------


def publish_months(march, months):
    for month in months:
        report, _ = reports.compile_report(march["hq"], MONTHLY, f"2026-{month:02d}")
        report.narrative["requirements"] = "整改。"
        report.save()
        reports.publish(report, by=march["secretariat"])


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_list_query_count_is_constant(client, march):
    publish_months(march, [1])
    client = login(client, march["A"])
    client.get("/reports/monthly/")  # warm up (session, content types)
    few = count_queries(client, "/reports/monthly/")
    publish_months(march, [2, 4, 5, 6])
    reports.compile_report(march["hq"], MONTHLY, "2026-07")
    client.get("/reports/monthly/2026-02/")
    many = count_queries(client, "/reports/monthly/")
    assert few == many


def test_index_query_count_is_constant(client, march):
    publish_months(march, [1])
    client = login(client, march["secretariat"])
    client.get("/reports/")
    few = count_queries(client, "/reports/")
    publish_months(march, [2, 4, 5])
    many = count_queries(client, "/reports/")
    assert few == many


def test_detail_query_count_is_constant_in_problems_and_readers(client, march):
    publish_months(march, [2])
    client = login(client, march["leader"])
    client.get("/reports/monthly/2026-02/")
    few = count_queries(client, "/reports/monthly/2026-02/")
    # March has many more problems, typical cases and readers than February.
    typical_case(march)
    inspection = inspect(march, 27, ["SA", "SB", "SB1"])
    for i in range(12):
        assign(
            march, problem(march, ["SA", "SB", "SB1"][i % 3], at(3, 27), inspection), "B", at(3, 27)
        )
    publish_months(march, [3])
    report = Report.objects.get(period="2026-03")
    for i in range(8):
        reader = make_user(f"extra_reader_{i}", Role.LIAISON, unit=march["u"]["D2"])
        if i % 2:
            reports.mark_read(report, reader)
    client.get(MARCH)
    many = count_queries(client, MARCH)
    assert len(report.snapshot["data"]["problems"]) > 20
    assert few == many


# --- photos ----------------------------------------------------------------------------------


def photo_ids(report):
    case = report.snapshot["data"]["typical"][0]
    return case["before_photos"][0], case["after_photos"][0]


def test_report_photo_is_served_to_recipients_who_cannot_see_the_problem(client, march):
    case = typical_case(march)
    report = publish_march(march)
    before, after = photo_ids(report)
    client = login(client, march["D2"])  # D2's liaison may not see a problem of unit A
    assert not Problem.objects.filter(pk=case.pk, primary_unit=march["u"]["D2"]).exists()
    assert client.get(reverse("photo", args=[before])).status_code == 404
    for pk in (before, after):
        response = client.get(reverse("report_photo", args=[report.pk, pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    thumb = client.get(reverse("report_photo", args=[report.pk, before]) + "?thumb=1")
    assert thumb.status_code == 200


def test_report_photo_is_refused_for_other_photos(client, march):
    typical_case(march)
    report = publish_march(march)
    other, _ = workflow.report_problem(
        by=march["inspector"],
        site=march["sites"]["SB"],
        category=march["category"],
        description="四月的问题",
        photos=[photo("blue")],
        now=at(4, 2),
        source="hotline",
    )
    stranger = Photo.objects.get(problem=other)
    client = login(client, march["D2"])
    assert client.get(reverse("report_photo", args=[report.pk, stranger.pk])).status_code == 404


def test_report_photo_of_a_draft_is_refused_to_recipients(client, march):
    typical_case(march)
    draft = compile_march(march)
    before = draft.data["typical"][0]["before_photos"][0]
    url = reverse("report_photo", args=[draft.pk, before])
    assert login(client, march["D2"]).get(url).status_code == 404
    client.force_login(march["leader"])
    assert client.get(url).status_code == 200


def test_report_photo_requires_login(client, march):
    typical_case(march)
    report = publish_march(march)
    before, _ = photo_ids(report)
    response = client.get(reverse("report_photo", args=[report.pk, before]))
    assert response.status_code == 302


def test_page_shows_typical_cases_side_by_side(client, march):
    case = typical_case(march)
    report = publish_march(march)
    tree = page(login(client, march["A"]).get(MARCH).content)
    cases = report.snapshot["data"]["typical"]
    # Escalated and returned problems first: P1 (escalated 3/6), then this case (escalated).
    assert [c["number"] for c in cases[:2]] == [
        Problem.objects.get(site=march["sites"]["SA"], reported_at=at(3, 5, 9)).number,
        case.number,
    ]
    sources = tree.xpath("//ol[@class='rd-cases']//img/@src")
    assert sources == [
        reverse("report_photo", args=[report.pk, pk]) + "?thumb=1"
        for c in cases
        for pk in c["before_photos"][:1] + c["after_photos"][:1]  # the first of each, side by side
    ]
    mine = cases[1]
    assert (len(mine["before_photos"]), len(mine["after_photos"])) == (1, 1)


def test_detail_shows_the_report_of_its_own_period(client, march):
    publish_months(march, [2])
    march_report = publish_march(march)
    client = login(client, march["A"])
    february = page(client.get("/reports/monthly/2026-02/").content)
    title = february.xpath("//h1[@id='doc-title']/text()")
    assert title == ["关于2026年2月文明城区创建督查情况的通报"]
    assert client.get(f"/reports/monthly/2026-02/?id={march_report.pk}").status_code == 404
