"""A report as a sequence of blocks, in GB/T 9704-2012 order — the one description its page, its
print view and its .docx are all rendered from, so the three agree line for line.

版头: 发文机关标志, two blank lines, 发文字号 (the red rule under it), two blank lines, the title,
one blank line, 主送. 正文: headings numbered 一、二、… in the order the sections occur (a section
with nothing to say is left out, and the numbers close up), paragraphs, tables and typical cases.
Then one blank line, 附件说明, one blank line, 发文机关署名 and 成文日期. The 附件 starts a new
page; the 版记 (抄送, 印发机关 and 印发日期 between rules) closes the document.

Everything comes from ``report.content`` (the frozen snapshot once published).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from civility.reports import document as doc
from civility.reports.models import Report

DASH = doc.DASH


@dataclass
class Table:
    headers: tuple[str, ...]
    rows: list[list]
    id: str = ""
    css: str = ""
    numeric: tuple[int, ...] = ()  # columns aligned as numbers
    row_keys: list[str] = field(default_factory=list)  # data-key of each row (page tests, CSS)
    row_css: list[str] = field(default_factory=list)
    kind: str = ""  # data-kind of a ranking table
    font_size: float = 10.5  # points, in Word
    widths: tuple[float, ...] = ()  # relative column widths in Word (equal when empty)

    @property
    def body(self) -> list[dict]:
        """Rows as the page renders them: data-key, class, and cells marked numeric."""
        return [
            {
                "key": self.row_keys[index] if index < len(self.row_keys) else "",
                "css": self.row_css[index] if index < len(self.row_css) else "",
                "cells": [
                    {"value": value, "numeric": column in self.numeric}
                    for column, value in enumerate(row)
                ],
            }
            for index, row in enumerate(self.rows)
        ]


@dataclass
class Block:
    """One line-level element of the document.

    kind: issuer | number | title | corrects | addressees | blank | h1 | h2 | p | table | case |
    attachment | signature | date | pagebreak | annex-label | annex-title | copy-to | printed.
    """

    kind: str
    text: str = ""
    id: str = ""
    editable: str = ""  # the narrative field the secretariat edits this paragraph with
    table: Table | None = None
    case: dict | None = None
    missing: bool = False  # an editable text still empty (shown as a prompt on the draft)
    indent: float = 0  # right indent in characters (署名, 成文日期)
    photos: list = field(default_factory=list)  # (label, [urls]) of a case, set by the page

    @property
    def parts(self) -> list[str]:
        """The text split at tabs (印发机关 ⇥ 印发日期)."""
        return self.text.split("\t")

    @property
    def is_table(self) -> bool:
        return self.kind == "table"


@dataclass
class Group:
    """Consecutive blocks shown together on the page: the paragraphs of one editable text
    (``field``), or a run of typical cases."""

    kind: str  # "text", "cases" or "sign"
    blocks: list[Block]
    field: str = ""
    id: str = ""
    missing: bool = False


def grouped(blocks: list[Block]) -> list[Block | Group]:
    items: list[Block | Group] = []
    for block in blocks:
        last = items[-1] if items else None
        if block.kind in ("signature", "date"):
            # 署名 and 成文日期 (GB/T 9704 §7.3.5.2) are placed as one box on the page.
            if isinstance(last, Group) and last.kind == "sign":
                last.blocks.append(block)
            else:
                items.append(Group("sign", [block]))
        elif block.kind == "case":
            if isinstance(last, Group) and last.kind == "cases":
                last.blocks.append(block)
            else:
                items.append(Group("cases", [block]))
        elif block.kind == "p" and block.editable:
            if isinstance(last, Group) and last.kind == "text" and last.field == block.editable:
                last.blocks.append(block)
            else:
                items.append(
                    Group("text", [block], block.editable, block.id, missing=block.missing)
                )
        else:
            items.append(block)
    return items


@dataclass
class Layout:
    head: list[Block]
    body: list[Block]
    foot: list[Block]
    annex: list[Block]
    imprint: list[Block]

    @property
    def main(self) -> list[Block]:
        return self.head + self.body + self.foot

    @property
    def all(self) -> list[Block]:
        return self.main + self.annex + self.imprint


class Sections:
    """Numbers headings (一、二、…) and subheadings (（一）（二）…) as they are added."""

    def __init__(self):
        self.blocks: list[Block] = []
        self.h1 = 0
        self.h2 = 0

    def heading(self, title: str, id: str = "") -> None:
        numeral = doc.CHINESE_NUMERALS[self.h1]
        self.h1, self.h2 = self.h1 + 1, 0
        self.blocks.append(Block("h1", f"{numeral}、{title}", id=id))

    def subheading(self, title: str) -> None:
        numeral = doc.CHINESE_NUMERALS[self.h2]
        self.h2 += 1
        self.blocks.append(Block("h2", f"（{numeral}）{title}"))

    def text(self, text: str, *, editable: str = "", id: str = "", prompt: str = "") -> None:
        """Each line of a narrative text is a paragraph (indented two characters)."""
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if not lines and prompt:
            self.blocks.append(Block("p", prompt, id=id, editable=editable, missing=True))
            return
        for index, line in enumerate(lines):
            self.blocks.append(Block("p", line, id=id if index == 0 else "", editable=editable))

    def para(self, text: str, id: str = "") -> None:
        self.blocks.append(Block("p", text, id=id))

    def table(self, table: Table) -> None:
        self.blocks.append(Block("table", table=table))

    def case(self, case: dict, text: str) -> None:
        self.blocks.append(Block("case", text, case=case))


# --- 版头 and 版记 -------------------------------------------------------------------------------


def copy_to(report: Report) -> str:
    content = report.content
    return (
        content.get("copy_to")
        or content.get("narrative", {}).get("copy_to")
        or report.headquarters.copy_to
    )


def printed_by(report: Report) -> str:
    return report.content.get("printed_by") or report.headquarters.printing_office_name


def head(report: Report) -> list[Block]:
    content = report.content
    blocks = [
        Block("issuer", doc.issuer(report)),
        Block("blank"),
        Block("blank"),
        Block("number", content.get("number") or "（草稿，发布时编号）", id="doc-number"),
        Block("blank"),
        Block("blank"),
        Block("title", content["title"], id="doc-title", editable="title"),
    ]
    if content.get("corrects"):
        blocks.append(Block("corrects", f"（本通报更正{content['corrects']}）"))
    blocks += [
        Block("blank"),
        Block(
            "addressees",
            f"{content.get('addressees', '')}：",
            id="doc-addressees",
            editable="addressees",
        ),
    ]
    return blocks


def foot(report: Report, attachment: str = "") -> list[Block]:
    day = doc.issued_on(report)
    blocks = [Block("blank")]
    if attachment:
        blocks += [Block("attachment", f"附件：{attachment}"), Block("blank")]
    blocks += [
        Block("signature", doc.issuer(report)),
        Block(
            "date",
            doc.chinese_date(day) if day else "（发布时填写成文日期）",
            id="doc-date",
        ),
    ]
    return blocks


def imprint(report: Report) -> list[Block]:
    """版记: 抄送, then 印发机关 and 印发日期 (GB/T 9704 §7.4), between rules."""
    day = doc.issued_on(report)
    printed = f"{doc.chinese_date(day)}印发" if day else "（发布时填写）印发"
    return [
        Block("copy-to", f"抄送：{copy_to(report)}。", id="doc-copy-to", editable="copy_to"),
        Block("printed", f"{printed_by(report)}\t{printed}", id="doc-printed"),
    ]


def width(text: str) -> float:
    """A line's width in characters of the body font (Arabic numerals are half-width)."""
    return sum(0.5 if ch.isascii() else 1 for ch in text)


