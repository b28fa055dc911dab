"""How one value becomes a spreadsheet cell, for every export (``civility.core.exports``) and the
streamed sheet writer (``civility.core.xlsx_stream``): numbers stay numbers, datetimes become local
wall-clock time, and CSV text that starts like a formula gets a leading apostrophe."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def plain(value):
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
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return str(value)


def sheet_name(title: str, used: set[str]) -> str:
    name = SHEET_NAME_BAD.sub("", str(title))[:31] or "表"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}（{n}）"
        n += 1
    used.add(name)
    return name
