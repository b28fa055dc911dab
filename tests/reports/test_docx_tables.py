"""The .docx tables are written by copying one formatted row (issue 10: python-docx's per-cell
calls took five seconds for a busy month's 问题清单); the XML must stay what python-docx writes."""

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH

from civility.reports import docx as report_docx
from civility.reports.layout import Table

HEADERS = ("编号", "点位", "说明", "期限")
ROWS = [
    ("HL-2026-000001", "湖里大道", "占道经营", 3),
    ("HL-2026-000002", "", "两行\n说明", "—"),
    ("HL-2026-000003", " 前有空格", "制表\t符", 0),
    ("合计", "后有空格 ", "", 12.5),
]


NUMERIC = (3,)


def reference_table(document, headers, rows):
    """The table as python-docx's own calls write it (the code before the speed-up)."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        paragraph = cell.paragraphs[0]
        report_docx._no_grid(paragraph)
        report_docx._font(paragraph.add_run(str(header)), report_docx.HEADING_FONT, 10.5)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in rows:
        cells = table.add_row().cells
        for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            report_docx._no_grid(paragraph)
            report_docx._font(paragraph.add_run(str(value)), report_docx.BODY_FONT, 10.5)
            if column in NUMERIC:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def fast_table(document, headers, rows):
    report_docx._table(document, Table(headers, [list(r) for r in rows], numeric=NUMERIC))


def body_xml(build) -> bytes:
    document = Document()
    build(document)
    return document.element.body.xml.encode()


def test_docx_table_writes_what_python_docx_writes():
    fast = body_xml(lambda d: fast_table(d, HEADERS, ROWS))
    slow = body_xml(lambda d: reference_table(d, HEADERS, ROWS))
    assert fast == slow


def test_docx_table_keeps_line_breaks_tabs_and_spaces():
    document = Document()
    fast_table(document, HEADERS, ROWS)
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
    fast_table(document, HEADERS, [])
    assert len(document.tables[0].rows) == 1
