"""The 考评排名 pages: monthly rankings, annual assessment, 一票否决.

The numbers are the hand-worked ones of tests/reports/test_scoring.py (the ``march`` district);
here they must appear on the pages and in the exports exactly as worked out there.
"""

import csv
import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civility.org.models import Unit
from civility.reports.models import Veto
from tests.reports.conftest import (
    assign,
    at,
    inspect,
    january_and_february_published,
    problem,
    two_assignments_for_a,
)

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """{table data-kind: [[cell text, …] per body row]} of the tables with a data-kind."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.kind = None
        self.in_body = False
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-kind" in attrs:
            self.kind = attrs["data-kind"]
            self.tables[self.kind] = []
        elif self.kind and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.row = []
        elif self.row is not None and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.kind].append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.kind = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def rankings_url(hq, month="2026-03", **extra):
    query = "&".join(f"{k}={v}" for k, v in {"hq": hq.pk, "month": month, **extra}.items())
    return f"/rankings/?{query}"


# --- who may see ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "secretariat"])
def test_rankings_open_for_leaders_and_secretariat(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/rankings/")
    assert response.status_code == 200
    assert "考评排名" in response.content.decode()


@pytest.mark.parametrize("persona", ["inspector", "representative"])
def test_rankings_denied_to_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/rankings/").status_code == 403
    assert client.get(f"/rankings/annual/{timezone.localdate().year}/").status_code == 403
    assert client.get("/rankings/vetoes/").status_code == 403


def test_rankings_require_login(client):
    response = client.get("/rankings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_rankings_unknown_headquarters_is_404(client, leader):
    client.force_login(leader)
    assert client.get("/rankings/?hq=999999").status_code == 404


# --- the monthly tables ---------------------------------------------------------------------------


def test_rankings_show_the_hand_worked_march_scores(client, march):
    client.force_login(march["leader"])
    html = client.get(rankings_url(march["hq"])).content.decode()
    tables = Tables(html).tables
    # 名次, 单位, 点位次数/不合格项, 现场分, 到期问题 (按期, 退回, 督办), 整改分, 总分, 等次
    assert [row[:8] for row in tables["street"]] == [
        ["1", "A", "4 /2", "82.9", "3 按期3 退回1 督办1", "85.0", "83.5", "良好"],
        ["2", "B", "3 /3", "73.3", "1 按期1 退回0 督办0", "—", "73.3", "合格"],
    ]
    assert [row[:8] for row in tables["community"]] == [
        ["1", "A1", "4 /2", "82.9", "1 按期1 退回0 督办0", "—", "82.9", "良好"],
    ]
    assert [row[:8] for row in tables["department"]] == [
        ["1", "D3", "—", "—", "3 按期3 退回0 督办0", "100.0", "100.0", "优秀"],
        ["2", "D1", "—", "—", "3 按期2 退回0 督办0", "66.7", "66.7", "合格"],
        ["2", "D2", "—", "—", "3 按期2 退回0 督办0", "66.7", "66.7", "合格"],
    ]
    marks = {row[1]: row[8] for rows in tables.values() for row in rows}
    assert marks["A"] == "黑榜 点评批评：点评（3月18日）"
    assert marks["B"] == "整改分未考评，总分为现场分 黑榜 总分73.3，现场分73.3"
    assert marks["A1"] == "整改分未考评，总分为现场分"  # not listed: no 同奖同罚 named
    assert marks["D3"] == "红榜 总分100.0，按期办结率100%，返工率0%，区直部门第1名"
    assert marks["D1"] == marks["D2"] == "黑榜 总分66.7，按期办结率67%，返工率0%"
    # B1 is 未考评: not in the table, named in one line, and on the 红榜 for its praise.
    assert "B1" not in marks
    b1 = march["u"]["B1"].pk
    assert f'id="unassessed-community">本月未考评单位：<a href="/units/{b1}/">B1</a></p>' in html
    red = html[html.index('id="red-list"') : html.index('id="black-list"')]
    assert "B1" in red and "点评表扬：点评（3月18日）" in red and "D3" in red
    assert "2026年3月考评排名" in html


def test_rankings_default_to_this_month(client, leader):
    client.force_login(leader)
    today = timezone.localdate()
    html = client.get("/rankings/").content.decode()
    assert f"{today.year}年{today.month}月考评排名" in html
    assert 'id="month-error"' not in html
    assert 'id="month-next"' not in html  # nothing after this month


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-13", "月份格式不正确"),
        ("March", "月份格式不正确"),
        ("2999-01", "所选月份尚未到来"),
    ],
)
def test_rankings_bad_month_shows_error_and_this_month(client, leader, value, message):
    client.force_login(leader)
    today = timezone.localdate()
    response = client.get(f"/rankings/?month={value}")
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f"{today.year}年{today.month}月考评排名" in html


def test_rankings_htmx_month_switch_returns_only_the_region(client, march):
    client.force_login(march["leader"])
    response = client.get(
        rankings_url(march["hq"]), headers={"HX-Request": "true", "HX-Target": "rankings-region"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="rankings-region"')
    assert "<html" not in html
    assert "2026年3月考评排名" in html
    assert "HX-Request" in response["Vary"]
    # The month links keep the chosen headquarters and carry both hx-get and href.
    assert f'href="/rankings/?hq={march["hq"].pk}&amp;month=2026-02"' in html
    assert f'hx-get="/rankings/?hq={march["hq"].pk}&amp;month=2026-02"' in html


def test_rankings_history_restore_returns_the_full_page(client, march):
    client.force_login(march["leader"])
    response = client.get(
        rankings_url(march["hq"]),
        headers={
            "HX-Request": "true",
            "HX-Target": "rankings-region",
            "HX-History-Restore-Request": "true",
        },
    )
    assert "<html" in response.content.decode()


def test_rankings_xlsx_export_has_a_sheet_per_kind_with_the_rows_shown(client, march):
    client.force_login(march["leader"])
    tables = Tables(client.get(rankings_url(march["hq"])).content.decode()).tables
    response = client.get(rankings_url(march["hq"], _export="xlsx"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["街道", "社区", "区直部门"]
    for kind, label in [("street", "街道"), ("community", "社区"), ("department", "区直部门")]:
        rows = list(book[label].iter_rows(values_only=True))
        assert rows[0] == (
            "名次", "单位", "点位次数", "不合格项", "现场分", "到期问题", "按期办结", "提交整改",
            "退回", "督办", "整改分", "总分", "等次", "说明", "红榜", "黑榜", "同奖同罚",
            "不合格项（按指标）",
        )  # fmt: skip
        shown = [(r[0], r[1], r[6], r[7]) for r in tables[kind]]
        exported = [(str(r[0]), r[1], f"{float(r[11]):.1f}", r[12]) for r in rows[1:] if r[0]]
        assert exported == shown
    # Every count behind A's total, and its list entry.
    a = next(r for r in book["街道"].iter_rows(values_only=True) if r[1] == "A")
    assert a[2:13] == (4, 2, 82.9, 3, 3, 4, 1, 1, 85.0, 83.5, "良好")
    assert a[15] == "点评批评：点评（3月18日）"
    # A's two failed items, by indicator: "<code> <name> <n>项" adding up to 2.
    assert sum(int(n) for n in re.findall(r" (\d+)项", a[17])) == 2
    d1 = next(r for r in book["区直部门"].iter_rows(values_only=True) if r[1] == "D1")
    assert d1[15] == "总分66.7，按期办结率67%，返工率0%"  # 黑榜
    a1 = next(r for r in book["社区"].iter_rows(values_only=True) if r[1] == "A1")
    assert (a1[13], a1[14], a1[16]) == ("整改分未考评，总分为现场分", None, None)
    # The 未考评 unit is a row without rank or total, marked 未考评, with its counts.
    b1 = next(r for r in book["社区"].iter_rows(values_only=True) if r[1] == "B1")
    assert (b1[0], b1[2], b1[5], b1[11], b1[12]) == (None, 1, 2, None, "未考评")
    assert b1[14] == "点评表扬：点评（3月18日）"


def test_rankings_csv_export_holds_every_row_shown(client, march):
    client.force_login(march["leader"])
    tables = Tables(client.get(rankings_url(march["hq"])).content.decode()).tables
    response = client.get(rankings_url(march["hq"], _export="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["类别", "名次", "单位"]
    labels = {"street": "街道", "community": "社区", "department": "区直部门"}
    shown = [
        [labels[kind], r[0], r[1], r[6], r[7]] for kind, table in tables.items() for r in table
    ]
    assert [[r[0], r[1], r[2], r[12], r[13]] for r in rows[1:] if r[1]] == shown
    assert [r[:3] + r[12:14] for r in rows[1:] if not r[1]] == [["社区", "", "B1", "", "未考评"]]


def test_rankings_query_count_is_constant_in_problems(client, march):
    client.force_login(march["leader"])
    url = rankings_url(march["hq"])
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    d = march
    inspection = inspect(d, 26, ["SA", "SB", "SB1"])
    for i in range(25):
        p = problem(d, ["SA", "SB", "SB1"][i % 3], at(3, 26), inspection)
        assign(d, p, ["A", "B1", "D1", "D2"][i % 4], at(3, 26))
    client.get(url)  # March's stored facts went stale with these problems: counted again here
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# --- annual assessment ----------------------------------------------------------------------------


def veto_d1(march, reason="发生重大不文明事件"):
    return Veto.objects.create(
        headquarters=march["hq"],
        unit=march["u"]["D1"],
        year=2026,
        reason=reason,
        decided_by=march["secretariat"],
    )


def test_annual_shows_the_veto_grade_and_eligibility(client, march):
    """The numbers of test_scoring's annual assessment (January and February published, March
    live; no data after March): A 0.7 × 84.5 + 0.3 × 50 = 74.2 合格; D1 0.8 × 65.567 + 0.2 ×
    86.3 = 69.7, vetoed → 不合格; B one assessed month and no assignment → 未考评."""
    january_and_february_published(march)
    two_assignments_for_a(march)
    veto_d1(march)
    client.force_login(march["leader"])
    response = client.get(f"/rankings/annual/2026/?hq={march['hq'].pk}")
    assert response.status_code == 200
    html = response.content.decode()
    tables = Tables(html).tables
    # 单位, 计分月数, 月度平均分, 责任分解, 结对社区平均分, 投入保障, 年度得分, 等次, 一票否决,
    # 评先评优资格, 问责记录与荣誉称号
    d1 = next(r for r in tables["department"] if r[0] == "D1")
    assert d1 == [
        "D1", "3", "65.6", "0/0", "86.3", "—", "69.7无到期责任分解，按月度总分计", "不合格",
        "一票否决 发生重大不文明事件", "否", "—",
    ]  # fmt: skip
    # 单位, 计分月数, 月度平均分, 责任分解, 投入保障, 年度得分, 等次, 一票否决, 评先评优资格,
    # 问责与荣誉
    assert tables["street"] == [
        ["A", "3", "84.5", "1/2", "—", "74.2", "合格", "—", "否", "—"],
        ["B", "1", "—", "0/0", "—", "—", "未考评", "—", "否", "—"],
    ]
    assert "community" not in tables  # communities are not 文明委成员单位
    assert "一票否决 1 个" in html
    assert "未通报月份（按实时数据计算）：3月" in html


def test_annual_xlsx_export_matches_the_page(client, march):
    january_and_february_published(march)
    two_assignments_for_a(march)
    veto_d1(march)
    client.force_login(march["leader"])
    response = client.get(f"/rankings/annual/2026/?hq={march['hq'].pk}&_export=xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert rows[0] == (
        "类别", "单位", "计分月数", "月度平均分", "到期责任分解", "按期完成", "结对社区平均分",
        "年度得分", "等次", "说明", "一票否决", "否决理由", "评先评优资格", "不具备资格原因",
        "问责记录", "荣誉称号", "下达资金（万元）", "已支出（万元）",
    )  # fmt: skip
    by_name = {r[1]: r for r in rows[1:]}
    assert sorted(by_name) == ["A", "B", "D1", "D2", "D3"]
    assert by_name["A"][2:9] == (3, 84.5, 2, 1, None, 74.2, "合格")
    d1 = by_name["D1"]
    assert (float(d1[7]), d1[8], d1[10], d1[11], d1[12]) == (
        69.7,
        "不合格",
        "是",
        "发生重大不文明事件",
        "否",
    )
    assert by_name["B"][7:9] == (None, "未考评")


def test_annual_future_year_is_404(client, leader):
    client.force_login(leader)
    assert client.get(f"/rankings/annual/{timezone.localdate().year + 1}/").status_code == 404


def test_annual_links_the_years(client, leader, hq):
    client.force_login(leader)
    year = timezone.localdate().year
    html = client.get(f"/rankings/annual/{year}/").content.decode()
    assert f'href="/rankings/annual/{year - 1}/"' in html
    assert f'<span class="current" aria-current="page">{year}</span>' in html


# --- 一票否决 ---------------------------------------------------------------------------------


def test_veto_list_shows_vetoes_to_leaders(client, march):
    veto_d1(march)
    client.force_login(march["leader"])
    html = client.get(f"/rankings/vetoes/?hq={march['hq'].pk}").content.decode()
    assert "发生重大不文明事件" in html
    assert 'id="veto-new"' not in html  # leaders read, the secretariat records


def test_veto_list_query_count_is_constant(client, march):
    client.force_login(march["secretariat"])
    url = f"/rankings/vetoes/?hq={march['hq'].pk}"
    veto_d1(march)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for name in ("A", "B", "A1", "B1", "D2"):
        Veto.objects.create(
            headquarters=march["hq"],
            unit=march["u"][name],
            year=2026,
            reason="理由",
            decided_by=march["secretariat"],
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count("data-veto=") == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def post_veto(client, march, **data):
    payload = {"unit": march["u"]["D1"].pk, "year": 2026, "reason": "拒不整改", **data}
    return client.post(f"/rankings/vetoes/new/?hq={march['hq'].pk}", payload)


def test_veto_new_records_the_veto_for_the_secretariat(client, march):
    client.force_login(march["secretariat"])
    assert client.get(f"/rankings/vetoes/new/?hq={march['hq'].pk}").status_code == 200
    response = post_veto(client, march)
    assert response.status_code == 302
    assert response["Location"] == f"/rankings/vetoes/?hq={march['hq'].pk}"
    veto = Veto.objects.get()
    assert (veto.unit, veto.year, veto.reason) == (march["u"]["D1"], 2026, "拒不整改")
    assert (veto.headquarters, veto.decided_by) == (march["hq"], march["secretariat"])


def test_veto_new_with_htmx_redirects_the_browser(client, march):
    client.force_login(march["secretariat"])
    response = client.post(
        f"/rankings/vetoes/new/?hq={march['hq'].pk}",
        {"unit": march["u"]["A"].pk, "year": 2026, "reason": "拒不整改"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/rankings/vetoes/?hq={march['hq'].pk}"
    assert Veto.objects.filter(unit=march["u"]["A"]).count() == 1


def test_veto_new_htmx_form_is_the_partial(client, march):
    client.force_login(march["secretariat"])
    response = client.get(
        f"/rankings/vetoes/new/?hq={march['hq'].pk}",
        headers={"HX-Request": "true", "HX-Target": "modal-body"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert 'hx-post="' in html


def test_veto_new_requires_a_reason(client, march):
    client.force_login(march["secretariat"])
    response = post_veto(client, march, reason="   ")
    assert response.status_code == 200
    assert "请填写否决理由。" in response.content.decode()
    assert not Veto.objects.exists()


def test_veto_new_refuses_a_second_veto_for_the_same_unit_and_year(client, march):
    veto_d1(march)
    client.force_login(march["secretariat"])
    response = post_veto(client, march, reason="另一个理由")
    assert response.status_code == 200
    assert "D12026年已有一票否决记录，不能重复记录。" in response.content.decode()
    assert list(Veto.objects.values_list("reason", flat=True)) == ["发生重大不文明事件"]


def test_veto_new_offers_only_committee_members_of_the_headquarters(client, march, street):
    outsider = Unit.objects.create(
        headquarters=march["hq"], name="非成员单位", kind="department", is_committee_member=False
    )
    client.force_login(march["secretariat"])
    for unit in (outsider, street):  # not a member; another headquarters' unit
        response = post_veto(client, march, unit=unit.pk)
        assert response.status_code == 200
        assert "选择一个有效的选项" in response.content.decode()
    assert not Veto.objects.exists()


def test_veto_new_denied_to_leaders(client, march):
    client.force_login(march["leader"])
    assert client.get(f"/rankings/vetoes/new/?hq={march['hq'].pk}").status_code == 403
    assert post_veto(client, march).status_code == 403
    assert not Veto.objects.exists()


def test_rankings_link_the_annual_assessment_of_the_month_year(client, march):
    client.force_login(march["leader"])
    html = client.get(rankings_url(march["hq"])).content.decode()
    assert f'href="/rankings/annual/2026/?hq={march["hq"].pk}"' in html
