"""Compiling a month gives the same document since its drive lines are counted by the database
(``drive_figures``): on the seeded demo, every month's and week's drive lines — at the period's
end and at moments inside it, with events after them — equal those of the reference
implementation (every problem replayed by ``asof.states`` and tallied in Python), and the
raw SQL of a document counts the same drive figures."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from civility.core.periods import MONTH, WEEK, Period
from civility.org.models import Headquarters
from civility.reports import compile as reports
from civility.reports import figures, levers, raw_limits
from tests.reports import reference_drive_lines as reference
from tests.reports.reference_figures import reference_states, state_key

MONTHS = 4


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.getbasetemp() / "media-compile"
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            call_command("demo_users", "--force", stdout=io.StringIO())
            call_command(
                "seed_demo", "--force", "--problems", "160", "--months", str(MONTHS),
                stdout=io.StringIO(),
            )  # fmt: skip
            yield Headquarters.objects.order_by("id").first()
            transaction.set_rollback(True)


@pytest.fixture
def hq(seeded_once, db):
    return seeded_once


def months() -> list[Period]:
    period = Period.current(MONTH, timezone.localdate())
    result = [period]
    for _ in range(MONTHS):
        result.append(result[-1].previous())
    return result


def moments(period: Period) -> list:
    """The period's end (or now) and two moments inside it (later events are not counted)."""
    end = min(period.end, timezone.now())
    inside = [period.start + (end - period.start) * share for share in (0.3, 0.7)]
    return [end, *inside]


def test_period_figures_read_the_problems_of_the_reference(hq):
    read = 0
    for period in months():
        for moment in moments(period):
            states = figures.PeriodFigures(hq, period, now=moment).states
            expected = reference_states(hq, period, moment)
            assert [state_key(s) for s in states] == [state_key(s) for s in expected], period
            read += len(states)
    week = Period.current(WEEK, timezone.localdate()).previous()
    states = figures.PeriodFigures(hq, week).states
    assert [state_key(s) for s in states] == [
        state_key(s) for s in reference_states(hq, week, week.end)
    ]
    assert read > 0


def test_monthly_drive_lines_equal_the_reference(hq):
    shown = 0
    for period in months():
        for moment in moments(period):
            lines = levers.drive_lines(hq, period, moment)
            assert lines == reference.drive_lines(hq, period, moment), (period, moment)
            shown += sum(line["found"] for line in lines)
    assert shown > 0  # the demo's drives have problems in these months


def test_weekly_drive_lines_equal_the_reference(hq):
    week = Period.current(WEEK, timezone.localdate())
    for _ in range(6):
        for moment in moments(week):
            assert levers.drive_lines(hq, week, moment) == reference.drive_lines(
                hq, week, moment
            ), (week, moment)
        week = week.previous()


def test_compiled_month_is_the_reference_document(hq):
    period = months()[1]
    data = reports.monthly_data(hq, period)
    expected = reference.drive_lines(hq, period, min(period.end, timezone.now()))
    assert data["drives"] == expected
    assert any(line["targets"] for line in expected)
    # Compiling it again, on a later day, gives the same document.
    later = reports.monthly_data(hq, period, now=timezone.now() + timedelta(days=3))
    assert later == data


def test_the_limits_raw_sql_counts_the_same_drive_figures(hq):
    for period in months()[:3]:
        moment = min(period.end, timezone.now())
        adapt = connection.ops.adapt_datetimefield_value
        params = {
            "hq": hq.pk, "start": adapt(period.start), "moment": adapt(moment),
            "first": period.first, "last": period.last,
        }  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(raw_limits.drive_figures_sql(), params)
            raw = {row[0]: list(row[1:]) for row in cursor.fetchall()}
        lines = levers.drive_lines(hq, period, moment)
        app = {}
        for line in lines:
            app[line["drive_id"]] = line
        keys = ["found", "found_in_period", "closed", "on_time", "overdue", "recurring"]
        for pk, line in app.items():
            assert raw.get(pk, [0] * 7)[:6] == [line[k] for k in keys], (period, pk)
