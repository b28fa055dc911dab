"""The running month's rectification counts added up by the database
(``counts.rectification_counts_aggregated``, what the dashboard and the stored facts read) equal
the row-by-row count (``counts.rectification_counts``) on the hand-worked March district, for
running and ended months alike, after 督办 (twice), 退回, 改派 and extensions."""

import pytest

from civility.core.periods import Period
from civility.org.models import Unit
from civility.reports import counts as counting
from civility.supervision.problems import workflow
from tests.factories import photo
from tests.reports.conftest import A_, at, fix, hotline

pytestmark = pytest.mark.django_db
FEBRUARY, MARCH, APRIL = (Period.month(2026, m) for m in (2, 3, 4))
MOMENTS = [at(3, 1, 0), at(3, 9, 12), at(3, 20), at(3, 31, 23), at(4, 2), at(4, 10), at(5, 3)]


def assert_same_counts(d, periods=(FEBRUARY, MARCH, APRIL)):
    units = dict(Unit.objects.filter(headquarters=d["hq"]).values_list("name", "pk"))
    for now in MOMENTS:
        wanted = [p for p in periods if p.start <= now]
        for names in (None, units):
            expected = counting.rectification_counts(d["hq"], wanted, now=now, units=names)
            found = counting.rectification_counts_aggregated(d["hq"], wanted, now=now, units=names)
            assert found == expected, now
        for period in wanted:  # one month at a time, as a running month is read
            one = counting.rectification_counts_aggregated(d["hq"], [period], now=now)
            assert one == counting.rectification_counts(d["hq"], [period], now=now)


def test_aggregated_counts_equal_the_row_by_row_count(march):
    d = march
    assert any(counting.rectification_counts(d["hq"], [MARCH], now=at(4, 10))[MARCH].values())
    assert_same_counts(d)


def test_aggregated_counts_after_every_kind_of_event(march):
    d = march
    # 督办 twice in a month counts once; a return, an extension and a reassignment.
    p = workflow.perform(d["p7"], A_.ESCALATE, by=d["leader"], now=at(3, 10))
    workflow.perform(p, A_.ESCALATE, by=d["leader"], now=at(3, 11))
    p = workflow.perform(d["p3"], A_.SUBMIT, by=d["B1"], note="已整改", photos=[photo()],
                         now=at(3, 14))  # fmt: skip
    workflow.perform(p, A_.RETURN, by=d["inspector"], note="不彻底", now=at(4, 1))
    p = workflow.perform(d["p14"], A_.DISPUTE, by=d["D2"], note="非本单位", now=at(3, 9))
    workflow.perform(p, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D3"], now=at(3, 10))
    p = hotline(d, "D1", 20)
    p = workflow.perform(
        p, A_.REQUEST_EXTENSION, by=d["D1"], note="需协调", deadline=at(4, 5), now=at(3, 21)
    )
    workflow.perform(p, A_.APPROVE_EXTENSION, by=d["secretariat"], now=at(3, 21, 15))
    fix(d, hotline(d, "D2", 28), "D2", at(4, 3))  # closed late, in April
    assert_same_counts(d)
