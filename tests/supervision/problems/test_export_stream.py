"""A large list's xlsx is streamed as it is written (core.xlsx_stream.xlsx_chunks) and holds
exactly the screen's rows and the small export's cells; each column's value is what
django-tables2's own ``as_values`` gives, and the sheet opens in openpyxl with typed cells."""

import io
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from civility.core import exports
from civility.supervision.problems.tables import ProblemTable
from tests.supervision.problems.test_list_at_scale import assign, page_numbers, report

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_streamed_xlsx_equals_the_screen_and_the_small_export(
    client, monkeypatch, leader, inspector, site, secretariat
):
    problems = [report(inspector, site, description=f"=SUM(A{n})<问题>&") for n in range(5)]
    assign(problems[0], secretariat, site.default_unit)
    client.force_login(leader)
    params = {"sort": "number", "per_page": 50}
    screen = page_numbers(client.get(reverse("problem_list"), params))
    small = client.get(reverse("problem_list"), {**params, "_export": "xlsx"})
    assert not small.streaming
    monkeypatch.setattr("civility.core.exports.STREAM_ABOVE", 2)
    monkeypatch.setattr("civility.core.xlsx_stream.STREAM_CHUNK_ROWS", 2)
    large = client.get(reverse("problem_list"), {**params, "_export": "xlsx"})
    assert large.streaming
    chunks = list(large.streaming_content)
    assert len(chunks) > 2  # sent while the rows are written
    assert large["Cache-Control"] == "private, no-store"
    assert "attachment" in large["Content-Disposition"]
    rows = sheet_rows(b"".join(chunks))
    assert rows == sheet_rows(small.content)
    assert [row[0] for row in rows[1:]] == screen
    header = rows[0]
    assert header[:2] == ("编号", "点位")
    descriptions = {row[header.index("问题描述")] for row in rows[1:]}
    assert descriptions == {p.description for p in problems}  # text, not formulas


def test_export_values_are_django_tables2s_own(rf, leader, inspector, site, secretariat):
    problems = [report(inspector, site) for _ in range(3)]
    assign(problems[1], secretariat, site.default_unit)
    queryset = (
        type(problems[0])
        .objects.select_related("site__street", "category", "primary_unit")
        .order_by("pk")
    )
    table = ProblemTable(queryset)
    expected = list(table.as_values())
    assert list(exports.table_values(ProblemTable(queryset))) == expected
    statuses = {row[expected[0].index("状态")] for row in expected[1:]}
    assert statuses == {"待交办", "待整改"}  # a choice field: its labels


def test_sheet_cells_are_typed():
    moment = datetime(2026, 3, 31, 16, 30, tzinfo=ZoneInfo("UTC"))
    values = [
        ["文字", "分数", "次数", "空", "时间", "日期", "钟点", "是否"],
        ["=1+1", Decimal("97.6"), 3, None, moment, date(2026, 4, 1), time(8, 30), True],
        ["+3\x07<&>", 2.5, 0, "", None, None, None, False],
    ]
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_stream("表:1", values)))
    sheet = book.active
    assert sheet.title == "表1" and sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows())
    assert rows[0][0].font.bold
    assert [(c.value, c.data_type) for c in rows[1][:4]] == [
        ("=1+1", "s"),
        (97.6, "n"),
        (3, "n"),
        (None, "n"),
    ]
    assert rows[1][1].number_format == "0.0"
    assert rows[1][4].value == datetime(2026, 4, 1, 0, 30)  # local wall-clock time
    assert rows[1][5].value == datetime(2026, 4, 1)
    assert rows[1][6].value == time(8, 30)
    assert rows[1][7].value is True and rows[2][7].value is False
    assert (rows[2][0].value, rows[2][0].data_type) == ("+3<&>", "s")  # control char dropped
    assert not any(c.data_type == "f" for row in rows for c in row)
