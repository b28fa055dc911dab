"""投入保障: the figures of a year's campaign budget — by source, by project, by unit, spending
against allocations, and year on year — all computed by the database; and its .xlsx."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from civility.core.exports import Sheet
from civility.org.models import Unit
from civility.participation.models import Allocation, Budget, BudgetProject, Spending

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
SOURCES = Budget.Source


def sum_of(queryset, group: str):
    """A correlated subquery: the sum of ``amount`` over ``queryset`` (rows of one ``group``)."""
    total = queryset.order_by().values(group).annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def growth(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if not current or not previous:
        return None
    return (Decimal(100) * (current - previous) / previous).quantize(Decimal("0.1"))


def year_on_year(hq) -> list[dict]:
    """Every budgeted year: amount per source, total and growth over the year before."""
    rows: dict[int, dict] = {}
    for year, source, amount in (
        Budget.objects.filter(headquarters=hq)
        .values_list("year", "source")
        .annotate(total=Sum("amount"))
        .order_by("year")
    ):
        row = rows.setdefault(year, {"year": year, "sources": {}, "total": ZERO})
        row["sources"][source] = amount
        row["total"] += amount
    previous = None
    result = []
    for year in sorted(rows):
        row = rows[year]
        row["cells"] = [row["sources"].get(source.value) for source in SOURCES]
        row["growth"] = growth(row["total"], previous["total"] if previous else None)
        if previous and previous["year"] != year - 1:
            row["growth"] = None  # no growth figure across a gap
        result.append(row)
        previous = row
    return result


def budget_year(hq, year: int) -> dict:
    """The page /budget/<year>/: sources, projects, units and the year-on-year table."""
    by_source = dict(
        Budget.objects.filter(headquarters=hq, year=year)
        .values_list("source")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    total = sum(by_source.values(), ZERO)
    sources = [
        {
            "source": source,
            "label": str(source.label),
            "amount": by_source[source.value],
            "share": rate_of(by_source[source.value], total),
        }
        for source in SOURCES
        if source.value in by_source
    ]
    projects = list(
        BudgetProject.objects.filter(headquarters=hq, year=year)
        .annotate(
            allocated=sum_of(Allocation.objects.filter(project=OuterRef("pk")), "project"),
            spent=sum_of(Spending.objects.filter(project=OuterRef("pk")), "project"),
        )
        .order_by("order", "id")
    )
    for project in projects:
        project.unallocated = project.amount - project.allocated
        project.spent_rate = rate_of(project.spent, project.amount)
    in_year = {"project__headquarters": hq, "project__year": year}
    with_money = set(
        Allocation.objects.filter(**in_year).order_by().values_list("unit", flat=True)
    ) | set(Spending.objects.filter(unit__isnull=False, **in_year).values_list("unit", flat=True))
    units = list(
        Unit.objects.filter(pk__in=with_money)
        .annotate(
            allocated=sum_of(Allocation.objects.filter(unit=OuterRef("pk"), **in_year), "unit"),
            spent=sum_of(Spending.objects.filter(unit=OuterRef("pk"), **in_year), "unit"),
        )
        .order_by("order", "id")
    )
    kinds = list(Unit.Kind.values)
    units.sort(key=lambda unit: kinds.index(unit.kind))  # streets first, as /org/ lists them
    for unit in units:
        unit.spent_rate = rate_of(unit.spent, unit.allocated)
    planned = sum((p.amount for p in projects), ZERO)
    allocated = sum((p.allocated for p in projects), ZERO)
    spent = sum((p.spent for p in projects), ZERO)
    return {
        "year": year,
        "total": total,
        "sources": sources,
        "projects": projects,
        "units": units,
        "planned": planned,
        "allocated": allocated,
        "spent": spent,
        "spent_rate": rate_of(spent, planned),
        "unplanned": total - planned,
        "history": year_on_year(hq),
        "source_labels": [str(source.label) for source in SOURCES],
    }


def rate_of(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def unit_budget_line(unit: Unit, year: int) -> dict:
    """A unit's line for its annual page: allocated to it, spent by it, over how many projects."""
    allocated = Allocation.objects.filter(unit=unit, project__year=year).aggregate(
        total=Sum("amount", default=ZERO)
    )["total"]
    spent = Spending.objects.filter(unit=unit, project__year=year).aggregate(
        total=Sum("amount", default=ZERO)
    )["total"]
    projects = BudgetProject.objects.filter(year=year, allocations__unit=unit).distinct().count()
    return {
        "year": year,
        "allocated": allocated,
        "spent": spent,
        "projects": projects,
        "spent_rate": rate_of(spent, allocated),
    }


def unit_budget_lines(hq, year: int) -> dict[int, dict]:
    """``unit_budget_line`` of every unit with money in ``year`` at once (two queries whatever
    the number of units): {unit pk: line}; a unit without allocation or spending is absent."""
    in_year = {"project__headquarters": hq, "project__year": year}
    lines: dict[int, dict] = {}
    for unit_id, allocated, projects in (
        Allocation.objects.filter(**in_year)
        .values("unit")
        .annotate(total=Sum("amount"), projects=Count("project", distinct=True))
        .values_list("unit", "total", "projects")
        .order_by()
    ):
        lines[unit_id] = {"year": year, "allocated": allocated, "spent": ZERO, "projects": projects}
    for unit_id, spent in (
        Spending.objects.filter(unit__isnull=False, **in_year)
        .values("unit")
        .annotate(total=Sum("amount"))
        .values_list("unit", "total")
        .order_by()
    ):
        line = lines.setdefault(
            unit_id, {"year": year, "allocated": ZERO, "spent": ZERO, "projects": 0}
        )
        line["spent"] = spent
    for line in lines.values():
        line["spent_rate"] = rate_of(line["spent"], line["allocated"])
    return lines


# --- .xlsx ------------------------------------------------------------------------------------


def budget_sheets(data: dict) -> list[Sheet]:
    """The tables of /budget/<year>/, one sheet each, the same rows and figures."""
    return [
        Sheet(
            "资金来源",
            ("资金来源", "金额（万元）", "占比（%）"),
            [(s["label"], s["amount"], s["share"]) for s in data["sources"]]
            + [("合计", data["total"], 100 if data["total"] else None)],
        ),
        Sheet(
            "项目",
            (
                "项目",
                "项目预算（万元）",
                "已下达（万元）",
                "未下达（万元）",
                "已支出（万元）",
                "支出进度（%）",
            ),
            [
                (p.name, p.amount, p.allocated, p.unallocated, p.spent, p.spent_rate)
                for p in data["projects"]
            ],
        ),
        Sheet(
            "单位",
            ("单位", "下达（万元）", "支出（万元）", "支出进度（%）"),
            [(u.name, u.allocated, u.spent, u.spent_rate) for u in data["units"]],
        ),
        Sheet(
            "历年对比",
            ("年度", *data["source_labels"], "合计（万元）", "同比增长（%）"),
            [(row["year"], *row["cells"], row["total"], row["growth"]) for row in data["history"]],
        ),
    ]
