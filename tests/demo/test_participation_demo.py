"""The demo's 全民参与 (civility/demo/participation.py): suggestions in every state with ratings, a
year of activities over the five series, a complete selection, budgets beside 2006 and 2007 —
made through the services, and nothing added when it runs again."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from civility.demo.participation import seed_participation
from civility.org.models import Headquarters, Unit
from civility.participation.models import (
    Activity,
    Budget,
    ParticipatingOrganisation,
    Selection,
    SelectionResult,
    Suggestion,
    SuggestionEvent,
)
from civility.supervision.notifications.models import Notification
from civility.supervision.problems.models import Problem

S = Suggestion.Status


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.getbasetemp() / "media"
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            call_command("demo_users", "--force", stdout=io.StringIO())
            out = io.StringIO()
            call_command("seed_demo", "--force", "--problems", "40", "--months", "2", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_demo_has_suggestions_in_every_state_with_ratings(seeded):
    assert "全民参与：" in seeded
    assert set(Suggestion.objects.values_list("status", flat=True)) == set(S.values)
    ratings = set(Suggestion.objects.exclude(rating="").values_list("rating", flat=True))
    assert ratings == {"satisfied", "basic", "unsatisfied"}
    # One went round twice: 不满意, then answered again and 满意.
    twice = Suggestion.objects.filter(returned_count=1, rating="satisfied").get()
    actions = list(twice.events.values_list("action", flat=True))
    assert actions.count("assign") == 2 and actions[-1] == "rate_satisfied"


def test_demo_suggestions_follow_their_problems(seeded):
    for suggestion in Suggestion.objects.filter(status=S.CLOSED):
        statuses = set(suggestion.problems.values_list("status", flat=True))
        assert statuses <= {Problem.Status.CLOSED, Problem.Status.VOID}
        assert suggestion.closed_at == max(suggestion.problems.values_list("closed_at", flat=True))
    converted = Suggestion.objects.filter(status=S.CONVERTED).get()
    assert converted.problems.exclude(status=Problem.Status.CLOSED).exists()
    assert Problem.objects.filter(suggestions__isnull=False, source="suggestion").count() == (
        Suggestion.objects.filter(problems__isnull=False).count()
    )


def test_demo_history_is_in_the_past_and_notified(seeded):
    now = timezone.now()
    assert not SuggestionEvent.objects.filter(at__gt=now).exists()
    for suggestion in Suggestion.objects.prefetch_related("events"):
        events = list(suggestion.events.all())
        assert events[0].action == "submit" and events[-1].to_status == suggestion.status
    notes = Notification.objects.filter(kind="suggestion")
    assert notes.count() >= Suggestion.objects.count()
    assert not notes.filter(created_at__gt=now).exists()
    assert (
        notes.filter(read_at__isnull=True).exists() and notes.filter(read_at__isnull=False).exists()
    )


def test_demo_has_a_year_of_activities_in_five_series(seeded):
    per_series = dict(Activity.objects.values_list("series__name").annotate(n=Count("id")))
    assert len(per_series) == 5 and min(per_series.values()) >= 5
    days = Activity.objects.order_by("date").values_list("date", flat=True)
    assert (days.last() - days.first()).days >= 330


def test_demo_has_a_complete_selection_and_an_open_one(seeded):
    done = Selection.objects.get(status=Selection.Status.PUBLISHED)
    assert done.publicity_end < done.published_at.date()
    assert SelectionResult.objects.filter(selection=done).count() == done.quota
    assert Selection.objects.filter(status=Selection.Status.NOMINATING).exists()


def test_demo_budgets_carry_2006_and_2007(seeded):
    hq = Headquarters.objects.get(code="HL")
    totals = {
        year: amount
        for year, amount in Budget.objects.filter(
            headquarters=hq, year__in=[2006, 2007]
        ).values_list("year", "amount")
    }
    assert totals == {2006: 35276, 2007: 48108}
    assert Budget.objects.filter(year=timezone.localdate().year).count() == 4


def test_demo_four_levels(seeded):
    assert Unit.objects.filter(kind=Unit.Kind.NEIGHBOURHOOD).count() == 6
    assert ParticipatingOrganisation.objects.count() == 6


def test_demo_participation_runs_again_without_adding(seeded):
    hq = Headquarters.objects.get(code="HL")
    counts = [m.objects.count() for m in (Suggestion, Activity, Selection, Budget, Unit, Problem)]
    assert seed_participation(hq) == ""
    assert [
        m.objects.count() for m in (Suggestion, Activity, Selection, Budget, Unit, Problem)
    ] == (counts)
