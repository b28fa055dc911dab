"""典型评选: nominations, review, 公示 and results — and no results before the 公示 period ends."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from civility.core.errors import NotAllowed
from civility.participation import selections
from civility.participation.models import Selection, SelectionResult
from tests.conftest import client_for
from tests.participation import helpers

pytestmark = pytest.mark.django_db
S = Selection.Status


def at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def on_publicity(hq, street, department, secretariat, liaison, other_liaison):
    selection = helpers.selection(hq, quota=2)
    first = helpers.nominate(selection, liaison, street, "金山花园物业")
    second = helpers.nominate(selection, other_liaison, department, "禾山物业")
    helpers.nominate(selection, liaison, street, "兴隆花园物业")
    selection = selections.start_review(selection, by=secretariat)
    marks = {first.pk: (Decimal("88.5"), True, ""), second.pk: (Decimal("92"), True, "")}
    selection = selections.review(selection, marks, by=secretariat)
    today = timezone.localdate()
    selection = selections.start_publicity(
        selection, by=secretariat, start=today, end=today + timedelta(days=6)
    )
    return selection, first, second


def test_results_cannot_be_published_before_the_publicity_ends(on_publicity, secretariat):
    selection, _first, _second = on_publicity
    last_day = selection.publicity_end
    for moment in (at(selection.publicity_start), at(last_day, 23)):
        with pytest.raises(ValidationError) as error:
            selections.publish_results(selection, by=secretariat, now=moment)
        assert error.value.messages == [
            f"公示期至 {last_day:%Y-%m-%d} 结束，公示期满后才能公布结果。"
        ]
    selection.refresh_from_db()
    assert selection.status == S.PUBLICITY
    assert SelectionResult.objects.count() == 0


def test_results_published_the_day_after_publicity_ranked_by_score(on_publicity, secretariat):
    selection, first, second = on_publicity
    next_day = at(selection.publicity_end + timedelta(days=1), 8)
    selection = selections.publish_results(selection, by=secretariat, now=next_day)
    assert (selection.status, selection.published_at) == (S.PUBLISHED, next_day)
    year = timezone.localdate().year
    results = list(selection.results.values_list("rank", "nomination", "title"))
    assert results == [
        (1, second.pk, f"{year}年度十佳文明物业"),
        (2, first.pk, f"{year}年度十佳文明物业"),
    ]


def test_publish_button_waits_for_the_end_of_publicity(client, on_publicity, secretariat):
    selection, _first, _second = on_publicity
    client_for(client, secretariat)
    url = reverse("selection_detail", args=[selection.pk])
    body = client.get(url).content.decode()
    assert "公示期满后才能公布结果" in body and "公布结果</button>" not in body
    response = client.post(reverse("selection_publish", args=[selection.pk]), follow=True)
    assert "公示期满后才能公布结果" in response.content.decode()
    assert Selection.objects.get(pk=selection.pk).status == S.PUBLICITY


def test_shortlist_beyond_the_quota_is_refused(hq, street, secretariat, liaison):
    selection = helpers.selection(hq, quota=1)
    a = helpers.nominate(selection, liaison, street, "甲物业")
    b = helpers.nominate(selection, liaison, street, "乙物业")
    selection = selections.start_review(selection, by=secretariat)
    marks = {a.pk: (Decimal(90), True, ""), b.pk: (Decimal(80), True, "")}
    with pytest.raises(ValidationError) as error:
        selections.review(selection, marks, by=secretariat)
    assert error.value.messages == ["入围 2 个，超过名额 1 个。"]
    assert not selection.nominations.filter(shortlisted=True).exists()


def test_publicity_needs_a_shortlist(hq, street, secretariat, liaison):
    selection = helpers.selection(hq)
    helpers.nominate(selection, liaison, street, "甲物业")
    selection = selections.start_review(selection, by=secretariat)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        selections.start_publicity(selection, by=secretariat, start=today, end=today)
    assert error.value.messages == ["请先在评审中确定入围对象。"]


def test_liaison_nominates_only_for_their_unit_and_only_while_open(
    hq, street, department, secretariat, liaison
):
    selection = helpers.selection(hq)
    with pytest.raises(NotAllowed):
        helpers.nominate(selection, liaison, department, "别人的物业")
    helpers.nominate(selection, liaison, street, "金山花园物业")
    with pytest.raises(ValidationError) as error:
        helpers.nominate(selection, liaison, street, "金山花园物业")
    assert error.value.message_dict == {"nominee": ["该对象已被推荐参加本次评选。"]}
    selections.start_review(selection, by=secretariat)
    selection.refresh_from_db()
    with pytest.raises(NotAllowed):
        helpers.nominate(selection, liaison, street, "迟到的物业")


def test_only_the_secretariat_moves_a_selection(hq, street, leader, liaison):
    selection = helpers.selection(hq)
    helpers.nominate(selection, liaison, street, "金山花园物业")
    for person in (leader, liaison):
        with pytest.raises(NotAllowed):
            selections.start_review(selection, by=person)
    assert Selection.objects.get(pk=selection.pk).status == S.NOMINATING


def test_selection_pages_walk_through_review_and_publicity(
    client, hq, street, secretariat, liaison
):
    selection = helpers.selection(hq, quota=1)
    nomination = helpers.nominate(selection, liaison, street, "金山花园物业")
    client_for(client, secretariat)
    client.post(reverse("selection_start_review", args=[selection.pk]))
    response = client.post(
        reverse("selection_review", args=[selection.pk]),
        {f"score_{nomination.pk}": "91.5", f"shortlisted_{nomination.pk}": "on"},
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert (nomination.score, nomination.shortlisted) == (Decimal("91.5"), True)
    today = timezone.localdate()
    client.post(
        reverse("selection_publicity", args=[selection.pk]),
        {"start": today.isoformat(), "end": (today + timedelta(days=5)).isoformat()},
    )
    selection.refresh_from_db()
    assert (selection.status, selection.publicity_end) == (S.PUBLICITY, today + timedelta(days=5))
    body = client.get(reverse("selection_detail", args=[selection.pk])).content.decode()
    assert "金山花园物业" in body and "91.5 分" in body


def test_nomination_form_for_a_liaison(client, hq, street, liaison):
    selection = helpers.selection(hq)
    client_for(client, liaison)
    url = reverse("nomination_new", args=[selection.pk])
    form = client.get(url).context["form"]
    assert [choice for choice in form.fields["unit"].choices] == [(street.pk, street.name)]
    response = client.post(
        url,
        {
            "unit": street.pk,
            "nominee_kind": "unit",
            "nominee": "金山花园物业",
            "materials": "连续三年零投诉。",
            "client_token": "8c8c7a36-7c71-4f0e-a7ea-7a3df0c7a001",
        },
    )
    assert response.status_code == 302
    assert selection.nominations.get().nominee == "金山花园物业"
