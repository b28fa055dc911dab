"""The .docx of a report in GB/T 9704-2012 公文格式, rendered from ``bulletin.layout`` (the
blocks the page and the print view show, in the same order, line for line).

Page: A4, 版心 156 × 225 mm (天头 37 mm, 订口 28 mm), a 22 lines × 28 characters grid
(``w:docGrid`` type linesAndChars; line pitch 225 mm / 22, character pitch 156 mm / 28 of 三号
仿宋). 发文机关标志 in red 小标宋, 发文字号 with the red rule 4 mm under it, the title in
二号小标宋, body in 三号仿宋 with 黑体 and 楷体 headings, 署名 and 成文日期 placed as §7.3.5.2
says, the 附件 on a new page and the 版记 (抄送, 印发机关 and 印发日期, between a thick, a thin and
a thick rule). Page numbers "— N —" in 四号半角宋体, 7 mm under the 版心: odd pages right, even
pages left, each one character in (odd and even footers, ``w:evenAndOddHeaders``).
"""

from __future__ import annotations

import copy
import io
from decimal import ROUND_HALF_UP, Decimal

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor, Twips

from civility.reports import bulletin
from civility.reports import document as doc
from civility.reports.layout import Block, Table, missing_photo
from civility.reports.models import Report
from civility.supervision.problems.models import Photo

RED = RGBColor(0xC0, 0x00, 0x00)
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

BODY_SIZE = 16  # 三号
TITLE_SIZE = 22  # 二号
ISSUER_SIZE = 30
IMPRINT_SIZE = 14  # 四号
PAGE_NUMBER_SIZE = 14  # 四号

TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 156, 225
LINES, CHARS = 22, 28
TWIPS_PER_MM = Decimal(1440) / Decimal("25.4")
POINTS_PER_MM = Decimal(72) / Decimal("25.4")
W_TC, W_P, W_R, W_T = qn("w:tc"), qn("w:p"), qn("w:r"), qn("w:t")
PLAIN_BREAKS = set("\n\r\t")


def grid_pitches() -> tuple[int, int]:
    """(linePitch in twentieths of a point, charSpace in 4096ths of a point over the body size):
    what ``w:docGrid`` needs for 22 lines of 225 mm and 28 characters of 156 mm."""
    line = (Decimal(TEXT_HEIGHT_MM) * TWIPS_PER_MM / LINES).quantize(1, rounding=ROUND_HALF_UP)
    char = Decimal(TEXT_WIDTH_MM) * POINTS_PER_MM / CHARS
    space = ((char - BODY_SIZE) * 4096).quantize(1, rounding=ROUND_HALF_UP)
    return int(line), int(space)


def _font(run, name: str, size: float | None = None, *, bold=False, color=None) -> None:
    run.font.name = name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(key), name)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color


def _paragraph(
    document,
    text: str = "",
    *,
    font=BODY_FONT,
    size=BODY_SIZE,
    color=None,
    align=None,
    first_line_chars: float = 0,
    left_chars: float = 0,
    right_chars: float = 0,
):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = fmt.space_before = Pt(0)
    if first_line_chars:
        fmt.first_line_indent = Pt(size * first_line_chars)
    if left_chars:
        fmt.left_indent = Pt(size * left_chars)
    if right_chars:
        fmt.right_indent = Pt(size * right_chars)
    if text:
        _font(paragraph.add_run(text), font, size, color=color)
    return paragraph


def _border(paragraph, side: str, size: int, color: str = "000000", space: int = 1) -> None:
    """A rule along one side of a paragraph (``size`` in eighths of a point)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    rule = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space))):
        rule.set(qn(key), value)
    rule.set(qn("w:color"), color)
    borders.append(rule)


def _no_grid(paragraph) -> None:
    """Table cells and photos keep their own line height instead of snapping to the grid."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(snap)


