"""The stored monthly facts (civility.reports.facts) always equal a from-scratch recount of the
month (civility.reports.counts), on the hand-worked March district, after every kind of event
that can land in an ended month; what happens after the month's end never changes them."""

from datetime import timedelta

import pytest

from civility.core.periods import Period
from civility.reports import counts as counting
from civility.reports import facts
from civility.reports.models import FactMonth, UnitMonthFacts
from civility.supervision.problems import workflow
from tests.factories import photo
from tests.reports.conftest import A_, assign, at, fix, hotline, inspect, problem

pytestmark = pytest.mark.django_db
MARCH = Period.month(2026, 3)
NOW = at(4, 10)


def recount(d) -> tuple[dict, dict]:
    fields = counting.field_counts(d["hq"], [MARCH], now=NOW)[MARCH]
    rectification = counting.rectification_counts(d["hq"], [MARCH], now=NOW)[MARCH]
    return fields, rectification


def stored(d) -> tuple[dict, dict]:
    fields, rectification = facts.month_counts(d["hq"], [MARCH], now=NOW)
    return fields[MARCH], rectification[MARCH]


def assert_facts_equal_recount(d):
    assert stored(d) == recount(d)
    assert facts.stale_months(d["hq"]) == []


@pytest.fixture
def built(march):
    assert_facts_equal_recount(march)
    assert FactMonth.objects.filter(headquarters=march["hq"], period="2026-03").exists()
    return march


def test_facts_are_built_once_and_read_afterwards(built):
    d = built
    month = FactMonth.objects.get(headquarters=d["hq"], period="2026-03")
    stored(d)
    assert FactMonth.objects.get(pk=month.pk).built_at == month.built_at  # read, not rebuilt
    fields, rectification = stored(d)
    assert fields[d["u"]["A"].pk]["visits"] >= 1
    assert rectification[d["u"]["D1"].pk]["due"] >= 1


def test_facts_follow_a_new_problem_and_its_assignment(built):
    d = built
    assign(d, problem(d, "SA", at(3, 28)), "A", at(3, 28))
    assert facts.stale_months(d["hq"]) == ["2026-03"]
    assert_facts_equal_recount(d)


def test_facts_follow_acknowledge_submit_return_and_close(built):
    d = built
    p = workflow.perform(d["p3"], A_.ACKNOWLEDGE, by=d["B1"], now=at(3, 13))
    assert_facts_equal_recount(d)
    p = workflow.perform(p, A_.SUBMIT, by=d["B1"], note="已整改", photos=[photo()], now=at(3, 14))
    assert_facts_equal_recount(d)
    p = workflow.perform(p, A_.RETURN, by=d["inspector"], note="不彻底", now=at(3, 14, 15))
    assert_facts_equal_recount(d)
    fix(d, p, "B1", at(3, 16))
    assert_facts_equal_recount(d)


def test_facts_follow_escalation(built):
    d = built
    workflow.perform(d["p7"], A_.ESCALATE, by=d["leader"], now=at(3, 29))
    assert_facts_equal_recount(d)


def test_facts_follow_dispute_and_reassignment(built):
    d = built
    p = workflow.perform(d["p14"], A_.DISPUTE, by=d["D2"], note="非本单位", now=at(3, 9))
    assert_facts_equal_recount(d)
    workflow.perform(p, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D3"], now=at(3, 10))
    assert_facts_equal_recount(d)


def test_facts_follow_an_extension(built):
    d = built
    p = hotline(d, "D1", 20)
    p = workflow.perform(
        p, A_.REQUEST_EXTENSION, by=d["D1"], note="需协调", deadline=at(4, 5), now=at(3, 21)
    )
    assert_facts_equal_recount(d)
    workflow.perform(p, A_.APPROVE_EXTENSION, by=d["secretariat"], now=at(3, 21, 15))
    assert_facts_equal_recount(d)


def test_facts_follow_a_site_visit(built):
    d = built
    inspect(d, 27, ["SA", "SB1"], problems=[("SB1", "暴露垃圾")])
    assert facts.stale_months(d["hq"]) == ["2026-03"]
    assert_facts_equal_recount(d)


def test_facts_ignore_what_happens_after_the_month(built):
    d = built
    before = stored(d)
    month = FactMonth.objects.get(headquarters=d["hq"], period="2026-03")
    p = workflow.perform(d["p3"], A_.SUBMIT, by=d["B1"], note="已整改", photos=[photo()],
                         now=at(4, 2))  # fmt: skip
    workflow.perform(p, A_.APPROVE, by=d["inspector"], now=at(4, 2) + timedelta(hours=2))
    inspect(d, 3, ["SA"], problems=[("SA", "暴露垃圾")], month=4)
    assert facts.stale_months(d["hq"]) == []
    assert stored(d) == before == recount(d)
    assert FactMonth.objects.get(pk=month.pk).built_at == month.built_at


def test_refresh_counts_the_month_again(built):
    d = built
    UnitMonthFacts.objects.filter(month__headquarters=d["hq"]).update(due=99)  # tampered
    assert stored(d) != recount(d)
    facts.refresh(d["hq"], MARCH, now=NOW)
    assert_facts_equal_recount(d)


def test_running_month_is_never_stored(march):
    d = march
    facts.month_counts(d["hq"], [MARCH], now=at(3, 20))
    assert not FactMonth.objects.filter(headquarters=d["hq"]).exists()


def test_many_replayed_problems_are_read_by_subquery_with_the_same_counts(built, monkeypatch):
    d = built
    p = workflow.perform(d["p14"], A_.DISPUTE, by=d["D2"], note="非本单位", now=at(3, 9))
    workflow.perform(p, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D3"], now=at(3, 10))
    listed = recount(d)
    monkeypatch.setattr(counting, "MAX_LISTED", 0)  # every replayed problem over the list's limit
    assert recount(d) == listed
