"""The stored facts' staleness check reads new events and visits by id alone (issue 11: a
condition on the headquarters made SQLite walk a city's every problem): another headquarters'
event inside the month leaves the month fresh, and the marks move past it, so it is not read
again on every page."""

from datetime import date

import pytest

from civility.core.periods import Period
from civility.org.models import Headquarters
from civility.reports import facts
from civility.reports.models import FactMonth
from civility.supervision.problems.models import ProblemEvent
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db
MARCH = Period.month(2026, 3)
NOW = at(4, 10)


def test_another_headquarters_event_leaves_the_month_fresh_and_is_read_once(march):
    d = march
    facts.month_counts(d["hq"], [MARCH], now=NOW)  # built
    other = Headquarters.objects.create(
        name="另一指挥部", district="思明区", code="other", doc_prefix="思创指",
        start_date=date(2026, 1, 1),
    )  # fmt: skip
    theirs = d["p3"]
    theirs.pk = theirs.id = None
    theirs.headquarters, theirs.number = other, "OTHER-0001"
    theirs._state.adding = True
    theirs.save()
    event = ProblemEvent.objects.create(problem=theirs, action="escalate", at=at(3, 20))

    assert facts.stale_months(d["hq"]) == []
    month = FactMonth.objects.get(headquarters=d["hq"], period=MARCH.slug)
    assert month.last_event >= event.pk  # checked once, not on every read
    built_at = month.built_at
    facts.month_counts(d["hq"], [MARCH], now=NOW)
    assert FactMonth.objects.get(pk=month.pk).built_at == built_at  # read, not rebuilt
