"""send_reminders: 明日到期 and 逾期 notices, once per liaison and problem, however often
it runs."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from civility.core.roles import Role
from civility.supervision.notifications.models import Notification
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem
from civility.supervision.problems.reminders import send_due_reminders
from tests.conftest import make_user
from tests.factories import new_problem, photo, street_site

A = workflow.Action
Kind = Notification.Kind


def assigned(secretariat, inspector, site, unit, *, hours: float):
    problem = new_problem(inspector, site)
    return workflow.perform(
        problem,
        A.ASSIGN,
        by=secretariat,
        unit=unit,
        deadline=timezone.now() + timedelta(hours=hours),
    )


def kinds_for(user):
    return sorted(
        Notification.objects.filter(user=user, kind__in=Notification.ONCE_KINDS).values_list(
            "kind", "problem__number"
        )
    )


def test_reminders_notify_due_tomorrow_once(secretariat, inspector, liaison, site, street):
    second_liaison = make_user("t_liaison_b", Role.LIAISON, unit=street)
    problem = assigned(secretariat, inspector, site, street, hours=10)
    assigned(secretariat, inspector, site, street, hours=60)  # not yet due
    first = send_due_reminders()
    assert first == {"due_tomorrow": 2, "overdue": 0}
    assert kinds_for(liaison) == [("due_tomorrow", problem.number)]
    assert kinds_for(second_liaison) == [("due_tomorrow", problem.number)]
    assert send_due_reminders() == {"due_tomorrow": 0, "overdue": 0}
    assert Notification.objects.filter(kind=Kind.DUE_TOMORROW).count() == 2


def test_reminders_notify_overdue_once(secretariat, inspector, liaison, site, street):
    problem = assigned(secretariat, inspector, site, street, hours=2)
    later = timezone.now() + timedelta(hours=3)
    assert send_due_reminders(now=later) == {"due_tomorrow": 0, "overdue": 1}
    assert send_due_reminders(now=later + timedelta(days=1)) == {"due_tomorrow": 0, "overdue": 0}
    assert kinds_for(liaison) == [("overdue", problem.number)]
    item = Notification.objects.get(user=liaison, kind=Kind.OVERDUE)
    assert item.url == f"/problems/{problem.number}/"
    assert "已超过整改期限" in item.text


def test_reminders_send_both_kinds_over_time(secretariat, inspector, liaison, site, street):
    problem = assigned(secretariat, inspector, site, street, hours=5)
    send_due_reminders()
    send_due_reminders(now=timezone.now() + timedelta(hours=6))
    assert kinds_for(liaison) == [("due_tomorrow", problem.number), ("overdue", problem.number)]


def test_reminders_skip_closed_and_void_problems(secretariat, inspector, liaison, site, street):
    closed = assigned(secretariat, inspector, site, street, hours=2)
    closed = workflow.perform(closed, A.SUBMIT, by=liaison, note="已清理", photos=[photo()])
    workflow.perform(closed, A.APPROVE, by=inspector)
    void = new_problem(inspector, site)
    workflow.perform(void, A.VOID, by=secretariat, note="重复上报")
    later = timezone.now() + timedelta(days=2)
    assert send_due_reminders(now=later) == {"due_tomorrow": 0, "overdue": 0}
    assert kinds_for(liaison) == []


def test_reminders_do_not_send_due_tomorrow_for_submitted(
    secretariat, inspector, liaison, site, street
):
    problem = assigned(secretariat, inspector, site, street, hours=5)
    problem = workflow.perform(problem, A.SUBMIT, by=liaison, note="已清理", photos=[photo()])
    assert send_due_reminders() == {"due_tomorrow": 0, "overdue": 0}
    # Waiting for 复查 past the deadline is still overdue.
    assert send_due_reminders(now=timezone.now() + timedelta(hours=6))["overdue"] == 1


def test_reminders_go_to_the_primary_units_liaisons_only(
    secretariat, inspector, liaison, other_liaison, site, street
):
    assigned(secretariat, inspector, site, street, hours=5)
    send_due_reminders()
    assert kinds_for(other_liaison) == []


def test_send_reminders_command_prints_a_summary(secretariat, inspector, liaison, site, street):
    assigned(secretariat, inspector, site, street, hours=5)
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == "明日到期提醒 1 条，逾期提醒 0 条"
    out = StringIO()
    call_command("send_reminders", "--once", stdout=out)
    assert out.getvalue().strip() == "明日到期提醒 0 条，逾期提醒 0 条"


def test_send_reminders_query_count_is_constant(secretariat, inspector, liaison, site, street):
    from django.test.utils import CaptureQueriesContext

    assigned(secretariat, inspector, site, street, hours=5)
    with CaptureQueriesContext(connection) as few:
        send_due_reminders()
    for _ in range(5):
        assigned(secretariat, inspector, site, street, hours=5)
    Notification.objects.filter(kind__in=Notification.ONCE_KINDS).delete()
    with CaptureQueriesContext(connection) as many:
        send_due_reminders()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_reminders_on_two_servers_at_once_insert_no_duplicates(live_huli):
    """Two runs racing (two threads, two connections) still leave one notice per person."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (the suite's second run)")
    from civility.org.models import Unit

    street = Unit.objects.get(name="湖里街道")
    secretariat = make_user("r_secretariat", Role.SECRETARIAT)
    inspector = make_user("r_inspector", Role.INSPECTOR)
    make_user("r_liaison", Role.LIAISON, unit=street)
    make_user("r_liaison_b", Role.LIAISON, unit=street)
    site = street_site(street)
    for hours in (3, 5, 8):
        assigned(secretariat, inspector, site, street, hours=hours)
    overdue = assigned(secretariat, inspector, site, street, hours=1)
    Problem.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - timedelta(hours=1))

    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            send_due_reminders()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Notification.objects.filter(kind=Kind.DUE_TOMORROW).count() == 6
    assert Notification.objects.filter(kind=Kind.OVERDUE).count() == 2
