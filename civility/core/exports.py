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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Model
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.http import content_disposition_header
from django_tables2 import utils as tables2_utils
from django_tables2.columns import Column, ManyToManyColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.export import TableExport
from django_tables2.utils import A
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from civility.core.cells import csv_cell, plain, sheet_name
from civility.core.xlsx_stream import xlsx_chunks, xlsx_stream

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
NO_STORE = "private, no-store"
BOLD = Font(bold=True)


@dataclass
class Sheet:
    """One table: a sheet of the workbook (CSV holds the first sheet, or ``merged`` ones)."""

    title: str
    headers: Sequence
    rows: list[Sequence] = field(default_factory=list)


# --- cells ---------------------------------------------------------------------------------------


def _write_cell(sheet, row: int, column: int, value):
    value = plain(value)
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


def xlsx_content(sheets: Sequence[Sheet], *, title: str = "") -> bytes:
    """One sheet per table: bold header row, frozen under it, columns as wide as their text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in sheets:
        sheet = workbook.create_sheet(sheet_name(table.title, used))
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

STREAM_ABOVE = 2000  # rows: a larger csv goes out as it is written


CELL_ARGUMENTS = frozenset({"value", "record", "column", "bound_column", "bound_row", "table"})


class ColumnReader:
    """One column's export value for a row, exactly as django-tables2's ``BoundRow`` computes it
    (``get_FOO_display`` for a field with choices, the accessor otherwise, ``None`` for an empty
    value, then value_*/render_*/``Column.value`` with the arguments it asks for), with what does
    not change from row to row worked out once: the choices' labels (``get_FOO_display`` hashes
    and translates every choice for every cell), the path to the value, the method's arguments.
    Anything unusual (no model instance on the path, a callable, a many-to-many column, a link
    column) takes django-tables2's own path for that cell.
    With ``render``: the cell's HTML as ``BoundRow.get_cell`` makes it (render_*/``Column.render``,
    the column's default for an empty value); a column with a link takes django-tables2's path."""

    def __init__(self, bound_column, model, *, render: bool = False):
        self.bound_column = bound_column
        self.column = bound_column.column
        self.bits = tuple(A(bound_column.accessor).bits)
        self.render = render
        self.function = bound_column.render if render else bound_column.value
        names, keywords = tables2_utils.signature(self.function)
        self.names = None if keywords else names
        self.callable = self.names is None or all(n in CELL_ARGUMENTS for n in self.names)
        self.plain = (
            not isinstance(self.column, ManyToManyColumn | BaseLinkColumn)
            and bool(self.bits)
            and not (render and bound_column.link)
        )
        # A plain Column's value() is its render(value), which returns the value as it is.
        self.as_is = (
            getattr(self.function, "__func__", None) in (Column.value, Column.render)
            and type(self.column).render is Column.render
        )
        # The common signatures called without building every argument for every cell.
        self.shape = {("record",): "record", ("value",): "value"}.get(tuple(names or ()))
        if keywords:
            self.shape = None
        self.labels = None  # {value: label} when the accessor ends on a field with choices
        field = A(bound_column.accessor).get_field(model) if model is not None else None
        if self.plain and field is not None and getattr(field, "choices", None):
            self.labels = {make_hashable(k): force_str(v) for k, v in field.flatchoices}

    def resolve(self, record):
        current = record
        for bit in self.bits:
            if current is None:
                return None
            if not isinstance(current, Model):
                raise LookupError(bit)
            current = getattr(current, bit)
            if callable(current):
                raise LookupError(bit)
        return current

    def read(self, row):
        record = row.record
        try:
            if not self.plain:
                raise LookupError(self.bound_column.name)
            value = self.resolve(record)
        except Exception:  # noqa: BLE001 - django-tables2's own path decides what it means
            if self.render:
                return row.get_cell(self.bound_column.name)
            return row._get_and_render_with(
                self.bound_column, render_func=row._call_value, default=None
            )
        if self.labels is not None:
            value = force_str(self.labels.get(make_hashable(value), value), strings_only=True)
        if value in self.column.empty_values:
            return self.bound_column.default if self.render else None
        if not self.callable:
            return None
        if self.as_is:
            return value
        if self.shape == "record":
            return self.function(record=record)
        if self.shape == "value":
            return self.function(value=value)
        arguments = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound_column,
            "bound_row": row,
            "table": row._table,
        }
        if self.names is not None:
            arguments = {name: arguments[name] for name in self.names}
        return self.function(**arguments)


def table_values(table, exclude_columns=()):
    """The header, then each row's export values: exactly ``Table.as_values`` (value_* methods,
    get_FOO_display, defaults), with each column's lookups worked out once (``ColumnReader``)."""
    columns = [
        column
        for column in table.columns.iterall()
        if not (column.column.exclude_from_export or column.name in exclude_columns)
    ]
    yield [force_str(column.header, strings_only=True) for column in columns]
    model = getattr(table.data, "model", None) or table._meta.model
    readers = [ColumnReader(column, model) for column in columns]
    for row in table.rows:
        yield [force_str(reader.read(row), strings_only=True) for reader in readers]


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
    as SpreadsheetML text, csv row by row, no tablib dataset in between; both streamed when the
    list is longer than STREAM_ABOVE."""

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

    def chunks(self):
        return xlsx_chunks(self.title, self.values)

    def export(self):
        if self.format == "xlsx":
            return xlsx_stream(self.title, self.values)
        return "".join(csv_stream(self.values))

    def response(self, filename=None):
        if self.large:
            # A large list goes out as it is written: the download starts at once and the
            # browser shows its progress, instead of a page waiting for the whole file.
            body = csv_stream(self.values) if self.format == "csv" else self.chunks()
            response = StreamingHttpResponse(body, content_type=CONTENT_TYPES[self.format])
        else:
            response = HttpResponse(self.export(), content_type=CONTENT_TYPES[self.format])
        if filename:
            response["Content-Disposition"] = content_disposition_header(
                as_attachment=True, filename=filename
            )
        response["Cache-Control"] = NO_STORE
        return response
