"""The .docx of a report, laid out like its print view (GB/T 9704 公文格式).

发文机关标志 in large red type, 发文字号 and a red rule under it, the centred title, 主送, the body
with its tables, 落款 and 成文日期 right-aligned, page numbers in the footer. Everything comes
from ``report.content`` via ``civility.reports.document``, so Word shows what the page shows.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from civility.reports import document as doc
from civility.reports.models import Report
from civility.supervision.problems.models import Photo

RED = RGBColor(0xC0, 0x00, 0x00)
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"


def _font(run, name: str, size: float | None = None, *, bold=False, color=None) -> None:
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
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
    size=16,
    bold=False,
    color=None,
    align=None,
    indent=True,
    space_after=0,
):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    if indent and align is None:
        fmt.first_line_indent = Pt(size * 2)  # 首行缩进两字
    if text:
        _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _red_rule(paragraph) -> None:
    """The red separator line of the 版头: a bottom border on the 发文字号 paragraph."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "18"),
        ("w:space", "6"),
        ("w:color", "C00000"),
    ):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)


def _page_numbers(section) -> None:
    """— 1 — centred in the footer (a PAGE field, filled in by Word)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), BODY_FONT, 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    _font(paragraph.add_run(" —"), BODY_FONT, 14)


def _heading(document, text: str) -> None:
    _paragraph(document, text, font=HEADING_FONT, size=16)


def _subheading(document, text: str) -> None:
    _paragraph(document, text, font=SUBHEADING_FONT, size=16)


def _text(document, text: str) -> None:
    for line in (text or "").splitlines() or [""]:
        if line.strip():
            _paragraph(document, line.strip())


def _table(document, headers, rows, *, bold_rows=()) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(header)), BODY_FONT, 10.5, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, values in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(value)), BODY_FONT, 10.5, bold=index in bold_rows)
    _paragraph(document, "", size=8)  # breathing space after a table


def _photos(ids: list[int], photos: dict[int, Photo]):
    for pk in ids:
        photo = photos.get(pk)
        if photo is None or not photo.image:
            continue
        try:
            with photo.image.open("rb") as handle:
                yield io.BytesIO(handle.read())
        except OSError:
            continue


def _typical_cases(document, cases: list[dict]) -> None:
    ids = {
        pk for case in cases for pk in case.get("before_photos", []) + case.get("after_photos", [])
    }
    photos = Photo.objects.in_bulk(ids) if ids else {}
    for number, case in enumerate(cases, start=1):
        _paragraph(
            document,
            f"{number}. {case['site']}（{case['street']}）{case['category']}：{case['description']}"
            f" 主责单位：{case.get('unit') or doc.DASH}，状态：{case['status']}。",
        )
        before = list(_photos(case.get("before_photos", [])[:1], photos))
        after = list(_photos(case.get("after_photos", [])[:1], photos))
        if not before and not after:
            continue
        table = document.add_table(rows=2, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for column, (label, images) in enumerate((("整改前", before), ("整改后", after))):
            _font(table.cell(0, column).paragraphs[0].add_run(label), BODY_FONT, 10.5, bold=True)
            paragraph = table.cell(1, column).paragraphs[0]
            if images:
                paragraph.add_run().add_picture(images[0], width=Cm(7))
            else:
                _font(paragraph.add_run("（暂无）"), BODY_FONT, 10.5)
        _paragraph(document, "", size=8)


def _head(document, report: Report) -> None:
    content = report.content
    _paragraph(
        document,
        doc.issuer(report),
        font=TITLE_FONT,
        size=30,
        color=RED,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=18,
    )
    number = _paragraph(
        document,
        content.get("number") or "（草稿，发布时编号）",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=2,
    )
    _red_rule(number)
    _paragraph(document, "", size=12)
    _paragraph(
        document,
        content["title"],
        font=TITLE_FONT,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=16,
    )
    if content.get("corrects"):
        _paragraph(
            document,
            f"（本通报更正{content['corrects']}）",
            align=WD_ALIGN_PARAGRAPH.CENTER,
            space_after=8,
        )
    _paragraph(document, f"{content.get('addressees', '')}：", indent=False)


def _foot(document, report: Report) -> None:
    _paragraph(document, "", size=16)
    _paragraph(document, "", size=16)
    signature = _paragraph(document, doc.issuer(report), align=WD_ALIGN_PARAGRAPH.RIGHT)
    signature.paragraph_format.right_indent = Pt(32)
    day = doc.issued_on(report)
    dated = _paragraph(
        document,
        doc.chinese_date(day) if day else "（发布时填写成文日期）",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    dated.paragraph_format.right_indent = Pt(32)


def _monthly_body(document, report: Report) -> None:
    content = report.content
    data, narrative = content["data"], content["narrative"]
    _heading(document, "一、总体情况")
    _text(document, narrative.get("overview", ""))
    _table(document, ("指标", "本月", "上月", "变化"), [r.cells for r in doc.overview_rows(data)])
    _heading(document, "二、考评排名")
    for table in doc.ranking_tables(data):
        _subheading(document, f"（{table.numeral}）{table.label}")
        _table(document, doc.RANKING_HEADERS, [row.cells for row in table.rows])
        if table.unassessed:
            _text(document, table.unassessed_line)
    _text(document, doc.ranking_remark(data))
    _heading(document, "三、红黑榜")
    _subheading(document, "（一）红榜")
    if data.get("red_list"):
        _table(document, doc.LIST_HEADERS, [doc.list_cells(e) for e in data["red_list"]])
    else:
        _text(document, "本月无单位进入红榜。")
    _subheading(document, "（二）黑榜")
    if data.get("black_list"):
        _table(document, doc.LIST_HEADERS, [doc.list_cells(e) for e in data["black_list"]])
    else:
        _text(document, "本月无单位进入黑榜。")
    _heading(document, "四、存在问题")
    _text(document, narrative.get("problems", ""))
    if data.get("top_categories"):
        _subheading(document, "（一）问题较多的类别")
        _table(
            document, doc.CATEGORY_HEADERS, [doc.category_cells(r) for r in data["top_categories"]]
        )
    if data.get("typical"):
        _subheading(document, "（二）典型问题")
        _typical_cases(document, data["typical"])
    _heading(document, "五、整改要求")
    _text(document, narrative.get("requirements", ""))
    _paragraph(document, f"附件：{report.period_start.month}月督查问题清单", space_after=6)


def _weekly_body(document, report: Report) -> None:
    content = report.content
    data, narrative = content["data"], content["narrative"]
    _heading(document, "一、总体情况")
    _text(document, narrative.get("overview", ""))
    _table(document, ("指标", "本周"), [r.cells[:2] for r in doc.overview_rows(data)])
    _heading(document, "二、分街道情况")
    _table(document, doc.STREET_HEADERS, [doc.street_cells(r) for r in data.get("by_street", [])])
    _heading(document, "三、分类别情况")
    _table(
        document, doc.CATEGORY_HEADERS, [doc.category_cells(r) for r in data.get("by_category", [])]
    )
    _heading(document, "四、本周点评")
    for item in data.get("commentary", []) or [{"title": "本周无点评。"}]:
        if "date" in item:
            _text(
                document,
                f"{item['date']} {item['author']}{item['kind']}（{item['tone']}）："
                f"{item['title']}（{'、'.join(item['units'])}）",
            )
        else:
            _text(document, item["title"])
    _heading(document, "五、典型问题")
    if data.get("typical"):
        _typical_cases(document, data["typical"])
    else:
        _text(document, "本周无典型问题。")


def _attachment(document, report: Report) -> None:
    problems = report.content["data"].get("problems", [])
    document.add_page_break()
    _paragraph(document, "附件", font=HEADING_FONT, indent=False)
    _paragraph(
        document,
        f"{report.get_period().label}督查问题清单",
        font=TITLE_FONT,
        size=18,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=10,
    )
    if problems:
        _table(document, doc.PROBLEM_HEADERS, [doc.problem_cells(r) for r in problems])
    else:
        _text(document, "本月未发现问题。")


def build(report: Report) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _page_numbers(section)
    document.core_properties.title = report.content["title"]
    document.core_properties.author = doc.issuer(report)

    _head(document, report)
    if report.kind == Report.Kind.MONTHLY:
        _monthly_body(document, report)
    else:
        _weekly_body(document, report)
    _foot(document, report)
    if report.kind == Report.Kind.MONTHLY:
        _attachment(document, report)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
