"""Weeks and months: the periods reports, rankings and the dashboard are computed for.

A ``Period`` is an ISO week (Monday to Sunday, numbered as ISO 8601 does, so the week of
29 December 2025 is 2026-W01) or a calendar month. It knows its first and last day, its bounds
as aware datetimes at local midnight (``[start, end)``: a problem reported at 23:59 on the last
day is inside, one at 00:00 the next day is not), the periods around it, its Chinese label and
its URL form (``2026-W48``, ``2026-11``), which is also what ``Report.period`` stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

WEEK = "week"
MONTH = "month"
KINDS = (WEEK, MONTH)

WEEK_RE = re.compile(r"(\d{4})-W(\d{2})")
MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


def local_midnight(day: date) -> datetime:
    """The aware instant a local day starts: compare datetime columns with it (``>=`` the first
    day's, ``<`` the day after the last day's) so their indexes apply, unlike ``__date``."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True, order=True)
class Period:
    """One ISO week or calendar month; build it with ``week``, ``month``, ``of`` or ``parse``."""

    first: date
    last: date
    kind: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind: {self.kind!r}")
        if self != Period.of(self.first, self.kind):
            raise ValueError(f"{self.first}..{self.last} is not one {self.kind}")

    # --- building ----------------------------------------------------------------------------

    @classmethod
    def week(cls, year: int, week: int) -> Period:
        """ISO week ``week`` of ISO year ``year``; ValueError when it does not exist."""
        first = date.fromisocalendar(year, week, 1)
        if first > date.max - timedelta(days=6):
            raise ValueError(f"{year}-W{week:02d}")  # would end after 9999-12-31
        return cls._make(first, first + timedelta(days=6), WEEK)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """Calendar month ``month`` of ``year``; ValueError when it does not exist."""
        first = date(year, month, 1)
        if month == 12:
            following = date(year + 1, 1, 1) if year < date.max.year else None
        else:
            following = date(year, month + 1, 1)
        last = following - timedelta(days=1) if following else date.max
        return cls._make(first, last, MONTH)

    @classmethod
    def _make(cls, first: date, last: date, kind: str) -> Period:
        # Skips the consistency check of __post_init__ (the constructors above are the check).
        period = object.__new__(cls)
        object.__setattr__(period, "first", first)
        object.__setattr__(period, "last", last)
        object.__setattr__(period, "kind", kind)
        return period

    @classmethod
    def of(cls, day: date | datetime, kind: str) -> Period:
        """The week or month holding ``day`` (an aware datetime counts by its local date)."""
        if isinstance(day, datetime):
            day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
        if kind == WEEK:
            year, week, _ = day.isocalendar()
            return cls.week(year, week)
        if kind == MONTH:
            return cls.month(day.year, day.month)
        raise ValueError(f"unknown period kind: {kind!r}")

    @classmethod
    def parse(cls, value: str, kind: str | None = None) -> Period:
        """``2026-W48`` or ``2026-11`` (only that kind when ``kind`` is given); ValueError on
        anything else, including weeks and months that do not exist (``2026-W54``, ``2026-13``)."""
        if not isinstance(value, str):
            raise ValueError(value)
        if kind in (None, WEEK) and (match := WEEK_RE.fullmatch(value)):
            return cls.week(int(match[1]), int(match[2]))
        if kind in (None, MONTH) and (match := MONTH_RE.fullmatch(value)):
            return cls.month(int(match[1]), int(match[2]))
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown period kind: {kind!r}")
        raise ValueError(value)

    @classmethod
    def current(cls, kind: str, today: date | None = None) -> Period:
        """The week or month running today (local date)."""
        return cls.of(today or timezone.localdate(), kind)

    @classmethod
    def last_ended(cls, kind: str, today: date | None = None) -> Period:
        """The last complete week or month before today (what the periodic compilation covers)."""
        return cls.current(kind, today).previous()

    # --- moving --------------------------------------------------------------------------------

    def previous(self) -> Period:
        return Period.of(self.first - timedelta(days=1), self.kind)

    def next(self) -> Period:
        return Period.of(self.last + timedelta(days=1), self.kind)

    def back(self, count: int) -> list[Period]:
        """The ``count`` periods ending with this one, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]

    # --- reading -------------------------------------------------------------------------------

    @property
    def year(self) -> int:
        """The ISO year of a week (2026-W01 may start in December 2025), else the calendar year."""
        return self.first.isocalendar()[0] if self.kind == WEEK else self.first.year

    @property
    def number(self) -> int:
        """The week number (1..53) or the month number (1..12)."""
        return self.first.isocalendar()[1] if self.kind == WEEK else self.first.month

    @property
    def start(self) -> datetime:
        """Local midnight at the start of the first day (aware)."""
        return datetime.combine(self.first, time.min, tzinfo=timezone.get_current_timezone())

    @property
    def end(self) -> datetime:
        """Local midnight after the last day (aware; excluded from the period)."""
        return datetime.combine(
            self.last + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
        )

    def contains(self, moment: date | datetime) -> bool:
        """Whether a day, or an instant (aware: by local time), falls in the period."""
        if isinstance(moment, datetime):
            if timezone.is_aware(moment):
                return self.start <= moment < self.end
            moment = moment.date()
        return self.first <= moment <= self.last

    def __contains__(self, moment: date | datetime) -> bool:
        return self.contains(moment)

    @property
    def label(self) -> str:
        """2026年第48周（11月23日—11月29日） or 2026年11月, as documents write them."""
        if self.kind == MONTH:
            return f"{self.year}年{self.number}月"
        first, last = self.first, self.last
        return (
            f"{self.year}年第{self.number}周"
            f"（{first.month}月{first.day}日—{last.month}月{last.day}日）"
        )

    @property
    def slug(self) -> str:
        """The URL form: 2026-W48 or 2026-11."""
        if self.kind == WEEK:
            return f"{self.year:04d}-W{self.number:02d}"
        return f"{self.year:04d}-{self.number:02d}"

    def __str__(self) -> str:
        return self.slug
