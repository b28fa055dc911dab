"""Activities: entering them (a liaison for their unit only), the series page's counts by unit and
month, and the figures for the 通报 (activity_figures, suggestion_figures)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from civility.core.errors import NotAllowed
from civility.core.periods import Period
from civility.participation import suggestions
from civility.participation.activities import series_year
from civility.participation.figures import activity_figures, suggestion_figures
from civility.participation.models import Activity, ActivitySeries
from tests.conftest import client_for
from tests.participation import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(hq):
    return {s.name: s for s in ActivitySeries.objects.filter(headquarters=hq)}


def test_fixture_has_the_five_series(series):
    assert sorted(series) == sorted(
        ["洁净家园在行动", "交通文明在行动", "社区文明在行动", "行业文明在行动", "典型带动"]
    )


def test_liaison_enters_only_their_units_activities(street, department, liaison, series):
    with pytest.raises(NotAllowed):
        helpers.activity(liaison, department, series=series["典型带动"])
    made = helpers.activity(liaison, street, series=series["典型带动"])
    assert (made.organiser, made.headquarters_id, made.created_by) == (
        street,
        street.headquarters_id,
        liaison,
    )


def test_volunteers_cannot_outnumber_participants(street, liaison):
    with pytest.raises(ValidationError):
        helpers.activity(liaison, street, participants=5, volunteers=6)
    assert Activity.objects.count() == 0


def test_activity_form_refuses_a_future_date(client, street, liaison, series):
    client_for(client, liaison)
    response = client.post(
        reverse("activity_new"),
        {
            "series": series["交通文明在行动"].pk,
            "organiser": street.pk,
            "title": "文明交通劝导",
            "date": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "place": "湖里大道",
            "participants": "20",
            "volunteers": "20",
            "volunteer_hours": "40",
        },
    )
    assert "活动日期不能晚于今天（活动结束后填报）。" in response.content.decode()
    assert Activity.objects.count() == 0


def test_series_year_counts_by_unit_and_month(street, department, liaison, other_liaison, series):
    clean = series["洁净家园在行动"]
    for day, people in ((date(2008, 3, 2), 40), (date(2008, 3, 20), 60), (date(2008, 5, 1), 10)):
        helpers.activity(liaison, street, series=clean, day=day, participants=people)
    helpers.activity(other_liaison, department, series=clean, day=date(2008, 5, 9), volunteers=4)
    helpers.activity(liaison, street, series=series["典型带动"], day=date(2008, 3, 5))
    helpers.activity(liaison, street, series=clean, day=date(2007, 12, 30))
    figures = series_year(clean, Activity.objects.all(), 2008)
    rows = [
        (u["name"], u["months"][2], u["months"][4], u["total"], u["people"])
        for u in figures["units"]
    ]
    assert rows == [("湖里街道", 2, 1, 3, 110), ("区城市管理行政执法局", 0, 1, 1, 30)]
    assert (figures["months"][2], figures["months"][4], figures["total"]) == (2, 2, 4)
    assert (figures["volunteers"], figures["hours"]) == (34, Decimal(68))


def test_series_page_shows_a_liaison_their_unit_only(
    client, street, department, liaison, other_liaison, series
):
    clean = series["洁净家园在行动"]
    helpers.activity(liaison, street, series=clean)
    helpers.activity(other_liaison, department, series=clean)
    client_for(client, liaison)
    body = client.get(reverse("series_detail", args=[clean.pk])).content.decode()
    assert "湖里街道" in body and "区城市管理行政执法局" not in body


def test_activity_figures_for_a_month(hq, street, department, liaison, other_liaison, series):
    march = Period.month(2008, 3)
    helpers.activity(liaison, street, series=series["洁净家园在行动"], day=date(2008, 3, 1))
    helpers.activity(
        liaison, street, series=series["交通文明在行动"], day=date(2008, 3, 31), participants=50
    )
    helpers.activity(
        other_liaison, department, series=series["洁净家园在行动"], day=date(2008, 3, 15)
    )
    helpers.activity(liaison, street, series=series["洁净家园在行动"], day=date(2008, 4, 1))
    for activity in Activity.objects.all():  # each entered on the day it was held
        entered = timezone.make_aware(datetime.combine(activity.date, time(20)))
        Activity.objects.filter(pk=activity.pk).update(created_at=entered)
    figures = activity_figures(hq, march.start, march.end)
    assert {k: figures[k] for k in ("activities", "participants", "volunteers", "units")} == {
        "activities": 3,
        "participants": 110,
        "volunteers": 30,
        "units": 2,
    }
    assert figures["volunteer_hours"] == Decimal(60)
    by_series = {row["name"]: (row["activities"], row["participants"]) for row in figures["series"]}
    assert by_series == {
        "洁净家园在行动": (2, 60),
        "交通文明在行动": (1, 50),
        "社区文明在行动": (0, 0),
        "行业文明在行动": (0, 0),
        "典型带动": (0, 0),
    }
    assert activity_figures(hq, date(2008, 3, 1), date(2008, 4, 1))["activities"] == 3


def at(month, day, hour=10):
    return timezone.make_aware(datetime(2008, month, day, hour))


def test_suggestion_figures_for_a_month(hq, secretariat, representative, other_liaison, department):
    """March 2008:
    s1 in 3-02, 交办 3-03 (by 3-10), answered 3-09 (on time), rated 不满意 3-12;
    s2 in 3-05, 交办 3-05 (by 3-12), answered 3-15 (late);
    s3 in 3-20, 交办 3-20 (by 3-25), answered only 4-03: overdue at the end of March;
    s4 in 3-25, answered by the 创建办 3-26, rated 基本满意 3-27;
    s5 in 2-28, 交办 2-28 (by 4-05), answered 4-02: nothing of it falls in March.
    """
    A = suggestions.Action

    def submitted(when):
        return helpers.suggestion(representative, hq, now=when)

    def assign(s, when, by_day):
        return suggestions.perform(
            s, A.ASSIGN, by=secretariat, unit=department, deadline=by_day, now=when
        )

    def reply(s, when):
        return suggestions.perform(s, A.REPLY, by=other_liaison, note="已处理", now=when)

    s1 = reply(assign(submitted(at(3, 2)), at(3, 3), date(2008, 3, 10)), at(3, 9))
    suggestions.perform(s1, A.RATE_UNSATISFIED, by=representative, note="未解决", now=at(3, 12))
    reply(assign(submitted(at(3, 5)), at(3, 5), date(2008, 3, 12)), at(3, 15))
    reply(assign(submitted(at(3, 20)), at(3, 20), date(2008, 3, 25)), at(4, 3))
    s4 = suggestions.perform(
        submitted(at(3, 25)), A.ANSWER, by=secretariat, note="已有计划", now=at(3, 26)
    )
    suggestions.perform(s4, A.RATE_BASIC, by=representative, now=at(3, 27))
    reply(assign(submitted(at(2, 28)), at(2, 28), date(2008, 4, 5)), at(4, 2))

    march = Period.month(2008, 3)
    figures = suggestion_figures(hq, march.start, march.end)
    assert figures == {
        "received": 4,
        "converted": 0,
        "assigned": 3,
        "replied": 3,
        "unit_replies": 2,
        "on_time": 1,
        "closed": 0,
        "satisfied": 0,
        "basic": 1,
        "unsatisfied": 1,
        "rated": 2,
        "on_time_rate": Decimal("50.0"),
        "satisfaction_rate": Decimal("50.0"),
        "overdue_replies": 1,
    }
    assert suggestion_figures(hq, date(2008, 3, 1), date(2008, 4, 1)) == figures