# --- page ----------------------------------------------------------------------------------------


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(22)  # the 一字线 7 mm under the 版心
    line_pitch, char_space = grid_pitches()
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch))
    grid.set(qn("w:charSpace"), str(char_space))
    sect_pr.append(grid)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(BODY_SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _default_size(document)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _default_size(document) -> None:
    """The grid's character pitch is counted from the document's default font size (LibreOffice
    reads ``w:docDefaults``, Word the Normal style): make both 三号."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        document.styles.element.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    r_pr = run_defaults.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        run_defaults.append(r_pr)
    for tag in ("w:sz", "w:szCs"):
        for old in r_pr.findall(qn(tag)):
            r_pr.remove(old)
        size = OxmlElement(tag)
        size.set(qn("w:val"), str(BODY_SIZE * 2))
        r_pr.append(size)


def _page_number(paragraph, align) -> None:
    """— N — in 四号半角宋体, one character in from the outer edge (a PAGE field)."""
    paragraph.alignment = align
    indent = Pt(PAGE_NUMBER_SIZE)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = indent
    else:
        paragraph.paragraph_format.left_indent = indent
    _font(paragraph.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    fonts = OxmlElement("w:rFonts")
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(key), PAGE_NUMBER_FONT)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(PAGE_NUMBER_SIZE * 2))
    r_pr.append(fonts)
    r_pr.append(size)
    run.append(r_pr)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    _font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


# --- blocks ----------------------------------------------------------------------------------


def _column_widths(table: Table) -> list[int]:
    """Column widths in twips across the 版心 (equal unless the table says otherwise)."""
    weights = table.widths or (1,) * len(table.headers)
    total = Decimal(TEXT_WIDTH_MM) * TWIPS_PER_MM
    return [int(total * Decimal(str(w)) / Decimal(str(sum(weights)))) for w in weights]


def _set_widths(grid, cells, widths: list[int]) -> None:
    for cell, width in zip(cells, widths, strict=True):
        cell.width = Twips(width)


def _row_template(grid, table: Table):
    """One formatted body row (``<w:tr>``), made through python-docx and then detached.

    Rows are copies of it with their texts filled in: python-docx's per-run font calls cost about
    a millisecond a cell, seconds for the 问题清单 of a busy month.
    """
    row = grid.add_row()
    if table.widths:
        _set_widths(grid, row.cells, _column_widths(table))
    for column, cell in enumerate(row.cells):
        paragraph = cell.paragraphs[0]
        _no_grid(paragraph)
        _font(paragraph.add_run("-"), BODY_FONT, table.font_size)
        if column in table.numeric:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tr = row._tr
    tr.getparent().remove(tr)
    return tr


def _table(document, table: Table) -> None:
    grid = document.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    if table.widths:
        grid.autofit = False
        widths = _column_widths(table)
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = Twips(width)
        _set_widths(grid, grid.rows[0].cells, widths)
    for cell, header in zip(grid.rows[0].cells, table.headers, strict=True):
        paragraph = cell.paragraphs[0]
        _no_grid(paragraph)
        _font(paragraph.add_run(str(header)), HEADING_FONT, table.font_size)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not table.rows:
        return
    template = _row_template(grid, table)
    for values in table.rows:
        tr = copy.deepcopy(template)
        for tc, value in zip(tr.iterchildren(W_TC), values, strict=True):
            run, text = tc.findall(f"{W_P}/{W_R}")[-1], str(value)  # the formatted run
            if text and text == text.strip() and not PLAIN_BREAKS.intersection(text):
                run.find(W_T).text = text  # what python-docx writes for plain text, faster
            else:
                run.text = text  # breaks, tabs and kept spaces as python-docx writes them
        grid._tbl.append(tr)


def _photo_streams(ids: list[int], photos: dict[int, Photo]):
    for pk in ids:
        photo = photos.get(pk)
        if photo is None or not photo.image:
            continue
        try:
            with photo.image.open("rb") as handle:
                yield io.BytesIO(handle.read())
        except OSError:
            continue


def _case(document, block: Block, photos: dict[int, Photo]) -> None:
    _paragraph(document, block.text, first_line_chars=2)
    case = block.case or {}
    before = list(_photo_streams(case.get("before_photos", [])[:1], photos))
    after = list(_photo_streams(case.get("after_photos", [])[:1], photos))
    if not before and not after:
        return
    pair = document.add_table(rows=2, cols=2)
    pair.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, (label, images) in enumerate((("整改前", before), ("整改后", after))):
        missing = missing_photo(case, after=column == 1)
        caption = pair.cell(0, column).paragraphs[0]
        _no_grid(caption)
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(caption.add_run(label), HEADING_FONT, 10.5)
        paragraph = pair.cell(1, column).paragraphs[0]
        _no_grid(paragraph)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if images:
            paragraph.add_run().add_picture(images[0], width=Cm(7))
        else:
            _font(paragraph.add_run(missing), BODY_FONT, 10.5)


def _cell_border(cell, side: str, size: int) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    rule = OxmlElement(f"w:{side}")
    value = "single" if size else "nil"
    for key, attr in (
        ("w:val", value),
        ("w:sz", str(size)),
        ("w:space", "0"),
        ("w:color", "000000"),
    ):
        rule.set(qn(key), attr)
    borders.append(rule)


def _imprint(document, blocks: list[Block]) -> None:
    """版记 (§7.4): 抄送, then 印发机关 and 印发日期, in 四号仿宋 between rules — thick above, thin
    between, thick below — as a table floating at the foot of the last page's 版心, so that its
    last line is the page's last line."""
    if not blocks:
        return
    table = document.add_table(rows=len(blocks), cols=1)
    tbl_pr = table._tbl.tblPr
    position = OxmlElement("w:tblpPr")
    for key, value in (
        ("w:vertAnchor", "margin"),
        ("w:horzAnchor", "margin"),
        ("w:tblpXSpec", "center"),
        ("w:tblpYSpec", "bottom"),
    ):
        position.set(qn(key), value)
    tbl_pr.append(position)
    width = int(Decimal(TEXT_WIDTH_MM) * TWIPS_PER_MM)
    table_width = OxmlElement("w:tblW")
    table_width.set(qn("w:w"), str(width))
    table_width.set(qn("w:type"), "dxa")
    tbl_pr.append(table_width)
    for index, block in enumerate(blocks):
        cell = table.cell(index, 0)
        cell.width = Mm(TEXT_WIDTH_MM)
        paragraph = cell.paragraphs[0]
        _no_grid(paragraph)
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.right_indent = Pt(IMPRINT_SIZE)
        if block.kind == "copy-to":
            # One character in; a second line aligns with the text after 抄送：.
            fmt.left_indent = Pt(IMPRINT_SIZE * 4)
            fmt.first_line_indent = Pt(-IMPRINT_SIZE * 3)
        else:
            fmt.left_indent = Pt(IMPRINT_SIZE)
            tab = Mm(TEXT_WIDTH_MM) - Pt(IMPRINT_SIZE * 2)
            fmt.tab_stops.add_tab_stop(tab, WD_TAB_ALIGNMENT.RIGHT)
        _font(paragraph.add_run(block.text), BODY_FONT, IMPRINT_SIZE)
        _cell_border(cell, "left", 0)
        _cell_border(cell, "right", 0)
        _cell_border(cell, "top", 8 if index == 0 else 6)  # 首条 0.35 mm, then 0.25 mm
        if index == len(blocks) - 1:
            _cell_border(cell, "bottom", 8)  # 末条分隔线 0.35 mm
    # A document ends with a paragraph (the page's last line belongs to the 版记 above it).
    _paragraph(document)


def _block(document, block: Block, photos: dict[int, Photo]) -> None:
    kind = block.kind
    center = WD_ALIGN_PARAGRAPH.CENTER
    if kind == "issuer":
        issuer = _paragraph(
            document, block.text, font=TITLE_FONT, size=ISSUER_SIZE, color=RED, align=center
        )
        issuer.paragraph_format.space_before = Mm(35)  # 上边缘至版心上边缘 35 mm (§7.2.2)
    elif kind == "blank":
        _paragraph(document)
    elif kind == "number":
        number = _paragraph(document, block.text, align=center)
        _border(number, "bottom", 18, "C00000", space=11)  # red rule 4 mm under the 发文字号
    elif kind in ("title", "annex-title"):
        _paragraph(document, block.text, font=TITLE_FONT, size=TITLE_SIZE, align=center)
    elif kind == "corrects":
        _paragraph(document, block.text, align=center)
    elif kind in ("addressees", "annex-label"):
        font = HEADING_FONT if kind == "annex-label" else BODY_FONT
        _paragraph(document, block.text, font=font)
    elif kind == "h1":
        _paragraph(document, block.text, font=HEADING_FONT, first_line_chars=2)
    elif kind == "h2":
        _paragraph(document, block.text, font=SUBHEADING_FONT, first_line_chars=2)
    elif kind in ("p", "attachment"):
        _paragraph(document, block.text, first_line_chars=2)
    elif kind == "table":
        _table(document, block.table)
    elif kind == "case":
        _case(document, block, photos)
    elif kind == "signature":
        _paragraph(document, block.text, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=block.indent)
    elif kind == "date":
        _paragraph(document, block.text, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=block.indent)
    elif kind == "pagebreak":
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    else:  # pragma: no cover - a block kind the layout does not make
        raise ValueError(kind)


def build(report: Report) -> bytes:
    layout = bulletin.layout(report)
    document = Document()
    _page(document)
    document.core_properties.title = report.content["title"]
    document.core_properties.author = doc.issuer(report)
    ids = {
        pk
        for block in layout.all
        if block.case
        for pk in block.case.get("before_photos", [])[:1] + block.case.get("after_photos", [])[:1]
    }
    photos = Photo.objects.in_bulk(ids) if ids else {}
    for block in layout.main + layout.annex:
        _block(document, block, photos)
    _imprint(document, layout.imprint)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
