"""Report URLs carry a Period: the converters convert, and a bad period is a 404 (never a 500)."""

import pytest
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone

from civility.core.periods import Period
from civility.reports.models import Report
from tests.reports.test_report_pages import login

pytestmark = pytest.mark.django_db


def test_converters_hand_the_view_a_period():
    match = resolve("/reports/weekly/2026-W48/")
    assert match.kwargs["period"] == Period.parse("2026-W48")
    assert match.kwargs["period"].label == "2026年第48周（11月23日—11月29日）"
    match = resolve("/reports/monthly/2026-11/compile/")
    assert (match.kwargs["kind"], match.kwargs["period"]) == ("monthly", Period.month(2026, 11))


def test_urls_are_reversed_from_a_period_or_its_url_form():
    week = Period.parse("2026-W01")
    assert reverse("report_weekly", args=[week]) == "/reports/weekly/2026-W01/"
    assert reverse("report_monthly_xlsx", args=["2026-03"]) == "/reports/monthly/2026-03.xlsx"
    assert reverse("report_compile", args=["weekly", week]) == "/reports/weekly/2026-W01/compile/"
    with pytest.raises(NoReverseMatch):
        reverse("report_weekly", args=[Period.month(2026, 3)])  # a month is no week


@pytest.mark.parametrize(
    "url",
    [
        "/reports/weekly/2025-W53/",
        "/reports/monthly/2026-13/print/",
        "/reports/monthly/0000-01.xlsx",
        "/reports/weekly/2026-03/",
        "/reports/monthly/2026-W11/",
    ],
)
def test_a_period_that_does_not_exist_is_not_found(client, leader, url):
    response = login(client, leader).get(url)
    assert response.status_code == 404
    assert b"Traceback" not in response.content


@pytest.mark.parametrize(
    "url", ["/reports/weekly/2026-03/compile/", "/reports/monthly/2026-W11/compile/"]
)
def test_compile_of_the_other_kind_of_period_is_not_found(client, march, url):
    response = login(client, march["secretariat"]).post(url, {"hq": march["hq"].pk})
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_compile_of_a_week_that_does_not_exist_is_not_found(client, march):
    response = login(client, march["secretariat"]).post(
        "/reports/weekly/2026-W54/compile/", {"hq": march["hq"].pk}
    )
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_index_offers_last_weeks_and_last_months_periods(client, march):
    today = timezone.localdate()
    content = login(client, march["secretariat"]).get("/reports/").content.decode()
    for kind, name in (("week", "weekly"), ("month", "monthly")):
        last = Period.last_ended(kind, today)
        assert reverse("report_compile", args=[name, last]) in content
        assert f"（{last}）" in content
