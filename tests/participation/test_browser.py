"""The suggestion journey in a real Chromium: the representative submits from a phone with a
photo, the secretariat turns it into a problem, the liaison fixes it, the inspector approves it,
and the representative sees the suggestion closed and rates it."""

import pytest

from civility.core.roles import Role
from civility.org.models import Site, Unit
from civility.participation.models import Suggestion
from civility.supervision.problems.models import Problem
from tests.conftest import browser_login, make_user
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def person(browser, live_server, username, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    browser_login(page, live_server, username)
    return page


def test_browser_suggestion_from_phone_to_problem_closed_and_rated(live_huli, live_server, browser):
    street = Unit.objects.get(name="湖里街道")
    site = Site.objects.get(name="湖里大道")
    site.default_unit = street
    site.save(update_fields=["default_unit"])
    make_user("b_rep", Role.REPRESENTATIVE, name="黄代表")
    make_user("b_sec", Role.SECRETARIAT)
    make_user("b_liaison", Role.LIAISON, unit=street)
    make_user("b_inspector", Role.INSPECTOR)

    # The representative, on a phone.
    rep = person(browser, live_server, "b_rep", PHONE)
    rep.locator("#home-suggestions").get_by_role("link", name="提建议").click()
    rep.get_by_label("类别").select_option(label="市容环境")
    rep.get_by_label("建议内容").fill("湖里大道人行道上堆放建筑垃圾，影响通行。")
    rep.get_by_label("搜索点位").fill("湖里大")
    rep.locator("[data-pick-site]", has_text="湖里大道").first.click()
    assert rep.get_by_label("点位（可选）").input_value() == str(site.pk)
    rep.get_by_label("照片").set_input_files(
        [{"name": "spot.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes("gray")}]
    )
    rep.get_by_role("button", name="提交建议").click()
    rep.locator("#suggestion-status", has_text="待处理").wait_for()
    suggestion = Suggestion.objects.get()
    assert (suggestion.site, suggestion.photos.count()) == (site, 1)
    assert rep.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The secretariat turns it into a problem for the street, in the modal.
    sec = person(browser, live_server, "b_sec")
    sec.goto(f"{live_server.url}/suggestions/{suggestion.pk}/")
    sec.locator("#suggestion-actions").get_by_role("link", name="转为问题").click()
    modal = sec.locator("#modal")
    modal.get_by_label("问题类别").first.select_option(label="暴露垃圾")
    assert modal.get_by_label("点位").first.input_value() == str(site.pk)
    assert modal.get_by_label("交办单位").first.input_value() == str(street.pk)
    modal.get_by_role("button", name="转为问题").click()
    sec.locator("#suggestion-status", has_text="办理中").wait_for()
    problem = Problem.objects.get(source="suggestion")
    sec.locator("#suggestion-problems", has_text=problem.number).wait_for()

    # The liaison submits the rectification; the inspector approves it.
    liaison = person(browser, live_server, "b_liaison")
    liaison.goto(f"{live_server.url}/problems/{problem.number}/")
    liaison.locator("#problem-actions").get_by_role("link", name="提交整改").click()
    modal = liaison.locator("#modal")
    modal.get_by_label("整改情况说明").fill("建筑垃圾已清运。")
    modal.get_by_label("整改后照片").set_input_files(
        [{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes("green")}]
    )
    modal.get_by_role("button", name="提交整改").click()
    liaison.locator("#problem-status", has_text="待复查").wait_for()
    inspector = person(browser, live_server, "b_inspector")
    inspector.goto(f"{live_server.url}/problems/{problem.number}/")
    inspector.locator("#problem-actions").get_by_role("link", name="复查通过").click()
    inspector.locator("#modal").get_by_role("button", name="复查通过").click()
    inspector.locator("#problem-status", has_text="已销号").wait_for()

    # The representative sees it closed, with the after-photo, and rates it.
    rep.reload()
    rep.locator("#suggestion-status", has_text="已办结").wait_for()
    assert rep.locator("#suggestion-problems .badge", has_text="已销号").count() == 1
    after = rep.locator("#suggestion-problems a.after img")
    after.evaluate(
        "img => img.complete ? true : new Promise(ok => img.addEventListener('load', ok))"
    )
    assert after.evaluate("img => img.naturalWidth > 0")
    rep.locator("#suggestion-actions").get_by_role("link", name="满意", exact=True).click()
    rep.locator("#modal").get_by_role("button", name="满意", exact=True).click()
    rep.locator("#suggestion-rating", has_text="满意").wait_for()
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.rating) == ("closed", "satisfied")
    assert list(suggestion.events.values_list("action", flat=True)) == [
        "submit",
        "convert",
        "close",
        "rate_satisfied",
    ]
