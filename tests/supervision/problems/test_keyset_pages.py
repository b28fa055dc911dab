"""Keyset pagination of the problem list (issue 11): 下一页 and 上一页 carry a cursor, deep pages
are read after (sort key, id) instead of with OFFSET, and walking the pages in any sort order
loses and repeats no row, even across rows with equal sort keys or no value."""

import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civility.core import keyset
from civility.core import tables as core_tables
from civility.org.models import ProblemCategory, Site
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Action, Problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEXT = re.compile(r'<a href="([^"]+)" hx-get="([^"]+)"[^>]*rel="next"')
PREV = re.compile(r'<a href="([^"]+)" hx-get="([^"]+)"[^>]*rel="prev"')


@pytest.fixture
def problems(secretariat, inspector, street):
    """Eleven problems: reported at three instants only (equal sort keys), four without a
    deadline (待交办), the others with deadlines that tie in pairs."""
    site = Site.objects.get(name="湖里大道")
    category = ProblemCategory.objects.get(name="占道经营")
    made = []
    for n in range(11):
        problem, _ = workflow.report_problem(
            by=inspector, site=site, category=category, description=f"第{n}个问题"
        )
        if n >= 4:
            problem = workflow.perform(problem, Action.ASSIGN, by=secretariat, unit=street)
        made.append(problem)
    base = datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
    for n, problem in enumerate(made):
        Problem.objects.filter(pk=problem.pk).update(
            reported_at=base + timedelta(hours=n % 3),
            deadline=None if n < 4 else base + timedelta(days=n // 2),
        )
    return made


def walk(client, params: dict) -> tuple[list[str], list[str]]:
    """Follow 下一页 from page 1 to the end; returns the numbers seen and the links followed."""
    response = client.get(reverse("problem_list"), params)
    seen, links = [], []
    while True:
        seen += [row.record.number for row in response.context["table"].page.object_list]
        found = NEXT.search(response.content.decode())
        if found is None:
            return seen, links
        href, hx = unescape(found[1]), unescape(found[2])
        assert href == hx  # the link works with and without HTMX
        links.append(href)
        response = client.get(reverse("problem_list") + href, HTTP_HX_REQUEST="true",
                              HTTP_HX_TARGET=core_tables.TABLE_REGION)  # fmt: skip
        assert response.status_code == 200


def expected(ordering: list[str]) -> list[str]:
    return list(Problem.objects.order_by(*ordering).values_list("number", flat=True))


@pytest.mark.parametrize(
    ("sort", "ordering"),
    [
        (None, ["-reported_at", "-id"]),
        ("reported_at", ["reported_at", "id"]),
        ("deadline", ["deadline", "id"]),
        ("-deadline", ["-deadline", "-id"]),
        ("number", ["number", "id"]),
        ("-site", ["-site__name", "-id"]),
    ],
)
def test_next_pages_lose_and_repeat_no_row(client, leader, problems, sort, ordering):
    client.force_login(leader)
    params = {"per_page": 2, **({"sort": sort} if sort else {})}
    seen, links = walk(client, params)
    assert seen == expected(ordering)
    assert len(set(seen)) == len(problems)
    assert all("cursor=" in link for link in links)  # every later page continued by keyset


def test_previous_pages_walk_back_the_same_rows(client, leader, problems):
    client.force_login(leader)
    seen, links = walk(client, {"per_page": 2, "sort": "deadline"})
    response = client.get(reverse("problem_list") + links[-1])
    pages = [[row.record.number for row in response.context["table"].page.object_list]]
    while (found := PREV.search(response.content.decode())) is not None:
        response = client.get(reverse("problem_list") + unescape(found[1]))
        pages.insert(0, [row.record.number for row in response.context["table"].page.object_list])
    assert sum(pages, []) == seen
    assert response.context["table"].page.number == 1


def test_a_cursor_of_another_sort_order_is_ignored(client, leader, problems):
    client.force_login(leader)
    _seen, links = walk(client, {"per_page": 2, "sort": "deadline"})
    cursor = re.search(r"cursor=([^&]+)", links[0])[1]
    response = client.get(reverse("problem_list"), {"per_page": 2, "page": 2, "sort": "number",
                                                    "cursor": cursor})  # fmt: skip
    numbers = [row.record.number for row in response.context["table"].page.object_list]
    assert numbers == expected(["number", "id"])[2:4]  # read with OFFSET instead
    junk = client.get(reverse("problem_list"), {"page": 2, "per_page": 2, "cursor": "%%%"})
    assert junk.status_code == 200


def test_deep_pages_link_no_neighbouring_numbers(client, leader, problems, monkeypatch):
    monkeypatch.setattr(core_tables, "FRONT_PAGES", 2)
    client.force_login(leader)
    _seen, links = walk(client, {"per_page": 2})
    page = client.get(reverse("problem_list") + links[2]).context["table"].page  # page 4
    assert page.number == 4 and page.window == [1, "...", 4, "..."]


def test_keyset_page_costs_the_queries_of_an_offset_page(client, leader, problems):
    client.force_login(leader)
    _seen, links = walk(client, {"per_page": 2})
    client.get(reverse("problem_list"), {"per_page": 2, "page": 3})  # warm caches
    with CaptureQueriesContext(connection) as offset:
        client.get(reverse("problem_list"), {"per_page": 2, "page": 3})
    with CaptureQueriesContext(connection) as seek:
        client.get(reverse("problem_list") + links[1])
    assert len(seek) == len(offset)
    sql = [q["sql"] for q in seek.captured_queries if "OFFSET" in q["sql"].upper()]
    assert not sql


def test_keys_follow_joins_and_refuse_relations():
    keys = keyset.keys_for(Problem.objects.order_by("-site__name"))
    assert [(k.path, k.descending) for k in keys] == [("site__name", True), ("id", True)]
    assert keyset.keys_for(Problem.objects.order_by("site")) is None
    assert keyset.keys_for(Problem.objects.order_by("category_id"))[0].path == "category_id"
    assert keyset.decode(keyset.encode(keys, ["x", 1]), keys) == ("a", ["x", 1])
    assert keyset.decode("bm90IGpzb24", keys) is None
