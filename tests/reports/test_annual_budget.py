"""投入保障 on the annual assessment page (SPEC §7): each unit's 下达/支出 of the year, from one
aggregate for all units (the page's query count does not grow with units that have money)."""

import io
from datetime import date
from decimal import Decimal as D

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html as lxml_html

from civility.participation.budget import unit_budget_line, unit_budget_lines
from civility.participation.models import Allocation, BudgetProject, Spending

pytestmark = pytest.mark.django_db


def money(d, year=2026):
    """2026: 背街小巷整治 to A 1,200 (spent 300 + 150) and D1 800 (spent nothing); 公益广告 to
    A 100.50; a district-level spending of 60 (no unit); 2025's money to B does not count."""
    hq, u, sec = d["hq"], d["u"], d["secretariat"]
    lanes = BudgetProject.objects.create(
        headquarters=hq, year=year, name="背街小巷整治", amount=D(3000)
    )
    ads = BudgetProject.objects.create(headquarters=hq, year=year, name="公益广告", amount=D(500))
    old = BudgetProject.objects.create(headquarters=hq, year=year - 1, name="旧项目", amount=D(900))
    Allocation.objects.create(project=lanes, unit=u["A"], amount=D(1200))
    Allocation.objects.create(project=lanes, unit=u["D1"], amount=D(800))
    Allocation.objects.create(project=ads, unit=u["A"], amount=D("100.50"))
    Allocation.objects.create(project=old, unit=u["B"], amount=D(900))
    for project, unit, amount in ((lanes, u["A"], 300), (lanes, u["A"], 150), (lanes, None, 60),
                                  (old, u["B"], 900)):  # fmt: skip
        Spending.objects.create(project=project, unit=unit, date=date(year, 5, 1), amount=D(amount),
                                description="施工", recorded_by=sec)  # fmt: skip
    return lanes


def test_bulk_lines_are_the_single_lines(march):
    money(march)
    lines = unit_budget_lines(march["hq"], 2026)
    u = march["u"]
    assert lines[u["A"].pk] == {
        "year": 2026,
        "allocated": D("1300.50"),
        "spent": D("450.00"),
        "projects": 2,
        "spent_rate": D("34.6"),
    }
    assert lines[u["D1"].pk] == unit_budget_line(u["D1"], 2026)
    assert lines[u["A"].pk] == unit_budget_line(u["A"], 2026)
    assert set(lines) == {u["A"].pk, u["D1"].pk}


def test_annual_page_shows_each_units_budget_line(client, march):
    money(march)
    client.force_login(march["leader"])
    tree = lxml_html.fromstring(client.get(f"/rankings/annual/2026/?hq={march['hq'].pk}").content)

    def cell(unit):
        row = tree.xpath(f"//tr[@data-unit='{march['u'][unit].pk}']")[0]
        return " ".join(row.xpath("string(td[contains(@class, 'budget')])").split())

    assert (cell("A"), cell("B"), cell("D1"), cell("D2")) == (
        "1,300.50/450.00",
        "—",
        "800.00/0.00",
        "—",
    )

    book = client.get(f"/rankings/annual/2026/?hq={march['hq'].pk}&_export=xlsx").content
    rows = list(openpyxl.load_workbook(io.BytesIO(book)).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("下达资金（万元）", "已支出（万元）")
    by_name = {r[1]: r[-2:] for r in rows[1:]}
    assert by_name["A"] == (1300.5, 450)
    assert by_name["D1"] == (800, 0)
    assert by_name["B"] == (None, None)


def test_annual_page_queries_do_not_grow_with_units_that_have_money(client, march):
    client.force_login(march["leader"])
    url = f"/rankings/annual/2026/?hq={march['hq'].pk}"
    lanes = money(march)
    client.get(url)  # warm the caches (stored facts, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for name in ("B", "D2", "D3", "A1", "B1"):
        Allocation.objects.create(project=lanes, unit=march["u"][name], amount=D(10))
        Spending.objects.create(
            project=lanes,
            unit=march["u"][name],
            date=date(2026, 6, 1),
            amount=D(5),
            description="施工",
            recorded_by=march["secretariat"],
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
