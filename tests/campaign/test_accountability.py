"""问责: the rules raise exactly the suggestions SPEC §7 says, a person records or dismisses each
(never applied by itself), and ``ineligible_units`` follows vetoes and 取消评先评优资格 in time."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from civility.campaign import accountability
from civility.campaign.eligibility import ineligible_units
from civility.campaign.models import Accountability, AccountabilityDismissal
from civility.core.errors import NotAllowed, Refused
from civility.org.models import ProblemCategory, Site, Unit
from civility.reports.models import Veto
from civility.supervision.commentary.models import Commentary
from civility.supervision.commentary.services import (
    acknowledge_receipt,
    issue_commentary,
    reply_receipt,
)
from civility.supervision.problems import workflow
from tests.campaign.conftest import publish_month
from tests.factories import photo

pytestmark = pytest.mark.django_db
A = workflow.Action
Measure = Accountability.Measure


@pytest.fixture
def units(hq):
    names = ["湖里街道", "殿前街道", "禾山街道", "江头街道"]
    by_name = {u.name: u for u in Unit.objects.filter(headquarters=hq, name__in=names)}
    return [by_name[n] for n in names]


def months_ago(count: int) -> tuple[int, int]:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - count
    return index // 12, index % 12 + 1


@pytest.fixture
def black_lists(hq, units):
    """Months m4 … m1 before this one: 湖里 listed in m4 and m2 (two within three months);
    殿前 in m4 and m1 (not); 禾山 in m4, m3 and m2 (m4+m3 is one pair, m2 starts a new count);
    江头 in a month fifteen months ago and m14 — too old to be raised now."""
    huli, dianqian, heshan, jiangtou = units
    publish_month(hq, *months_ago(15), black=[jiangtou])
    publish_month(hq, *months_ago(14), black=[jiangtou])
    publish_month(hq, *months_ago(4), black=[huli, dianqian, heshan])
    publish_month(hq, *months_ago(3), black=[heshan])
    publish_month(hq, *months_ago(2), black=[huli, heshan])
    publish_month(hq, *months_ago(1), black=[dianqian])


@pytest.fixture
def escalated(hq, secretariat, leader, inspector, department):
    site = Site.objects.filter(headquarters=hq).first()
    category = ProblemCategory.objects.filter(headquarters=hq).first()

    def problem(times):
        made, _ = workflow.report_problem(
            by=inspector, site=site, category=category, description="占道", photos=[photo()]
        )
        made = workflow.perform(made, A.ASSIGN, by=secretariat, unit=department)
        for _ in range(times):
            made = workflow.perform(made, A.ESCALATE, by=leader)
        return made

    return {"twice": problem(2), "once": problem(1)}


@pytest.fixture
def written(hq, leader, liaison, units):
    """Two written criticisms ten days ago (reply within 5 days): 湖里 replied on time to the
    first, and has not replied to the second."""
    day = timezone.localdate() - timedelta(days=10)

    def issue(title):
        commentary, _ = issue_commentary(
            by=leader,
            headquarters=hq,
            kind=Commentary.Kind.WRITTEN,
            tone=Commentary.Tone.CRITICISM,
            title=title,
            text="卫生死角较多",
            units=[units[0]],
            date=day,
            reply_days=5,
        )
        return commentary

    replied, ignored = issue("关于湖里街道背街小巷卫生的点评"), issue("关于湖里街道占道经营的点评")
    receipt = replied.receipts.get()
    acknowledge_receipt(receipt, liaison, now=timezone.now() - timedelta(days=9))
    reply_receipt(receipt, liaison, "已组织清理", now=timezone.now() - timedelta(days=8))
    return {"replied": replied, "ignored": ignored}


def keys(hq):
    return sorted(s.key for s in accountability.suggestions(hq))


def test_black_list_twice_in_three_months(hq, units, black_lists):
    huli, _dianqian, heshan, _ = units
    (y2, m2), (y3, m3), (y4, m4) = months_ago(2), months_ago(3), months_ago(4)
    assert keys(hq) == sorted(
        [f"blacklist:{huli.pk}:{y2}-{m2:02d}", f"blacklist:{heshan.pk}:{y3}-{m3:02d}"]
    )
    suggestion = accountability.suggestion(hq, f"blacklist:{huli.pk}:{y2}-{m2:02d}")
    assert suggestion.unit == huli
    assert suggestion.measure == Measure.INTERVIEW
    assert suggestion.summary == f"湖里街道{y4}年{m4}月、{y2}年{m2}月两次列入黑榜"


def test_problem_under_escalation_twice(hq, escalated, department):
    twice = escalated["twice"]
    assert keys(hq) == [f"escalated:{twice.pk}"]
    suggestion = accountability.suggestions(hq)[0]
    assert (suggestion.unit, suggestion.problem_ids) == (department, [twice.pk])
    assert suggestion.summary == f"区城市管理行政执法局：问题 {twice.number} 被督办 2 次"


def test_written_criticism_reply_ignored(hq, written, units):
    receipt = written["ignored"].receipts.get()
    assert keys(hq) == [f"reply:{receipt.pk}"]
    suggestion = accountability.suggestions(hq)[0]
    assert suggestion.commentary_ids == [written["ignored"].pk]
    assert suggestion.measure == Measure.CRITICISM


def test_recording_a_suggestion_links_it_and_it_is_not_suggested_again(
    hq, secretariat, escalated, department
):
    suggestion = accountability.suggestions(hq)[0]
    record = accountability.record(
        hq=hq,
        by=secretariat,
        unit=suggestion.unit,
        measure=Measure.INTERVIEW,
        reason=suggestion.reason,
        on=timezone.localdate(),
        person_name="王某",
        person_title="副局长",
        problems=[escalated["twice"]],
        suggestion_key=suggestion.key,
    )
    assert list(record.problems.all()) == [escalated["twice"]]
    assert record.target_label == "区城市管理行政执法局 王某（副局长）"
    assert keys(hq) == []
    with pytest.raises(Refused):
        accountability.dismiss(hq=hq, by=secretariat, suggestion=suggestion, note="重复")


def test_dismissing_a_suggestion_needs_a_reason(hq, leader, escalated):
    suggestion = accountability.suggestions(hq)[0]
    with pytest.raises(ValidationError):
        accountability.dismiss(hq=hq, by=leader, suggestion=suggestion, note="  ")
    accountability.dismiss(hq=hq, by=leader, suggestion=suggestion, note="已整改到位")
    assert keys(hq) == []
    assert AccountabilityDismissal.objects.get().summary == suggestion.summary


def test_only_secretariat_and_leaders_decide(hq, inspector, liaison, escalated, department):
    for person in (inspector, liaison):
        with pytest.raises(NotAllowed):
            accountability.record(
                hq=hq,
                by=person,
                unit=department,
                measure=Measure.INTERVIEW,
                reason="x",
                on=timezone.localdate(),
            )
    assert not Accountability.objects.exists()


def test_record_refuses_a_future_date(hq, secretariat, department):
    with pytest.raises(ValidationError) as error:
        accountability.record(
            hq=hq,
            by=secretariat,
            unit=department,
            measure=Measure.CRITICISM,
            reason="逾期未整改",
            on=timezone.localdate() + timedelta(days=1),
        )
    assert "决定日期不能晚于今天。" in str(error.value)
    assert not Accountability.objects.exists()


def test_ineligible_units_from_veto_and_disqualification_in_time(hq, secretariat, units):
    huli, dianqian, heshan, _ = units
    year = timezone.localdate().year
    before = timezone.now()
    veto = Veto.objects.create(
        headquarters=hq, unit=huli, year=year, reason="发生重大不文明事件", decided_by=secretariat
    )
    accountability.record(
        hq=hq,
        by=secretariat,
        unit=dianqian,
        measure=Measure.DISQUALIFY,
        reason="两次列入黑榜",
        on=timezone.localdate(),
    )
    accountability.record(
        hq=hq,
        by=secretariat,
        unit=heshan,
        measure=Measure.INTERVIEW,
        reason="约谈",
        on=timezone.localdate(),
    )
    assert ineligible_units(hq, year) == {
        huli.pk: "一票否决：发生重大不文明事件",
        dianqian.pk: "取消评先评优资格：两次列入黑榜",
    }
    # Before they were decided, nobody was ineligible; another year is not affected.
    assert ineligible_units(hq, year, at=before - timedelta(days=1)) == {}
    assert ineligible_units(hq, year - 1) == {}
    assert veto.decided_at >= before


# --- pages -------------------------------------------------------------------------------------


def test_accountability_page_lists_suggestions_for_deciders(client, leader, escalated):
    client.force_login(leader)
    body = client.get(reverse("accountability_list")).content.decode()
    assert "待处理的问责建议" in body
    assert f"问题 {escalated['twice'].number} 被督办 2 次" in body
    assert "记录问责" in body and "不予问责" in body


def test_record_from_a_suggestion_through_the_form(client, secretariat, escalated, department):
    client.force_login(secretariat)
    key = f"escalated:{escalated['twice'].pk}"
    form = client.get(reverse("accountability_new"), {"suggestion": key}).content.decode()
    assert escalated["twice"].number in form  # prefilled problem numbers
    assert f'<option value="{department.pk}" selected>' in form
    response = client.post(
        reverse("accountability_new"),
        {
            "suggestion": key,
            "unit": department.pk,
            "measure": Measure.INTERVIEW,
            "reason": "问题两次督办仍未整改",
            "date": f"{timezone.localdate():%Y-%m-%d}",
            "problem_numbers": escalated["twice"].number,
        },
    )
    assert response.status_code == 302
    record = Accountability.objects.get()
    assert (record.unit, record.measure, record.suggestion_key) == (
        department,
        Measure.INTERVIEW,
        key,
    )
    assert list(record.problems.all()) == [escalated["twice"]]
    listing = client.get(reverse("accountability_list")).content.decode()
    assert "问题两次督办仍未整改" in listing
    assert "暂无问责建议。" in listing


def test_record_form_refuses_unknown_problem_numbers(client, secretariat, department):
    client.force_login(secretariat)
    response = client.post(
        reverse("accountability_new"),
        {
            "unit": department.pk,
            "measure": Measure.CRITICISM,
            "reason": "逾期",
            "date": f"{timezone.localdate():%Y-%m-%d}",
            "problem_numbers": "HL-1999-999999",
        },
    )
    assert response.status_code == 200
    assert "没有这些问题编号：HL-1999-999999" in response.content.decode()
    assert not Accountability.objects.exists()


def test_dismiss_through_the_form(client, leader, escalated):
    client.force_login(leader)
    key = f"escalated:{escalated['twice'].pk}"
    empty = client.post(reverse("accountability_dismiss"), {"suggestion": key, "note": ""})
    assert "请填写不予问责的理由。" in empty.content.decode()
    response = client.post(
        reverse("accountability_dismiss"), {"suggestion": key, "note": "已整改到位", "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert AccountabilityDismissal.objects.get().note == "已整改到位"


def test_home_shows_the_suggestions_to_the_secretariat(client, secretariat, liaison, escalated):
    client.force_login(secretariat)
    body = client.get(reverse("home")).content.decode()
    assert 'id="home-suggestions"' in body
    assert f"问题 {escalated['twice'].number} 被督办 2 次" in body
    client.force_login(liaison)
    assert 'id="home-suggestions"' not in client.get(reverse("home")).content.decode()


def test_liaison_sees_only_their_units_records(client, secretariat, liaison, department, street):
    for unit, reason in ((street, "湖里街道约谈"), (department, "执法局约谈")):
        accountability.record(
            hq=unit.headquarters,
            by=secretariat,
            unit=unit,
            measure=Measure.INTERVIEW,
            reason=reason,
            on=timezone.localdate(),
        )
    client.force_login(liaison)
    body = client.get(reverse("accountability_list")).content.decode()
    assert "湖里街道约谈" in body
    assert "执法局约谈" not in body
    assert "待处理的问责建议" not in body
    export = client.get(reverse("accountability_list") + "?_export=csv").content.decode("utf-8-sig")
    assert "湖里街道约谈" in export and "执法局约谈" not in export
