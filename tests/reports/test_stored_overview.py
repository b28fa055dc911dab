"""An ended month's 通报 overview is kept with its stored facts (facts.month_overview) so that the
next month's bulletin does not replay it again: what is read always equals a recomputation as at
the month's end, after any event that lands inside the month, and nothing later moves it."""

import pytest

from civility.core.periods import Period
from civility.reports import compile as reports
from civility.reports import facts, figures
from civility.reports.models import FactMonth
from civility.supervision.problems import workflow
from tests.factories import photo
from tests.reports.conftest import A_, assign, at, inspect, problem

pytestmark = pytest.mark.django_db
MARCH = Period.month(2026, 3)
APRIL = Period.month(2026, 4)
NOW = at(4, 10)


def recomputed(d) -> dict:
    return figures.PeriodFigures(d["hq"], MARCH, now=NOW).overview()


def read(d, calls: list) -> dict:
    facts.month_counts(d["hq"], [MARCH], now=NOW)  # the scores build the month's facts first

    def compute():
        calls.append(1)
        return recomputed(d)

    return facts.month_overview(d["hq"], MARCH, compute, now=NOW)


def test_overview_is_kept_and_equals_a_recomputation_after_every_event(march):
    d, calls = march, []
    assert read(d, calls) == recomputed(d) and len(calls) == 1
    assert FactMonth.objects.get(headquarters=d["hq"], period="2026-03").overview
    assert read(d, calls) == recomputed(d) and len(calls) == 1  # read, not computed again

    p = problem(d, "SA", at(3, 28))
    assign(d, p, "A", at(3, 28))
    assert read(d, calls) == recomputed(d) and len(calls) == 2
    workflow.perform(d["p7"], A_.ESCALATE, by=d["leader"], now=at(3, 29))
    assert read(d, calls) == recomputed(d) and len(calls) == 3
    inspect(d, 27, ["SA", "SB1"])
    assert read(d, calls) == recomputed(d) and len(calls) == 4
    overview = read(d, calls)
    assert overview["escalations"] >= 1 and len(calls) == 4

    # What happens after March's end neither changes it nor makes it computed again.
    workflow.perform(d["p3"], A_.SUBMIT, by=d["B1"], note="已整改", photos=[photo()], now=at(4, 2))
    assert read(d, calls) == overview == recomputed(d) and len(calls) == 4


def test_running_month_overview_is_never_kept(march):
    calls = []
    running = at(3, 20)
    facts.month_overview(march["hq"], MARCH, lambda: calls.append(1) or {"x": 1}, now=running)
    facts.month_overview(march["hq"], MARCH, lambda: calls.append(1) or {"x": 1}, now=running)
    assert len(calls) == 2
    assert not FactMonth.objects.filter(period="2026-03").exclude(overview={}).exists()


def test_april_bulletin_compares_with_marchs_kept_overview(march):
    first = reports.monthly_data(march["hq"], APRIL, now=at(5, 2))
    assert first["previous"] == recomputed(march)
    again = reports.monthly_data(march["hq"], APRIL, now=at(5, 3))
    assert again["previous"] == first["previous"]
    assert again["change"] == first["change"]
