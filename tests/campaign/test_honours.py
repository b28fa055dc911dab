"""文明荣誉称号动态管理: awarding keeps a history, status changes are compare-and-swap, and the
yearly review proposes exactly what the rules say (veto / 取消评先评优资格 → 撤销; other 问责, two
黑榜 months, a 不合格 annual grade → 黄牌警告; a warning reason for an honour warned before →
撤销) — and nothing changes until the secretariat confirms."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from civility.campaign import accountability, honours
from civility.campaign.models import Accountability, Honour, HonourChange
from civility.core.errors import NotAllowed, Refused
from civility.org.models import Unit
from civility.reports.models import Veto
from tests.campaign.conftest import publish_month

pytestmark = pytest.mark.django_db
Kind, Level, Status = Honour.Kind, Honour.Level, Honour.Status


@pytest.fixture
def year():
    return timezone.localdate().year - 1


@pytest.fixture
def units(hq, department):
    names = ["湖里街道", "殿前街道", "禾山街道", "江头街道", "金山街道"]
    by_name = {u.name: u for u in Unit.objects.filter(headquarters=hq, name__in=names)}
    return {**{n: by_name[n] for n in names}, "执法局": department}


@pytest.fixture
def held(hq, secretariat, units, year):
    """One honour per unit, awarded before the reviewed year."""
    made = {}
    for name, unit in units.items():
        made[name] = honours.award(
            hq=hq,
            by=secretariat,
            unit=unit,
            kind=Kind.CIVILISED_UNIT,
            level=Level.CITY,
            year_awarded=year - 2,
        )
    return made


@pytest.fixture
def facts(hq, secretariat, units, held, year):
    """湖里 vetoed; 执法局 取消评先评优资格; 禾山 约谈 and warned the year before; 殿前 two 黑榜
    months, 江头 one; 金山 nothing."""
    Veto.objects.create(
        headquarters=hq,
        unit=units["湖里街道"],
        year=year,
        reason="重大事件",
        decided_by=secretariat,
    )
    for unit, measure in ((units["执法局"], "disqualify"), (units["禾山街道"], "interview")):
        accountability.record(
            hq=hq, by=secretariat, unit=unit, measure=measure, reason="问责", on=date(year, 6, 1)
        )
    honours.change_status(
        held["禾山街道"],
        to=Status.WARNING,
        reason="上年度黑榜",
        by=secretariat,
        review_year=year - 1,
    )
    publish_month(hq, year, 3, black=[units["殿前街道"], units["江头街道"]])
    publish_month(hq, year, 5, black=[units["殿前街道"]])


def proposals(rows):
    return {r.honour.unit.name: (r.proposal, r.reasons) for r in rows}


def test_award_writes_the_first_history_row(held, secretariat):
    honour = held["湖里街道"]
    assert honour.status == Status.ACTIVE
    assert honour.display_title == "市级文明单位"
    change = HonourChange.objects.get(honour=honour)
    assert (change.from_status, change.to_status, change.decided_by) == (
        "",
        Status.ACTIVE,
        secretariat,
    )


def test_review_proposes_exactly_the_cases_of_the_rules(hq, facts, units, year):
    rows = honours.review(hq, year, grades={units["金山街道"].pk: "不合格"})
    assert proposals(rows) == {
        "湖里街道": ("revoke", [f"{year}年度被一票否决"]),
        "区城市管理行政执法局": ("revoke", ["被取消评先评优资格"]),
        "禾山街道": ("revoke", ["被问责1次（约谈）", "此前已被黄牌警告"]),
        "殿前街道": ("warn", ["2个月列入黑榜"]),
        "金山街道": ("warn", ["年度考评不合格"]),
    }
    # 江头 was on the 黑榜 once only: no proposal. Revocations come first.
    assert [r.proposal for r in rows] == ["revoke"] * 3 + ["warn"] * 2


def test_review_of_another_year_proposes_nothing(hq, facts, year):
    assert honours.review(hq, year - 3, grades={}) == []


def test_confirming_changes_the_status_with_history(hq, facts, held, secretariat, year):
    rows = honours.review(hq, year, grades={})
    honour = held["湖里街道"]
    honours.decide(
        hq=hq, year=year, honour=honour, confirm=True, note="", by=secretariat, rows=rows
    )
    honour.refresh_from_db()
    assert honour.status == Status.REVOKED
    last = honour.changes.order_by("at", "id").last()
    assert (last.from_status, last.to_status, last.review_year) == (
        Status.ACTIVE,
        Status.REVOKED,
        year,
    )
    assert last.reason == f"{year}年度复核：{year}年度被一票否决"
    again = proposals(honours.review(hq, year, grades={}))
    assert again["湖里街道"] == ("revoke", [f"{year}年度被一票否决"])
    with pytest.raises(Refused):
        honours.decide(hq=hq, year=year, honour=honour, confirm=True, note="", by=secretariat)


def test_confirmed_warning_is_not_escalated_by_the_same_review(hq, facts, held, secretariat, year):
    honour = held["殿前街道"]
    honours.decide(hq=hq, year=year, honour=honour, confirm=True, note="", by=secretariat)
    honour.refresh_from_db()
    assert honour.status == Status.WARNING
    assert proposals(honours.review(hq, year, grades={}))["殿前街道"][0] == "warn"


def test_dismissing_needs_a_note_and_changes_nothing(hq, facts, held, secretariat, year):
    honour = held["殿前街道"]
    with pytest.raises(ValidationError):
        honours.decide(hq=hq, year=year, honour=honour, confirm=False, note="", by=secretariat)
    honours.decide(hq=hq, year=year, honour=honour, confirm=False, note="已整改", by=secretariat)
    honour.refresh_from_db()
    assert honour.status == Status.ACTIVE
    assert HonourChange.objects.filter(honour=honour).count() == 1


def test_only_the_secretariat_decides(hq, facts, held, leader, year):
    with pytest.raises(NotAllowed):
        honours.decide(hq=hq, year=year, honour=held["湖里街道"], confirm=True, note="", by=leader)
    assert Honour.objects.get(pk=held["湖里街道"].pk).status == Status.ACTIVE


def test_status_change_is_compare_and_swap(held, secretariat):
    stale = Honour.objects.get(pk=held["湖里街道"].pk)
    honours.change_status(held["湖里街道"], to=Status.STRIPPED, reason="摘牌", by=secretariat)
    with pytest.raises(Refused) as error:
        honours.change_status(stale, to=Status.WARNING, reason="警告", by=secretariat)
    assert "当前状态为「摘牌」" in error.value.message


# --- pages -------------------------------------------------------------------------------------


def test_review_page_for_the_secretariat_has_the_decisions(client, secretariat, facts, year):
    client.force_login(secretariat)
    body = client.get(reverse("honour_review", args=[year])).content.decode()
    assert "确认撤销" in body and "确认黄牌警告" in body and "不予采纳" in body
    assert f"{year}年度被一票否决" in body


def test_review_page_is_read_only_for_leaders(client, leader, facts, held, year):
    client.force_login(leader)
    body = client.get(reverse("honour_review", args=[year])).content.decode()
    assert "待创建办确认" in body and "确认撤销" not in body
    response = client.post(
        reverse("honour_review_decide", args=[year]),
        {"honour": held["湖里街道"].pk, "decision": "confirm"},
    )
    assert response.status_code == 403


def test_review_decision_through_the_page(client, secretariat, facts, held, year):
    client.force_login(secretariat)
    url = reverse("honour_review_decide", args=[year])
    response = client.post(
        url,
        {"honour": held["湖里街道"].pk, "decision": "confirm", "note": "经研究同意"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="review-region",
    )
    body = response.content.decode()
    assert body.strip().startswith('<div id="review-region">')
    assert "已确认" in body and "经研究同意" in body
    assert Honour.objects.get(pk=held["湖里街道"].pk).status == Status.REVOKED


def test_review_export_lists_the_rows(client, leader, facts, year):
    client.force_login(leader)
    response = client.get(reverse("honour_review_export", args=[year]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {(r[0], r[5]) for r in rows} >= {("湖里街道", "撤销"), ("殿前街道", "黄牌警告")}
    assert all(r[7] == "待确认" for r in rows)


def test_review_of_a_future_year_is_404(client, secretariat):
    client.force_login(secretariat)
    future = timezone.localdate().year + 1
    assert client.get(reverse("honour_review", args=[future])).status_code == 404


def test_honour_list_for_a_liaison_shows_their_unit_only(client, liaison, held):
    client.force_login(liaison)
    response = client.get(reverse("honour_list"))
    assert [h.unit.name for h in response.context["table"].data] == ["湖里街道"]
    csv = client.get(reverse("honour_list") + "?_export=csv").content.decode("utf-8-sig")
    assert "湖里街道" in csv and "殿前街道" not in csv


def test_status_change_form(client, secretariat, held):
    client.force_login(secretariat)
    honour = held["湖里街道"]
    url = reverse("honour_status", args=[honour.pk])
    empty = client.post(url, {"status": Status.WARNING, "reason": ""})
    assert "请填写变更理由。" in empty.content.decode()
    client.post(url, {"status": Status.WARNING, "reason": "多次列入黑榜"})
    honour.refresh_from_db()
    assert honour.status == Status.WARNING


def test_org_page_shows_honour_badges_and_warnings_only_to_those_who_may(
    client, secretariat, representative, held
):
    honours.change_status(held["殿前街道"], to=Status.WARNING, reason="黑榜", by=secretariat)
    client.force_login(representative)
    body = client.get(reverse("org")).content.decode()
    assert '<span class="badge honour" title="' in body
    assert "honour-warning" not in body
    client.force_login(secretariat)
    assert 'class="badge honour honour-warning"' in client.get(reverse("org")).content.decode()


def test_awarding_twice_the_same_honour_is_refused(hq, secretariat, units, held, year):
    with pytest.raises(ValidationError):
        honours.award(
            hq=hq,
            by=secretariat,
            unit=units["湖里街道"],
            kind=Kind.CIVILISED_UNIT,
            level=Level.CITY,
            year_awarded=year - 2,
        )


def test_measures_count(hq, facts):
    assert Accountability.objects.filter(headquarters=hq).count() == 2
