"""The campaign's levers in a real browser: the secretariat sets up a 专项整治 of 占道经营 in the
admin, an inspector's problem is tagged with it, a later one at the same site is marked 回潮, the
drive page shows both, and the secretariat records a 约谈 from the suggestion on the home page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from civility.campaign.models import Accountability
from civility.core.roles import Role
from civility.org.models import Site, Unit
from civility.supervision.drives.models import Drive
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem
from tests.conftest import browser_login, make_user
from tests.factories import photo

pytestmark = pytest.mark.browser
A = workflow.Action


def settle(page) -> None:
    page.wait_for_load_state("networkidle")


def add_problem(page, description: str, picture: str) -> None:
    form = page.locator("#problem-form")
    form.get_by_label("问题类别").select_option(label="占道经营")
    form.get_by_label("问题描述").fill(description)
    form.get_by_label("现场照片").set_input_files(picture)
    count = page.locator("#problem-list .problem-card").count()
    form.get_by_role("button", name="添加问题").click()
    page.wait_for_function(
        "n => document.querySelectorAll('#problem-list .problem-card').length === n",
        arg=count + 1,
    )
    settle(page)


def test_browser_drive_recurrence_and_accountability_journey(
    live_huli, live_server, page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    secretariat = make_user("b_secretariat", Role.SECRETARIAT, is_staff=True, name="陈秘书")
    leader = make_user("b_leader", Role.LEADER, name="李指挥")
    inspector = make_user("b_inspector", Role.INSPECTOR, name="周志刚")
    street = Unit.objects.get(name="湖里街道")
    liaison = make_user("b_liaison", Role.LIAISON, unit=street, name="王联络")
    InspectionTeam.objects.get(name="创建办督查组").members.add(inspector)
    site = Site.objects.get(name="湖里大道")
    picture = tmp_path / "scene.png"
    Image.new("RGB", (640, 480), "red").save(picture, format="PNG")
    today = timezone.localdate()

    # 1. The secretariat sets up the drive in the admin, 占道经营 as its target category.
    browser_login(page, live_server, "b_secretariat")
    page.goto(f"{live_server.url}/admin/supervision/drive/add/")
    page.locator("#id_headquarters").select_option(index=1)
    page.locator("#id_name").fill("占道经营专项整治")
    page.locator("#id_kind").select_option(label="专项整治")
    page.locator("#id_start_date").fill(f"{today - timedelta(days=10):%Y-%m-%d}")
    page.locator("#id_end_date").fill(f"{today + timedelta(days=20):%Y-%m-%d}")
    page.locator("#id_categories + .select2 .select2-search__field").fill("占道经营")
    page.locator(".select2-results__option", has_text="占道经营").first.click()
    page.locator("#id_targets-0-label").fill("回潮率不高于5%")
    page.locator("#id_targets-0-metric").select_option(label="回潮率上限（%）")
    page.locator("#id_targets-0-value").fill("5")
    page.locator("input[name=_save]").click()
    page.get_by_text("成功").first.wait_for()
    drive = Drive.objects.get(name="占道经营专项整治")
    assert list(drive.categories.values_list("name", flat=True)) == ["占道经营"]
    assert drive.targets.get().value == 5

    # 2. An inspector on a phone: the inspection is preselected with the running drive.
    inspector_page = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    browser_login(inspector_page, live_server, "b_inspector")
    inspector_page.goto(f"{live_server.url}/inspections/new/")
    expect(inspector_page.get_by_label("专项行动")).to_have_value(str(drive.pk))
    inspector_page.get_by_label("督查组").select_option(label="创建办督查组")
    inspector_page.get_by_role("button", name="开始督查").click()
    inspector_page.wait_for_url(re.compile(r"/inspections/\d+/$"))
    inspection = Inspection.objects.get(created_by=inspector)
    assert inspection.drive == drive
    inspector_page.get_by_label("搜索点位").fill("湖里大")
    inspector_page.locator("#site-results").get_by_role(
        "button", name=re.compile(r"^湖里大道 湖里街道")
    ).click()
    inspector_page.locator("#site-list").get_by_text("湖里大道").wait_for()
    add_problem(inspector_page, "人行道摆摊卖水果，占道约五米。", str(picture))
    first = Problem.objects.get(inspection=inspection)
    assert first.drive == drive and first.recurrence_of is None

    # 3. Handed over, escalated twice by a leader, fixed and closed (through the workflow).
    first = workflow.perform(first, A.ASSIGN, by=secretariat, unit=street)
    first = workflow.perform(first, A.ESCALATE, by=leader)
    first = workflow.perform(first, A.ESCALATE, by=leader)
    first = workflow.perform(first, A.SUBMIT, by=liaison, note="已清理", photos=[photo()])
    first = workflow.perform(first, A.APPROVE, by=secretariat)
    assert first.site == site

    # 4. The stall is back: the next problem there is marked 回潮 and linked to the first.
    add_problem(inspector_page, "同一位置又有摊贩占道经营。", str(picture))
    second = Problem.objects.filter(inspection=inspection).exclude(pk=first.pk).get()
    assert (second.drive, second.recurrence_of) == (drive, first)
    inspector_page.goto(f"{live_server.url}/problems/{second.number}/")
    expect(inspector_page.locator(".badge.recurrence")).to_have_text("回潮")
    expect(inspector_page.locator("#problem-recurrence")).to_contain_text(first.number)
    inspector_page.close()

    # 5. The drive page shows both problems, one of them 回潮.
    page.goto(f"{live_server.url}/drives/{drive.pk}/")
    expect(page.locator("#fig-found .card-count")).to_have_text("2")
    expect(page.locator("#fig-recurring .card-count")).to_have_text("1")
    expect(page.locator("#fig-recurring")).to_contain_text("50.0%")
    page.locator("#chart-weeks.chart-drawn").wait_for()
    page.locator("#fig-recurring").click()
    page.wait_for_url(re.compile(r"/problems/\?.*recurring=yes"))
    expect(page.locator("#problems-table tbody tr")).to_have_count(1)
    expect(page.locator("#problems-table")).to_contain_text(second.number)

    # 6. On the home page the rule's suggestion: record a 约谈 from it in the modal.
    page.goto(f"{live_server.url}/")
    suggestion = page.locator(f'#home-suggestions [data-key="escalated:{first.pk}"]')
    expect(suggestion).to_contain_text(f"问题 {first.number} 被督办 2 次")
    suggestion.get_by_role("link", name="记录问责").click()
    modal = page.locator("#modal")
    expect(modal.get_by_label("问责方式")).to_have_value("interview")
    expect(modal.get_by_label("相关问题编号")).to_have_value(first.number)
    modal.get_by_label("被问责人").fill("张主任")
    modal.get_by_label("职务").fill("湖里街道办事处副主任")
    modal.get_by_role("button", name="确定记录").click()
    page.get_by_text("已记录问责：湖里街道 张主任（湖里街道办事处副主任） 约谈。").wait_for()
    expect(page.locator("#home-suggestions")).to_have_count(0)
    settle(page)
    record = Accountability.objects.get()
    assert (record.unit, record.measure, record.person_name, record.decided_by) == (
        street,
        Accountability.Measure.INTERVIEW,
        "张主任",
        secretariat,
    )
    assert list(record.problems.all()) == [first]