def signature_indents(layout: Layout) -> tuple[float, float]:
    """Right indents (in characters) of 发文机关署名 and 成文日期 (GB/T 9704 §7.3.5.2, 不加盖印章):
    the 署名 two characters in from the right, the date one line below starting two characters
    to the right of the 署名's first; when the date is the longer, the date is two in and the
    署名 moves left."""
    signature = next((b.text for b in layout.foot if b.kind == "signature"), "")
    day = next((b.text for b in layout.foot if b.kind == "date"), "")
    signature_right, date_right = 2.0, width(signature) - width(day)
    if date_right < 2:
        date_right = 2.0
        signature_right = width(day) + 4 - width(signature)
    return signature_right, date_right


# --- tables ------------------------------------------------------------------------------------


def overview_table(data: dict, monthly: bool) -> Table:
    rows = doc.overview_rows(data)

    def label(row) -> str:
        return f"{row.label}（%）" if row.unit == "%" else row.label

    if monthly:
        headers = ("指标", "本月", "上月", "变化")
        cells = [[label(r), *r.cells[1:]] for r in rows]
    else:
        headers = ("指标", "本周")
        cells = [[label(r), r.cells[1]] for r in rows]
    return Table(
        headers,
        cells,
        id="overview-table",
        css="rd-counts",
        numeric=(1, 2, 3),
        row_keys=[r.key for r in rows],
        widths=(4, 1.3, 1.3, 1.8) if monthly else (4, 1.5),
    )


def problem_table(data: dict) -> Table:
    rows = [[index, *doc.problem_cells(r)] for index, r in enumerate(data.get("problems", []), 1)]
    return Table(
        ("序号", *doc.PROBLEM_HEADERS),
        rows,
        id="problem-table",
        css="rd-problems",
        font_size=9,
        numeric=(0,),
        widths=(0.8, 2.7, 2, 1.4, 1.7, 2, 1.3, 2.1, 2.1),
    )


def missing_photo(case: dict, after: bool) -> str:
    """What stands in for a photo a case does not have."""
    if after and case.get("status") != "已销号":
        return "（尚未整改）"
    return "（暂无照片）"


def case_text(case: dict) -> str:
    meta = f"主责单位：{case.get('unit') or DASH}，状态：{case['status']}"
    if case.get("escalated"):
        meta += "，已督办"
    return f"{case['site']}（{case['street']}）{case['category']}：{case['description']}（{meta}）"


# --- the document --------------------------------------------------------------------------------


Builder = Callable[[Sections, Report, dict, dict], None]


def build(report: Report, body: Builder, attachment: str = "", *, with_imprint=True) -> Layout:
    content = report.content
    sections = Sections()
    body(sections, report, content["data"], content["narrative"])
    annex: list[Block] = []
    if attachment:
        annex = [
            Block("pagebreak"),
            Block("annex-label", "附件"),
            Block("blank"),
            Block("annex-title", attachment),
            Block("blank"),
            Block("table", table=problem_table(content["data"])),
        ]
    layout = Layout(
        head=head(report),
        body=sections.blocks,
        foot=foot(report, attachment),
        annex=annex,
        imprint=imprint(report) if with_imprint else [],
    )
    signature_right, date_right = signature_indents(layout)
    for block in layout.foot:
        if block.kind == "signature":
            block.indent = signature_right
        elif block.kind == "date":
            block.indent = date_right
    return layout
