"""The monthly bulletin's journey in a real browser: the secretariat compiles, edits and
publishes last month's 通报; a leader, a representative and a liaison read it."""

import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from civility.core.periods import MONTH, Period
from civility.core.roles import Role
from civility.org.models import Headquarters, ProblemCategory, Site
from civility.reports import compile as reports
from civility.reports import document as document_module
from civility.reports.models import Report, ReportRead
from civility.supervision.problems import workflow
from tests.conftest import browser_login, make_user
from tests.factories import photo

pytestmark = pytest.mark.browser
A = workflow.Action


def last_month_problems(hq, inspector, secretariat, liaison_of):
    """Three problems found last month in Huli, two of them fixed, through the workflow."""
    today = timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    site = Site.objects.filter(headquarters=hq, default_unit=liaison_of.unit).first() or (
        Site.objects.filter(headquarters=hq, street=liaison_of.unit).first()
    )
    category = ProblemCategory.objects.filter(headquarters=hq).first()
    tz = timezone.get_current_timezone()
    for day, fixed in ((3, True), (10, True), (17, False)):
        when = datetime.combine(last.replace(day=day), time(10), tzinfo=tz)
        problem, _ = workflow.report_problem(
            by=inspector,
            site=site,
            category=category,
            description=f"{day}日发现占道经营",
            photos=[photo("red")],
            now=when,
            source="hotline",
        )
        problem = workflow.perform(
            problem, A.ASSIGN, by=secretariat, unit=liaison_of.unit, now=when + timedelta(hours=1)
        )
        if fixed:
            problem = workflow.perform(
                problem,
                A.SUBMIT,
                by=liaison_of,
                note="已整改",
                photos=[photo("green")],
                now=when + timedelta(hours=5),
            )
            workflow.perform(problem, A.APPROVE, by=inspector, now=when + timedelta(hours=6))
    return str(Period.of(last, MONTH)), str(Period.of(today, MONTH))


def settle(page) -> None:
    """Let the live server finish every request of the page (photos included) before the test
    thread reads the database: the test database is a shared in-memory SQLite, where a read
    during the server's write fails with "table is locked"."""
    page.wait_for_load_state("networkidle")


def screenshot(page, path) -> None:
    """A full-page screenshot with the lazily loaded photos in it."""
    page.evaluate(
        """async () => {
            for (let y = 0; y < document.body.scrollHeight; y += 500) {
                window.scrollTo(0, y);
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            window.scrollTo(0, 0);
        }"""
    )
    settle(page)
    page.screenshot(path=path, full_page=True)


def photos_one_at_a_time(page, live_server, report) -> None:
    """The live server shares one in-memory SQLite connection between its threads, which breaks
    under the browser's parallel photo requests: fetch the report's photos one after another
    (with this browser's session) and let the browser take them from there."""
    cache = {}
    for pk in document_module.typical_photo_ids(report):
        for suffix in ("", "?thumb=1"):
            url = f"{live_server.url}{reverse('report_photo', args=[report.pk, pk])}{suffix}"
            response = page.request.get(url)
            assert response.status == 200
            cache[url] = response.body()

    def serve(route):
        body = cache.get(route.request.url)
        if body is None:
            route.continue_()
        else:
            route.fulfill(body=body, content_type="image/jpeg")

    page.route("**/photos/**", serve)


