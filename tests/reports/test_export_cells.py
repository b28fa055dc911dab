"""Every download writes cells the same way (civility.core.exports): in .xlsx numbers are numbers
and text is text — "=1+1" and "+3" stay exactly as typed, neither formulas nor prefixed with an
apostrophe — while in .csv formula-like text gets the apostrophe; no download is cached.

Built on the hand-worked March of conftest.py, with two units renamed to formula-like names.
"""

import csv
import io

import openpyxl
import pytest

from civility.reports.models import Veto
from civility.supervision.problems.models import Problem
from tests.reports.conftest import january_and_february_published, two_assignments_for_a
from tests.reports.test_report_pages import login, publish_march

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def tricky(march):
    """D1 is called "=1+1" and D2 "+3"; D1 has a veto whose reason starts with "="."""
    march["u"]["D1"].name = "=1+1"
    march["u"]["D1"].save(update_fields=["name"])
    march["u"]["D2"].name = "+3"
    march["u"]["D2"].save(update_fields=["name"])
    Veto.objects.create(
        headquarters=march["hq"],
        unit=march["u"]["D1"],
        year=2026,
        reason="=1+1 重大不文明事件",
        decided_by=march["secretariat"],
    )
    return march


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Cache-Control"] == "private, no-store"
    return openpyxl.load_workbook(io.BytesIO(response.content))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "private, no-store"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def cells(sheet, text: str):
    return [c for row in sheet.iter_rows() for c in row if c.value == text]


def assert_text_as_typed(sheet, *texts):
    for text in texts:
        found = cells(sheet, text)
        assert found, text
        assert {c.data_type for c in found} == {"s"}, text
    everything = [c for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in everything)
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in everything)


def column(sheet, header: str) -> list:
    rows = list(sheet.iter_rows(values_only=True))
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def numbers(values: list) -> bool:
    """Every cell a number (Excel stores 4.0 as 4, so openpyxl reads it back as an int)."""
    return bool(values) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    )


def test_problem_list_export_is_typed(client, tricky):
    Problem.objects.filter(pk=Problem.objects.order_by("pk").first().pk).update(description="=1+1")
    client = login(client, tricky["secretariat"])
    sheet = workbook(client.get("/problems/", {"_export": "xlsx"})).active
    assert_text_as_typed(sheet, "=1+1", "+3")  # a description, a primary unit
    deductions = column(sheet, "扣分")
    assert numbers(deductions)
    assert numbers(column(sheet, "督办次数"))
    text = client.get("/problems/", {"_export": "csv"})
    rows = csv_rows(text)
    formula_like = [cell for row in rows for cell in row if "=1+1" in cell]
    assert formula_like and set(formula_like) == {"'=1+1"}  # the description and the unit
    assert "'+3" in {cell for row in rows for cell in row}


def test_report_list_export_is_not_cached(client, tricky):
    publish_march(tricky)
    client = login(client, tricky["leader"])
    sheet = workbook(client.get("/reports/monthly/", {"_export": "xlsx"})).active
    assert column(sheet, "期间") == ["2026-03"]
    assert csv_rows(client.get("/reports/monthly/", {"_export": "csv"}))[1][0] == "2026-03"


def test_rankings_export_is_typed(client, tricky):
    client = login(client, tricky["leader"])
    url = f"/rankings/?hq={tricky['hq'].pk}&month=2026-03"
    book = workbook(client.get(url + "&_export=xlsx"))
    sheet = book["区直部门"]
    assert_text_as_typed(sheet, "=1+1", "+3")
    assert numbers(column(sheet, "总分"))
    assert numbers(column(sheet, "名次"))
    # Departments have no site visits: an empty cell, not "—".
    assert set(column(sheet, "点位次数")) == {None}
    assert set(column(sheet, "现场分")) == {None}
    rows = csv_rows(client.get(url + "&_export=csv"))
    names = [row[2] for row in rows[1:] if row[0] == "区直部门"]
    assert "'=1+1" in names and "'+3" in names


def test_annual_export_is_typed(client, tricky):
    """With January and February published (test_scoring's annual case): A 74.2 and D1 69.7
    have an annual score; B, D2 and D3 (one assessed month, nothing due) are 未考评: empty."""
    january_and_february_published(tricky)
    two_assignments_for_a(tricky)
    client = login(client, tricky["leader"])
    url = f"/rankings/annual/2026/?hq={tricky['hq'].pk}"
    page = client.get(url).content.decode()
    assert "_export=xlsx" in page and "_export=csv" in page
    sheet = workbook(client.get(url + "&_export=xlsx")).active
    assert_text_as_typed(sheet, "=1+1", "+3", "=1+1 重大不文明事件")
    assert numbers(column(sheet, "计分月数"))
    scores = dict(zip(column(sheet, "单位"), column(sheet, "年度得分"), strict=True))
    assert scores == {"A": 74.2, "B": None, "=1+1": 69.7, "+3": None, "D3": None}
    rows = csv_rows(client.get(url + "&_export=csv"))
    d1 = next(row for row in rows if row[1] == "'=1+1")
    assert d1[11] == "'=1+1 重大不文明事件"


def test_veto_export_is_typed(client, tricky):
    client = login(client, tricky["leader"])
    url = f"/rankings/vetoes/?hq={tricky['hq'].pk}"
    page = client.get(url).content.decode()
    assert "_export=xlsx" in page and "_export=csv" in page
    sheet = workbook(client.get(url + "&_export=xlsx")).active
    assert next(sheet.iter_rows(values_only=True)) == (
        "年度",
        "单位",
        "类别",
        "否决理由",
        "决定人",
        "决定时间",
    )
    assert_text_as_typed(sheet, "=1+1", "=1+1 重大不文明事件")
    assert column(sheet, "年度") == [2026]
    rows = csv_rows(client.get(url + "&_export=csv"))
    assert rows[1][:4] == ["2026", "'=1+1", "区直部门", "'=1+1 重大不文明事件"]
    # Only this year's records when a year is chosen.
    assert len(csv_rows(client.get(url + "&year=2025&_export=csv"))) == 1


def test_veto_export_is_denied_without_a_role(client, tricky, db):
    from tests.conftest import make_user

    client.force_login(make_user("t_nobody_export"))
    response = client.get(f"/rankings/vetoes/?hq={tricky['hq'].pk}&_export=csv")
    assert response.status_code == 403
    assert "=1+1" not in response.content.decode()


def test_monthly_report_xlsx_is_typed(client, tricky):
    publish_march(tricky)
    client = login(client, tricky["leader"])
    book = workbook(client.get("/reports/monthly/2026-03.xlsx"))
    sheet = book["区直部门"]
    assert_text_as_typed(sheet, "=1+1", "+3")
    assert numbers(column(sheet, "总分"))
    assert numbers(column(sheet, "名次"))
    assert set(column(sheet, "现场分")) == {None}  # no "—" in a number column
    overview = book["总体情况"]
    changes = [v for v in column(overview, "变化") if isinstance(v, str) and v.startswith("+")]
    assert changes  # "+9" (more than February) is text as typed
    assert_text_as_typed(overview, *changes)
    assert all(isinstance(v, int | float) or v is None for v in column(overview, "本月"))
