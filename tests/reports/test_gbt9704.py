"""The monthly .docx and print view against GB/T 9704-2012, on the hand-worked March.

The print view and the .docx are written from the same blocks (civility/reports/layout.py); these
tests hold the two to each other line for line, and the .docx to the standard's page: the 22 × 28
grid, the blank lines of the 版头, the 版记 and the outside page numbers.
"""

import io
import re
from decimal import Decimal

import docx
import openpyxl
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from civility.org.models import DEFAULT_COPY_TO
from tests.reports.test_report_pages import login, page, publish_march, typical_case

pytestmark = pytest.mark.django_db
DOCX = "/reports/monthly/2026-03.docx"
XLSX = "/reports/monthly/2026-03.xlsx"
PRINT = "/reports/monthly/2026-03/print/"
MM = Decimal("25.4")


def open_docx(response):
    assert response.status_code == 200
    return docx.Document(io.BytesIO(response.content))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def border(paragraph, side: str):
    borders = paragraph._p.pPr.find(qn("w:pBdr"))
    rule = None if borders is None else borders.find(qn(f"w:{side}"))
    return None if rule is None else (rule.get(qn("w:sz")), rule.get(qn("w:color")))


@pytest.fixture
def published(client, march):
    typical_case(march)
    report = publish_march(march)
    return report, login(client, march["A"])


def test_docx_and_print_view_agree_line_for_line(published):
    report, client = published
    document = open_docx(client.get(DOCX))
    tree = page(client.get(PRINT).content)
    printed = [
        squeeze(element.text_content())
        for element in tree.xpath("//*[@data-block and not(@data-block='table')]")
        if element.get("data-block") not in ("copy-to", "printed")
    ]
    paragraphs = [squeeze(p.text) for p in document.paragraphs]
    # Word ends a document with a paragraph: the empty one under the floating 版记.
    assert paragraphs.pop() == ""
    assert len(paragraphs) > 40
    assert paragraphs == printed
    # Tables too: the same tables in the same order, cell for cell.
    screen = [
        [[squeeze(c.text_content()) for c in row.xpath("th|td")] for row in table.xpath(".//tr")]
        for table in tree.xpath("//table[@data-block='table']")
    ]
    word = [
        [[squeeze(cell.text) for cell in row.cells] for row in table.rows]
        for table in document.tables
        if table.style is not None and table.style.name == "Table Grid"
    ]
    assert word == screen
    # And the 版记, the last table of the .docx.
    imprint = [squeeze(p.text_content()) for p in tree.xpath("//footer[@id='doc-imprint']//p")]
    assert [squeeze(row.cells[0].text) for row in document.tables[-1].rows] == imprint


def test_docx_head_has_the_prescribed_blank_lines(published):
    report, client = published
    paragraphs = open_docx(client.get(DOCX)).paragraphs
    texts = [p.text for p in paragraphs[:9]]
    assert texts == [
        report.snapshot["issuer"],
        "",
        "",
        report.number,  # 发文字号 two lines under the 发文机关标志
        "",
        "",
        report.snapshot["title"],  # the title two lines under the red rule
        "",
        "各街道、区直各部门：",  # 主送 one line under the title
    ]
    assert border(paragraphs[3], "bottom") == ("18", "C00000")  # the red rule
    assert paragraphs[3].alignment == paragraphs[6].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert (
        paragraphs[8].alignment is None and paragraphs[8].paragraph_format.first_line_indent is None
    )


