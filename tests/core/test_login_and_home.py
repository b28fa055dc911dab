import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from civility.core.models import LoginFailure
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_login_page_is_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


def test_login_with_right_password_signs_in(client, leader):
    response = login(client, "t_leader", "test-password-123")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_wrong_password_shows_chinese_error_and_records_failure(client, leader):
    response = login(client, "t_leader", "wrong")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert LoginFailure.objects.filter(username="t_leader").count() == 1


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_login_is_throttled_after_repeated_failures(client, leader):
    for _ in range(3):
        login(client, "t_leader", "wrong")
    response = login(client, "t_leader", "test-password-123")
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_login_throttle_does_not_lock_out_other_users_or_addresses(client, leader, inspector):
    for _ in range(3):
        login(client, "t_leader", "wrong")
    assert login(client, "t_inspector", "test-password-123").status_code == 302
    client.logout()
    assert login(client, "t_leader", "test-password-123", ip="10.0.0.2").status_code == 302


def test_successful_login_clears_failures(client, leader):
    login(client, "t_leader", "wrong")
    login(client, "t_leader", "test-password-123")
    assert LoginFailure.objects.filter(username="t_leader").count() == 0


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "persona", ["secretariat", "leader", "inspector", "liaison", "representative"]
)
def test_home_opens_for_every_role(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert str(user) in response.content.decode()


def test_home_liaison_sees_own_unit_assignment_summary(client, liaison):
    client.force_login(liaison)
    body = client.get(reverse("home")).content.decode()
    assert "湖里街道的责任分解" in body


def test_home_inspector_has_no_assignment_summary(client, inspector):
    client.force_login(inspector)
    body = client.get(reverse("home")).content.decode()
    assert "责任分解落实情况" not in body


def test_language_switch_offers_english(client, leader):
    client.force_login(leader)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/"}, HTTP_REFERER="/"
    )
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"


def test_responses_carry_csp_and_vary_headers(client, leader):
    client.force_login(leader)
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "HX-Request" in response["Vary"]


def test_role_groups_exist_with_permissions():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"secretariat", "leader", "inspector", "liaison", "representative"} <= names
    secretariat = Group.objects.get(name="secretariat")
    assert secretariat.permissions.filter(codename="change_assignment").exists()
    assert (
        not Group.objects.get(name="liaison")
        .permissions.filter(codename="change_assignment")
        .exists()
    )


def test_user_roles_reflect_groups(db):
    from civility.core.roles import Role

    user = make_user("two_roles", Role.INSPECTOR, Role.REPRESENTATIVE)
    assert user.has_role(Role.INSPECTOR)
    assert user.roles == [Role.INSPECTOR, Role.REPRESENTATIVE]
    assert user.role_labels == "督查员、人大代表/政协委员"


def test_browser_language_header_does_not_switch_to_english(client, leader):
    client.force_login(leader)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "星期" in response.content.decode()


def test_language_cookie_switches_language(client, leader):
    client.force_login(leader)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home"))
    assert response["Content-Language"] == "en"


def test_home_lists_latest_published_reports_with_unread_mark(client, representative, hq):
    from datetime import date

    from civility.reports.models import Report

    Report.objects.create(
        headquarters=hq,
        kind="monthly",
        period="2026-10",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        year=2026,
        title="关于2026年10月文明城区创建督查情况的通报",
        status="published",
        number="湖创指〔2026〕9号",
        snapshot={"title": "x"},
        published_at=timezone.now(),
    )
    Report.objects.create(
        headquarters=hq,
        kind="monthly",
        period="2026-11",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        year=2026,
        title="草稿通报",
    )
    client.force_login(representative)
    body = client.get(reverse("home")).content.decode()
    assert "关于2026年10月文明城区创建督查情况的通报" in body
    assert "未阅" in body
    assert "草稿通报" not in body


def test_only_the_secretariat_group_has_model_permissions():
    from django.contrib.auth.models import Group

    counts = {g.name: g.permissions.count() for g in Group.objects.all()}
    assert counts["secretariat"] > 0
    assert [counts[r] for r in ("leader", "inspector", "liaison", "representative")] == [0] * 4
