"""A busy unit's visibility has three plans (issue 11): the UNION of indexed lookups, a walk
that looks each row up in the unit's few cooperating links (``pk IN``; on SQLite, for the list,
``primary_unit_id + 0``), and a walk that probes the links per row when there are many. Each
gives the same rows, whether the list reads them (``walk``) or the inbox counts them."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from civility.supervision.problems import permissions
from civility.supervision.problems.permissions import problems_visible_to
from tests.supervision.problems.test_list_at_scale import numbers, page_numbers, site, spread

__all__ = ["site", "spread"]  # fixtures


@pytest.fixture(autouse=True)
def _fresh_plan_cache():
    cache.clear()
    yield
    cache.clear()


# liaison's unit: primary on one problem, cooperating on one; other_liaison's: primary on one.
PLANS = {"union": 10**9, "few_links": 2, "many_links": 1}


@pytest.mark.parametrize("walk", [False, True], ids=["count", "walk"])
@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("persona", ["liaison", "other_liaison"])
def test_every_plan_gives_the_same_rows(request, monkeypatch, spread, persona, plan, walk):
    user = request.getfixturevalue(persona)
    monkeypatch.setattr(permissions, "MANY", PLANS[plan])
    expected = {
        "liaison": {spread["primary"].number, spread["cooperating"].number},
        "other_liaison": {spread["cooperating"].number},
    }[persona]
    assert numbers(problems_visible_to(user, walk=walk)) == expected


def test_few_links_plan_is_the_one_taken(monkeypatch, liaison, spread):
    monkeypatch.setattr(permissions, "MANY", 2)
    assert permissions.unit_sees_many(liaison.unit_id)
    sql = str(problems_visible_to(liaison, walk=True).query)
    assert " IN (SELECT" in sql and "LIMIT 1" not in sql


@pytest.mark.parametrize("plan", PLANS)
def test_busy_liaison_list_pages_in_order(client, monkeypatch, liaison, spread, plan):
    monkeypatch.setattr(permissions, "MANY", PLANS[plan])
    client.force_login(liaison)
    response = client.get(reverse("problem_list"), {"per_page": 1})
    first = page_numbers(response)
    second = page_numbers(client.get(reverse("problem_list"), {"per_page": 1, "page": 2}))
    newest_first = [spread["cooperating"].number, spread["primary"].number]
    assert first + second == newest_first
