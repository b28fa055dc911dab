"""点评 (SPEC §4): writing commentary, 签收 and reply of a 书面点评, the list, detail and print."""

import io
import json
import re
import uuid
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civility.core.roles import Role
from civility.org.models import Unit
from civility.supervision.commentary import services
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.notifications.models import Notification
from civility.supervision.problems.models import Photo
from tests.conftest import browser_login, make_user
from tests.factories import jpeg_bytes, new_problem, street_site

pytestmark = pytest.mark.django_db

K = Commentary.Kind
T = Commentary.Tone


def issue(author, units, *, kind=K.WRITTEN, tone=T.CRITICISM, date=None, reply_days=5, **extra):
    units = list(units)
    commentary, _ = services.issue_commentary(
        by=author,
        headquarters=units[0].headquarters,
        kind=kind,
        tone=tone,
        title=extra.pop("title", "湖里大道占道经营反弹"),
        text=extra.pop("text", "湖里大道沿线占道经营问题反弹，整改不力，予以批评。"),
        units=units,
        date=date,
        reply_days=reply_days,
        **extra,
    )
    return commentary


def receipt_of(commentary, unit) -> CommentaryReceipt:
    return CommentaryReceipt.objects.get(commentary=commentary, unit=unit)


def form_data(units, **overrides):
    data = {
        "kind": K.WRITTEN,
        "tone": T.CRITICISM,
        "date": timezone.localdate().isoformat(),
        "title": "禾山路卫生死角整改不力",
        "text": "禾山路沿线多处卫生死角长期未清理，予以书面批评。",
        "units": [u.pk for u in units],
        "problems": "",
        "reply_days": "5",
        "client_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- writing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "secretariat"])
def test_commentary_new_opens_for_writers(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("commentary_new"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "发布点评" in body
    assert "湖里街道" in body
    assert 'name="client_token"' in body


@pytest.mark.parametrize("persona", ["liaison", "inspector", "representative"])
def test_commentary_new_is_forbidden_for_others(client, request, persona, street):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("commentary_new")).status_code == 403
    response = client.post(reverse("commentary_new"), form_data([street]))
    assert response.status_code == 403
    assert Commentary.objects.count() == 0


def test_commentary_new_requires_login(client):
    response = client.get(reverse("commentary_new"))
    assert response.status_code == 302


def test_commentary_new_creates_receipts_and_notifies_liaisons(
    client, leader, street, department, liaison, other_liaison, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("commentary_new"), form_data([street, department]))
    commentary = Commentary.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("commentary_detail", args=[commentary.pk])
    assert commentary.author == leader
    assert commentary.reply_days == 5
    assert sorted(commentary.receipts.values_list("unit__name", flat=True)) == sorted(
        [street.name, department.name]
    )
    notes = Notification.objects.filter(commentary=commentary, kind=Notification.Kind.COMMENTARY)
    assert sorted(notes.values_list("user__username", flat=True)) == ["t_liaison", "t_liaison2"]
    assert notes.first().url == reverse("commentary_detail", args=[commentary.pk])


def test_commentary_new_double_submit_creates_one(client, secretariat, street):
    client.force_login(secretariat)
    data = form_data([street])
    first = client.post(reverse("commentary_new"), data)
    second = client.post(reverse("commentary_new"), data)
    assert Commentary.objects.count() == 1
    assert CommentaryReceipt.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_commentary_new_htmx_redirects_on_the_client(client, leader, street):
    client.force_login(leader)
    response = client.post(
        reverse("commentary_new"),
        form_data([street]),
        headers={"HX-Request": "true", "HX-Target": "commentary-form"},
    )
    commentary = Commentary.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("commentary_detail", args=[commentary.pk])


def test_commentary_new_without_units_shows_the_error(client, leader):
    client.force_login(leader)
    response = client.post(
        reverse("commentary_new"),
        form_data([]),
        headers={"HX-Request": "true", "HX-Target": "commentary-form"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "请至少选择一个被点评单位。" in body
    assert "<html" not in body  # only the form partial
    assert Commentary.objects.count() == 0


def test_commentary_new_attaches_photos_and_problems(client, leader, inspector, street):
    problem = new_problem(inspector, street_site(street))
    client.force_login(leader)
    data = form_data([street], problems=f" {problem.number.lower()}，")
    data["photos"] = [
        SimpleUploadedFile("a.jpg", jpeg_bytes("red"), content_type="image/jpeg"),
        SimpleUploadedFile("b.jpg", jpeg_bytes("blue"), content_type="image/jpeg"),
    ]
    response = client.post(reverse("commentary_new"), data)
    assert response.status_code == 302
    commentary = Commentary.objects.get()
    assert list(commentary.problems.all()) == [problem]
    assert commentary.photos.count() == 2
    assert set(commentary.photos.values_list("kind", flat=True)) == {Photo.Kind.COMMENTARY}


def test_commentary_new_rejects_a_file_that_is_not_an_image(client, leader, street):
    client.force_login(leader)
    data = form_data([street])
    data["photos"] = [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")]
    response = client.post(reverse("commentary_new"), data)
    assert response.status_code == 200
    assert "第 1 张照片（x.jpg）：文件不是有效的图片。" in response.content.decode()
    assert Commentary.objects.count() == 0


def test_commentary_new_rejects_unknown_problem_numbers(client, leader, street):
    client.force_login(leader)
    response = client.post(reverse("commentary_new"), form_data([street], problems="HL-1999-9"))
    assert response.status_code == 200
    assert "找不到以下问题编号（或无权查看）：HL-1999-9" in response.content.decode()
    assert Commentary.objects.count() == 0


def test_issue_commentary_refuses_a_liaison(liaison, street):
    with pytest.raises(services.NotAllowed):
        issue(liaison, [street])
    assert Commentary.objects.count() == 0


def test_commentary_reply_days_default_comes_from_settings(settings, leader, street):
    settings.COMMENTARY_REPLY_DAYS = 7
    commentary, _ = services.issue_commentary(
        by=leader,
        headquarters=street.headquarters,
        kind=K.WRITTEN,
        tone=T.CRITICISM,
        title="标题",
        text="内容",
        units=[street],
    )
    assert commentary.reply_days == 7


# --- detail ------------------------------------------------------------------------------------


def test_commentary_detail_shows_the_liaison_a_sign_button(client, leader, liaison, street):
    commentary = issue(leader, [street])
    client.force_login(liaison)
    response = client.get(reverse("commentary_detail", args=[commentary.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert commentary.title in body
    assert ">签收</button>" in body
    assert "回复整改措施" not in body  # the reply comes after 签收


def test_commentary_detail_has_a_breadcrumb_to_the_list(client, leader, liaison, street):
    commentary = issue(leader, [street], title="湖里大道占道经营反弹")
    client.force_login(liaison)
    body = client.get(reverse("commentary_detail", args=[commentary.pk])).content.decode()
    crumb = re.search(r'<p class="crumbs[^"]*">(.*?)</p>', body, re.S)
    assert crumb is not None
    assert f'<a href="{reverse("commentary_list")}">督查点评</a> › 湖里大道占道经营反弹' in crumb[1]


@pytest.mark.parametrize("persona", ["other_liaison", "representative"])
def test_commentary_detail_is_404_outside_the_units(client, request, leader, street, persona):
    commentary = issue(leader, [street])
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("commentary_detail", args=[commentary.pk])).status_code == 404
    assert client.get(reverse("commentary_print", args=[commentary.pk])).status_code == 404


def test_commentary_detail_shows_a_liaison_only_their_own_receipt(
    client, leader, liaison, other_liaison, street, department
):
    commentary = issue(leader, [street, department])
    other = receipt_of(commentary, department)
    services.acknowledge_receipt(other, other_liaison)
    services.reply_receipt(receipt_of(commentary, department), other_liaison, "执法局已加强巡查")
    client.force_login(liaison)
    body = client.get(reverse("commentary_detail", args=[commentary.pk])).content.decode()
    assert "执法局已加强巡查" not in body
    assert f'id="receipt-{other.pk}"' not in body
    assert f'id="receipt-{receipt_of(commentary, street).pk}"' in body


def test_commentary_detail_shows_the_secretariat_every_unit_and_overdue(
    client, leader, secretariat, other_liaison, street, department
):
    old = timezone.localdate() - timedelta(days=10)
    commentary = issue(leader, [street, department], date=old)
    services.acknowledge_receipt(receipt_of(commentary, department), other_liaison)
    services.reply_receipt(receipt_of(commentary, department), other_liaison, "执法局已加强巡查")
    client.force_login(secretariat)
    body = client.get(reverse("commentary_detail", args=[commentary.pk])).content.decode()
    assert "执法局已加强巡查" in body
    assert "receipt-overdue" in body  # 湖里街道 never signed nor replied
    assert "逾期未签收" in body
    assert "逾期回复" in body  # the department replied, but after the due date
    assert ">签收</button>" not in body


def test_commentary_detail_marks_its_notifications_read(
    client, leader, liaison, street, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        commentary = issue(leader, [street])
    note = Notification.objects.get(user=liaison, commentary=commentary)
    assert note.read_at is None
    client.force_login(liaison)
    client.get(reverse("commentary_detail", args=[commentary.pk]))
    note.refresh_from_db()
    assert note.read_at is not None


# --- 签收 and reply ----------------------------------------------------------------------------


def ack_url(receipt):
    return reverse("commentary_acknowledge", args=[receipt.commentary_id, receipt.pk])


def reply_url(receipt):
    return reverse("commentary_reply", args=[receipt.commentary_id, receipt.pk])


def test_acknowledge_sets_the_time_once(client, leader, liaison, street):
    commentary = issue(leader, [street])
    receipt = receipt_of(commentary, street)
    client.force_login(liaison)
    response = client.post(ack_url(receipt))
    assert response.status_code == 302
    receipt.refresh_from_db()
    first = receipt.acknowledged_at
    assert first is not None
    assert receipt.acknowledged_by == liaison

    second_person = make_user("t_liaison_b", Role.LIAISON, unit=street)
    client.force_login(second_person)
    response = client.post(ack_url(receipt), follow=True)
    assert "该点评已签收，不能重复签收。" in response.content.decode()
    receipt.refresh_from_db()
    assert receipt.acknowledged_at == first
    assert receipt.acknowledged_by == liaison


def test_acknowledge_with_htmx_returns_the_receipt_and_a_toast(client, leader, liaison, street):
    commentary = issue(leader, [street])
    receipt = receipt_of(commentary, street)
    client.force_login(liaison)
    response = client.post(
        ack_url(receipt), headers={"HX-Request": "true", "HX-Target": f"receipt-{receipt.pk}"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith(
        f'<article class="receipt receipt-waiting" id="receipt-{receipt.pk}"'
    )
    assert "回复整改措施" in body  # a criticism: the reply form follows 签收
    assert json.loads(response["HX-Trigger"])["toast"]["message"] == "已签收。"


def test_acknowledge_race_lets_one_win(leader, liaison, street):
    commentary = issue(leader, [street])
    mine = receipt_of(commentary, street)
    stale = receipt_of(commentary, street)
    services.acknowledge_receipt(mine, liaison)
    other = make_user("t_liaison_b", Role.LIAISON, unit=street)
    with pytest.raises(services.Conflict) as error:
        services.acknowledge_receipt(stale, other)
    assert "已被他人处理" in error.value.message
    assert receipt_of(commentary, street).acknowledged_by == liaison


def test_acknowledge_is_404_for_another_units_liaison(client, leader, other_liaison, street):
    commentary = issue(leader, [street])
    receipt = receipt_of(commentary, street)
    client.force_login(other_liaison)
    assert client.post(ack_url(receipt)).status_code == 404
    assert receipt_of(commentary, street).acknowledged_at is None


def test_acknowledge_is_403_for_the_secretariat(client, leader, secretariat, street):
    commentary = issue(leader, [street])
    receipt = receipt_of(commentary, street)
    client.force_login(secretariat)
    assert client.post(ack_url(receipt)).status_code == 403
    assert receipt_of(commentary, street).acknowledged_at is None


def test_acknowledge_is_not_needed_for_a_meeting_commentary(client, leader, liaison, street):
    commentary = issue(leader, [street], kind=K.MEETING)
    receipt = receipt_of(commentary, street)
    client.force_login(liaison)
    body = client.get(reverse("commentary_detail", args=[commentary.pk])).content.decode()
    assert ">签收</button>" not in body
    response = client.post(ack_url(receipt), follow=True)
    assert "只有书面点评需要签收。" in response.content.decode()
    assert receipt_of(commentary, street).acknowledged_at is None


def test_acknowledge_requires_post(client, leader, liaison, street):
    receipt = receipt_of(issue(leader, [street]), street)
    client.force_login(liaison)
    assert client.get(ack_url(receipt)).status_code == 405


def test_reply_requires_text(client, leader, liaison, street):
    commentary = issue(leader, [street])
    receipt = receipt_of(commentary, street)
    services.acknowledge_receipt(receipt, liaison)
    client.force_login(liaison)
    response = client.post(
        reply_url(receipt),
        {"reply": "   "},
        headers={"HX-Request": "true", "HX-Target": f"receipt-{receipt.pk}"},
    )
    assert response.status_code == 200
    assert "请填写整改措施。" in response.content.decode()
    receipt.refresh_from_db()
    assert receipt.replied_at is None
    assert receipt.reply == ""


def test_reply_saves_the_measures_and_tells_the_author(
    client, leader, liaison, street, django_capture_on_commit_callbacks
):
    commentary = issue(leader, [street])
    receipt = receipt_of(commentary, street)
    services.acknowledge_receipt(receipt, liaison)
    client.force_login(liaison)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reply_url(receipt), {"reply": "已组织城管队员每日巡查，取缔摊点 12 处。"}
        )
    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.reply == "已组织城管队员每日巡查，取缔摊点 12 处。"
    assert receipt.replied_by == liaison
    assert receipt.replied_at is not None
    note = Notification.objects.get(user=leader, commentary=commentary)
    assert note.text == f"湖里街道已回复整改措施：{commentary.title}"
    # Once replied, no second reply.
    response = client.post(reply_url(receipt), {"reply": "第二次"}, follow=True)
    assert "该点评已回复，不能重复回复。" in response.content.decode()
    receipt.refresh_from_db()
    assert receipt.reply == "已组织城管队员每日巡查，取缔摊点 12 处。"


def test_reply_is_refused_before_acknowledgement(client, leader, liaison, street):
    commentary = issue(leader, [street])
    receipt = receipt_of(commentary, street)
    client.force_login(liaison)
    response = client.post(reply_url(receipt), {"reply": "已整改"}, follow=True)
    assert "请先签收，再回复整改措施。" in response.content.decode()
    assert receipt_of(commentary, street).replied_at is None


def test_reply_is_refused_for_praise(client, leader, liaison, street):
    commentary = issue(leader, [street], tone=T.PRAISE)
    receipt = receipt_of(commentary, street)
    services.acknowledge_receipt(receipt, liaison)
    client.force_login(liaison)
    body = client.get(reverse("commentary_detail", args=[commentary.pk])).content.decode()
    assert "回复整改措施" not in body
    response = client.post(reply_url(receipt), {"reply": "谢谢"}, follow=True)
    assert "只有书面批评需要回复整改措施。" in response.content.decode()
    assert receipt_of(commentary, street).replied_at is None


def test_reply_is_404_for_another_units_liaison(client, leader, liaison, other_liaison, street):
    commentary = issue(leader, [street])
    receipt = receipt_of(commentary, street)
    services.acknowledge_receipt(receipt, liaison)
    client.force_login(other_liaison)
    assert client.post(reply_url(receipt), {"reply": "冒名回复"}).status_code == 404
    assert receipt_of(commentary, street).replied_at is None


# --- overdue replies -------------------------------------------------------------------------


def test_receipt_state_counts_a_reply_on_the_due_date_as_on_time(leader, liaison, street):
    today = timezone.localdate()
    commentary = issue(leader, [street], date=today - timedelta(days=5))
    receipt = receipt_of(commentary, street)
    services.acknowledge_receipt(receipt, liaison)
    services.reply_receipt(receipt, liaison, "已整改")
    assert services.receipt_state(receipt, today).code == "done"
    assert not services.overdue_receipts(today).exists()
    assert services.overdue_receipts(today + timedelta(days=1)).count() == 0


def test_overdue_receipts_include_late_and_missing_replies(
    leader, liaison, other_liaison, street, department
):
    today = timezone.localdate()
    commentary = issue(leader, [street, department], date=today - timedelta(days=6))
    late = receipt_of(commentary, department)
    services.acknowledge_receipt(late, other_liaison)
    services.reply_receipt(late, other_liaison, "已整改")
    praise = issue(leader, [street], tone=T.PRAISE, date=today - timedelta(days=30))
    recent = issue(leader, [street], date=today - timedelta(days=5))
    overdue = set(services.overdue_receipts(today).values_list("pk", flat=True))
    assert overdue == {receipt_of(commentary, street).pk, late.pk}
    assert receipt_of(praise, street).pk not in overdue
    assert receipt_of(recent, street).pk not in overdue


# --- list --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretariat", "leader", "inspector", "liaison"])
def test_commentary_list_opens_for_readers(client, request, persona, leader, street):
    issue(leader, [street], title="江头街道背街小巷表扬")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("commentary_list"))
    assert response.status_code == 200
    assert "江头街道背街小巷表扬" in response.content.decode()


def test_commentary_list_is_forbidden_for_a_representative(client, representative):
    client.force_login(representative)
    assert client.get(reverse("commentary_list")).status_code == 403


def test_commentary_list_shows_the_new_button_only_to_writers(client, leader, liaison):
    client.force_login(leader)
    assert 'id="commentary-new"' in client.get(reverse("commentary_list")).content.decode()
    client.force_login(liaison)
    assert 'id="commentary-new"' not in client.get(reverse("commentary_list")).content.decode()


def test_commentary_list_shows_a_liaison_only_their_units(
    client, leader, liaison, street, department
):
    issue(leader, [street], title="给湖里街道的点评")
    issue(leader, [department], title="给执法局的点评")
    client.force_login(liaison)
    body = client.get(reverse("commentary_list")).content.decode()
    assert "给湖里街道的点评" in body
    assert "给执法局的点评" not in body


def test_commentary_list_shows_receipt_progress(
    client, leader, secretariat, liaison, street, department
):
    commentary = issue(leader, [street, department])
    services.acknowledge_receipt(receipt_of(commentary, street), liaison)
    client.force_login(secretariat)
    body = client.get(reverse("commentary_list")).content.decode()
    assert "已签收 1/2" in body
    assert "已回复 0/2" in body
    assert "badge tone-criticism" in body


def test_commentary_list_overdue_filter_shows_late_replies(client, leader, secretariat, street):
    today = timezone.localdate()
    issue(leader, [street], title="逾期未回复的批评", date=today - timedelta(days=9))
    issue(leader, [street], title="刚下发的批评", date=today)
    issue(leader, [street], title="很久以前的表扬", tone=T.PRAISE, date=today - timedelta(days=30))
    client.force_login(secretariat)
    body = client.get(reverse("commentary_list") + "?overdue=true").content.decode()
    assert "逾期未回复的批评" in body
    assert "刚下发的批评" not in body
    assert "很久以前的表扬" not in body
    assert "共 1 条" in body


def test_commentary_list_filters_by_kind_tone_unit_and_date(
    client, leader, secretariat, street, department
):
    today = timezone.localdate()
    issue(leader, [street], title="甲", kind=K.MEETING, tone=T.PRAISE, date=today)
    issue(leader, [department], title="乙", kind=K.WRITTEN, tone=T.CRITICISM, date=today)
    issue(
        leader,
        [street],
        title="丙",
        kind=K.WRITTEN,
        tone=T.CRITICISM,
        date=today - timedelta(days=40),
    )
    client.force_login(secretariat)

    def titles(query):
        response = client.get(reverse("commentary_list") + query)
        return sorted(c.title for c in response.context["table"].page.object_list.data)

    assert titles("?kind=meeting") == ["甲"]
    assert titles("?tone=criticism") == ["丙", "乙"]
    assert titles(f"?unit={street.pk}") == ["丙", "甲"]
    since = (today - timedelta(days=7)).isoformat()
    assert titles(f"?date_from={since}") == ["乙", "甲"]
    assert titles(f"?date_to={since}") == ["丙"]


def test_commentary_list_htmx_returns_only_the_table(client, leader, secretariat, street):
    issue(leader, [street])
    client.force_login(secretariat)
    response = client.get(
        reverse("commentary_list"), headers={"HX-Request": "true", "HX-Target": "table-region"}
    )
    body = response.content.decode()
    assert body.strip().startswith('<div id="table-region"')
    assert "<html" not in body


def test_commentary_list_exports_the_filtered_rows(client, leader, secretariat, street):
    issue(leader, [street], title="批评一")
    issue(leader, [street], title="表扬一", tone=T.PRAISE)
    client.force_login(secretariat)
    response = client.get(reverse("commentary_list") + "?tone=praise&_export=xlsx")
    assert response.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    header = rows[0]
    assert [row[header.index("标题")] for row in rows[1:]] == ["表扬一"]
    assert rows[1][header.index("性质")] == "表扬"
    assert rows[1][header.index("被点评单位")] == "湖里街道"


@pytest.mark.parametrize("persona", ["secretariat", "liaison"])
def test_commentary_list_query_count_is_constant(client, request, persona, leader, street, hq):
    units = [street, *Unit.objects.filter(headquarters=hq, kind=Unit.Kind.DEPARTMENT)[:3]]
    client.force_login(request.getfixturevalue(persona))
    old = timezone.localdate() - timedelta(days=20)
    urls = [reverse("commentary_list"), reverse("commentary_list") + "?overdue=true"]
    issue(leader, units, date=old)
    few = [count_queries(client, url) for url in urls]
    for i in range(9):
        issue(leader, units, title=f"点评 {i}", tone=T.PRAISE if i % 2 else T.CRITICISM, date=old)
    assert [count_queries(client, url) for url in urls] == few


# --- print -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretariat", "leader", "liaison"])
def test_commentary_print_renders_the_sheet(client, request, persona, leader, street, hq):
    commentary = issue(leader, [street])
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("commentary_print", args=[commentary.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<p class="doc-org">{hq.name}</p>' in body
    assert "书面点评单" in body
    assert "签收栏" in body
    assert "湖里街道" in body
    assert (
        f"{commentary.reply_due:%Y}年{commentary.reply_due.month}月{commentary.reply_due.day}日 前"
        in body
    )
    assert "print.css" in body
    assert "style=" not in body


def test_commentary_print_is_404_for_a_meeting_commentary(client, leader, secretariat, street):
    commentary = issue(leader, [street], kind=K.MEETING)
    client.force_login(secretariat)
    assert client.get(reverse("commentary_print", args=[commentary.pk])).status_code == 404


# --- browser -----------------------------------------------------------------------------------


@pytest.mark.browser
def test_browser_leader_criticises_and_liaison_signs_and_replies(live_huli, live_server, page):
    make_user("b_leader", Role.LEADER, name="王副总指挥")
    street = Unit.objects.get(name="湖里街道")
    make_user("b_liaison", Role.LIAISON, unit=street, name="林联络员")

    browser_login(page, live_server, "b_leader")
    page.goto(f"{live_server.url}/commentary/")
    page.get_by_role("link", name="新建点评").click()
    page.get_by_label("书面点评").check()
    page.get_by_label("批评").check()
    page.get_by_label("标题").fill("湖里大道占道经营反弹")
    page.get_by_label("点评内容").fill("湖里大道沿线占道经营反弹，整改不力，予以书面批评。")
    page.locator("#unit-picker").get_by_label("湖里街道", exact=True).check()
    page.get_by_role("button", name="发布点评").click()
    page.wait_for_url(re.compile(r"/commentary/\d+/$"))
    commentary = Commentary.objects.get()
    assert commentary.kind == K.WRITTEN and commentary.tone == T.CRITICISM
    assert list(commentary.units.all()) == [street]

    page.context.clear_cookies()
    browser_login(page, live_server, "b_liaison")
    assert int(page.locator("#bell-count").inner_text()) >= 1
    page.locator(".bell").click()
    page.get_by_role("link", name="湖里大道占道经营反弹").click()
    page.wait_for_url(f"**/commentary/{commentary.pk}/")
    page.evaluate("window.__noReload = true")
    page.get_by_role("button", name="签收", exact=True).click()
    page.get_by_label("回复整改措施").fill("已组织城管和社区每日巡查，取缔流动摊点 12 处。")
    page.get_by_role("button", name="提交回复").click()
    page.locator(".receipt-done").wait_for()
    assert page.evaluate("window.__noReload") is True
    receipt = CommentaryReceipt.objects.get(commentary=commentary)
    assert receipt.acknowledged_by.username == "b_liaison"
    assert receipt.reply == "已组织城管和社区每日巡查，取缔流动摊点 12 处。"
    assert "已回复" in page.locator(f"#receipt-{receipt.pk}").inner_text()
