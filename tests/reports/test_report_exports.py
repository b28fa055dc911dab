"""Downloads of a report: the print view, .docx and .xlsx show what the page shows."""

import io
import re
from urllib.parse import unquote

import docx
import openpyxl
import pytest

from civility.reports import compile as reports
from civility.reports.models import Report
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem
from tests.reports.test_report_pages import (
    MARCH,
    compile_march,
    login,
    page,
    publish_march,
    rows,
    typical_case,
)

pytestmark = pytest.mark.django_db
DOCX = "/reports/monthly/2026-03.docx"
XLSX = "/reports/monthly/2026-03.xlsx"
PRINT = "/reports/monthly/2026-03/print/"


def filename(response) -> str:
    match = re.search(r"filename\*=utf-8''(.+)$", response["Content-Disposition"])
    return unquote(match[1])


def open_docx(response):
    assert response.status_code == 200
    return docx.Document(io.BytesIO(response.content))


def open_xlsx(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def cell_texts(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


# --- .docx -------------------------------------------------------------------------------------


def test_docx_holds_number_title_and_ranking_tables(client, march):
    report = publish_march(march)
    response = login(client, march["A"]).get(DOCX)
    document = open_docx(response)
    texts = [p.text for p in document.paragraphs]
    assert report.number in texts
    assert report.snapshot["title"] in texts
    assert "各街道、区直各部门：" in texts
    for heading in ("一、总体情况", "二、考评排名", "三、红黑榜", "四、存在问题", "五、整改要求"):
        assert heading in texts
    assert "各单位要立即整改。" in texts
    streets = next(
        t
        for t in document.tables
        if t.rows[0].cells[0].text == "名次" and t.rows[1].cells[1].text == "A"
    )
    frozen = next(r for r in report.snapshot["data"]["rankings"] if r["kind"] == "street")
    assert cell_texts(streets)[0] == [
        "名次",
        "单位",
        "现场分",
        "整改分",
        "总分",
        "等次",
        "名次变化",
        "备注",
    ]
    assert [row[:6] for row in cell_texts(streets)[1:]] == [
        [str(r["rank"]), r["unit"], r["field"] or "—", r["rectification"] or "—", r["total"],
         r["band"]]
        for r in frozen["rows"]
    ]  # fmt: skip
    assert [row[:6] for row in cell_texts(streets)[1:]] == [
        ["1", "A", "82.9", "85.0", "83.5", "良好"],
        ["2", "B", "73.3", "—", "73.3", "合格"],
    ]
    assert "本月未考评单位：B1" in texts
    assert any(t.startswith("说明：街道、社区总分＝现场分×0.70") for t in texts)


def test_docx_ranking_rows_equal_the_page(client, march):
    publish_march(march)
    client = login(client, march["leader"])
    tree = page(client.get(MARCH).content)
    document = open_docx(client.get(DOCX))
    screen = rows(tree, "//table[@data-kind='department']/tbody/tr")
    table = next(
        t
        for t in document.tables
        if t.rows[0].cells[0].text == "名次" and t.rows[1].cells[1].text.startswith("D")
    )
    assert cell_texts(table)[1:] == screen


def test_docx_has_the_red_header_and_rule(client, march):
    report = publish_march(march)
    document = open_docx(login(client, march["A"]).get(DOCX))
    header = document.paragraphs[0]
    assert header.text == march["hq"].name
    assert str(header.runs[0].font.color.rgb) == "C00000"
    number = next(p for p in document.paragraphs if p.text == report.number)
    border = number._p.pPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr"
    )
    assert border is not None
    date = report.published_at.astimezone()
    assert f"{date.year}年{date.month}月{date.day}日" in [p.text for p in document.paragraphs]


def test_docx_embeds_typical_case_photos(client, march):
    typical_case(march)
    report = publish_march(march)
    document = open_docx(login(client, march["A"]).get(DOCX))
    cases = report.snapshot["data"]["typical"]
    # The first before and the first after photo of each case, side by side.
    expected = sum(bool(c["before_photos"]) + bool(c["after_photos"]) for c in cases)
    # P1 and this case (escalated), P2 (returned once), P4 (暴露垃圾, 4 points): all fixed.
    assert len(cases) == 4 and expected == 8
    assert len(document.inline_shapes) == expected


def test_docx_filename_is_the_document_number(client, march):
    report = publish_march(march)
    response = login(client, march["A"]).get(DOCX)
    assert filename(response) == f"{report.number}.docx"
    assert response["Content-Disposition"].startswith("attachment")


def test_docx_of_a_draft_is_hidden_from_recipients(client, march):
    compile_march(march)
    assert login(client, march["A"]).get(DOCX).status_code == 404
    client.force_login(march["leader"])
    response = client.get(DOCX)
    assert filename(response) == "每月通报2026-03（草稿）.docx"


def test_docx_of_a_superseded_version_by_id(client, march):
    original = publish_march(march)
    correction = reports.start_correction(original, by=march["secretariat"])
    reports.publish(correction, by=march["secretariat"])
    correction.refresh_from_db()
    client = login(client, march["A"])
    assert filename(client.get(DOCX)) == f"{correction.number}.docx"
    assert filename(client.get(f"{DOCX}?id={original.pk}")) == f"{original.number}.docx"


# --- .xlsx -------------------------------------------------------------------------------------


def shown(cell) -> str:
    """What Excel displays in the cell."""
    if cell.value is None:
        return ""
    if cell.number_format == "0.0":
        return f"{cell.value:.1f}"
    return str(cell.value)


def sheet_rows(sheet) -> list[list[str]]:
    return [[shown(cell) for cell in row] for row in sheet.iter_rows()]


def test_xlsx_ranking_rows_equal_the_screen(client, march):
    publish_march(march)
    client = login(client, march["leader"])
    tree = page(client.get(MARCH).content)
    workbook = open_xlsx(client.get(XLSX))
    for kind, label in (("street", "街道"), ("community", "社区"), ("department", "区直部门")):
        sheet = sheet_rows(workbook[label])
        assert sheet[0] == ["名次", "单位", "现场分", "整改分", "总分", "等次", "名次变化", "备注"]
        assert workbook[label]["A1"].font.bold
        screen = rows(tree, f"//table[@data-kind='{kind}']/tbody/tr")
        # Number columns (名次, 现场分, 整改分, 总分) hold an empty cell where the page shows "—".
        empty = [
            [("" if i in (0, 2, 3, 4) and v == "—" else v) for i, v in enumerate(r)] for r in screen
        ]
        assert sheet[1:] == empty
    assert isinstance(workbook["街道"]["E2"].value, float)  # numbers stay numbers in Excel
    assert isinstance(workbook["街道"]["A2"].value, int)


def test_xlsx_has_a_sheet_per_table(client, march):
    report = publish_march(march)
    workbook = open_xlsx(login(client, march["A"]).get(XLSX))
    assert workbook.sheetnames[0] == "总体情况"
    for name in ("街道", "社区", "区直部门", "红榜", "黑榜", "问题清单"):
        assert name in workbook.sheetnames
    red = sheet_rows(workbook["红榜"])
    assert [r[0] for r in red[1:]] == ["B1", "D3"]
    problems = sheet_rows(workbook["问题清单"])
    assert len(problems) - 1 == len(report.snapshot["data"]["problems"])
    overview = {r[0]: r[1] for r in sheet_rows(workbook["总体情况"])}
    assert overview["发现问题"] == str(report.snapshot["data"]["overview"]["found"])


def test_xlsx_keeps_the_frozen_numbers(client, march):
    report = publish_march(march)
    open_problem = Problem.objects.get(status="assigned", primary_unit=march["u"]["B1"])
    workflow.perform(open_problem, workflow.Action.ESCALATE, by=march["leader"])
    workbook = open_xlsx(login(client, march["A"]).get(XLSX))
    overview = {r[0]: r[1] for r in sheet_rows(workbook["总体情况"])}
    assert overview["新增督办"] == str(report.snapshot["data"]["overview"]["escalations"])


def test_xlsx_of_a_draft_is_hidden_from_recipients(client, march, representative):
    compile_march(march)
    assert login(client, representative).get(XLSX).status_code == 404
    client.force_login(march["leader"])
    assert open_xlsx(client.get(XLSX)).sheetnames[0] == "总体情况"


# --- print view ----------------------------------------------------------------------------------


def test_print_view_has_the_gbt_9704_layout(client, march):
    report = publish_march(march)
    response = login(client, march["A"]).get(PRINT)
    assert response.status_code == 200
    tree = page(response.content)
    assert tree.xpath("//p[@class='rd-issuer']/text()") == [march["hq"].name]
    assert tree.xpath("//p[@id='doc-number']/text()") == [report.number]
    assert tree.xpath("//h1[@id='doc-title']/text()") == [report.snapshot["title"]]
    assert tree.xpath("//link[@rel='stylesheet']/@href") == ["/static/civility/document.css"]
    assert tree.xpath("//button[@data-report-print]")
    assert tree.xpath("//table[@id='problem-table']")
    # CSP: no inline styles or scripts.
    assert not tree.xpath("//*[@style]") and not tree.xpath("//script[not(@src)]")


def test_print_view_records_read_and_hides_drafts(client, march):
    draft = compile_march(march)
    client = login(client, march["A"])
    assert client.get(PRINT).status_code == 404
    draft.narrative["requirements"] = "立即整改。"
    draft.save()
    report = reports.publish(draft, by=march["secretariat"])
    assert client.get(PRINT).status_code == 200
    assert report.reads.filter(user=march["A"]).exists()


def test_weekly_print_view(client, march):
    report, _ = reports.compile_report(march["hq"], Report.Kind.WEEKLY, "2026-W11")
    reports.publish(report, by=march["secretariat"])
    response = login(client, march["A"]).get("/reports/weekly/2026-W11/print/")
    assert response.status_code == 200
    assert "二、分街道情况" in response.content.decode()


def test_weekly_docx_and_xlsx_builders(march):
    from civility.reports import docx as report_docx
    from civility.reports import xlsx as report_xlsx

    report, _ = reports.compile_report(march["hq"], Report.Kind.WEEKLY, "2026-W11")
    report = reports.publish(report, by=march["secretariat"])
    document = docx.Document(io.BytesIO(report_docx.build(report)))
    texts = [p.text for p in document.paragraphs]
    assert report.number in texts and report.title in texts
    assert "二、分街道情况" in texts
    workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx.build(report)))
    assert workbook.sheetnames == ["总体情况", "分街道", "分类别"]


def test_list_export_holds_the_filtered_rows(client, march):
    from tests.reports.test_report_pages import publish_months

    publish_months(march, [1, 2])
    client = login(client, march["A"])
    client.get("/reports/monthly/2026-01/")
    response = client.get("/reports/monthly/?read=unread&_export=csv")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].split(",")[:4] == ["期间", "标题", "发文字号", "状态"]
    assert [line.split(",")[0] for line in lines[1:]] == ["2026-02"]
    assert lines[1].split(",")[-1] == "未阅"