def shots_dir(tmp_path) -> Path:
    path = Path(os.environ.get("REPORT_SHOTS", tmp_path))
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_browser_monthly_bulletin_is_compiled_published_and_read(
    live_huli, live_server, page, tmp_path
):
    hq = Headquarters.objects.get(code="HL")
    secretariat = make_user("b_sec", Role.SECRETARIAT, is_staff=True, name="陈秘书")
    leader = make_user("b_leader", Role.LEADER, name="李总指挥")
    inspector = make_user("b_ins", Role.INSPECTOR, name="周督查")
    representative = make_user("b_rep", Role.REPRESENTATIVE, name="黄代表")
    liaison = make_user(
        "b_liaison", Role.LIAISON, unit=hq.units.get(name="湖里街道"), name="林联络"
    )
    last, this = last_month_problems(hq, inspector, secretariat, liaison)
    url = f"{live_server.url}/reports/monthly/{last}/"
    shots = shots_dir(tmp_path)

    # The secretariat compiles last month with 生成草稿, writes 整改要求, publishes.
    browser_login(page, live_server, "b_sec")
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("button", name=re.compile(f"生成草稿：上月通报（{last}）")).click()
    page.wait_for_url(re.compile(rf"/reports/monthly/{last}/\?id=\d+$"))
    settle(page)
    draft = Report.objects.get(headquarters=hq, kind="monthly", period=last)
    assert draft.status == Report.Status.DRAFT
    assert page.locator("#report-status").inner_text() == "草稿"
    page.get_by_label("整改要求和下一步工作").fill(
        "一、湖里街道要在5日内完成整改。\n二、举一反三，建立长效机制。"
    )
    page.get_by_role("button", name="保存").click()
    # 整改要求 comes pre-filled: wait for the saved text to replace it.
    expect(page.locator("#doc-requirements p").first).to_have_text(
        "一、湖里街道要在5日内完成整改。"
    )
    assert page.locator("#doc-requirements p").all_inner_texts() == [
        "一、湖里街道要在5日内完成整改。",
        "二、举一反三，建立长效机制。",
    ]
    settle(page)
    draft.refresh_from_db()
    assert draft.narrative["requirements"].startswith("一、湖里街道")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布", exact=True).click()
    # The page reloads at the same address (this version's ?id=), now published.
    expect(page.locator("#report-status")).to_have_text("已发布")
    assert page.url.endswith(f"/reports/monthly/{last}/?id={draft.pk}")
    settle(page)
    report = Report.objects.get(pk=draft.pk)
    assert report.status == Report.Status.PUBLISHED
    assert page.locator("#doc-number").inner_text() == report.number
    assert page.locator("#report-readers").is_visible()

    # The leader finds it 未阅 in the list, opens it (已阅), downloads the Word file.
    page.context.clear_cookies()
    browser_login(page, live_server, "b_leader")
    photos_one_at_a_time(page, live_server, report)
    page.goto(f"{live_server.url}/reports/monthly/")
    row = page.locator(f"tr[data-pk='{report.pk}']")
    assert row.locator(".report-unread").inner_text() == "未阅"
    row.get_by_role("link", name=report.title).click()
    page.wait_for_url(url)
    settle(page)
    assert ReportRead.objects.filter(report=report, user=leader).exists()
    assert page.locator("#doc-title").inner_text() == report.title
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, shots / "report-monthly-desktop.png")
    with page.expect_download() as download:
        page.locator("#download-docx").click()
    document = docx.Document(download.value.path())
    texts = [p.text for p in document.paragraphs]
    assert report.number in texts and report.title in texts
    assert download.value.suggested_filename == f"{report.number}.docx"
    page.goto(f"{url}print/")
    assert page.locator(".rd-issuer").inner_text() == hq.name
    screenshot(page, shots / "report-print-desktop.png")

    # A representative reads it.
    page.context.clear_cookies()
    browser_login(page, live_server, "b_rep")
    page.goto(url)
    assert page.locator("#doc-number").inner_text() == report.number
    settle(page)
    assert ReportRead.objects.filter(report=report, user=representative).exists()
    assert page.locator("#report-readers").count() == 0

    # A liaison reads it on a phone, and cannot see this month's draft.
    settle(page)
    reports.compile_report(hq, Report.Kind.MONTHLY, this)
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "b_liaison")
    page.goto(url)
    assert page.locator("#doc-number").inner_text() == report.number
    settle(page)
    assert ReportRead.objects.filter(report=report, user=liaison).exists()
    screenshot(page, shots / "report-monthly-phone.png")
    response = page.goto(f"{live_server.url}/reports/monthly/{this}/")
    assert response.status == 200  # a friendly page, not the draft
    assert page.locator("#report-missing h1").inner_text().endswith("每月通报尚未发布")
    page.goto(f"{live_server.url}/reports/monthly/")
    assert page.locator("#report-table tbody tr").count() == 1
