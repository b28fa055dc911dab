"""Journeys through a real Chromium: the only tests that prove HTMX swaps and CSRF work."""

import io

import openpyxl
import pytest
from django.db.models import Q

from civility.core.roles import Role
from civility.org.models import Assignment, WorkGroup
from tests.conftest import browser_login, make_user

pytestmark = pytest.mark.browser


def screen_goals(page) -> list[str]:
    cells = page.locator("#assignments-table tbody tr td:nth-child(3)")
    return sorted(cells.all_inner_texts())


def test_browser_filter_assignments_with_htmx_and_export_xlsx(live_huli, live_server, page):
    make_user("b_leader", Role.LEADER)
    browser_login(page, live_server, "b_leader")
    page.goto(f"{live_server.url}/assignments/")
    total = Assignment.objects.count()
    assert page.locator("#row-count").inner_text() == f"共 {total} 条"
    # A marker on window survives an HTMX swap but not a full page load.
    page.evaluate("window.__noReload = true")

    group = WorkGroup.objects.get(name="市容环境整治组")
    expected = sorted(Assignment.objects.filter(work_group=group).values_list("goal", flat=True))
    with page.expect_response(lambda r: "work_group=" in r.url):
        page.get_by_label("工作组").select_option(label=group.name)
    page.wait_for_function(
        "count => document.querySelector('#row-count').innerText === count",
        arg=f"共 {len(expected)} 条",
    )
    assert page.evaluate("window.__noReload") is True
    assert f"work_group={group.pk}" in page.url
    assert screen_goals(page) == expected

    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    workbook = openpyxl.load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read()))
    rows = list(workbook.active.iter_rows(values_only=True))
    goal_col = rows[0].index("目标")
    assert sorted(row[goal_col] for row in rows[1:]) == expected

    # Back restores the unfiltered list.
    page.go_back()
    page.wait_for_function(
        "count => document.querySelector('#row-count').innerText === count", arg=f"共 {total} 条"
    )


def test_browser_sort_and_paginate_assignments(live_huli, live_server, page):
    make_user("b_secretariat", Role.SECRETARIAT)
    browser_login(page, live_server, "b_secretariat")
    page.goto(f"{live_server.url}/assignments/")
    page.evaluate("window.__noReload = true")
    page.locator("#assignments-table thead").get_by_role("link", name="完成时限").click()
    page.wait_for_url("**sort=due_date**")
    page.locator(".pagination").get_by_role("link", name="2", exact=True).click()
    page.wait_for_url("**page=2**")
    assert page.evaluate("window.__noReload") is True
    assert page.locator(".pagination .current").inner_text() == "2"
    dues = page.locator("#assignments-table tbody tr td:nth-child(5)").all_inner_texts()
    assert len(dues) == min(25, Assignment.objects.count() - 25)
    dated = [d for d in dues if d != "—"]
    assert dated == sorted(dated)


def test_browser_keyword_pasted_into_search_filters_assignments(live_huli, live_server, page):
    # Pasting, autofill and a Chinese input method change the box without a keyup of their own:
    # the search follows the input event.
    make_user("b_leader", Role.LEADER)
    browser_login(page, live_server, "b_leader")
    page.goto(f"{live_server.url}/assignments/")
    page.evaluate("window.__noReload = true")
    word = "公益广告"
    matching = Assignment.objects.filter(
        Q(goal__icontains=word)
        | Q(task__icontains=word)
        | Q(requirements__icontains=word)
        | Q(responsible_person__icontains=word)
        | Q(unit__name__icontains=word)
    )
    expected = sorted(matching.values_list("goal", flat=True))
    assert 0 < len(expected) < Assignment.objects.count()
    with page.expect_response(lambda r: "q=%E5%85%AC" in r.url):
        page.locator("#id_q").fill(word)
    page.wait_for_function(
        "count => document.querySelector('#row-count').innerText === count",
        arg=f"共 {len(expected)} 条",
    )
    assert page.evaluate("window.__noReload") is True
    assert screen_goals(page) == expected
