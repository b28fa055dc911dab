"""A period's figures are taken as at its end (SPEC §5), replayed from the problems' events.

On the hand-worked March of conftest.py (48-hour limits), by hand:
- found 18 (P1–P17 and the problem on the draft inspection), 13 of them closed, 4 open;
- due in March 16 (all but P9 and the 待交办 one): 12 on time; P2 closed after its deadline
  (逾期办结); P3 (B1), P7 (D1) and P14 (D2) still open at the end (逾期未办结);
- one 督办 (P1, unit A).
"""

from datetime import timedelta

import pytest

from civility.core.periods import Period
from civility.reports import compile as reports
from civility.reports.figures import PeriodFigures
from civility.reports.models import Report
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem
from tests.factories import photo
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db
A_ = workflow.Action
MARCH = Period.month(2026, 3)


def by_unit(march, unit, **filters):
    return Problem.objects.filter(primary_unit=march["u"][unit], **filters)


def april_events(march):
    """What happens after March: a 督办, a 复查通过, a late 提交整改, an 改派, a 作废."""
    d = march
    p9 = by_unit(d, "D1", status="assigned", deadline__gte=at(4, 1)).get()
    p9 = workflow.perform(p9, A_.ESCALATE, by=d["leader"], now=at(4, 1, 9))
    p9 = workflow.perform(p9, A_.SUBMIT, by=d["D1"], note="已整改", photos=[photo()], now=at(4, 2))
    workflow.perform(p9, A_.APPROVE, by=d["inspector"], now=at(4, 3))
    p7 = by_unit(d, "D1", status="assigned").get()
    workflow.perform(p7, A_.SUBMIT, by=d["D1"], note="迟到的整改", photos=[photo()], now=at(4, 5))
    p3 = by_unit(d, "B1", status="assigned").get()
    p3 = workflow.perform(p3, A_.ESCALATE, by=d["leader"], now=at(4, 3))
    p3 = workflow.perform(p3, A_.DISPUTE, by=d["B1"], note="不属我社区", now=at(4, 4))
    workflow.perform(p3, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["B"], now=at(4, 4, 11))
    pending = Problem.objects.get(status="reported", headquarters=d["hq"])
    workflow.perform(pending, A_.VOID, by=d["secretariat"], note="重复", now=at(4, 6))


def test_march_figures_split_late_closed_from_still_open(march):
    overview = PeriodFigures(march["hq"], MARCH).overview()
    assert {
        key: overview[key]
        for key in (
            "found",
            "found_closed",
            "found_open",
            "due",
            "due_on_time",
            "due_closed_late",
            "due_open",
            "overdue_open",
            "escalations",
            "on_time_rate",
            "closure_rate",
        )
    } == {
        "found": 18,
        "found_closed": 13,
        "found_open": 4,
        "due": 16,
        "due_on_time": 12,
        "due_closed_late": 1,
        "due_open": 3,
        "overdue_open": 3,
        "escalations": 1,
        "on_time_rate": "75.0",
        "closure_rate": "72.2",
    }


def test_units_with_overdue_or_escalated_problems_are_named(march):
    named = PeriodFigures(march["hq"], MARCH).units_named()
    assert [(r["unit"], r["overdue"], r["escalated"]) for r in named] == [
        ("B1", 1, 0),
        ("D1", 1, 0),
        ("D2", 1, 0),
        ("A", 0, 1),
    ]


def test_compiling_again_after_later_events_gives_the_same_document(march):
    first, _ = reports.compile_report(march["hq"], Report.Kind.MONTHLY, "2026-03", now=at(4, 1, 6))
    april_events(march)
    again, _ = reports.compile_report(march["hq"], Report.Kind.MONTHLY, "2026-03")
    assert again.pk == first.pk
    # Every figure, the rankings and 红黑榜 (考评 v2 reads the month's own events) included.
    assert set(again.data) == set(first.data)
    for key in first.data:
        assert again.data[key] == first.data[key], key
    assert [c["number"] for c in again.data["typical"]] == [
        c["number"] for c in first.data["typical"]
    ]
    assert again.data["overview"]["due_open"] == 3
    assert [r["unit"] for r in again.data["units_named"]] == ["B1", "D1", "D2", "A"]


def test_the_annexed_list_shows_states_as_at_the_end(march):
    april_events(march)
    report, _ = reports.compile_report(march["hq"], Report.Kind.MONTHLY, "2026-03")
    p3 = Problem.objects.get(primary_unit=march["u"]["B"], status="assigned")
    row = next(r for r in report.data["problems"] if r["number"] == p3.number)
    assert (row["unit"], row["status"], row["closed_at"]) == ("B1", "待整改", "")
    # Its deadline was restarted by the 改派 in April; in March it was 3/14 10:00.
    assert row["deadline"] == "2026-03-14 10:00"
    assert p3.deadline > at(4, 4)


def test_a_running_period_is_counted_up_to_now(march):
    week = Period.of(at(3, 12).date(), "week")
    overview = PeriodFigures(march["hq"], week, now=at(3, 13, 12)).overview()
    # P15–P17 (3/9) were closed on 3/10; of P2, P3, P10 (3/12) only P10 was closed by noon on
    # 3/13 (P2 was submitted at 10:00 and returned only at 15:00).
    assert (overview["found"], overview["found_closed"], overview["found_open"]) == (6, 4, 2)
    later = PeriodFigures(march["hq"], week, now=at(3, 13, 12) + timedelta(days=3)).overview()
    assert (later["found_closed"], later["found_open"]) == (5, 1)  # P2 closed on 3/15
