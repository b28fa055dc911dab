"""Two app servers against one PostgreSQL (issue 11; README "Production layout"): identical
transitions sent to both at once have exactly one winner, and the periodic commands run on both
at once create nothing twice.

PostgreSQL only (the suite's second run): SQLite is one file on one machine.
"""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from civility.core.roles import Role
from civility.org.models import ProblemCategory, Site, Unit
from civility.reports.models import Report
from civility.supervision.notifications.models import Notification
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Action, Problem, ProblemEvent
from tests.conftest import make_user

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two servers need PostgreSQL (second run)"
    ),
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
CSRF = "a" * 32  # an unmasked CSRF secret: sent as cookie and header


def database_url() -> str:
    """The suite's DATABASE_URL pointed at the test database the tests write to."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def environment() -> dict:
    return {**os.environ, "DATABASE_URL": database_url(), "DJANGO_ALLOW_ASYNC_UNSAFE": "true"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            connection_ = http.client.HTTPConnection(HOST, port, timeout=5)
            connection_.request("GET", "/healthz", headers={"Host": "localhost"})
            if connection_.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not answer /healthz")


@pytest.fixture
def two_servers():
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "civility.wsgi",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                "2",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=environment(),
        )  # fmt: skip
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_until_up(port, server)
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def session_cookie(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; csrftoken={CSRF}"


def post(port: int, path: str, cookie: str, data: dict) -> int:
    body = urlencode(data)
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request(
        "POST",
        path,
        body=body,
        headers={
            "Host": "localhost",
            "Cookie": cookie,
            "X-CSRFToken": CSRF,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.fixture
def people(live_huli):
    street = Unit.objects.get(name="湖里街道")
    return {
        "street": street,
        "site": Site.objects.filter(default_unit=street).order_by("id").first(),
        "secretariat": make_user("two_secretariat", Role.SECRETARIAT),
        "inspector": make_user("two_inspector", Role.INSPECTOR),
        "liaison": make_user("two_liaison", Role.LIAISON, unit=street),
    }


def test_identical_transitions_on_two_servers_have_one_winner(two_servers, people):
    category = ProblemCategory.objects.get(name="占道经营")
    problem, _ = workflow.report_problem(
        by=people["inspector"], site=people["site"], category=category, description="占道经营"
    )
    version = problem.version
    cookie = session_cookie(people["secretariat"])
    path = f"/problems/{problem.number}/act/assign/"
    data = {"version": version, "unit": people["street"].pk}
    barrier = threading.Barrier(8)
    statuses = []

    def press(port):
        barrier.wait()
        statuses.append(post(port, path, cookie, data))

    threads = [threading.Thread(target=press, args=(two_servers[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == 8 and all(status < 500 for status in statuses), statuses
    problem.refresh_from_db()
    assert problem.status == "assigned" and problem.version == version + 1
    assert ProblemEvent.objects.filter(problem=problem, action=Action.ASSIGN).count() == 1


def run_on_both(*command: str) -> None:
    """The same management command started twice at once, as cron would on two servers."""
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(2)
    ]
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output.decode()


def test_compile_reports_on_two_servers_creates_each_report_once(people):
    category = ProblemCategory.objects.get(name="占道经营")
    workflow.report_problem(
        by=people["inspector"], site=people["site"], category=category, description="占道经营"
    )
    run_on_both("compile_reports", "--force")
    duplicates = (
        Report.objects.values("headquarters", "kind", "period")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert Report.objects.count() >= 2  # last week's 巡报 and last month's 通报
    assert list(duplicates) == []


def test_send_reminders_on_two_servers_notifies_once(people):
    category = ProblemCategory.objects.get(name="占道经营")
    for hours in (-2, 3):
        problem, _ = workflow.report_problem(
            by=people["inspector"], site=people["site"], category=category, description="占道"
        )
        workflow.perform(problem, Action.ASSIGN, by=people["secretariat"], unit=people["street"])
        Problem.objects.filter(pk=problem.pk).update(
            deadline=timezone.now() + timedelta(hours=hours)
        )
    run_on_both("send_reminders", "--once")
    sent = Notification.objects.filter(user=people["liaison"])
    assert sent.exists()
    duplicates = (
        Notification.objects.values("user", "kind", "problem")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert list(duplicates) == []
