"""civility.core.periods: ISO weeks and calendar months (no database)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from civility.core.periods import MONTH, WEEK, Period

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_week_1_that_starts_in_december_belongs_to_the_next_iso_year():
    week = Period.of(date(2025, 12, 29), WEEK)
    assert (week.first, week.last) == (date(2025, 12, 29), date(2026, 1, 4))
    assert (week.year, week.number, str(week)) == (2026, 1, "2026-W01")
    assert Period.of(date(2026, 1, 4), WEEK) == week
    assert week.label == "2026年第1周（12月29日—1月4日）"


def test_week_53_exists_only_in_long_iso_years():
    week = Period.parse("2026-W53")
    assert (week.first, week.last) == (date(2026, 12, 28), date(2027, 1, 3))
    assert week.next() == Period.parse("2027-W01")
    assert Period.parse("2027-W01").previous() == week
    with pytest.raises(ValueError):
        Period.parse("2025-W53")
    assert Period.parse("2026-W01").previous() == Period.parse("2025-W52")


def test_december_to_january_and_back():
    december = Period.month(2025, 12)
    assert (december.first, december.last) == (date(2025, 12, 1), date(2025, 12, 31))
    assert december.next() == Period.parse("2026-01")
    assert Period.parse("2026-01").previous() == december
    assert str(december.next()) == "2026-01"


def test_month_lengths_including_leap_february():
    assert Period.month(2028, 2).last == date(2028, 2, 29)
    assert Period.month(2026, 2).last == date(2026, 2, 28)
    assert Period.month(2026, 4).last == date(2026, 4, 30)


def test_previous_and_next_are_inverse_over_several_years():
    for kind, first in ((WEEK, date(2019, 12, 30)), (MONTH, date(2019, 12, 1))):
        period = Period.of(first, kind)
        seen = [period]
        for _ in range(300):
            following = seen[-1].next()
            assert following.first == seen[-1].last + timedelta(days=1)
            assert following.previous() == seen[-1]
            seen.append(following)
        assert len({str(p) for p in seen}) == len(seen)


def test_back_lists_the_periods_ending_with_this_one_oldest_first():
    months = Period.month(2026, 2).back(4)
    assert [str(m) for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]


@pytest.mark.parametrize(
    "value",
    [
        "2026-13",
        "2026-00",
        "2026-3",
        "2026-W00",
        "2026-W54",
        "2026-W1",
        "0000-01",
        "9999-W52",  # would end after 9999-12-31
        "2026-11\n",
        " 2026-11",
        "2026/11",
        "",
        "abcd-ef",
    ],
)
def test_parse_rejects_what_is_not_a_period(value):
    with pytest.raises(ValueError):
        Period.parse(value)


def test_parse_with_a_kind_rejects_the_other_kind():
    assert Period.parse("2026-11", MONTH).kind == MONTH
    assert Period.parse("2026-W48", WEEK).kind == WEEK
    with pytest.raises(ValueError):
        Period.parse("2026-11", WEEK)
    with pytest.raises(ValueError):
        Period.parse("2026-W48", MONTH)
    with pytest.raises(ValueError):
        Period.parse(None)


def test_url_form_round_trips():
    for value in ("2026-W48", "2026-W01", "2020-W53", "2026-11", "2026-01"):
        assert str(Period.parse(value)) == value
        assert Period.parse(value).slug == value


def test_labels_are_chinese():
    assert Period.parse("2026-W48").label == "2026年第48周（11月23日—11月29日）"
    assert Period.parse("2026-11").label == "2026年11月"


def test_bounds_are_local_midnights():
    month = Period.month(2026, 11)
    assert month.start == datetime(2026, 11, 1, tzinfo=SHANGHAI)
    assert month.end == datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert month.start.utcoffset() == timedelta(hours=8)
    week = Period.parse("2026-W48")
    assert (week.start, week.end) == (
        datetime(2026, 11, 23, tzinfo=SHANGHAI),
        datetime(2026, 11, 30, tzinfo=SHANGHAI),
    )


def test_contains_uses_local_time_for_instants():
    month = Period.month(2026, 11)
    last_minute = datetime.combine(date(2026, 11, 30), time(23, 59), tzinfo=SHANGHAI)
    assert month.contains(last_minute)
    assert not month.contains(last_minute + timedelta(minutes=1))
    # 2026-11-30 16:30 UTC is 00:30 on 1 December in Shanghai.
    assert not month.contains(datetime(2026, 11, 30, 16, 30, tzinfo=ZoneInfo("UTC")))
    assert month.contains(datetime(2026, 10, 31, 16, 30, tzinfo=ZoneInfo("UTC")))
    assert month.contains(date(2026, 11, 1)) and not month.contains(date(2026, 12, 1))
    assert date(2026, 11, 15) in month
    assert Period.of(datetime(2026, 11, 30, 16, 30, tzinfo=ZoneInfo("UTC")), MONTH) == (
        Period.month(2026, 12)
    )


def test_current_and_last_ended():
    assert str(Period.current(WEEK, date(2026, 11, 30))) == "2026-W49"
    assert str(Period.last_ended(WEEK, date(2026, 11, 30))) == "2026-W48"
    assert str(Period.last_ended(WEEK, date(2026, 12, 6))) == "2026-W48"
    assert str(Period.current(MONTH, date(2026, 1, 1))) == "2026-01"
    assert str(Period.last_ended(MONTH, date(2026, 1, 1))) == "2025-12"
    assert str(Period.last_ended(MONTH, date(2026, 3, 31))) == "2026-02"


def test_a_period_is_a_value():
    assert Period.parse("2026-11") == Period.month(2026, 11)
    assert len({Period.parse("2026-11"), Period.month(2026, 11)}) == 1
    assert Period.month(2026, 10) < Period.month(2026, 11)
    with pytest.raises(AttributeError):
        Period.month(2026, 11).first = date(2026, 11, 2)  # frozen
    with pytest.raises(ValueError):
        Period(date(2026, 11, 2), date(2026, 11, 30), MONTH)  # not a whole month
    with pytest.raises(ValueError):
        Period.of(date(2026, 11, 2), "year")
