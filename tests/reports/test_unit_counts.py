"""``unit_counts.rectification_counts_of`` (a unit's page: the running month read narrowly) is
exactly what ``counts.rectification_counts`` gives each unit — with problems 改派 away from a
unit inside the month and after it, 改派 back, extended, 督办 and returned — and a unit's page
shows the same running month either way."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civility.core.periods import Period
from civility.org.models import Unit
from civility.reports import counts, scoring, unit_counts
from civility.supervision.problems import workflow
from tests.factories import photo
from tests.reports.conftest import A_, at, hotline

pytestmark = pytest.mark.django_db

FEB, MARCH, APRIL = (Period.month(2026, m) for m in (2, 3, 4))


def handed_around(d):
    """P: D3's, 改派 to D2 on 3/13, 督办 3/14, back to D3 on 3/16 and extended. Q: D1's, 改派 to
    D2 on 4/2 (after March). R: A's, submitted and returned in March, 改派 to B on 3/25."""
    p = workflow.perform(
        hotline(d, "D3", 12), A_.DISPUTE, by=d["D3"], note="异议", now=at(3, 12, 12)
    )
    p = workflow.perform(p, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D2"], now=at(3, 13))
    p = workflow.perform(p, A_.ESCALATE, by=d["leader"], now=at(3, 14))
    p = workflow.perform(p, A_.DISPUTE, by=d["D2"], note="异议", now=at(3, 15))
    p = workflow.perform(p, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D3"], now=at(3, 16))
    p = workflow.perform(
        p, A_.REQUEST_EXTENSION, by=d["D3"], note="需要时间", deadline=at(3, 28), now=at(3, 17)
    )
    workflow.perform(p, A_.APPROVE_EXTENSION, by=d["secretariat"], now=at(3, 17, 12))
    q = workflow.perform(hotline(d, "D1", 20), A_.DISPUTE, by=d["D1"], note="异议", now=at(3, 21))
    workflow.perform(q, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D2"], now=at(4, 2))
    r = hotline(d, "A", 18)
    r = workflow.perform(r, A_.SUBMIT, by=d["A"], note="已整改", photos=[photo()], now=at(3, 19))
    r = workflow.perform(r, A_.RETURN, by=d["inspector"], note="不彻底", now=at(3, 19, 12))
    r = workflow.perform(r, A_.DISPUTE, by=d["A"], note="异议", now=at(3, 24))
    workflow.perform(r, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["B"], now=at(3, 25))


@pytest.mark.parametrize("now", [at(3, 20, 12), at(3, 26), at(4, 15)])
@pytest.mark.parametrize("months", [[MARCH], [FEB, MARCH, APRIL]])
def test_unit_counts_equal_every_unit_s_share_of_the_full_counts(march, now, months):
    d = march
    handed_around(d)
    hq = d["hq"]
    months = [p for p in months if p.start < now]
    names = dict(Unit.objects.filter(headquarters=hq).values_list("name", "pk"))
    full = counts.rectification_counts(hq, months, now=now, units=names)
    assert any(full[p] for p in months)
    for unit in Unit.objects.filter(headquarters=hq):
        mine = unit_counts.rectification_counts_of(hq, months, unit.pk, now=now, units=names)
        expected = {p: full[p].get(unit.pk, counts.empty_counts()) for p in months}
        assert mine == expected, unit.name


def test_unit_page_running_month_is_the_full_scoring_s_row(march):
    d = march
    handed_around(d)
    now = at(3, 26)
    for name in ("A", "B", "D2", "D3", "A1"):
        unit = d["u"][name]
        kinds = {unit.kind}
        narrow = scoring.scores_for_months(
            d["hq"], [MARCH], now=now, kinds=kinds, running_unit=unit.pk
        )
        full = scoring.scores_for_months(d["hq"], [MARCH], now=now, kinds=kinds)
        assert narrow[MARCH].running
        assert [u.unit_id for u in narrow[MARCH].units] == [unit.pk]
        assert narrow[MARCH].units[0] == full[MARCH].by_unit()[unit.pk], name


def test_unit_counts_today_equal_the_full_counts(march):
    """The running month of today (problems made now, so the 改派 is inside it)."""
    d = march
    now = timezone.now()
    p = hotline(d, "D3", 12)
    p = workflow.perform(p, A_.DISPUTE, by=d["D3"], note="异议", now=now - timedelta(minutes=5))
    workflow.perform(p, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D2"], now=now)
    month = Period.of(timezone.localdate(now), "month")
    full = counts.rectification_counts(d["hq"], [month], now=now)
    for unit in Unit.objects.filter(headquarters=d["hq"]):
        mine = unit_counts.rectification_counts_of(d["hq"], [month], unit.pk, now=now)
        assert mine[month] == full[month].get(unit.pk, counts.empty_counts()), unit.name
