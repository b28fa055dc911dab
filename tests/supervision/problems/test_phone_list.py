"""The problem list on a phone (issue 10): the filters fold behind 筛选 so problems come first, the
sort headers stay on one line, and the tab bar shows that it scrolls."""

import re

import pytest
from django.urls import reverse

from civility.core.roles import Role
from civility.org.models import Unit
from tests.conftest import browser_login, make_user
from tests.factories import problem_in, street_site

pytestmark = pytest.mark.django_db

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_problem_list_folds_the_filters_behind_a_toggle(client, secretariat):
    client.force_login(secretariat)
    html = client.get(reverse("problem_list")).content.decode()
    panel = re.search(r'<details class="filter-panel"[^>]*>(.*?)</details>\s*$', html, re.S | re.M)
    assert panel is not None
    assert re.search(r'<summary class="filter-toggle">筛选<span class="filter-count"', html)
    assert 'id="problem-filters"' in panel.group(1)
    assert "data-filter-count></span>" in html  # nothing set


def test_problem_list_toggle_counts_the_filters_set(client, secretariat, street):
    client.force_login(secretariat)
    html = client.get(
        reverse("problem_list"), {"status": "assigned", "street": street.pk, "q": " "}
    ).content.decode()
    assert "data-filter-count>2</span>" in html


def test_problem_list_opens_the_panel_when_a_filter_is_wrong(client, secretariat):
    client.force_login(secretariat)
    html = client.get(reverse("problem_list"), {"date_from": "not-a-date"}).content.decode()
    assert re.search(r'<details class="filter-panel"[^>]* open>', html)


@pytest.fixture
def listed(live_huli):
    street = Unit.objects.get(name="湖里街道")
    people = {
        "secretariat": make_user("b_secretariat", Role.SECRETARIAT, is_staff=True),
        "liaison": make_user("b_liaison", Role.LIAISON, unit=street),
        "inspector": make_user("b_inspector", Role.INSPECTOR),
    }
    site = street_site(street)
    return [problem_in("assigned", site=site, **people) for _ in range(3)]


@pytest.mark.browser
def test_browser_phone_problem_list_shows_problems_before_filters(live_server, page, listed):
    page.set_viewport_size(PHONE)
    browser_login(page, live_server, "b_secretariat")
    page.goto(f"{live_server.url}{reverse('problem_list')}")
    assert not page.locator("#problem-filters").is_visible()
    first = page.locator("#table-region tbody tr").first
    box = first.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]  # a problem on the first screen
    # The sort headers stay on one line.
    tops = page.eval_on_selector_all(
        ".table.problems thead th",
        "ths => ths.map(th => Math.round(th.getBoundingClientRect().top))",
    )
    assert len(set(tops)) == 1
    page.locator(".filter-toggle").click()
    assert page.locator("#problem-filters").is_visible()
    page.get_by_label("状态").select_option(label="待整改")
    page.locator("#table-region").get_by_text(listed[0].number).wait_for()
    assert page.locator("[data-filter-count]").inner_text() == "1"


@pytest.mark.browser
def test_browser_desktop_problem_list_shows_the_filters(live_server, page, listed):
    page.set_viewport_size(DESKTOP)
    browser_login(page, live_server, "b_secretariat")
    page.goto(f"{live_server.url}{reverse('problem_list')}")
    assert page.locator("#problem-filters").is_visible()
    assert not page.locator(".filter-toggle").is_visible()


@pytest.mark.browser
def test_browser_phone_tab_bar_shows_that_it_scrolls(live_server, page, listed):
    page.set_viewport_size(PHONE)
    browser_login(page, live_server, "b_secretariat")
    nav = page.locator("nav.mainnav")
    page.wait_for_function(
        "() => document.querySelector('nav.mainnav').classList.contains('more-right')"
    )
    arrow = page.evaluate(
        "getComputedStyle(document.querySelector('nav.mainnav'), '::after').content"
    )
    assert arrow == '"›"'
    nav.evaluate("n => n.scrollTo(n.scrollWidth, 0)")
    page.wait_for_function(
        "() => !document.querySelector('nav.mainnav').classList.contains('more-right')"
    )
    assert "more-left" in nav.get_attribute("class")
    nav.get_by_role("link", name="责任分解", exact=True).click()
    page.wait_for_url(f"**{reverse('assignments')}")
    # On the page of a tab at the end, that tab is in view and the bar points back to the start.
    current = page.locator('nav.mainnav [aria-current="page"]')
    assert current.inner_text() == "责任分解"
    box = current.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]
    assert "more-left" in nav.get_attribute("class")


@pytest.mark.browser
def test_browser_desktop_tab_bar_has_no_scroll_hint(live_server, page, listed):
    page.set_viewport_size(DESKTOP)
    browser_login(page, live_server, "b_secretariat")
    classes = page.locator("nav.mainnav").get_attribute("class")
    assert "more-right" not in classes and "more-left" not in classes


@pytest.mark.browser
def test_browser_export_says_at_once_that_the_file_is_coming(live_server, page, listed):
    page.set_viewport_size(DESKTOP)
    browser_login(page, live_server, "b_secretariat")
    page.goto(f"{live_server.url}{reverse('problem_list')}")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert page.locator(".toast").first.inner_text().startswith("正在生成导出文件")
    assert download.value.suggested_filename.endswith(".xlsx")
