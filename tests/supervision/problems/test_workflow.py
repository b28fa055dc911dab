"""The state machine of SPEC §4: every (state, action, role) either works and writes exactly one
event, or changes nothing and writes nothing."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from civility.org.models import Unit
from civility.supervision.problems import workflow
from civility.supervision.problems.models import ExtensionRequest, Photo, Problem, ProblemEvent
from tests.factories import new_problem, photo, problem_in, street_site

A = workflow.Action
S = Problem.Status
PERSONAS = ["secretariat", "leader", "inspector", "liaison", "other_liaison", "representative"]
STATES = ["reported", "assigned", "pending_extension", "disputed", "submitted", "closed", "void"]

# SPEC §4, the "who" column, for a problem whose primary unit is `liaison`'s unit.
ALLOWED = {
    ("reported", A.ASSIGN): {"secretariat", "inspector"},
    ("reported", A.VOID): {"secretariat"},
    ("assigned", A.ACKNOWLEDGE): {"liaison"},
    ("assigned", A.SUBMIT): {"liaison"},
    ("assigned", A.DISPUTE): {"liaison"},
    ("assigned", A.ESCALATE): {"leader", "secretariat"},
    ("assigned", A.REQUEST_EXTENSION): {"liaison"},
    ("pending_extension", A.ACKNOWLEDGE): {"liaison"},
    ("pending_extension", A.SUBMIT): {"liaison"},
    ("pending_extension", A.DISPUTE): {"liaison"},
    ("pending_extension", A.ESCALATE): {"leader", "secretariat"},
    ("pending_extension", A.APPROVE_EXTENSION): {"secretariat"},
    ("pending_extension", A.REJECT_EXTENSION): {"secretariat"},
    ("disputed", A.REASSIGN): {"secretariat"},
    ("disputed", A.REJECT_DISPUTE): {"secretariat"},
    ("disputed", A.ESCALATE): {"leader", "secretariat"},
    ("submitted", A.APPROVE): {"inspector", "secretariat"},
    ("submitted", A.RETURN): {"inspector", "secretariat"},
    ("submitted", A.ESCALATE): {"leader", "secretariat"},
}

TARGET = {
    A.ASSIGN: S.ASSIGNED,
    A.VOID: S.VOID,
    A.SUBMIT: S.SUBMITTED,
    A.DISPUTE: S.DISPUTED,
    A.REASSIGN: S.ASSIGNED,
    A.REJECT_DISPUTE: S.ASSIGNED,
    A.APPROVE: S.CLOSED,
    A.RETURN: S.ASSIGNED,
}


@pytest.fixture
def people(request, secretariat, leader, inspector, liaison, other_liaison, representative):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def valid_inputs(action, problem, other_unit):
    return {
        A.ASSIGN: {"unit": problem.site.default_unit},
        A.VOID: {"note": "重复上报"},
        A.SUBMIT: {"note": "已清理完毕", "photos": [photo()]},
        A.DISPUTE: {"note": "不属本单位管辖"},
        A.REASSIGN: {"unit": other_unit},
        A.RETURN: {"note": "仍有残留"},
        A.REQUEST_EXTENSION: {
            "note": "需协调施工",
            "deadline": (problem.deadline or timezone.now()) + timedelta(days=3),
        },
        A.REJECT_EXTENSION: {"note": "理由不充分"},
    }.get(action, {})


def snapshot(problem):
    fresh = Problem.objects.get(pk=problem.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.events.count(),
        fresh.primary_unit_id,
        fresh.deadline,
        fresh.escalation_level,
        fresh.rework_count,
    )


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(A))
def test_workflow_transition_matrix(people, site, department, state, action):
    allowed = ALLOWED.get((state, action), set())
    for name, user in people.items():
        problem = problem_in(
            state,
            secretariat=people["secretariat"],
            liaison=people["liaison"],
            inspector=people["inspector"],
            site=site,
        )
        assert workflow.is_allowed(user, problem, action) == (name in allowed), name
        before = snapshot(problem)
        inputs = valid_inputs(action, problem, department)
        if name in allowed:
            result = workflow.perform(problem, action, by=user, **inputs)
            events = ProblemEvent.objects.filter(problem=problem)
            assert events.count() == before[2] + 1, name
            last = events.last()
            assert (last.action, last.actor, last.from_status) == (action, user, before[0])
            assert result.status == TARGET.get(action, before[0])
            assert result.version == before[1] + 1
        else:
            with pytest.raises(workflow.NotAllowed):
                workflow.perform(problem, action, by=user, **inputs)
            assert snapshot(problem) == before, name


def test_workflow_assign_sets_unit_deadline_and_cooperating_units(site, secretariat, inspector):
    problem = new_problem(inspector, site)
    now = timezone.now()
    problem = workflow.perform(problem, A.ASSIGN, by=secretariat, unit=site.default_unit, now=now)
    assert problem.status == S.ASSIGNED
    assert problem.primary_unit == site.default_unit
    assert problem.deadline == now + timedelta(hours=problem.category.time_limit_hours)
    assert problem.assigned_at == now
    expected = set(site.cooperating_units.values_list("pk", flat=True))
    if problem.category.default_department_id:
        expected.add(problem.category.default_department_id)
    expected.discard(site.default_unit.pk)
    assert set(problem.cooperating_units.values_list("pk", flat=True)) == expected


def test_workflow_inspector_onsite_assign_goes_to_site_default_unit(site, inspector, department):
    problem = new_problem(inspector, site)
    problem = workflow.perform(problem, A.ASSIGN, by=inspector, unit=department)
    assert problem.primary_unit == site.default_unit


def test_workflow_void_requires_reason_and_changes_nothing_without(site, secretariat, inspector):
    problem = new_problem(inspector, site)
    before = snapshot(problem)
    with pytest.raises(ValidationError) as error:
        workflow.perform(problem, A.VOID, by=secretariat, note="  ")
    assert error.value.message_dict["note"] == ["请填写作废原因。"]
    assert snapshot(problem) == before


def test_workflow_submit_requires_an_after_photo(site, secretariat, liaison, inspector):
    problem = problem_in(
        "assigned", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    with pytest.raises(ValidationError) as error:
        workflow.perform(problem, A.SUBMIT, by=liaison, note="已整改")
    assert "photos" in error.value.message_dict
    problem = workflow.perform(problem, A.SUBMIT, by=liaison, note="已整改", photos=[photo()])
    assert problem.photos.filter(kind=Photo.Kind.AFTER).count() == 1
    assert problem.submitted_at is not None


def test_workflow_return_counts_rework(site, secretariat, liaison, inspector):
    problem = problem_in(
        "submitted", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    problem = workflow.perform(problem, A.RETURN, by=inspector, note="仍有垃圾")
    assert (problem.status, problem.rework_count) == (S.ASSIGNED, 1)


def test_workflow_escalate_doubles_the_effective_deduction(
    site, secretariat, liaison, inspector, leader
):
    problem = problem_in(
        "assigned", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    assert problem.effective_deduction == problem.deduction
    problem = workflow.perform(problem, A.ESCALATE, by=leader, note="限期整改")
    assert problem.escalation_level == 1
    assert problem.effective_deduction == problem.deduction * 2
    assert problem.status == S.ASSIGNED


def test_workflow_reassign_restarts_the_deadline(site, secretariat, liaison, inspector, department):
    problem = problem_in(
        "disputed", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    later = timezone.now() + timedelta(hours=5)
    problem = workflow.perform(problem, A.REASSIGN, by=secretariat, unit=department, now=later)
    assert problem.primary_unit == department
    assert problem.deadline == later + timedelta(hours=problem.category.time_limit_hours)
    assert problem.acknowledged_at is None


def test_workflow_reassign_to_the_same_unit_is_refused(site, secretariat, liaison, inspector):
    problem = problem_in(
        "disputed", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    with pytest.raises(ValidationError):
        workflow.perform(problem, A.REASSIGN, by=secretariat, unit=liaison.unit)


def test_workflow_reject_dispute_keeps_the_deadline(site, secretariat, liaison, inspector):
    problem = problem_in(
        "disputed", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    deadline = problem.deadline
    problem = workflow.perform(problem, A.REJECT_DISPUTE, by=secretariat)
    assert (problem.status, problem.deadline) == (S.ASSIGNED, deadline)


def test_workflow_extension_approved_moves_deadline_and_keeps_history(
    site, secretariat, liaison, inspector
):
    problem = problem_in(
        "pending_extension",
        secretariat=secretariat,
        liaison=liaison,
        inspector=inspector,
        site=site,
    )
    request = problem.extension_requests.get()
    problem = workflow.perform(problem, A.APPROVE_EXTENSION, by=secretariat)
    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.APPROVED
    assert problem.deadline == request.requested_deadline
    # a second request is possible once the first is decided, and history keeps both
    workflow.perform(
        problem,
        A.REQUEST_EXTENSION,
        by=liaison,
        note="再延",
        deadline=problem.deadline + timedelta(days=1),
    )
    assert problem.extension_requests.count() == 2


def test_workflow_extension_must_move_the_deadline_later(site, secretariat, liaison, inspector):
    problem = problem_in(
        "assigned", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    with pytest.raises(ValidationError) as error:
        workflow.perform(
            problem,
            A.REQUEST_EXTENSION,
            by=liaison,
            note="延期",
            deadline=problem.deadline - timedelta(hours=1),
        )
    assert "deadline" in error.value.message_dict
    assert not problem.extension_requests.exists()


def test_workflow_acknowledge_only_once(site, secretariat, liaison, inspector):
    problem = problem_in(
        "assigned", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    problem = workflow.perform(problem, A.ACKNOWLEDGE, by=liaison)
    assert problem.acknowledged_at is not None
    assert A.ACKNOWLEDGE not in workflow.available_actions(liaison, problem)


def test_workflow_stale_instance_loses_with_conflict(site, secretariat, liaison, inspector):
    problem = problem_in(
        "submitted", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    stale = Problem.objects.get(pk=problem.pk)
    workflow.perform(problem, A.APPROVE, by=inspector)
    with pytest.raises(workflow.Conflict) as error:
        workflow.perform(stale, A.RETURN, by=secretariat, note="退回")
    assert "已被他人处理" in error.value.message
    assert error.value.current.status == S.CLOSED
    assert Problem.objects.get(pk=problem.pk).status == S.CLOSED


def test_workflow_same_state_actions_are_also_race_safe(
    site, secretariat, liaison, inspector, leader
):
    problem = problem_in(
        "assigned", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    stale = Problem.objects.get(pk=problem.pk)
    workflow.perform(problem, A.ESCALATE, by=leader)
    with pytest.raises(workflow.Conflict):
        workflow.perform(stale, A.ESCALATE, by=secretariat)
    assert Problem.objects.get(pk=problem.pk).escalation_level == 1


def test_workflow_problem_numbers_are_sequential_per_year(site, inspector, hq):
    first = new_problem(inspector, site)
    second = new_problem(inspector, site)
    year = timezone.localtime(first.reported_at).year
    assert first.number.startswith(f"{hq.code}-{year}-")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_workflow_report_with_same_token_creates_one_problem(site, inspector):
    import uuid

    token = uuid.uuid4()
    category = site.headquarters.problem_categories.first()
    kwargs = dict(
        by=inspector, site=site, category=category, description="暴露垃圾", client_token=token
    )
    first, created = workflow.report_problem(**kwargs)
    again, created_again = workflow.report_problem(**kwargs)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Problem.objects.filter(client_token=token).count() == 1


def test_workflow_report_refused_for_liaison(site, liaison):
    with pytest.raises(workflow.NotAllowed):
        workflow.report_problem(
            by=liaison,
            site=site,
            category=site.headquarters.problem_categories.first(),
            description="x",
        )


def test_workflow_events_are_append_only(site, inspector):
    problem = new_problem(inspector, site)
    event = problem.events.get()
    event.note = "篡改"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_workflow_notifies_primary_unit_liaison_on_assign(
    site, secretariat, liaison, inspector, django_capture_on_commit_callbacks
):
    problem = new_problem(inspector, site)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(problem, A.ASSIGN, by=secretariat, unit=site.default_unit)
    note = liaison.notifications.get()
    assert note.kind == "assigned"
    assert problem.number in note.text


def test_workflow_due_state_badges(site, secretariat, liaison, inspector):
    problem = problem_in(
        "assigned", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    D = Problem.DueState
    assert problem.due_state(now=problem.deadline - timedelta(days=3)) == D.ON_TIME
    assert problem.due_state(now=problem.deadline - timedelta(hours=3)) == D.DUE_SOON
    assert problem.due_state(now=problem.deadline + timedelta(hours=1)) == D.OVERDUE
    for state, now in [
        (D.OVERDUE, problem.deadline + timedelta(hours=1)),
        (D.DUE_SOON, problem.deadline - timedelta(hours=3)),
    ]:
        assert Problem.objects.filter(Problem.due_state_q(state, now), pk=problem.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_workflow_two_concurrent_transitions_one_wins(live_huli):
    """Two people press a button on the same problem at the same moment: exactly one wins."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (the suite's second run)")
    from civility.core.roles import Role
    from tests.conftest import make_user

    street = Unit.objects.get(name="湖里街道")
    site = street_site(street)
    secretariat = make_user("c_secretariat", Role.SECRETARIAT)
    inspector = make_user("c_inspector", Role.INSPECTOR)
    liaison = make_user("c_liaison", Role.LIAISON, unit=street)
    problem = problem_in(
        "submitted", secretariat=secretariat, liaison=liaison, inspector=inspector, site=site
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def act(action, user, **kwargs):
        stale = Problem.objects.get(pk=problem.pk)
        barrier.wait()
        try:
            workflow.perform(stale, action, by=user, **kwargs)
            outcomes.append("won")
        except workflow.Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(A.APPROVE, inspector)),
        threading.Thread(target=act, args=(A.RETURN, secretariat), kwargs={"note": "退回"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "won"]
    problem.refresh_from_db()
    # reported (0) → assigned (1) → submitted (2) → exactly one of the two (3)
    assert problem.version == 3
    assert problem.events.count() == 4
