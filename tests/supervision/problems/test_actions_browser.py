"""Browser journeys of the action records: a direct button asks first (hx-confirm), a form action
opens in the modal and refreshes the page region in place."""

import pytest
from django.urls import reverse

from civility.core.roles import Role
from civility.org.models import Site, Unit
from civility.supervision.problems import workflow
from civility.supervision.problems.models import ExtensionRequest, Problem
from tests.conftest import browser_login, make_user
from tests.factories import problem_in

S = Problem.Status


def _people():
    street = Unit.objects.get(name="湖里街道")
    return {
        "secretariat": make_user("b_secretariat", Role.SECRETARIAT),
        "inspector": make_user("b_inspector", Role.INSPECTOR),
        "liaison": make_user("b_liaison", Role.LIAISON, unit=street),
    }


def _problem(state, people):
    site = Site.objects.get(name="湖里大道")
    site.default_unit = people["liaison"].unit
    site.save(update_fields=["default_unit"])
    return problem_in(state, site=site, **people)


@pytest.mark.browser
def test_browser_direct_action_asks_first_and_dismissing_changes_nothing(
    live_huli, live_server, page
):
    people = _people()
    problem = _problem("pending_extension", people)
    before = problem.deadline
    browser_login(page, live_server, "b_secretariat")
    page.goto(f"{live_server.url}{reverse('problem_detail', args=[problem.number])}")
    page.evaluate("window.__noReload = true")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    button = page.locator("#problem-actions").get_by_role("button", name="批准延期")
    page.once("dialog", lambda dialog: answer(dialog, False))
    button.click()
    page.wait_for_timeout(300)
    assert asked == [workflow.ACTIONS[workflow.Action.APPROVE_EXTENSION].confirm_text]
    assert asked == ["确定批准延期？此操作不可撤销。"]
    problem.refresh_from_db()
    assert problem.deadline == before

    page.once("dialog", lambda dialog: answer(dialog, True))
    button.click()
    page.locator(".toast", has_text="已批准延期").wait_for()
    page.locator("#pending-extension").wait_for(state="detached")
    assert page.evaluate("window.__noReload") is True
    assert len(asked) == 2
    problem.refresh_from_db()
    assert problem.deadline > before
    assert problem.extension_requests.get().status == ExtensionRequest.Status.APPROVED


@pytest.mark.browser
def test_browser_modal_action_reads_its_record_and_swaps_in_place(live_huli, live_server, page):
    people = _people()
    problem = _problem("reported", people)
    spec = workflow.ACTIONS[workflow.Action.VOID]
    browser_login(page, live_server, "b_secretariat")
    page.goto(f"{live_server.url}{reverse('problem_detail', args=[problem.number])}")
    page.evaluate("window.__noReload = true")

    page.locator("#problem-actions").get_by_role("link", name="作废").click()
    modal = page.locator("#modal")
    modal.get_by_text(str(spec.intro)).wait_for()
    # The note is required: the browser's own check is removed to reach the server's message.
    modal.get_by_label(str(spec.note.label)).evaluate("el => el.removeAttribute('required')")
    modal.get_by_role("button", name="作废").click()
    modal.get_by_text(str(spec.note.missing)).wait_for()
    modal.get_by_label(str(spec.note.label)).fill("重复上报")
    modal.get_by_role("button", name="作废").click()
    page.locator("#problem-status", has_text="已作废").wait_for()
    page.locator(".toast", has_text=str(spec.done)).wait_for()
    assert not modal.evaluate("m => m.open")
    assert page.evaluate("window.__noReload") is True
    problem.refresh_from_db()
    assert problem.status == S.VOID