def test_docx_grid_is_22_lines_of_28_characters(published):
    _report, client = published
    document = open_docx(client.get(DOCX))
    section = document.sections[0]
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin)] == [37, 35]
    assert [round(x.mm) for x in (section.left_margin, section.right_margin)] == [28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    line_pitch = Decimal(grid.get(qn("w:linePitch")))  # twentieths of a point
    char_space = Decimal(grid.get(qn("w:charSpace")))  # 4096ths of a point over the font size
    body = Decimal(document.styles["Normal"].font.size.pt)
    text_height = Decimal(section.page_height.mm - 37 - 35) / MM * 1440
    text_width = Decimal(section.page_width.mm - 28 - 26) / MM * 72
    assert round(text_height / line_pitch) == 22
    assert round(text_width / (body + char_space / 4096)) == 28
    assert body == 16  # 三号


def cell_border(cell, side: str):
    borders = cell._tc.tcPr.find(qn("w:tcBorders"))
    rule = borders.find(qn(f"w:{side}"))
    return rule.get(qn("w:val")), rule.get(qn("w:sz"))


def test_docx_imprint_has_copy_to_printer_and_date_between_rules(published):
    report, client = published
    document = open_docx(client.get(DOCX))
    imprint = document.tables[-1]
    copy_to, printed = (row.cells[0] for row in imprint.rows)
    assert copy_to.text == f"抄送：{DEFAULT_COPY_TO}。"
    day = report.published_at.astimezone()
    office = f"{report.headquarters.name}办公室"
    assert printed.text == f"{office}\t{day.year}年{day.month}月{day.day}日印发"
    assert cell_border(copy_to, "top") == ("single", "8")  # 首条分隔线, thick
    assert cell_border(printed, "top") == ("single", "6")  # between: thin
    assert cell_border(printed, "bottom") == ("single", "8")  # 末条分隔线, thick
    assert cell_border(copy_to, "left")[0] == "nil"
    runs = [cell.paragraphs[0].runs[0] for cell in (copy_to, printed)]
    assert [run.font.size.pt for run in runs] == [14, 14]  # 四号
    # It floats at the foot of the last page's 版心.
    position = imprint._tbl.tblPr.find(qn("w:tblpPr"))
    assert (position.get(qn("w:vertAnchor")), position.get(qn("w:tblpYSpec"))) == (
        "margin",
        "bottom",
    )


def test_copy_to_follows_the_headquarters_setting(client, march):
    march["hq"].copy_to = "区委、区政府领导"
    march["hq"].save()
    publish_march(march)
    imprint = open_docx(login(client, march["A"]).get(DOCX)).tables[-1]
    assert imprint.rows[0].cells[0].text == "抄送：区委、区政府领导。"


def test_docx_page_numbers_sit_outside(published):
    _report, client = published
    document = open_docx(client.get(DOCX))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for footer in (odd, even):
        assert footer.runs[0].text == "— " and footer.runs[-1].text == " —"
        assert footer.runs[0].font.size.pt == 14 and footer.runs[0].font.name == "宋体"
        field = footer._p.find(qn("w:fldSimple"))
        assert field.get(qn("w:instr")) == "PAGE"


def test_docx_signature_and_date_follow_the_rule(published):
    report, client = published
    paragraphs = open_docx(client.get(DOCX)).paragraphs
    index = next(i for i, p in enumerate(paragraphs) if p.text.startswith("附件："))
    blank, signature, date = paragraphs[index + 1 : index + 4]
    assert blank.text == "" and paragraphs[index - 1].text == ""
    assert signature.text == report.snapshot["issuer"]

    # The date starts two characters to the right of the 署名's first character, and whichever
    # is longer stands two characters in from the right (§7.3.5.2).
    def width(text):
        return sum(Decimal("0.5") if ch.isascii() else 1 for ch in text)

    sign_right = Decimal(str(signature.paragraph_format.right_indent.pt)) / 16
    date_right = Decimal(str(date.paragraph_format.right_indent.pt)) / 16
    assert (sign_right + width(signature.text)) - (date_right + width(date.text)) == 2
    assert min(sign_right, date_right) == 2


def test_print_view_shows_the_imprint(published):
    report, client = published
    tree = page(client.get(PRINT).content)
    assert tree.xpath("string(//p[@id='doc-copy-to'])") == f"抄送：{DEFAULT_COPY_TO}。"
    assert (
        tree.xpath("//p[@id='doc-printed']/span/text()")[0] == f"{report.headquarters.name}办公室"
    )


def test_xlsx_numbers_are_numbers_without_apostrophes(published):
    _report, client = published
    response = client.get(XLSX)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    overview = {row[0].value: row[1] for row in book["总体情况"].iter_rows(min_row=2)}
    assert overview["发现问题"].value == 19 and overview["发现问题"].data_type == "n"
    assert isinstance(overview["整改完成率"].value, float)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert not cell.quotePrefix, (sheet.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith("'"), (sheet.title, cell.coordinate)
    named = [[c.value for c in row] for row in book["逾期和督办单位"].iter_rows(min_row=2)]
    assert [(r[0], r[2], r[3]) for r in named] == [
        ("B1", 1, 0),
        ("D1", 1, 0),
        ("D2", 1, 0),
        ("A", 0, 2),
    ]
