"""Chinese error pages in the site's layout with a way back (issue 10), for signed-in and
anonymous people, with DEBUG off; /favicon.ico is served."""

from unittest import mock

import pytest
from django.test import Client

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False


def assert_error_page(response, status, title):
    assert response.status_code == status
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert 'class="topbar"' in body  # the site's layout
    assert f'<p class="error-code muted">{status}</p>' in body
    assert f"<h1>{title}</h1>" in body
    assert "返回首页" in body and 'href="/"' in body
    assert "返回上一页" in body and "data-history-back" in body
    assert "Forbidden" not in body and "Not Found" not in body and "Server Error" not in body
    return body


def test_liaison_opening_vetoes_gets_the_chinese_403(client, liaison):
    # (/rankings/ itself sends a liaison to their own unit's page.)
    client_for(client, liaison)
    body = assert_error_page(client.get("/rankings/vetoes/"), 403, "无权访问")
    assert "您没有权限查看此页面" in body
    # Signed in: the page keeps the user menu and the navigation.
    assert 'class="mainnav"' in body and "t_liaison" in body


def test_anonymous_403_is_chinese(liaison):
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post("/login/", {"username": "t_liaison", "password": "x"})
    body = assert_error_page(response, 403, "页面已过期")
    assert "安全校验未通过" in body


@pytest.mark.parametrize("signed_in", [True, False])
def test_404_is_chinese(client, leader, signed_in):
    if signed_in:
        client_for(client, leader)
    body = assert_error_page(client.get("/no-such-page/"), 404, "页面不存在")
    assert ('class="mainnav"' in body) is signed_in


@pytest.mark.parametrize("signed_in", [True, False])
def test_400_is_chinese(client, leader, signed_in):
    if signed_in:
        client_for(client, leader)
    response = client.get("/", HTTP_HOST="evil.example.org")
    assert_error_page(response, 400, "请求无效")


@pytest.mark.parametrize("signed_in", [True, False])
def test_500_is_chinese_even_when_the_context_processors_fail(leader, signed_in):
    client = Client(raise_request_exception=False)
    if signed_in:
        client_for(client, leader)
    # The view fails, and so would every context processor that reads the database.
    failing_view = (
        mock.patch("civility.core.views.render", side_effect=RuntimeError("view failed"))
        if signed_in
        else mock.patch("civility.core.views.LoginView.get", side_effect=RuntimeError("x"))
    )
    broken_processor = mock.patch(
        "civility.core.context_processors.navigation", side_effect=RuntimeError("database down")
    )
    with failing_view, broken_processor:
        response = client.get("/" if signed_in else "/login/")
    body = assert_error_page(response, 500, "服务器出错了")
    assert "请稍后再试" in body


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".ico")
    assert "civility/favicon" in response["Location"]
