"""The .xlsx of a report: one sheet per table of the page, header row bold, same rows."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from civility.core.exports import spreadsheet_safe
from civility.reports import document as doc
from civility.reports.models import Report

BOLD = Font(bold=True)
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet(workbook, title: str, headers, rows, used: set[str]):
    name = SHEET_NAME_BAD.sub("", title)[:31] or "表"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}（{n}）"
        n += 1
    used.add(name)
    sheet = workbook.create_sheet(name)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = BOLD
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append([spreadsheet_safe(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "0.0"  # scores and rates keep their one decimal, as shown
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        longest = max(
            [len(str(header))] + [len(str(row[index - 1])) for row in rows if len(row) >= index]
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest * 1.8))
    return sheet


def build(report: Report) -> bytes:
    content = report.content
    data = content["data"]
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    monthly = report.kind == Report.Kind.MONTHLY

    overview = doc.overview_rows(data)
    if monthly:
        _sheet(
            workbook,
            "总体情况",
            ("指标", "本月", "上月", "变化"),
            [[r.label, doc.number(r.value), doc.number(r.previous), r.change] for r in overview],
            used,
        )
        for table in doc.ranking_tables(data):
            _sheet(
                workbook, table.label, doc.RANKING_HEADERS, [row.values for row in table.rows], used
            )
        for key, title in (("red_list", "红榜"), ("black_list", "黑榜")):
            rows = [doc.list_cells(entry) for entry in data.get(key, [])]
            for row in rows:
                row[2] = doc.number(row[2])
            _sheet(workbook, title, doc.LIST_HEADERS, rows, used)
        _sheet(
            workbook,
            "问题类别",
            doc.CATEGORY_HEADERS,
            [doc.category_cells(r) for r in data.get("top_categories", [])],
            used,
        )
        _sheet(
            workbook,
            "问题清单",
            doc.PROBLEM_HEADERS,
            [doc.problem_cells(r) for r in data.get("problems", [])],
            used,
        )
    else:
        _sheet(
            workbook,
            "总体情况",
            ("指标", "本周"),
            [[r.label, doc.number(r.value)] for r in overview],
            used,
        )
        _sheet(
            workbook,
            "分街道",
            doc.STREET_HEADERS,
            [doc.street_cells(r) for r in data.get("by_street", [])],
            used,
        )
        _sheet(
            workbook,
            "分类别",
            doc.CATEGORY_HEADERS,
            [doc.category_cells(r) for r in data.get("by_category", [])],
            used,
        )
    workbook.properties.title = content["title"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
