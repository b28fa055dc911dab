"""The running month's rectification counts kept current (``to_date.rectification_counts``)
equal a count from scratch (``counts.rectification_counts``) at every moment, read after every
kind of event: 交办, 提交整改, 退回, 督办 (twice), 改派, an extension, 销号, a new problem, the
deadlines passing with no event, and an event written later with an earlier time."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from civility.core.periods import Period
from civility.reports import counts as counting
from civility.reports import to_date
from civility.supervision.problems import workflow
from civility.supervision.problems.models import ProblemEvent
from tests.factories import photo
from tests.reports.conftest import A_, at, fix, hotline

pytestmark = pytest.mark.django_db
MARCH = Period.month(2026, 3)


@pytest.fixture
def recounts(monkeypatch):
    """How many times the month was counted from scratch."""
    calls = []
    real = counting.rectification_counts_aggregated

    def counted(*args, **kwargs):
        calls.append(kwargs["now"])
        return real(*args, **kwargs)

    monkeypatch.setattr(to_date.counting, "rectification_counts_aggregated", counted)
    return calls


def same(d, now):
    kept = to_date.rectification_counts(d["hq"], [MARCH], now=now)[MARCH]
    assert kept == counting.rectification_counts(d["hq"], [MARCH], now=now)[MARCH], now


def test_kept_counts_follow_the_month_without_counting_it_again(march, recounts):
    d = march
    # The fixture's events are all dated after the first moment: each later read replays them.
    for now in [at(3, 1, 0), at(3, 5), at(3, 6, 12), at(3, 9, 12), at(3, 13, 12), at(3, 20),
                at(3, 26, 12), at(3, 31, 23)]:  # fmt: skip
        same(d, now)
    assert recounts == [at(3, 1, 0)]
    assert any(to_date.rectification_counts(d["hq"], [MARCH], now=at(3, 31, 23))[MARCH].values())


def test_kept_counts_after_every_kind_of_event(march, recounts):
    d = march
    same(d, at(3, 28))
    p = workflow.perform(d["p7"], A_.ESCALATE, by=d["leader"], now=at(3, 28, 11))
    same(d, at(3, 28, 12))
    workflow.perform(p, A_.ESCALATE, by=d["leader"], now=at(3, 28, 13))  # 督办 twice: once
    same(d, at(3, 28, 14))
    p = workflow.perform(d["p3"], A_.SUBMIT, by=d["B1"], note="已整改", photos=[photo()],
                         now=at(3, 28, 15))  # fmt: skip
    same(d, at(3, 28, 16))
    workflow.perform(p, A_.RETURN, by=d["inspector"], note="不彻底", now=at(3, 28, 17))
    same(d, at(3, 28, 18))
    p = workflow.perform(d["p14"], A_.DISPUTE, by=d["D2"], note="非本单位", now=at(3, 28, 19))
    same(d, at(3, 28, 20))
    workflow.perform(p, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D3"], now=at(3, 28, 21))
    same(d, at(3, 28, 22))
    p = hotline(d, "D1", 29)  # a new problem, 交办 at once, due on the 31st
    same(d, at(3, 29, 11))
    p = workflow.perform(
        p, A_.REQUEST_EXTENSION, by=d["D1"], note="需协调", deadline=at(4, 5), now=at(3, 29, 12)
    )
    same(d, at(3, 29, 13))
    workflow.perform(p, A_.APPROVE_EXTENSION, by=d["secretariat"], now=at(3, 29, 14))
    same(d, at(3, 29, 15))
    q = hotline(d, "D2", 29, hour=16)
    same(d, at(3, 29, 17))
    fix(d, q, "D2", at(3, 30))  # 提交整改 and 销号
    same(d, at(3, 30, 12))
    same(d, at(3, 31, 23))  # deadlines passed with no event
    assert recounts == [at(3, 28)]


def test_an_event_dated_before_the_kept_counts_counts_the_month_again(march, recounts):
    d = march
    same(d, at(3, 28))
    # Written now, dated the 27th: the kept counts did not include it.
    workflow.perform(d["p7"], A_.ESCALATE, by=d["leader"], now=at(3, 27))
    same(d, at(3, 28, 12))
    assert recounts == [at(3, 28), at(3, 28, 12)]
    same(d, at(3, 20))  # earlier than the kept counts: counted, the kept ones stay
    same(d, at(3, 29))
    assert recounts == [at(3, 28), at(3, 28, 12), at(3, 20)]


def test_each_month_kept_apart_and_ended_months_counted(march, recounts):
    d = march
    same(d, at(3, 28))
    april = Period.month(2026, 4)
    kept = to_date.rectification_counts(d["hq"], [MARCH, april], now=at(4, 2))
    assert kept == counting.rectification_counts(d["hq"], [MARCH, april], now=at(4, 2))
    assert recounts == [at(3, 28), at(4, 2)]
    # With an ended month, the running one followed: the ended month counted alone.
    kept = to_date.rectification_counts(d["hq"], [MARCH, april], now=at(4, 3))
    assert kept == counting.rectification_counts(d["hq"], [MARCH, april], now=at(4, 3))
    assert recounts == [at(3, 28), at(4, 2), at(4, 3)]


def test_an_event_committed_after_a_later_id_counts_the_month_again(march, recounts):
    """On PostgreSQL an event can become visible after one with a larger id: a count read in
    between had the larger id as its mark. Its time, not its id, shows it was not counted."""
    d = march
    hq = d["hq"]
    same(d, at(3, 28))
    key = to_date._key(hq, MARCH)
    kept_at, _mark, seen, packed = cache.get(key)
    # Dated a minute before the count, visible only after it, with an id below the kept mark
    # (as if a transaction holding a larger id had committed before the count).
    workflow.perform(d["p7"], A_.ESCALATE, by=d["leader"], now=kept_at - timedelta(minutes=1))
    last = ProblemEvent.objects.order_by("-id").values_list("id", flat=True).first()
    cache.set(key, (kept_at, last + 1, seen, packed))
    same(d, at(3, 28, 12))
    assert recounts == [at(3, 28), at(3, 28, 12)]
    # An event visible at the count and dated just before it is not counted twice.
    same(d, at(3, 28, 13))
    assert recounts == [at(3, 28), at(3, 28, 12)]


def test_events_visible_at_the_count_just_before_it_are_followed(march, recounts):
    d = march
    workflow.perform(d["p7"], A_.ESCALATE, by=d["leader"], now=at(3, 28) - timedelta(minutes=2))
    same(d, at(3, 28))
    same(d, at(3, 28, 12))
    assert recounts == [at(3, 28)]
