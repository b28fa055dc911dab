"""The demo's 投入保障: the report's 2006 and 2007 totals, and for each demo year a budget by
source with projects allocated to the streets and spending recorded against them."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from civility.demo.participation_texts import PROJECTS, SHARES
from civility.participation.models import Allocation, Budget, BudgetProject, Spending

# The report's figures (万元): the historical years are known as totals only.
HISTORICAL = {2006: Decimal("35276"), 2007: Decimal("48108")}
CENT = Decimal("0.01")


def seed_budgets(hq, *, now: datetime, rng: random.Random, streets: list, by) -> str:
    """Nothing when the headquarters has budgets already; else a summary part."""
    if Budget.objects.filter(headquarters=hq).exists():
        return ""
    for year, amount in HISTORICAL.items():
        Budget.objects.create(
            headquarters=hq, year=year, source="unsplit", amount=amount, note="创建工作总结"
        )
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    years = range((now - timedelta(days=200)).astimezone(tz).year, today.year + 1)
    for offset, year in enumerate(years):
        total = Decimal("50240") + Decimal(offset * 3600)
        for source, share in SHARES:
            Budget.objects.create(
                headquarters=hq, year=year, source=source, amount=total * Decimal(share)
            )
        _projects(hq, year, total * Decimal("0.9"), today, rng, streets, by)
    return f"经费 {', '.join(str(y) for y in [*HISTORICAL, *years])} 年"


def _projects(hq, year: int, planned: Decimal, today: date, rng, streets, by) -> None:
    elapsed = 1 if year < today.year else today.timetuple().tm_yday / 365
    for order, (name, share) in enumerate(PROJECTS, start=1):
        amount = (planned * share).quantize(Decimal("1"))
        project = BudgetProject.objects.create(
            headquarters=hq, year=year, name=name, amount=amount, order=order
        )
        parts = [Decimal(rng.randint(6, 10)) for _ in streets]
        allocated = amount * Decimal("0.85")
        for street, part in zip(streets, parts, strict=True):
            given = (allocated * part / sum(parts)).quantize(CENT)
            Allocation.objects.create(project=project, unit=street, amount=given)
            spent = (given * Decimal(rng.uniform(0.55, 0.95) * elapsed)).quantize(CENT)
            month = max(1, min(12, int(elapsed * 12)))
            for step in range(2):
                day = date(year, max(1, month - step * (month // 2)), 15)
                if spent > 0 and day <= today:
                    Spending.objects.create(
                        project=project,
                        unit=street,
                        date=day,
                        amount=(spent / 2).quantize(CENT),
                        description=f"{name}（{street.display_name}）",
                        recorded_by=by,
                    )
