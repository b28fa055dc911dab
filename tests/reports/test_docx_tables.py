"""The .docx tables are written by copying one formatted row (issue 10: python-docx's per-cell
calls took five seconds for a busy month's 问题清单); the XML must stay what python-docx writes."""

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH

from civility.reports import docx as report_docx

HEADERS = ("编号", "点位", "说明", "期限")
ROWS = [
    ("HL-2026-000001", "湖里大道", "占道经营", 3),
    ("HL-2026-000002", "", "两行\n说明", "—"),
    ("HL-2026-000003", " 前有空格", "制表\t符", 0),
    ("合计", "后有空格 ", "", 12.5),
]


def reference_table(document, headers, rows, *, bold_rows=()):
    """The table as python-docx's own calls write it (the code before the speed-up)."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        report_docx._font(
            cell.paragraphs[0].add_run(str(header)), report_docx.BODY_FONT, 10.5, bold=True
        )
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, values in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            report_docx._font(
                cell.paragraphs[0].add_run(str(value)),
                report_docx.BODY_FONT,
                10.5,
                bold=index in bold_rows,
            )
    report_docx._paragraph(document, "", size=8)


def body_xml(build) -> bytes:
    document = Document()
    build(document)
    return document.element.body.xml.encode()


def test_docx_table_writes_what_python_docx_writes():
    fast = body_xml(lambda d: report_docx._table(d, HEADERS, ROWS, bold_rows=(3,)))
    slow = body_xml(lambda d: reference_table(d, HEADERS, ROWS, bold_rows=(3,)))
    assert fast == slow


def test_docx_table_keeps_line_breaks_tabs_and_spaces():
    document = Document()
    report_docx._table(document, HEADERS, ROWS)
    table = document.tables[0]
    assert [cell.text for cell in table.rows[2].cells] == ["HL-2026-000002", "", "两行\n说明", "—"]
    assert [cell.text for cell in table.rows[3].cells] == [
        "HL-2026-000003",
        " 前有空格",
        "制表\t符",
        "0",
    ]
    assert len(table.rows) == 5


def test_docx_table_without_rows_has_only_its_header():
    document = Document()
    report_docx._table(document, HEADERS, [])
    assert len(document.tables[0].rows) == 1
