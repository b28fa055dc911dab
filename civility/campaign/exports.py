"""Spreadsheets of the campaign pages: one sheet per table, the rows the page shows, every text
cell through ``civility.core.exports.spreadsheet_safe``."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from civility.core.exports import spreadsheet_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    return spreadsheet_safe(str(value) if not isinstance(value, (int, float)) else value)


def workbook(sheets: Iterable[Sheet], *, title: str = "") -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet in sheets:
        name = SHEET_NAME_BAD.sub("", sheet.title)[:31] or "表"
        base, n = name, 2
        while name in used:
            name, n = f"{base[:28]}（{n}）", n + 1
        used.add(name)
        page = book.create_sheet(name)
        page.append(list(sheet.headers))
        for cell in page[1]:
            cell.font = Font(bold=True)
        rows = [[_cell(v) for v in row] for row in sheet.rows]
        for row in rows:
            page.append(row)
        page.freeze_panes = "A2"
        for index, header in enumerate(sheet.headers, start=1):
            longest = max(
                [len(str(header))] + [len(str(r[index - 1])) for r in rows if len(r) >= index]
            )
            page.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest * 1.8))
    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Iterable[Sheet], *, title: str = "") -> HttpResponse:
    response = HttpResponse(workbook(sheets, title=title), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
