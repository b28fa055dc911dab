"""Every participation list costs the same number of queries for one row as for several."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civility.org.models import ProblemCategory
from civility.participation import suggestions
from civility.participation.models import Allocation, BudgetProject, Selection, Spending
from civility.participation.suggestions import ProblemDraft
from tests.conftest import client_for
from tests.factories import photo
from tests.participation import helpers

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def constant(client, url, add_row):
    add_row(0)
    client.get(url)  # warm caches (content types, sessions)
    one = queries(client, url)
    add_row(1)
    add_row(2)
    assert queries(client, url) == one


def test_suggestion_list_and_export(client, hq, site, street, secretariat, representative):
    client_for(client, secretariat)

    def add(i):
        made = helpers.assigned(representative, hq, secretariat, street, site=site)
        category = ProblemCategory.objects.first()
        other = helpers.suggestion(representative, hq, site=site)
        suggestions.convert(other, [ProblemDraft(site, category, f"问题{i}")], by=secretariat)
        return made

    constant(client, reverse("suggestion_list"), add)
    constant(client, reverse("suggestion_list") + "?_export=xlsx", add)


def test_suggestion_detail_with_more_problems(
    client, hq, site, street, secretariat, representative
):
    suggestion = helpers.suggestion(representative, hq, site=site, photos=[photo()])
    category = ProblemCategory.objects.first()
    suggestion = suggestions.convert(
        suggestion, [ProblemDraft(site, category, "一", unit=street)], by=secretariat
    )
    client_for(client, representative)
    url = reverse("suggestion_detail", args=[suggestion.pk])
    client.get(url)
    one = queries(client, url)
    for i in range(2):
        problem, _ = suggestions.workflow.report_problem(
            by=secretariat, site=site, category=category, description=f"再{i}", photos=[photo()]
        )
        suggestion.problems.add(problem)
    assert queries(client, url) == one


def test_activity_list_and_series_page(client, street, leader, liaison):
    client_for(client, leader)
    made = helpers.activity(liaison, street)
    helpers.activity(liaison, street)  # a row to compare with
    constant(client, reverse("activity_list"), lambda i: helpers.activity(liaison, street))
    constant(
        client,
        reverse("series_detail", args=[made.series_id]),
        lambda i: helpers.activity(liaison, street, day=date.today().replace(day=1)),
    )


def test_selection_list_and_detail(client, hq, street, secretariat, liaison):
    client_for(client, secretariat)
    kinds = list(Selection.Kind)
    constant(client, reverse("selection_list"), lambda i: helpers.selection(hq, kind=kinds[i]))
    selection = Selection.objects.first()
    constant(
        client,
        reverse("selection_detail", args=[selection.pk]),
        lambda i: helpers.nominate(selection, liaison, street, f"物业{i}", with_photo=True),
    )


def test_budget_page_and_export(client, hq, street, department, leader):
    client_for(client, leader)
    units = [street, department, street.children.first()]
    names = itertools.count()

    def add(i):
        project = BudgetProject.objects.create(
            headquarters=hq, year=2008, name=f"项目{next(names)}", amount=Decimal(100)
        )
        Allocation.objects.create(project=project, unit=units[i], amount=Decimal(60))
        Spending.objects.create(
            project=project,
            unit=units[i],
            date=date(2008, 4, 1),
            amount=Decimal(10),
            description="x",
        )

    constant(client, reverse("budget_year", args=[2008]), add)
    constant(client, reverse("budget_xlsx", args=[2008]), add)
