"""The dashboard's 回潮 rates per unit and per category (SPEC §7), each linking to the problems it
counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civility.core.periods import MONTH, Period
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem
from tests.campaign.conftest import report
from tests.factories import photo

pytestmark = pytest.mark.django_db
A = workflow.Action


def test_home_shows_this_months_recurrence_per_unit_and_category(
    client, leader, secretariat, inspector, liaison, sites, categories
):
    now = timezone.now()
    month = Period.of(timezone.localdate(now), MONTH)
    if now - month.start < timedelta(minutes=10):
        pytest.skip("the month began minutes ago")
    occupy = categories["占道经营"]
    first = report(inspector, sites[0], occupy, now - timedelta(minutes=6))
    first = workflow.perform(
        first, A.ASSIGN, by=secretariat, unit=liaison.unit, now=now - timedelta(minutes=6)
    )
    first = workflow.perform(
        first, A.SUBMIT, by=liaison, note="已整改", photos=[photo()],
        now=now - timedelta(minutes=5),
    )  # fmt: skip
    workflow.perform(first, A.APPROVE, by=inspector, now=now - timedelta(minutes=4))
    again = report(inspector, sites[0], occupy, now - timedelta(minutes=2))
    workflow.perform(
        again, A.ASSIGN, by=secretariat, unit=liaison.unit, now=now - timedelta(minutes=2)
    )
    assert Problem.objects.get(pk=again.pk).recurrence_of_id == first.pk
    client.force_login(leader)
    body = client.get(reverse("home")).content.decode()
    since = f"{month.first:%Y-%m-%d}"
    unit_url = (
        reverse("problem_list") + f"?unit={liaison.unit_id}&amp;recurring=yes&amp;date_from={since}"
    )
    category_url = (
        reverse("problem_list") + f"?category={occupy.pk}&amp;recurring=yes&amp;date_from={since}"
    )
    assert f'<a href="{unit_url}">{liaison.unit.name}</a> 1/2（50.0%）' in body
    assert f'<a href="{category_url}">占道经营</a> 1/2（50.0%）' in body
