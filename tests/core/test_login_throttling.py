"""Sign-in throttling hardened (issue 10): X-Forwarded-For only from TRUSTED_PROXIES, a per-account
ceiling across addresses, atomic counting under concurrency, and the secretariat's unlock."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from civility.core.auth import client_ip
from civility.core.models import LoginFailure, LoginThrottle
from civility.core.roles import Role
from tests.conftest import make_user

PASSWORD = "test-password-123"


def sign_in(client, password, remote="10.0.0.1", forwarded=None, username="t_leader"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def evaluations(monkeypatch):
    """Counts how often a password is really checked (thread-safe)."""
    calls, lock = [], threading.Lock()
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        with lock:
            calls.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "127.0.0.1", "203.0.113.9", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "203.0.113.9", "203.0.113.9"),
        (["127.0.0.1"], "10.0.0.5", "203.0.113.9", "10.0.0.5"),
        (["127.0.0.1"], "127.0.0.1", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (
            ["127.0.0.1", "10.1.0.0/16"],
            "127.0.0.1",
            "1.2.3.4, 203.0.113.9, 10.1.2.3",
            "203.0.113.9",
        ),
        (["127.0.0.1"], "127.0.0.1", "garbage", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_client_ip_trusts_only_named_proxies(rf, settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=5, TRUSTED_PROXIES=[])
def test_rotated_forwarded_for_from_an_untrusted_client_is_ignored(client, leader, evaluations):
    for n in range(40):
        response = sign_in(client, "wrong", remote="127.0.0.1", forwarded=f"198.51.100.{n}")
        assert response.status_code == 200
    assert len(evaluations) == 5
    assert LoginFailure.objects.filter(username="t_leader").count() == 5
    response = sign_in(client, PASSWORD, remote="127.0.0.1", forwarded="198.51.100.200")
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_ACCOUNT_FAILURE_LIMIT=20)
def test_account_ceiling_holds_across_addresses(client, leader, inspector, evaluations):
    for n in range(25):
        sign_in(client, "wrong", remote=f"10.20.{n}.1")
    assert len(evaluations) == 20
    response = sign_in(client, PASSWORD, remote="10.99.0.1")
    body = response.content.decode()
    assert "该账号登录失败次数过多，已暂时锁定" in body
    assert "联系创建办" in body
    assert "_auth_user_id" not in client.session
    # Other accounts are not affected.
    assert sign_in(client, PASSWORD, remote="10.20.0.1", username="t_inspector").status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_lock_ends_with_the_window(client, leader, settings):
    for _ in range(3):
        sign_in(client, "wrong")
    assert "登录失败次数过多" in sign_in(client, PASSWORD).content.decode()
    LoginThrottle.objects.update(
        window_start=LoginThrottle.objects.first().window_start
        - settings.LOGIN_FAILURE_WINDOW
        - timedelta(seconds=1)
    )
    assert sign_in(client, PASSWORD).status_code == 302
    assert not LoginThrottle.objects.filter(username="t_leader").exists()


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_ACCOUNT_FAILURE_LIMIT=3)
def test_secretariat_unlocks_a_user_in_the_admin(client, leader, secretariat):
    for n in range(3):
        sign_in(client, "wrong", remote=f"10.30.{n}.1")
    assert "已暂时锁定" in sign_in(client, PASSWORD, remote="10.30.9.1").content.decode()

    admin = Client()
    admin.force_login(secretariat)
    response = admin.post(
        reverse("admin:core_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [leader.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "已解除 1 个用户的登录锁定。" in response.content.decode()
    assert not LoginThrottle.objects.filter(username="t_leader").exists()
    assert not LoginFailure.objects.filter(username="t_leader").exists()
    assert sign_in(client, PASSWORD, remote="10.30.0.1").status_code == 302


def _concurrent_wrong_attempts(username, remotes):
    barrier = threading.Barrier(len(remotes))
    errors = []

    def attempt(remote):
        try:
            client = Client()
            barrier.wait(timeout=30)
            response = sign_in(client, "wrong", remote=remote, username=username)
            assert response.status_code == 200
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in remotes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_ACCOUNT_FAILURE_LIMIT=20)
def test_25_concurrent_wrong_passwords_from_one_address_evaluate_at_most_the_limit(
    live_huli, evaluations
):
    make_user("c_leader", Role.LEADER)
    _concurrent_wrong_attempts("c_leader", ["10.40.0.1"] * 25)
    assert 1 <= len(evaluations) <= 5
    assert LoginFailure.objects.filter(username="c_leader").count() == len(evaluations)


@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_ACCOUNT_FAILURE_LIMIT=8)
def test_25_concurrent_wrong_passwords_from_many_addresses_hit_the_account_ceiling(
    live_huli, evaluations
):
    make_user("c_leader", Role.LEADER)
    _concurrent_wrong_attempts("c_leader", [f"10.50.{n}.1" for n in range(25)])
    assert 1 <= len(evaluations) <= 8
    row = LoginThrottle.objects.get(key="user:c_leader")
    assert row.failures == len(evaluations)
