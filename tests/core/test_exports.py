"""civility.core.exports: how a cell is written to .csv and .xlsx (no database)."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from civility.core.exports import Sheet, csv_cell, csv_content, export_response, xlsx_content


@pytest.mark.parametrize("text", ["=1+1", "+3", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_csv_neutralises_formula_like_text(text):
    assert csv_cell(text) == "'" + text


def test_csv_keeps_numbers_and_plain_text():
    assert [csv_cell(v) for v in (-3, Decimal("97.6"), None, "", "正常文字", "—")] == [
        "-3",
        "97.6",
        "",
        "",
        "正常文字",
        "—",
    ]
    text = csv_content(["名称", "分数"], [["=1+1", Decimal("90.0")]])
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [["名称", "分数"], ["'=1+1", "90.0"]]


def test_xlsx_cells_are_typed():
    moment = datetime(2026, 3, 31, 16, 30, tzinfo=ZoneInfo("UTC"))
    sheet = Sheet(
        "表:1",
        ["文字", "分数", "次数", "空", "时间"],
        [["=1+1", Decimal("97.6"), 3, None, moment], ["+3\x07", Decimal("100.0"), 0, "", None]],
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx_content([sheet, sheet], title="标题")))
    assert book.sheetnames == ["表1", "表1（2）"]
    assert book.properties.title == "标题"
    rows = list(book.active.iter_rows())
    assert [(c.value, c.data_type) for c in rows[1][:4]] == [
        ("=1+1", "s"),
        (97.6, "n"),
        (3, "n"),
        (None, "n"),
    ]
    assert rows[1][4].value == datetime(2026, 4, 1, 0, 30)  # local wall-clock time
    assert rows[1][1].number_format == "0.0"
    assert (rows[2][0].value, rows[2][0].data_type) == ("+3", "s")  # control character dropped
    assert rows[0][0].font.bold


def test_export_response_is_an_uncached_attachment():
    sheets = [Sheet("街道", ["单位"], [["A"]]), Sheet("社区", ["单位"], [["=B"]])]
    response = export_response("csv", "排名.csv", sheets, csv_sheet_column="类别")
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["类别", "单位"], ["街道", "A"], ["社区", "'=B"]]
    response = export_response("xlsx", "排名.xlsx", sheets)
    assert response["Cache-Control"] == "private, no-store"
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["街道", "社区"]
    with pytest.raises(ValueError):
        export_response("pdf", "x.pdf", sheets)
