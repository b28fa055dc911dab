"""The login form says in Chinese what is missing (it is novalidate, so the browser's English bubble
never shows), and an empty field neither counts as a failure nor clears the throttle counters."""

import re

import pytest
from django.urls import reverse

from civility.core.models import LoginThrottle

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_form_leaves_validation_to_the_app(client):
    html = client.get(reverse("login")).content.decode()
    assert re.search(r"<form[^>]*novalidate", html)


def test_login_without_user_name_and_password_says_both_in_chinese(client, leader):
    html = sign_in(client, "", "").content.decode()
    assert '<p class="field-error">请输入用户名。</p>' in html
    assert '<p class="field-error">请输入密码。</p>' in html
    assert "_auth_user_id" not in client.session


def test_login_without_password_says_so_and_counts_nothing(client, leader):
    html = sign_in(client, "t_leader", "").content.decode()
    assert '<p class="field-error">请输入密码。</p>' in html
    assert list(LoginThrottle.objects.values_list("failures", flat=True)) == [0, 0]


def test_login_empty_password_does_not_reset_the_throttle(client, leader, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(4):
        sign_in(client, "t_leader", "wrong-password")
    sign_in(client, "t_leader", "")
    sign_in(client, "t_leader", "wrong-password")
    html = sign_in(client, "t_leader", PASSWORD).content.decode()
    assert "登录失败次数过多" in html
    assert "_auth_user_id" not in client.session


def test_login_with_the_right_password_still_clears_the_counters(client, leader):
    sign_in(client, "t_leader", "wrong-password")
    response = sign_in(client, "t_leader", PASSWORD)
    assert response.status_code == 302
    assert LoginThrottle.objects.filter(username="t_leader").count() == 0
