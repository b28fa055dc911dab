"""A liaison's home lists the 书面点评 waiting for their unit (签收, reply) with the deadline."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civility.core.models import User
from civility.core.roles import Role
from civility.org.models import Unit
from civility.supervision.commentary import services
from civility.supervision.commentary.inbox import liaison_commentary
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from tests.conftest import browser_login, make_user

pytestmark = pytest.mark.django_db

K = Commentary.Kind
T = Commentary.Tone


def issue(author, units, *, kind=K.WRITTEN, tone=T.CRITICISM, days_ago=0, title="湖里大道占道反弹"):
    units = list(units)
    commentary, _ = services.issue_commentary(
        by=author,
        headquarters=units[0].headquarters,
        kind=kind,
        tone=tone,
        title=title,
        text="湖里大道沿线占道经营问题反弹，整改不力，予以批评。",
        units=units,
        date=timezone.localdate() - timedelta(days=days_ago),
        reply_days=5,
    )
    return commentary


def receipt_of(commentary, unit) -> CommentaryReceipt:
    return CommentaryReceipt.objects.get(commentary=commentary, unit=unit)


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def waiting(leader, liaison, street, department):
    """One commentary per situation, with the ones that must not be listed."""
    overdue = issue(leader, [street], days_ago=7, title="逾期未签收的批评")
    to_sign = issue(leader, [street, department], days_ago=1, title="新的书面批评")
    to_reply = issue(leader, [street], days_ago=2, title="已签收待回复")
    services.acknowledge_receipt(receipt_of(to_reply, street), liaison)
    praise = issue(leader, [street], tone=T.PRAISE, title="书面表扬")
    # Not waiting: replied, praise signed, a meeting commentary, another unit's only.
    replied = issue(leader, [street], title="已回复")
    services.acknowledge_receipt(receipt_of(replied, street), liaison)
    services.reply_receipt(receipt_of(replied, street), liaison, "已组织清理。")
    signed_praise = issue(leader, [street], tone=T.PRAISE, title="已签收的表扬")
    services.acknowledge_receipt(receipt_of(signed_praise, street), liaison)
    issue(leader, [street], kind=K.MEETING, title="会议点评")
    issue(leader, [department], title="别的单位")
    return {"overdue": overdue, "to_sign": to_sign, "to_reply": to_reply, "praise": praise}


def test_liaison_commentary_lists_what_waits_most_pressing_first(liaison, waiting):
    inbox = liaison_commentary(fresh(liaison))
    titles = [row.commentary.title for row in inbox["rows"]]
    assert titles == ["逾期未签收的批评", "已签收待回复", "新的书面批评", "书面表扬"]
    assert (inbox["total"], inbox["to_acknowledge"], inbox["to_reply"], inbox["overdue"]) == (
        4,
        3,
        1,
        1,
    )
    first = inbox["rows"][0]
    assert first.state.label == "逾期未签收"
    assert first.due == waiting["overdue"].date + timedelta(days=5)
    assert inbox["rows"][3].due is None  # a praise only needs 签收


def test_liaison_commentary_shows_another_unit_only_its_own(other_liaison, waiting):
    inbox = liaison_commentary(fresh(other_liaison))
    assert [row.commentary.title for row in inbox["rows"]] == ["新的书面批评", "别的单位"]


def test_liaison_commentary_is_none_for_other_roles(leader, inspector, secretariat):
    for user in (leader, inspector, secretariat):
        assert liaison_commentary(fresh(user)) is None


def test_liaison_commentary_query_count_is_constant(leader, liaison, street):
    issue(leader, [street])
    with CaptureQueriesContext(connection) as few:
        liaison_commentary(fresh(liaison))
    for days in (1, 3, 8):
        issue(leader, [street], days_ago=days)
    with CaptureQueriesContext(connection) as many:
        inbox = liaison_commentary(fresh(liaison))
    assert inbox["total"] == 4
    assert len(many.captured_queries) == len(few.captured_queries)


def test_home_lists_the_units_commentary_with_deadline_and_link(client, liaison, waiting):
    client.force_login(liaison)
    html = client.get(reverse("home")).content.decode()
    assert 'id="home-commentary"' in html
    assert "书面点评待办" in html
    overdue = waiting["overdue"]
    receipt = receipt_of(overdue, liaison.unit)
    assert f"{reverse('commentary_detail', args=[overdue.pk])}#receipt-{receipt.pk}" in html
    due = overdue.date + timedelta(days=5)
    assert f'class="commentary-due overdue">回复期限 {due.month}月{due.day}日（已逾期）' in html
    assert "已签收待回复" in html and "书面表扬" in html
    assert "已回复</a>" not in html and "会议点评</a>" not in html
    # The problem inbox is still there, above it.
    assert html.index('id="home-liaison"') < html.index('id="home-commentary"')


def test_home_says_when_no_commentary_waits(client, liaison):
    client.force_login(liaison)
    html = client.get(reverse("home")).content.decode()
    assert "没有待签收或待回复的书面点评。" in html


def test_home_has_no_commentary_inbox_for_a_leader(client, leader, waiting):
    client.force_login(leader)
    html = client.get(reverse("home")).content.decode()
    assert 'id="home-commentary"' not in html


@pytest.mark.browser
def test_browser_liaison_home_lists_a_written_commentary_to_sign(live_huli, live_server, page):
    street = Unit.objects.get(name="湖里街道")
    leader = make_user("b_leader", Role.LEADER)
    make_user("b_liaison", Role.LIAISON, unit=street)
    commentary = issue(leader, [street], title="禾山路卫生死角整改不力")

    browser_login(page, live_server, "b_liaison")
    section = page.locator("#home-commentary")
    assert "禾山路卫生死角整改不力" in section.inner_text()
    assert "待签收" in section.inner_text()
    section.get_by_role("link", name="禾山路卫生死角整改不力").click()
    page.wait_for_url(f"**{reverse('commentary_detail', args=[commentary.pk])}*")
    page.get_by_role("button", name="签收").click()
    page.locator(".receipt .badge", has_text="已签收，待回复").wait_for()
    page.goto(f"{live_server.url}/")
    assert "已签收，待回复" in page.locator("#home-commentary").inner_text()
