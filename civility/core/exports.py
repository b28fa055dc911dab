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
import itertools
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Model
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.hashable import make_hashable
from django.utils.http import content_disposition_header
from django_tables2 import utils as tables2_utils
from django_tables2.columns import ManyToManyColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.export import TableExport
from django_tables2.utils import A
from openpyxl import Workbook
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


CELL_ARGUMENTS = frozenset({"value", "record", "column", "bound_column", "bound_row", "table"})


class _ColumnReader:
    """One column's export value for a row, exactly as django-tables2's ``BoundRow`` computes it
    (``get_FOO_display`` for a field with choices, the accessor otherwise, ``None`` for an empty
    value, then value_*/render_*/``Column.value`` with the arguments it asks for), with what does
    not change from row to row worked out once: the choices' labels (``get_FOO_display`` hashes
    and translates every choice for every cell), the path to the value, the method's arguments.
    Anything unusual (no model instance on the path, a callable, a many-to-many column, a link
    column) takes django-tables2's own path for that cell."""

    def __init__(self, bound_column, model):
        self.bound_column = bound_column
        self.column = bound_column.column
        self.bits = tuple(A(bound_column.accessor).bits)
        self.function = bound_column.value
        names, keywords = tables2_utils.signature(self.function)
        self.names = None if keywords else names
        self.callable = self.names is None or all(n in CELL_ARGUMENTS for n in self.names)
        self.plain = not isinstance(self.column, ManyToManyColumn | BaseLinkColumn) and bool(
            self.bits
        )
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
            return row._get_and_render_with(
                self.bound_column, render_func=row._call_value, default=None
            )
        if self.labels is not None:
            value = force_str(self.labels.get(make_hashable(value), value), strings_only=True)
        if value in self.column.empty_values:
            return None
        if not self.callable:
            return None
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
    get_FOO_display, defaults), with each column's lookups worked out once (``_ColumnReader``)."""
    columns = [
        column
        for column in table.columns.iterall()
        if not (column.column.exclude_from_export or column.name in exclude_columns)
    ]
    yield [force_str(column.header, strings_only=True) for column in columns]
    model = getattr(table.data, "model", None) or table._meta.model
    readers = [_ColumnReader(column, model) for column in columns]
    for row in table.rows:
        yield [force_str(reader.read(row), strings_only=True) for reader in readers]


# The streamed sheet is written as SpreadsheetML directly: openpyxl's write-only mode spends
# ~20 µs in Python on every cell (an lxml element each), 3 s for a 10,000-row list; written as
# text, the same sheet takes a tenth of that. Text cells are inline strings, which no spreadsheet
# runs as a formula whatever they start with.
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{PACKAGE_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PACKAGE_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="4">'
        '<numFmt numFmtId="164" formatCode="0.0"/>'
        '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/>'
        '<numFmt numFmtId="166" formatCode="yyyy-mm-dd"/>'
        '<numFmt numFmtId="167" formatCode="hh:mm:ss"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="6">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
        'applyAlignment="1"><alignment horizontal="center"/></xf>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    ),
}
STYLE_HEADER, STYLE_DECIMAL, STYLE_DATETIME, STYLE_DATE, STYLE_TIME = 1, 2, 3, 4, 5
EXCEL_EPOCH = datetime(1899, 12, 30)
STREAM_CHUNK_ROWS = 500  # rows written between two chunks of a streamed download


def _xml_text(value: str) -> str:
    return (
        ILLEGAL_CHARACTERS_RE.sub("", value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _xml_cell(ref: str, value, style: int = 0) -> str:
    """One <c> of a row (an empty string for an empty cell), typed as ``_plain`` types it."""
    value = _plain(value)
    if value is None:
        return ""
    s = f' s="{style}"' if style else ""
    if isinstance(value, str):
        text = _xml_text(value)
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if isinstance(value, float):
        if not math.isfinite(value):
            return _xml_cell(ref, str(value), style)
        return f'<c r="{ref}" s="{style or STYLE_DECIMAL}"><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        serial = (value - EXCEL_EPOCH) / timedelta(days=1)
        return f'<c r="{ref}" s="{STYLE_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
    if isinstance(value, time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f'<c r="{ref}" s="{STYLE_TIME}"><v>{seconds / 86400!r}</v></c>'
    return _xml_cell(ref, str(value), style)


class _Sink(io.RawIOBase):
    """A write-only, unseekable file whose bytes are taken out as they come (the zip is then
    written with data descriptors, so nothing needs to go back)."""

    def __init__(self):
        super().__init__()
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def xlsx_chunks(title: str, values):
    """The .xlsx of ``values`` (header first), as chunks of bytes made while the rows are read:
    one sheet, the header bold and frozen, widths from the header and the first WIDTH_SAMPLE
    rows, numbers as numbers, text as text."""
    values = iter(values)
    headers = list(next(values, []))
    sample = [row for _, row in zip(range(WIDTH_SAMPLE), values, strict=False)]
    letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
    widths = []
    for index, header in enumerate(headers):
        texts = [str(header)] + ["" if r[index] is None else str(r[index]) for r in sample]
        width = min(60, max(8, max(len(t) for t in texts) * 1.8))
        widths.append(
            f'<col min="{index + 1}" max="{index + 1}" width="{width:g}" customWidth="1"/>'
        )
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, xml in XLSX_PARTS.items():
            archive.writestr(name, XML_HEAD + xml)
        sheet_name = _xml_text(_sheet_name(title, set())).replace('"', "&quot;")
        archive.writestr(
            "xl/workbook.xml",
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                (
                    f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}"><sheetViews>'
                    '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                    + (f"<cols>{''.join(widths)}</cols>" if widths else "")
                    + '<sheetData><row r="1">'
                    + "".join(
                        _xml_cell(f"{letter}1", str(header), STYLE_HEADER)
                        for letter, header in zip(letters, headers, strict=False)
                    )
                    + "</row>"
                ).encode()
            )
            number, lines = 1, []
            for row in itertools.chain(sample, values):
                number += 1
                cells = "".join(
                    _xml_cell(f"{letter}{number}", value)
                    for letter, value in zip(letters, row, strict=False)
                )
                lines.append(f'<row r="{number}">{cells}</row>')
                if len(lines) == STREAM_CHUNK_ROWS:
                    sheet.write("".join(lines).encode())
                    lines.clear()
                    yield sink.take()
            sheet.write(("".join(lines) + "</sheetData></worksheet>").encode())
    yield sink.take()


def xlsx_stream(title: str, values) -> bytes:
    """The whole .xlsx of ``values`` (header first) at once (see ``xlsx_chunks``)."""
    return b"".join(xlsx_chunks(title, values))


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
