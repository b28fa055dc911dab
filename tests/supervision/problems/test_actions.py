"""Each workflow action is described once, in ``workflow.ACTIONS``: the state machine, the forms,
the buttons and the notices all read the same record."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from lxml import html as lxml_html

from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem
from tests.factories import new_problem, photo, problem_in

A = workflow.Action
S = Problem.Status

# SPEC §4: from → action (button label) → to. None: the status stays.
SPEC = {
    A.ASSIGN: ({S.REPORTED}, "交办", S.ASSIGNED),
    A.VOID: ({S.REPORTED}, "作废", S.VOID),
    A.ACKNOWLEDGE: ({S.ASSIGNED}, "签收", None),
    A.SUBMIT: ({S.ASSIGNED}, "提交整改", S.SUBMITTED),
    A.DISPUTE: ({S.ASSIGNED}, "权属异议", S.DISPUTED),
    A.REASSIGN: ({S.DISPUTED}, "改派", S.ASSIGNED),
    A.REJECT_DISPUTE: ({S.DISPUTED}, "驳回异议", S.ASSIGNED),
    A.APPROVE: ({S.SUBMITTED}, "复查通过", S.CLOSED),
    A.RETURN: ({S.SUBMITTED}, "退回重改", S.ASSIGNED),
    A.ESCALATE: ({S.ASSIGNED, S.DISPUTED, S.SUBMITTED}, "督办", None),
    A.REQUEST_EXTENSION: ({S.ASSIGNED}, "申请延期", None),
    A.APPROVE_EXTENSION: ({S.ASSIGNED}, "批准延期", None),
    A.REJECT_EXTENSION: ({S.ASSIGNED}, "驳回延期", None),
}

# Where each action can be taken, and by whom (for the form/workflow comparisons below).
WHERE = {
    A.ASSIGN: ("reported", "secretariat"),
    A.VOID: ("reported", "secretariat"),
    A.SUBMIT: ("assigned", "liaison"),
    A.DISPUTE: ("assigned", "liaison"),
    A.REASSIGN: ("disputed", "secretariat"),
    A.RETURN: ("submitted", "inspector"),
    A.REQUEST_EXTENSION: ("assigned", "liaison"),
    A.REJECT_EXTENSION: ("pending_extension", "secretariat"),
}


@pytest.fixture
def people(secretariat, leader, inspector, liaison):
    return {
        "secretariat": secretariat,
        "leader": leader,
        "inspector": inspector,
        "liaison": liaison,
    }


def make(state, people, site):
    return problem_in(
        state,
        secretariat=people["secretariat"],
        liaison=people["liaison"],
        inspector=people["inspector"],
        site=site,
    )


def test_actions_have_exactly_one_record_each():
    assert list(workflow.ACTIONS) == list(A)
    assert all(key == spec.action for key, spec in workflow.ACTIONS.items())


def test_actions_table_is_the_spec_table():
    table = {
        action: (set(spec.sources), spec.label, spec.target)
        for action, spec in workflow.ACTIONS.items()
    }
    assert table == SPEC


def test_actions_records_are_complete():
    for spec in workflow.ACTIONS.values():
        assert spec.done and spec.intro, spec.action
        assert spec.style in ("", "primary", "danger"), spec.action
        assert not (spec.direct and spec.note), spec.action  # a direct button has no form to fill
        assert not spec.confirm or spec.direct, spec.action  # hx-confirm sits on direct buttons


def required_rules():
    """(action, field, message) for every input an action requires."""
    for action, spec in workflow.ACTIONS.items():
        if spec.note and spec.note.missing:
            yield action, "note", spec.note.missing
        if spec.unit:
            yield action, "unit", spec.unit
        if spec.deadline:
            yield action, "deadline", spec.deadline
        if spec.photos and spec.photos.missing:
            yield action, "photos", spec.photos.missing


@pytest.mark.parametrize(("action", "field", "message"), list(required_rules()))
def test_required_input_messages_are_the_records_in_form_and_workflow(
    people, site, action, field, message
):
    state, persona = WHERE[action]
    problem = make(state, people, site)
    spec = workflow.ACTIONS[action]
    user = people[persona]

    form = spec.make_form({"version": problem.version}, problem=problem, user=user)
    assert not form.is_valid()
    assert form.errors[field] == [str(message)]

    with pytest.raises(ValidationError) as refused:
        workflow.perform(problem, action, by=user)
    assert refused.value.message_dict[field] == [str(message)]


def test_action_form_reads_its_record(people, site):
    problem = make("assigned", people, site)
    spec = workflow.ACTIONS[A.SUBMIT]
    form = spec.make_form(problem=problem, user=people["liaison"])
    assert form.intro == spec.intro == "说明整改情况，并上传至少一张整改后的现场照片。"
    assert form.fields["note"].label == spec.note.label == "整改情况说明"
    assert form.fields["photos"].label == spec.photos.label == "整改后照片"
    assert form.fields["photos"].required
    # 签收 has nothing to fill in: no note, no photos.
    bare = workflow.ACTIONS[A.ACKNOWLEDGE].make_form(problem=problem, user=people["liaison"])
    assert list(bare.fields) == ["version"]


def panel_buttons(client, problem):
    tree = lxml_html.fromstring(
        client.get(reverse("problem_detail", args=[problem.number])).content
    )
    buttons = {}
    for element in tree.xpath("//section[@id='problem-actions']//*[@data-action]"):
        form = element.xpath("ancestor::form")
        buttons[element.get("data-action")] = {
            "label": element.text_content().strip(),
            "class": " ".join(element.get("class").split()),
            "direct": bool(form),
            "confirm": form[0].get("hx-confirm") if form else None,
            "target": (form[0] if form else element).get("hx-target"),
        }
    return buttons


def test_buttons_are_drawn_from_the_records(client, people, site):
    problem = make("pending_extension", people, site)
    client.force_login(people["secretariat"])
    buttons = panel_buttons(client, problem)
    assert set(buttons) == {"escalate", "approve_extension", "reject_extension"}
    for action, button in buttons.items():
        spec = workflow.ACTIONS[A(action)]
        assert button["label"] == spec.label
        assert button["class"].split() == ["button", *filter(None, [spec.style])]
        assert button["direct"] == spec.direct
    assert buttons["approve_extension"] == {
        "label": "批准延期",
        "class": "button primary",
        "direct": True,
        "confirm": "确定批准延期？此操作不可撤销。",
        "target": "#problem-main",
    }
    assert buttons["reject_extension"]["class"] == "button danger"
    assert buttons["reject_extension"]["target"] == "#modal-body"
    assert buttons["reject_extension"]["confirm"] is None


def test_done_message_is_the_records(client, people, site):
    problem = make("assigned", people, site)
    client.force_login(people["liaison"])
    response = client.post(
        reverse("problem_act", args=[problem.number, "acknowledge"]),
        {"version": problem.version},
        follow=True,
    )
    assert (
        f"{problem.number}：{workflow.ACTIONS[A.ACKNOWLEDGE].done}。" in response.content.decode()
    )


def test_notice_is_the_records(people, site, django_capture_on_commit_callbacks):
    problem = make("assigned", people, site)
    notice = workflow.ACTIONS[A.SUBMIT].notice
    with django_capture_on_commit_callbacks(execute=True):
        problem = workflow.perform(
            problem, A.SUBMIT, by=people["liaison"], note="已清理", photos=[photo()]
        )
    received = people["inspector"].notifications.get()  # the reporter
    assert (notice.kind, notice.audience) == ("submitted", "reporter")
    assert received.kind == notice.kind
    label = f"{problem.number}（{problem.site}·{problem.category}）"
    assert received.text == f"问题 {label} 已提交整改，待复查。"


def test_actions_without_a_notice_tell_nobody(people, site, django_capture_on_commit_callbacks):
    problem = make("assigned", people, site)
    assert workflow.ACTIONS[A.ACKNOWLEDGE].notice is None
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(problem, A.ACKNOWLEDGE, by=people["liaison"])
    assert not people["inspector"].notifications.exists()
    assert not people["secretariat"].notifications.exists()


def test_assign_many_assigns_what_it_may_and_says_why_not_for_the_rest(people, site):
    waiting = new_problem(people["inspector"], site)
    taken = make("assigned", people, site)
    outcome = workflow.assign_many([waiting, taken], by=people["secretariat"])
    assert [p.pk for p in outcome.done] == [waiting.pk]
    assert outcome.done[0].status == S.ASSIGNED
    assert outcome.done[0].primary_unit_id == site.default_unit_id
    assert [(p.pk, reasons) for p, reasons in outcome.failed] == [
        (taken.pk, ["问题处于「待整改」状态，不能交办。"])
    ]


def test_perform_many_reports_validation_refusals_per_problem(people, site):
    waiting = new_problem(people["inspector"], site)
    outcome = workflow.perform_many([waiting], A.VOID, by=people["secretariat"])  # no reason
    assert outcome.done == []
    assert [(p.pk, reasons) for p, reasons in outcome.failed] == [
        (waiting.pk, ["请填写作废原因。"])
    ]
    waiting.refresh_from_db()
    assert waiting.status == S.REPORTED
