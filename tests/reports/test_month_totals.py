"""``totals.month_totals`` (the annual assessment's light path) gives exactly the totals of
``scoring.scores_for_months``: ended months from the stored facts, the running month live, a
changed policy, units with one part 未考评 and units not assessed at all."""

from decimal import Decimal

import pytest

from civility.core.periods import Period
from civility.reports import scoring, totals
from civility.reports.models import ScoringPolicy
from civility.supervision.problems import workflow
from tests.reports.conftest import A_, at, hotline

pytestmark = pytest.mark.django_db

MONTHS = [Period.month(2026, m) for m in (1, 2, 3, 4)]


def full_totals(hq, now):
    months = scoring.scores_for_months(hq, MONTHS, now=now)
    return {p: {u.unit_id: u.total for u in s.units if u.assessed} for p, s in months.items()}


@pytest.mark.parametrize("now", [at(3, 20, 12), at(4, 15)])
def test_month_totals_equal_the_full_scoring(march, now):
    hq = march["hq"]
    found = totals.month_totals(hq, MONTHS, now=now)
    assert found == full_totals(hq, now)
    assert found[Period.month(2026, 3)]  # running or ended, March has assessed units


def test_month_totals_equal_the_full_scoring_after_events_and_a_policy_change(march):
    d = march
    hq = d["hq"]
    now = at(4, 15)
    march_ = Period.month(2026, 3)
    assert totals.month_totals(hq, MONTHS, now=now) == full_totals(hq, now)
    before = totals.month_totals(hq, MONTHS, now=now)[march_]
    names = {u.pk: u.name for u in d["u"].values()}
    assert {names[pk]: t for pk, t in before.items()} == {
        "A": Decimal("83.5"), "A1": Decimal("82.9"), "B": Decimal("73.3"),
        "D1": Decimal("66.7"), "D2": Decimal("66.7"), "D3": Decimal("100.0"),
    }  # fmt: skip
    # A problem reassigned inside March (replayed), then weights and thresholds changed.
    p = workflow.perform(hotline(d, "D3", 12), A_.DISPUTE, by=d["D3"], note="异议", now=at(3, 12))
    workflow.perform(p, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D2"], now=at(3, 13))
    ScoringPolicy.objects.create(
        headquarters=hq, year=2026, field_weight=Decimal("0.6"),
        rectification_weight=Decimal("0.4"), min_site_visits=4, min_problems_due=1,
    )  # fmt: skip
    assert totals.month_totals(hq, MONTHS, now=now) == full_totals(hq, now)
    assert totals.month_totals(hq, MONTHS, now=now)[march_] != before


def test_month_totals_of_some_units_are_theirs_in_the_full_scoring(march):
    hq, u = march["hq"], march["u"]
    now = at(4, 15)
    some = {u["A"].pk, u["A1"].pk, u["D1"].pk, u["B1"].pk}  # B1 is not assessed in March
    found = totals.month_totals(hq, MONTHS, now=now, units=some)
    full = full_totals(hq, now)
    assert found == {
        p: {pk: t for pk, t in units.items() if pk in some} for p, units in full.items()
    }
    assert set(found[Period.month(2026, 3)]) == some - {u["B1"].pk}
