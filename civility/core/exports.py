"""Every spreadsheet download goes through here: list exports (django-tables2), rankings, the
annual assessment, 一票否决 and the report .xlsx.

- CSV: a text cell that starts like a formula (= + - @, tab, carriage return) would be run by
  Excel or LibreOffice (OWASP "CSV injection"); it is written with a leading apostrophe. CSV files
  start with a BOM so that Excel on Windows reads the Chinese text.
- XLSX: cells are typed. Numbers are numbers (an empty cell, never "—", where there is none) and
  text is text: openpyxl would store a string starting with "=" as a formula, so such a cell is
  forced to the string type — it shows exactly what was typed, without an apostrophe, and runs
  nothing.
- Every download is ``Cache-Control: private, no-store``: it holds what this user may see.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django_tables2.export import TableExport
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
NO_STORE = "private, no-store"
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
BOLD = Font(bold=True)


@dataclass
class Sheet:
    """One table: a sheet of the workbook (CSV holds the first sheet, or ``merged`` ones)."""

    title: str
    headers: Sequence
    rows: list[Sequence] = field(default_factory=list)


# --- cells ---------------------------------------------------------------------------------------


def _plain(value):
    """A cell value as the spreadsheet should hold it: None, a number, a date or text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        # 97.6 and 100.0 (a score) are floats shown with one decimal; 3 (a count) is an int.
        return float(value) if value.as_tuple().exponent < 0 else int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        # Spreadsheets know no time zones: local wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date | time):
        return value
    if isinstance(value, Promise):
        return str(value)
    return str(value)


