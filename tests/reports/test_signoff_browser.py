"""签阅 in a real browser: the secretariat opens last month's draft, finds 整改要求 pre-filled,
edits one sentence and publishes; the liaison's home shows the bulletin waiting, the liaison
签阅s it with a remark (HTMX, inline); the leader's readers panel shows the signature."""

import re

import pytest
from playwright.sync_api import expect

from civility.core.roles import Role
from civility.org.models import Headquarters
from civility.reports import compile as reports
from civility.reports.models import Report, ReportRead
from tests.conftest import browser_login, make_user
from tests.reports.test_report_browser import last_month_problems, settle, shots_dir

pytestmark = pytest.mark.browser
REMARK = "已阅，湖里街道本周内完成逾期问题整改。"


def test_browser_bulletin_is_published_and_signed(live_huli, live_server, page, tmp_path):
    hq = Headquarters.objects.get(code="HL")
    make_user("s_sec", Role.SECRETARIAT, is_staff=True, name="陈秘书")
    make_user("s_leader", Role.LEADER, name="李总指挥")
    inspector = make_user("s_ins", Role.INSPECTOR, name="周督查")
    liaison = make_user(
        "s_liaison", Role.LIAISON, unit=hq.units.get(name="湖里街道"), name="林联络"
    )
    secretariat = make_user("s_sec2", Role.SECRETARIAT, name="王秘书")
    last, _this = last_month_problems(hq, inspector, secretariat, liaison)
    draft, _ = reports.compile_report(hq, Report.Kind.MONTHLY, last)  # as the cron job does
    prefilled = draft.narrative["requirements"].splitlines()
    assert prefilled[0].startswith("湖里街道要在本通报印发后3个工作日内完成逾期问题整改")
    url = f"{live_server.url}/reports/monthly/{last}/"
    shots = shots_dir(tmp_path)

    # The secretariat opens the draft: 整改要求 is there, marked editable; one sentence changes.
    page.set_viewport_size({"width": 1280, "height": 900})
    browser_login(page, live_server, "s_sec")
    page.goto(url)
    settle(page)
    requirements = page.locator("#doc-requirements")
    expect(requirements.locator(".rd-edit")).to_have_text("可编辑")
    assert requirements.locator("p").all_inner_texts() == prefilled
    field = page.get_by_label("整改要求和下一步工作")
    edited = [prefilled[0].replace("3个工作日", "5个工作日"), *prefilled[1:]]
    field.fill("\n".join(edited))
    page.screenshot(path=shots / "signoff-draft-desktop.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator("#report-status")).to_have_text("已发布")
    settle(page)
    report = Report.objects.get(pk=draft.pk)
    assert report.snapshot["narrative"]["requirements"].splitlines() == edited
    assert page.locator("#doc-requirements p").first.inner_text() == edited[0]

    # The liaison's home lists it, waiting for 签阅; the liaison signs with a remark.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "s_liaison")
    waiting = page.locator("#signoff-waiting li")
    expect(waiting).to_have_count(1)
    assert report.title in waiting.inner_text()
    waiting.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/reports/monthly/{last}/"))
    settle(page)
    page.get_by_label("签阅意见（可不填）").fill(REMARK)
    page.get_by_role("button", name="签阅", exact=True).click()
    expect(page.locator("#signoff-done")).to_contain_text("已签阅")
    expect(page.locator("#signoff-remark")).to_have_text(REMARK)
    assert page.url.endswith(f"/reports/monthly/{last}/#report-signoff")  # swapped, no reload
    settle(page)
    row = ReportRead.objects.get(report=report, user=liaison)
    assert row.signed_at is not None and row.remark == REMARK
    page.screenshot(path=shots / "signoff-phone.png", full_page=True)
    page.goto(f"{live_server.url}/")
    expect(page.locator("#home-signoff")).to_have_count(0)

    # The leader's readers panel shows the signature and its remark.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    browser_login(page, live_server, "s_leader")
    page.goto(url)
    settle(page)
    signed = page.locator("#report-readers details[data-role='liaison'] .readers-signed li")
    expect(signed.filter(has_text="林联络")).to_contain_text(REMARK)
    page.locator("#report-readers").screenshot(path=shots / "signoff-readers.png")
