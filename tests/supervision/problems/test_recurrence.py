"""回潮: a problem of the same category at the same site reported within the headquarters' window
(default 30 days) after one there was closed is linked to it — at the window's edges, at another
site, of another category, and not while the earlier one is still open."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civility.org.models import ProblemCategory, Site
from civility.supervision.problems import recurrence, workflow
from civility.supervision.problems.models import Problem
from tests.factories import photo

pytestmark = pytest.mark.django_db
A = workflow.Action
TZ = timezone.get_current_timezone()


def at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=TZ)


def report(inspector, site, category, when):
    problem, _ = workflow.report_problem(
        by=inspector,
        site=site,
        category=category,
        description="门店占道经营",
        photos=[photo("red")],
        now=when,
    )
    return problem


def closed(people, site, category, closed_on):
    """A problem at ``site`` closed at 16:00 on ``closed_on`` (found five days before)."""
    secretariat, inspector = people["secretariat"], people["inspector"]
    liaison = people["liaison"]
    found = at(closed_on - timedelta(days=5))
    problem = report(inspector, site, category, found)
    problem = workflow.perform(problem, A.ASSIGN, by=secretariat, unit=liaison.unit, now=found)
    problem = workflow.perform(
        problem, A.SUBMIT, by=liaison, note="已清理", photos=[photo()], now=at(closed_on, 9)
    )
    return workflow.perform(problem, A.APPROVE, by=inspector, now=at(closed_on, 16))


@pytest.fixture
def people(secretariat, inspector, liaison):
    return {"secretariat": secretariat, "inspector": inspector, "liaison": liaison}


@pytest.fixture
def categories(hq):
    return list(ProblemCategory.objects.filter(headquarters=hq).order_by("order", "id")[:2])


@pytest.fixture
def start():
    return timezone.localdate() - timedelta(days=80)


def test_recurrence_on_the_last_day_of_the_window_is_linked(people, site, categories, start):
    earlier = closed(people, site, categories[0], start)
    # Closed at 16:00 on day 0; reported at 23:00 on day 30: still within 30 days.
    again = report(people["inspector"], site, categories[0], at(start + timedelta(days=30), 23))
    assert again.recurrence_of == earlier
    assert list(earlier.recurrences.all()) == [again]


def test_recurrence_the_day_after_the_window_is_not_linked(people, site, categories, start):
    closed(people, site, categories[0], start)
    again = report(people["inspector"], site, categories[0], at(start + timedelta(days=31), 8))
    assert again.recurrence_of is None


def test_recurrence_window_follows_the_headquarters_setting(people, site, categories, start, hq):
    hq.recurrence_days = 10
    hq.save()
    site.headquarters.refresh_from_db()
    earlier = closed(people, site, categories[0], start)
    tenth = report(people["inspector"], site, categories[0], at(start + timedelta(days=10)))
    eleventh = report(people["inspector"], site, categories[0], at(start + timedelta(days=11)))
    assert tenth.recurrence_of == earlier
    assert eleventh.recurrence_of is None


def test_recurrence_needs_the_same_site(people, site, categories, start):
    closed(people, site, categories[0], start)
    other = Site.objects.filter(headquarters=site.headquarters).exclude(pk=site.pk).first()
    again = report(people["inspector"], other, categories[0], at(start + timedelta(days=3)))
    assert again.recurrence_of is None


def test_recurrence_needs_the_same_category(people, site, categories, start):
    closed(people, site, categories[0], start)
    again = report(people["inspector"], site, categories[1], at(start + timedelta(days=3)))
    assert again.recurrence_of is None


def test_a_problem_still_open_there_is_not_recurred(people, site, categories, start):
    open_one = report(people["inspector"], site, categories[0], at(start))
    workflow.perform(open_one, A.ASSIGN, by=people["secretariat"], unit=people["liaison"].unit)
    again = report(people["inspector"], site, categories[0], at(start + timedelta(days=3)))
    assert again.recurrence_of is None


def test_a_close_after_the_report_time_does_not_count(people, site, categories, start):
    closed(people, site, categories[0], start + timedelta(days=10))
    # Reported (back-dated) on day 9, before the close on day 10.
    again = report(people["inspector"], site, categories[0], at(start + timedelta(days=9)))
    assert again.recurrence_of is None


def test_recurrence_links_the_most_recent_closed_problem(people, site, categories, start):
    closed(people, site, categories[0], start)
    latest = closed(people, site, categories[0], start + timedelta(days=12))
    again = report(people["inspector"], site, categories[0], at(start + timedelta(days=20)))
    assert again.recurrence_of == latest


def test_recurrence_rates_per_unit_site_and_category(people, site, categories, start):
    closed(people, site, categories[0], start)
    again = report(people["inspector"], site, categories[0], at(start + timedelta(days=2)))
    workflow.perform(again, A.ASSIGN, by=people["secretariat"], unit=people["liaison"].unit)
    report(people["inspector"], site, categories[1], at(start + timedelta(days=2)))
    problems = Problem.objects.filter(site=site)
    by_category = {
        row.name: (row.found, row.recurring) for row in recurrence.rates_by_category(problems)
    }
    assert by_category == {categories[0].name: (2, 1), categories[1].name: (1, 0)}
    assert [
        (r.name, r.found, r.recurring, str(r.rate)) for r in recurrence.rates_by_site(problems)
    ] == [(site.name, 3, 1, "33.3")]
    unit_rows = {r.name: (r.found, r.recurring) for r in recurrence.rates_by_unit(problems)}
    assert unit_rows == {people["liaison"].unit.name: (2, 1), "": (1, 0)}
    total = recurrence.overall(problems)
    assert (total.found, total.recurring, str(total.rate)) == (3, 1, "33.3")


def test_problem_pages_show_the_recurrence_link_both_ways(client, people, site, categories, start):
    earlier = closed(people, site, categories[0], start)
    again = report(people["inspector"], site, categories[0], at(start + timedelta(days=6)))
    client.force_login(people["secretariat"])
    page = client.get(reverse("problem_detail", args=[again.number])).content.decode()
    assert 'class="badge recurrence"' in page
    closed_on = f"{start.year}年{start.month}月{start.day}日"
    assert f"该点位同类问题曾于{closed_on}销号：" in page
    assert f'href="{reverse("problem_detail", args=[earlier.number])}"' in page
    earlier_page = client.get(reverse("problem_detail", args=[earlier.number])).content.decode()
    assert "此后回潮：" in earlier_page
    assert f'href="{reverse("problem_detail", args=[again.number])}"' in earlier_page


def test_problem_list_filters_recurring(client, people, site, categories, start):
    earlier = closed(people, site, categories[0], start)
    again = report(people["inspector"], site, categories[0], at(start + timedelta(days=6)))
    client.force_login(people["secretariat"])
    yes = client.get(reverse("problem_list"), {"recurring": "yes", "q": site.name})
    assert [p.number for p in yes.context["table"].data] == [again.number]
    no = client.get(reverse("problem_list"), {"recurring": "no", "q": site.name})
    assert [p.number for p in no.context["table"].data] == [earlier.number]
