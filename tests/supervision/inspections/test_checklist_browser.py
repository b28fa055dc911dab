"""In a real browser on a phone: the inspector records a visit at a 农贸市场 with its 测评
checklist — one item failed by recording a problem, one by tapping 不合格 (with a photo), one
不适用 — watches the 得分率, submits, and the score shows in the running month's figures.

The 农贸市场 checklist (tests/supervision/inspections/test_visits.py): a 占道经营 problem fails
item 3 (15 points), 不合格 on item 4 (10), 不适用 on item 6 (10):
100 → 85 → 75 → 100 × 65 / 90 = 72.2."""

import os
import re
from decimal import Decimal

import pytest
from PIL import Image

from civility.core.roles import Role
from civility.org.models import ChecklistItem, ProblemCategory, Site
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.visits import SiteVisit
from tests.conftest import browser_login, make_user

SHOTS = os.environ.get("CIVILITY_SCREENSHOTS")  # a folder: save the editor at 390 px there


def rate(page, site) -> str:
    return page.locator(f"#rate-{site.pk} strong").inner_text()


def wait_rate(page, site, value: str) -> None:
    page.wait_for_function(
        "([id, v]) => document.querySelector('#rate-' + id + ' strong')?.textContent === v",
        arg=[site.pk, value],
    )


@pytest.mark.browser
def test_browser_market_visit_with_checklist_on_a_phone(
    live_huli, live_server, page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    inspector = make_user("b_inspector", Role.INSPECTOR, name="周志刚")
    InspectionTeam.objects.get(name="创建办督查组").members.add(inspector)
    make_user("b_leader", Role.LEADER, name="李区长")
    market = Site.objects.get(name="金山农贸市场")
    items = {i.order: i for i in ChecklistItem.objects.filter(checklist__site_type=market.type)}
    unrelated = (
        ProblemCategory.objects.filter(headquarters=market.headquarters, active=True)
        .exclude(
            pk__in=ChecklistItem.objects.filter(
                checklist__site_type=market.type, categories__isnull=False
            ).values("categories")
        )
        .first()
    )
    pictures = []
    for color in ("red", "blue"):
        path = tmp_path / f"{color}.png"
        Image.new("RGB", (640, 480), color).save(path, format="PNG")
        pictures.append(str(path))

    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "b_inspector")
    page.goto(f"{live_server.url}/inspections/new/")
    page.get_by_role("button", name="开始督查").click()
    page.wait_for_url(re.compile(r"/inspections/\d+/$"))
    inspection = Inspection.objects.get(created_by=inspector)
    page.evaluate("window.__noReload = true")

    page.get_by_label("搜索点位").fill("金山农贸")
    page.locator("#site-results").get_by_role("button", name=re.compile(r"^金山农贸市场")).click()
    page.locator(f"#sheet-{market.pk}").wait_for()
    assert rate(page, market) == "100.0"
    assert page.locator(f"#sheet-{market.pk} .check-item").count() == len(items)

    # 1. A problem of an item's category fails it.
    form = page.locator("#problem-form")
    form.get_by_label("问题类别").select_option(label="占道经营")
    form.get_by_label("问题描述").fill("市场东门外摆摊占道。")
    form.get_by_label("现场照片").set_input_files(pictures[0])
    form.get_by_role("button", name="添加问题").click()
    wait_rate(page, market, "85.0")

    # 2. 不合格 on an item: the form asks for the problem at once, with its photo.
    row = page.locator(f'li[data-item="{items[4].pk}"]')
    row.get_by_role("button", name="不合格", exact=True).click()
    page.locator("#for-item").wait_for()
    wait_rate(page, market, "75.0")
    form = page.locator("#problem-form")
    form.get_by_label("问题类别").select_option(str(unrelated.pk))
    form.get_by_label("问题描述").fill("未设置公平秤。")
    form.get_by_label("现场照片").set_input_files(pictures[1])
    form.get_by_role("button", name="添加问题").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#problem-list .problem-card').length === 2"
    )
    page.locator(f'li[data-item="{items[4].pk}"] .needs-photo').wait_for(state="detached")

    # 3. 不适用 where the checklist allows it.
    page.locator(f'li[data-item="{items[6].pk}"]').get_by_role("button", name="不适用").click()
    wait_rate(page, market, "72.2")
    assert page.evaluate("window.__noReload") is True
    if SHOTS:
        page.locator(f"#sheet-{market.pk}").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, "editor-390.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交督查").click()
    page.get_by_text("督查已提交").wait_for()
    visit = SiteVisit.objects.get(inspection=inspection)
    assert visit.score_rate.quantize(Decimal("0.1")) == Decimal("72.2")
    assert visit.items_failed == 2

    # The running month's figures: the street's page shows the visit and its 得分率.
    page.context.clear_cookies()
    browser_login(page, live_server, "b_leader")
    page.goto(f"{live_server.url}/units/{market.street_id}/")
    running = page.locator("#unit-running")
    assert "点位测评 1 次" in running.inner_text()
    breakdown = page.locator("#unit-breakdown-1")
    assert "本月至今" in breakdown.inner_text()
    assert re.search(r"农贸市场\s+1\s+72\.2", breakdown.inner_text())
