"""Every workflow POST carries the problem's version (issue 10): 20 people pressing 督办 at the
same moment with the same version give exactly one escalation and one event; posts without a
version (or with a garbled one) change nothing. Runs on SQLite and in the PostgreSQL run."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from civility.core.roles import Role
from civility.org.models import Unit
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem, ProblemEvent
from tests.conftest import client_for, make_user
from tests.factories import new_problem, street_site

THREADS = 20


def escalations(problem):
    return ProblemEvent.objects.filter(problem=problem, action=workflow.Action.ESCALATE)


def _assigned_problem():
    street = Unit.objects.get(name="湖里街道")
    secretariat = make_user("r_secretariat", Role.SECRETARIAT)
    inspector = make_user("r_inspector", Role.INSPECTOR)
    problem = new_problem(inspector, street_site(street))
    return workflow.perform(problem, workflow.Action.ASSIGN, by=secretariat, unit=street)


def _race(problem, leader, data) -> list[int]:
    url = reverse("problem_act", args=[problem.number, "escalate"])
    barrier = threading.Barrier(THREADS)
    statuses, errors = [], []

    def press():
        try:
            client = Client()
            client.force_login(leader)
            barrier.wait(timeout=30)
            statuses.append(client.post(url, data).status_code)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(statuses) == THREADS
    return statuses


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_escalations_with_one_version_give_one_event(live_huli):
    problem = _assigned_problem()
    leader = make_user("r_leader", Role.LEADER)
    statuses = _race(problem, leader, {"version": str(problem.version), "note": "抓紧整改"})
    assert 500 not in statuses
    problem.refresh_from_db()
    assert problem.escalation_level == 1
    assert escalations(problem).count() == 1
    # Everyone else was sent back to the page with "已被他人处理".
    assert statuses.count(302) == THREADS


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_escalations_without_version_change_nothing(live_huli):
    problem = _assigned_problem()
    leader = make_user("r_leader", Role.LEADER)
    statuses = _race(problem, leader, {"note": "抓紧整改"})
    assert statuses == [200] * THREADS
    problem.refresh_from_db()
    assert problem.escalation_level == 0
    assert not ProblemEvent.objects.filter(
        problem=problem, action=workflow.Action.ESCALATE
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("version", [None, "", "abc", "-1", "１", "1.0", "99999999999999999999"])
def test_escalate_without_a_usable_version_is_refused_in_chinese(
    client, leader, secretariat, inspector, street, version
):
    problem = new_problem(inspector, street_site(street))
    problem = workflow.perform(problem, workflow.Action.ASSIGN, by=secretariat, unit=street)
    client_for(client, leader)
    data = {"note": "抓紧"} if version is None else {"note": "抓紧", "version": version}
    url = reverse("problem_act", args=[problem.number, "escalate"])
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "请刷新页面后重试" in body
    after = Problem.objects.get(pk=problem.pk)
    assert (after.escalation_level, after.version) == (0, problem.version)
    assert not ProblemEvent.objects.filter(
        problem=problem, action=workflow.Action.ESCALATE
    ).exists()


@pytest.mark.django_db
def test_acknowledge_without_version_is_refused(client, liaison, secretariat, inspector, street):
    problem = new_problem(inspector, street_site(street))
    problem = workflow.perform(problem, workflow.Action.ASSIGN, by=secretariat, unit=street)
    client_for(client, liaison)
    response = client.post(reverse("problem_act", args=[problem.number, "acknowledge"]), {})
    assert response.status_code == 200
    assert "页面缺少问题的版本信息" in response.content.decode()
    assert Problem.objects.get(pk=problem.pk).acknowledged_at is None
