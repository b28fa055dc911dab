"""投入保障: totals by source, project and unit, spending against allocations and the year-on-year
table, on a fixture written out here; the page, its xlsx and a unit's line."""

import io
from datetime import date
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from civility.org.models import Headquarters
from civility.participation.budget import budget_year, unit_budget_line, year_on_year
from civility.participation.models import Allocation, Budget, BudgetProject, Spending
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def budgets(hq, street, department, secretariat):
    """2006 and 2007 as the report gives them (totals only), 2008 by source with two projects:

    2008 sources: 区财政 30,000 · 街道 12,000 · 社会/企业 6,500.50 · 上级补助 1,500 = 50,000.50
    项目 A 背街小巷整治 20,000: 湖里街道 12,000, 城管局 5,000 (3,000 not yet allocated);
        spent: 湖里街道 4,000 + 2,500, 城管局 1,000, district-level 500 → 8,000
    项目 B 公益广告 8,000: 湖里街道 8,000; spent: 湖里街道 2,000
    """
    for year, amount in ((2006, "35276"), (2007, "48108")):
        Budget.objects.create(headquarters=hq, year=year, source="unsplit", amount=D(amount))
    for source, amount in (
        ("district", "30000"),
        ("streets", "12000"),
        ("society", "6500.50"),
        ("higher", "1500"),
    ):
        Budget.objects.create(headquarters=hq, year=2008, source=source, amount=D(amount))
    a = BudgetProject.objects.create(
        headquarters=hq, year=2008, name="背街小巷整治", amount=D(20000), order=1
    )
    b = BudgetProject.objects.create(
        headquarters=hq, year=2008, name="公益广告", amount=D(8000), order=2
    )
    Allocation.objects.create(project=a, unit=street, amount=D(12000))
    Allocation.objects.create(project=a, unit=department, amount=D(5000))
    Allocation.objects.create(project=b, unit=street, amount=D(8000))
    for project, unit, amount in (
        (a, street, "4000"),
        (a, street, "2500"),
        (a, department, "1000"),
        (a, None, "500"),
        (b, street, "2000"),
    ):
        Spending.objects.create(
            project=project,
            unit=unit,
            date=date(2008, 5, 1),
            amount=D(amount),
            description="施工",
            recorded_by=secretariat,
        )
    return a, b


def test_budget_year_totals_by_source_project_and_unit(hq, street, department, budgets):
    data = budget_year(hq, 2008)
    assert data["total"] == D("50000.50")
    assert [(s["label"], s["amount"], s["share"]) for s in data["sources"]] == [
        ("区财政", D("30000"), D("60.0")),
        ("街道", D("12000"), D("24.0")),
        ("社会/企业", D("6500.50"), D("13.0")),
        ("上级补助", D("1500"), D("3.0")),
    ]
    projects = [(p.name, p.amount, p.allocated, p.unallocated, p.spent) for p in data["projects"]]
    assert projects == [
        ("背街小巷整治", D(20000), D(17000), D(3000), D(8000)),
        ("公益广告", D(8000), D(8000), D(0), D(2000)),
    ]
    assert [(p.spent_rate) for p in data["projects"]] == [D("40.0"), D("25.0")]
    assert [(u.name, u.allocated, u.spent, u.spent_rate) for u in data["units"]] == [
        ("湖里街道", D(20000), D(8500), D("42.5")),
        ("区城市管理行政执法局", D(5000), D(1000), D("20.0")),
    ]
    assert (data["planned"], data["allocated"], data["spent"]) == (D(28000), D(25000), D(10000))
    assert data["unplanned"] == D("22000.50")


def test_budget_year_on_year_with_the_historical_years(hq, budgets):
    rows = [(r["year"], r["total"], r["growth"]) for r in year_on_year(hq)]
    # 48,108 / 35,276 = +36.4 %; 50,000.50 / 48,108 = +3.9 %
    assert rows == [
        (2006, D("35276"), None),
        (2007, D("48108"), D("36.4")),
        (2008, D("50000.50"), D("3.9")),
    ]
    assert year_on_year(hq)[0]["cells"] == [None, None, None, None, D("35276")]


def test_budget_of_another_headquarters_is_not_counted(hq, budgets):
    other = Headquarters.objects.create(
        name="思明区指挥部",
        district="思明区",
        code="SM",
        doc_prefix="思创指",
        start_date=date(2008, 1, 1),
    )
    Budget.objects.create(headquarters=other, year=2008, source="district", amount=D(99999))
    assert budget_year(hq, 2008)["total"] == D("50000.50")


def test_unit_budget_line(street, department, budgets):
    assert unit_budget_line(street, 2008) == {
        "year": 2008,
        "allocated": D(20000),
        "spent": D(8500),
        "projects": 2,
        "spent_rate": D("42.5"),
    }
    assert unit_budget_line(department, 2007)["allocated"] == D(0)


def test_budget_page_shows_the_figures(client, leader, budgets):
    client_for(client, leader)
    body = client.get(reverse("budget_year", args=[2008])).content.decode()
    assert "2008年创建经费投入" in body
    assert "50,000.50" in body and "35,276.00" in body and "+36.4%" in body
    assert "背街小巷整治" in body and "3.9%" in body
    assert client.get(reverse("budget")).status_code == 302


def test_budget_xlsx_has_the_same_rows(client, representative, budgets):
    client_for(client, representative)
    response = client.get(reverse("budget_xlsx", args=[2008]))
    assert response["Content-Disposition"] == 'attachment; filename="budget-2008.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["资金来源", "项目", "单位", "历年对比"]
    sources = list(book["资金来源"].iter_rows(values_only=True))
    assert sources[1] == ("区财政", 30000, 60)
    assert sources[-1] == ("合计", 50000.5, 100)
    history = list(book["历年对比"].iter_rows(values_only=True))
    assert history[0][-2:] == ("合计（万元）", "同比增长（%）")
    assert [row[0] for row in history[1:]] == [2006, 2007, 2008]
    assert history[2][-2:] == (48108, 36.4)
