"""A month's stored facts take as counted only what was there before its counting began: an
event written while the month is being counted (another request) leaves it stale, and the next
read counts it again (equal to a recount)."""

import pytest

from civility.core.periods import Period
from civility.reports import counts as counting
from civility.reports import facts
from civility.supervision.problems import workflow
from tests.reports.conftest import A_, at

pytestmark = pytest.mark.django_db
MARCH = Period.month(2026, 3)
NOW = at(4, 10)


def test_an_event_written_while_the_month_is_counted_leaves_it_stale(march, monkeypatch):
    d = march
    real = counting.field_counts
    written = []

    def counted_while_another_request_writes(*args, **kwargs):
        if not written:  # once, between the start of the count and its storing
            written.append(workflow.perform(d["p7"], A_.ESCALATE, by=d["leader"], now=at(3, 30)))
        return real(*args, **kwargs)

    monkeypatch.setattr(facts.counting, "field_counts", counted_while_another_request_writes)
    facts.month_counts(d["hq"], [MARCH], now=NOW)
    assert written
    assert facts.stale_months(d["hq"]) == ["2026-03"]
    monkeypatch.setattr(facts.counting, "field_counts", real)
    fields, rectification = facts.month_counts(d["hq"], [MARCH], now=NOW)
    assert rectification[MARCH] == counting.rectification_counts(d["hq"], [MARCH], now=NOW)[MARCH]
    assert facts.stale_months(d["hq"]) == []
