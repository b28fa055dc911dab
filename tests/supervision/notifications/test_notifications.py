"""The notification inbox: newest first, unread highlighted, open marks read, mark all read."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civility.supervision.notifications.models import Notification

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def note(user, text, *, url="/commentary/", read=False, kind=Kind.COMMENTARY):
    return Notification.objects.create(
        user=user, kind=kind, text=text, url=url, read_at=timezone.now() if read else None
    )


def test_notification_list_shows_own_notifications_newest_first(client, liaison, other_liaison):
    note(liaison, "第一条通知", read=True)
    note(liaison, "第二条通知")
    note(other_liaison, "别人的通知")
    client.force_login(liaison)
    response = client.get(reverse("notification_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("第二条通知") < body.index("第一条通知")
    assert "别人的通知" not in body
    assert body.count('class="notification unread"') == 1
    assert "1 条未读" in body
    assert '<span class="bell-count" id="bell-count">1</span>' in body


def test_notification_list_requires_login(client):
    response = client.get(reverse("notification_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_notification_open_marks_read_and_follows_the_link(client, liaison):
    item = note(liaison, "新交办问题", url="/problems/HL-2008-000001/")
    client.force_login(liaison)
    response = client.get(reverse("notification_open", args=[item.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/problems/HL-2008-000001/"
    item.refresh_from_db()
    assert item.read_at is not None


def test_notification_open_is_404_for_someone_else(client, liaison, other_liaison):
    item = note(liaison, "只给湖里街道")
    client.force_login(other_liaison)
    assert client.get(reverse("notification_open", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_notification_open_never_redirects_off_site(client, liaison):
    item = note(liaison, "可疑链接", url="https://evil.example/steal")
    client.force_login(liaison)
    response = client.get(reverse("notification_open", args=[item.pk]))
    assert response["Location"] == reverse("notification_list")


def test_notifications_read_all_marks_only_own_unread(client, liaison, other_liaison):
    note(liaison, "一")
    note(liaison, "二")
    others = note(other_liaison, "三")
    client.force_login(liaison)
    response = client.post(reverse("notifications_read_all"))
    assert response.status_code == 302
    assert Notification.objects.filter(user=liaison, read_at__isnull=True).count() == 0
    others.refresh_from_db()
    assert others.read_at is None


def test_notifications_read_all_with_htmx_refreshes_the_bell(client, liaison):
    note(liaison, "一")
    note(liaison, "二")
    client.force_login(liaison)
    response = client.post(
        reverse("notifications_read_all"),
        headers={"HX-Request": "true", "HX-Target": "notification-region"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith('<div id="notification-region"')
    assert 'hx-swap-oob="outerHTML:.topbar .bell"' in body
    assert "bell-count" not in body
    assert 'class="notification unread"' not in body
    assert json.loads(response["HX-Trigger"])["toast"]["message"] == "已将 2 条通知标为已读。"


def test_notifications_read_all_requires_post(client, liaison):
    note(liaison, "一")
    client.force_login(liaison)
    assert client.get(reverse("notifications_read_all")).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_notification_list_paginates(client, liaison):
    for i in range(35):
        note(liaison, f"通知{i:02d}")
    client.force_login(liaison)
    first = client.get(reverse("notification_list")).content.decode()
    assert "通知34" in first and "通知04" not in first
    second = client.get(reverse("notification_list") + "?page=2").content.decode()
    assert "通知04" in second and "通知34" not in second


def test_notification_list_query_count_is_constant(client, liaison):
    note(liaison, "一")
    client.force_login(liaison)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("notification_list")).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for i in range(25):
        note(liaison, f"通知{i}", read=bool(i % 2))
    assert queries() == few


@pytest.mark.browser
def test_browser_mark_all_read_clears_the_bell_without_reload(live_huli, live_server, page):
    from civility.core.roles import Role
    from civility.org.models import Unit
    from tests.conftest import browser_login, make_user

    user = make_user("b_liaison", Role.LIAISON, unit=Unit.objects.get(name="湖里街道"))
    note(user, "新交办问题 一")
    note(user, "新交办问题 二")
    browser_login(page, live_server, "b_liaison")
    assert page.locator("#bell-count").inner_text() == "2"
    page.locator(".bell").click()
    page.wait_for_url("**/notifications/")
    assert page.locator(".notification.unread").count() == 2
    page.evaluate("window.__noReload = true")
    page.get_by_role("button", name="全部标为已读").click()
    page.locator("#unread-count", has_text="没有未读通知").wait_for()
    assert page.locator("#bell-count").count() == 0
    assert page.locator(".notification.unread").count() == 0
    assert page.evaluate("window.__noReload") is True
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 0