def csv_cell(value) -> str:
    """Text for a CSV cell; formula-like text gets a leading apostrophe."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return str(value)


def _write_cell(sheet, row: int, column: int, value):
    value = _plain(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, float):
        cell.number_format = "0.0"  # scores and rates keep their one decimal, as shown
    return cell


# --- files ---------------------------------------------------------------------------------------


def csv_content(headers: Sequence, rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(h) for h in headers])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    name = SHEET_NAME_BAD.sub("", str(title))[:31] or "表"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}（{n}）"
        n += 1
    used.add(name)
    return name


def xlsx_content(sheets: Sequence[Sheet], *, title: str = "") -> bytes:
    """One sheet per table: bold header row, frozen under it, columns as wide as their text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in sheets:
        sheet = workbook.create_sheet(_sheet_name(table.title, used))
        for column, header in enumerate(table.headers, start=1):
            cell = _write_cell(sheet, 1, column, header)
            cell.font = BOLD
            cell.alignment = Alignment(horizontal="center")
        for row_number, row in enumerate(table.rows, start=2):
            for column, value in enumerate(row, start=1):
                _write_cell(sheet, row_number, column, value)
        sheet.freeze_panes = "A2"
        for index, header in enumerate(table.headers, start=1):
            texts = [str(header)] + [
                "" if row[index - 1] is None else str(row[index - 1])
                for row in table.rows
                if len(row) >= index
            ]
            longest = max(len(text) for text in texts)
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest * 1.8))
    if not workbook.worksheets:
        workbook.create_sheet("表")
    if title:
        workbook.properties.title = str(title)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(body: bytes | str, filename: str, content_type: str) -> HttpResponse:
    """An attachment that no cache keeps."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["Cache-Control"] = NO_STORE
    return response


def export_response(
    export_format: str, filename: str, sheets: Sequence[Sheet], *, csv_sheet_column: str = ""
) -> HttpResponse:
    """The download of ``sheets`` as .xlsx (one sheet each) or .csv (all rows in one table;
    with ``csv_sheet_column``, a first column naming each row's sheet)."""
    if export_format == "xlsx":
        return download(xlsx_content(sheets), filename, CONTENT_TYPES["xlsx"])
    if export_format != "csv":
        raise ValueError(export_format)
    if csv_sheet_column:
        headers = [csv_sheet_column, *(sheets[0].headers if sheets else ())]
        rows = [[sheet.title, *row] for sheet in sheets for row in sheet.rows]
    else:
        headers = sheets[0].headers if sheets else ()
        rows = [row for sheet in sheets for row in sheet.rows]
    return download(csv_content(headers, rows), filename, CONTENT_TYPES["csv"])


# --- list exports: the rows as the table shows them, streamed ---------------------------------

WIDTH_SAMPLE = 200  # rows that decide the column widths of a streamed sheet
STREAM_ABOVE = 2000  # rows: a larger csv goes out as it is written


def table_values(table, exclude_columns=()):
    """The header, then each row's export values: exactly ``Table.as_values`` (value_* methods,
    get_FOO_display, defaults), without looking every column up by name for every cell."""
    columns = [
        column
        for column in table.columns.iterall()
        if not (column.column.exclude_from_export or column.name in exclude_columns)
    ]
    yield [force_str(column.header, strings_only=True) for column in columns]
    for row in table.rows:
        yield [
            force_str(
                row._get_and_render_with(column, render_func=row._call_value, default=None),
                strings_only=True,
            )
            for column in columns
        ]


def _stream_cell(sheet, value):
    value = _plain(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):  # write-only sheets would store it as a formula
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
    elif isinstance(value, float):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "0.0"
        return cell
    return value


def xlsx_stream(title: str, values) -> bytes:
    """A write-only workbook of ``values`` (header first): rows go straight to the file instead
    of a cell object each; widths come from the header and the first WIDTH_SAMPLE rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_name(title, set()))
    values = iter(values)
    headers = next(values, [])
    sample = [row for _, row in zip(range(WIDTH_SAMPLE), values, strict=False)]
    for index, header in enumerate(headers, start=1):
        texts = [str(header)] + ["" if r[index - 1] is None else str(r[index - 1]) for r in sample]
        width = min(60, max(8, max(len(t) for t in texts) * 1.8))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    head = []
    for header in headers:
        cell = WriteOnlyCell(sheet, _plain(header))
        cell.font, cell.alignment, cell.data_type = BOLD, Alignment(horizontal="center"), "s"
        head.append(cell)
    sheet.append(head)
    for row in sample:
        sheet.append([_stream_cell(sheet, value) for value in row])
    for row in values:
        sheet.append([_stream_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_stream(values):
    """CSV lines as they are made (a StreamingHttpResponse body), BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for row in values:
        writer.writerow([csv_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


class SafeTableExport(TableExport):
    """django-tables2's export (the filtered rows of a list page) written by this module: xlsx
    from a write-only workbook, csv streamed row by row, no tablib dataset in between."""

    def __init__(self, export_format, table, exclude_columns=None, dataset_kwargs=None):
        if not self.is_valid_format(export_format):
            raise TypeError(f'Export format "{export_format}" is not supported.')
        self.format = export_format
        self.title = (dataset_kwargs or {}).get("title") or "表"
        self.values = table_values(table, exclude_columns or ())
        rows = getattr(table.data, "data", None)
        self.large = (
            rows[: STREAM_ABOVE + 1].count() > STREAM_ABOVE
            if hasattr(rows, "count") and hasattr(rows, "query")
            else len(table.data) > STREAM_ABOVE
        )

    def export(self):
        if self.format == "xlsx":
            return xlsx_stream(self.title, self.values)
        return "".join(csv_stream(self.values))

    def response(self, filename=None):
        if self.format == "csv" and self.large:
            response = StreamingHttpResponse(
                csv_stream(self.values), content_type=CONTENT_TYPES["csv"]
            )
        else:
            response = HttpResponse(self.export(), content_type=CONTENT_TYPES[self.format])
        if filename:
            response["Content-Disposition"] = content_disposition_header(
                as_attachment=True, filename=filename
            )
        response["Cache-Control"] = NO_STORE
        return response
