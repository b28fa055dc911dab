"""签阅 (SPEC §5): an explicit acknowledgement with an optional remark, beside the automatic 已阅;
the readers panel shows both, reminders use both, a signer's home lists what waits."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from civility.core.errors import NotAllowed, Refused
from civility.reports import signoff
from civility.reports.models import ReportRead
from civility.supervision.notifications.models import Notification
from tests.reports.test_report_pages import MARCH, compile_march, login, page, publish_march

pytestmark = pytest.mark.django_db
SIGN = reverse("report_sign", args=["monthly", "2026-03"])
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "report-signoff"}


def test_sign_records_once_with_a_remark(march):
    report = publish_march(march)
    row = signoff.sign(report, march["A"], "  已阅，将组织落实。 ")
    assert (row.remark, row.signed_at is not None) == ("已阅，将组织落实。", True)
    with pytest.raises(Refused):
        signoff.sign(report, march["A"], "再签一次")
    assert ReportRead.objects.get(report=report, user=march["A"]).remark == "已阅，将组织落实。"


def test_only_leaders_and_liaisons_sign_published_bulletins(march, representative):
    draft = compile_march(march)
    with pytest.raises(NotAllowed):
        signoff.sign(draft, march["leader"])
    report = publish_march(march)
    with pytest.raises(NotAllowed):
        signoff.sign(report, representative)
    assert signoff.sign(report, march["leader"]).remark == ""


def test_signing_with_htmx_swaps_the_box(client, march):
    report = publish_march(march)
    client = login(client, march["B1"])
    box = page(client.get(MARCH).content).xpath("//section[@id='report-signoff']")
    assert box and box[0].xpath(".//form[@id='signoff-form']/@hx-post") == [SIGN]
    response = client.post(SIGN, {"id": report.pk, "remark": "已阅，本周内整改完毕。"}, **HX)
    assert response.status_code == 200
    tree = page(response.content)
    assert tree.xpath("string(//p[@id='signoff-remark'])") == "已阅，本周内整改完毕。"
    assert not tree.xpath("//form")
    assert json.loads(response["HX-Trigger"])["toast"]["message"] == "已签阅。"


def test_a_plain_post_redirects_back_to_the_bulletin(client, march):
    report = publish_march(march)
    response = login(client, march["A"]).post(SIGN, {"id": report.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{MARCH}?id={report.pk}"
    assert ReportRead.objects.get(report=report, user=march["A"]).signed_at is not None


def test_a_too_long_remark_changes_nothing(client, march):
    report = publish_march(march)
    response = login(client, march["A"]).post(SIGN, {"id": report.pk, "remark": "很" * 501}, **HX)
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not ReportRead.objects.filter(report=report, signed_at__isnull=False).exists()


def test_signing_is_denied_to_representatives_and_inspectors(
    client, march, representative, inspector
):
    report = publish_march(march)
    for person in (representative, inspector):
        response = login(client, person).post(SIGN, {"id": report.pk}, **HX)
        assert response.status_code == 403
    assert not ReportRead.objects.filter(signed_at__isnull=False).exists()
    tree = page(client.get(MARCH).content)
    assert not tree.xpath("//section[@id='report-signoff']")


def test_readers_panel_shows_reads_and_signatures(client, march):
    report = publish_march(march)
    login(client, march["A"]).get(MARCH)  # 已阅 only
    signoff.sign(report, march["B1"], "收到，立即整改。")
    tree = page(login(client, march["leader"]).get(MARCH).content)
    liaisons = tree.xpath("//details[@data-role='liaison']")[0]
    assert [
        " ".join(li.text_content().split())
        for li in liaisons.xpath(".//ul[@class='readers-signed']/li")
    ][0].startswith("s_li_B1 · B1")
    assert (
        liaisons.xpath("string(.//ul[@class='readers-signed']//span[@class='signoff-remark'])")
        == "收到，立即整改。"
    )
    unsigned = liaisons.xpath(".//ul[@class='readers-unsigned']/li/@data-user")
    assert unsigned == [str(march["A"].pk)]
    assert tree.xpath("string(//strong[@id='signed-total'])") == "1"


def test_home_lists_bulletins_waiting_for_signoff(client, march):
    report = publish_march(march)
    client = login(client, march["A"])
    tree = page(client.get("/").content)
    assert tree.xpath("//ul[@id='signoff-waiting']/li/@data-report") == [str(report.pk)]
    signoff.sign(report, march["A"])
    assert not page(client.get("/").content).xpath("//section[@id='home-signoff']")


def test_home_shows_no_signoff_list_to_representatives(client, march, representative):
    publish_march(march)
    assert not page(login(client, representative).get("/").content).xpath(
        "//section[@id='home-signoff']"
    )


def test_remind_uses_reads_and_signatures(march, representative):
    report = publish_march(march)
    Notification.objects.all().delete()  # the 发布 notices
    signoff.sign(report, march["A"])
    ReportRead.objects.create(report=report, user=march["B1"])  # read, not signed
    ReportRead.objects.create(report=report, user=representative)  # read (and need not sign)
    count = signoff.remind(report)
    texts = {n.user_id: n.text for n in Notification.objects.filter(kind="report")}
    assert march["A"].pk not in texts and representative.pk not in texts
    assert texts[march["B1"].pk].startswith("请签阅：")
    assert texts[march["D1"].pk].startswith("请阅读：")
    assert count == len(texts)
    assert signoff.remind(report) == 0  # not twice while the reminder is unread


def test_remind_button_is_the_secretariats(client, march):
    report = publish_march(march)
    url = reverse("report_remind", args=["monthly", "2026-03"])
    assert login(client, march["leader"]).post(url, {"id": report.pk}).status_code == 403
    response = login(client, march["secretariat"]).post(url, {"id": report.pk})
    assert response.status_code == 302


def test_only_recent_bulletins_wait_for_signoff(march):
    report = publish_march(march)
    later = report.published_at + timezone.timedelta(days=signoff.WAITING_DAYS + 1)
    assert list(signoff.waiting_for(march["A"])) == [report]
    assert list(signoff.waiting_for(march["A"], now=later)) == []
