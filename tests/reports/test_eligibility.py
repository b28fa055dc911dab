"""评先评优资格 in scoring (SPEC §6–7, issue 12): a 一票否决 and a 取消评先评优资格 go through one
path (``civility.reports.eligibility``). On the hand-worked March of conftest.py the 红榜 is
B1 (praised in the month's commentary) and D3 (departments' first, total 100.0: three problems
due, three closed on time)."""

import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civility.campaign import accountability, honours
from civility.campaign.models import Accountability, Honour
from civility.reports import annual, scoring
from civility.reports.eligibility import ineligible_units
from civility.reports.models import Veto
from tests.reports.conftest import at, publish_month

pytestmark = pytest.mark.django_db
DISQUALIFY = Accountability.Measure.DISQUALIFY


def disqualify(d, unit, on, reason="两次列入黑榜"):
    return accountability.record(
        hq=d["hq"], by=d["secretariat"], unit=d["u"][unit], measure=DISQUALIFY, reason=reason, on=on
    )


def veto(d, unit, decided_at, reason="发生重大不文明事件"):
    item = Veto.objects.create(
        headquarters=d["hq"], unit=d["u"][unit], year=2026, reason=reason,
        decided_by=d["secretariat"],
    )  # fmt: skip
    Veto.objects.filter(pk=item.pk).update(decided_at=decided_at)
    return item


def red(hq, month, **kwargs):
    return [u.name for u in scoring.monthly_scores(hq, 2026, month, **kwargs).red_list]


def test_march_red_list_without_decisions(march):
    assert red(march["hq"], 3) == ["B1", "D3"]


def test_disqualified_unit_is_off_the_red_list_from_the_day_it_was_decided(march):
    d = march
    record = disqualify(d, "D3", date(2026, 4, 2))
    # Decided after March ended: March keeps D3 on its 红榜; April does not.
    assert red(d["hq"], 3) == ["B1", "D3"]
    april = scoring.monthly_scores(d["hq"], 2026, 4, now=at(5, 1, 9))
    assert april.by_unit()[d["u"]["D3"].pk].ineligible == "取消评先评优资格：两次列入黑榜"
    # Dated 3/31 (the month's last day): off March's 红榜, still ranked first.
    Accountability.objects.filter(pk=record.pk).update(date=date(2026, 3, 31))
    scores = scoring.monthly_scores(d["hq"], 2026, 3)
    assert [u.name for u in scores.red_list] == ["B1"]
    d3 = scores.by_unit()[d["u"]["D3"].pk]
    assert (d3.rank, d3.total, d3.ineligible) == (
        1,
        Decimal("100.0"),
        "取消评先评优资格：两次列入黑榜",
    )


def test_other_measures_leave_the_red_list_alone(march):
    d = march
    accountability.record(
        hq=d["hq"], by=d["secretariat"], unit=d["u"]["D3"],
        measure=Accountability.Measure.INTERVIEW, reason="约谈", on=date(2026, 3, 10),
    )  # fmt: skip
    assert red(d["hq"], 3) == ["B1", "D3"]


def test_vetoed_unit_is_off_the_red_list_from_the_moment_of_the_veto(march):
    d = march
    item = veto(d, "B1", at(4, 1, 0))  # the first instant after March: March is as it was
    assert red(d["hq"], 3) == ["B1", "D3"]
    Veto.objects.filter(pk=item.pk).update(decided_at=at(3, 31, 23))
    assert red(d["hq"], 3) == ["D3"]  # praised in the commentary, but vetoed


def test_ineligible_units_reads_both_decisions_at_a_moment(march):
    d = march
    disqualify(d, "D3", date(2026, 3, 20))
    veto(d, "B1", at(3, 25))
    assert ineligible_units(d["hq"], 2026, at(3, 20, 0)) == {}
    assert ineligible_units(d["hq"], 2026, at(3, 21)) == {
        d["u"]["D3"].pk: "取消评先评优资格：两次列入黑榜"
    }
    assert ineligible_units(d["hq"], 2026, at(3, 26)) == {
        d["u"]["D3"].pk: "取消评先评优资格：两次列入黑榜",
        d["u"]["B1"].pk: "一票否决：发生重大不文明事件",
    }
    # A veto of the same unit outranks its 取消评先评优资格.
    veto(d, "D3", at(3, 27), reason="重大事件")
    assert ineligible_units(d["hq"], 2026, at(3, 28))[d["u"]["D3"].pk] == "一票否决：重大事件"
    assert ineligible_units(d["hq"], 2025, at(3, 28)) == {}


def d3_published_january_and_february(d):
    """Snapshots: D3 95.0 in January and 92.0 in February; with March live (100.0) its annual
    score is mean(95, 92, 100) = 95.667 → 95.7 优秀 (no assignment due)."""
    for month, total in [(1, "95.0"), (2, "92.0")]:
        publish_month(d["hq"], month, [
            {"unit_id": d["u"]["D3"].pk, "unit": "D3", "total": total, "assessed": True},
        ])  # fmt: skip


def test_annual_disqualified_unit_keeps_its_grade_and_is_not_eligible(march):
    d = march
    d3_published_january_and_february(d)
    rows = {r.name: r for r in annual.annual_assessment(d["hq"], 2026, through_month=3)}
    d3 = rows["D3"]
    assert (d3.score, d3.grade, d3.eligible, d3.ineligible_reason) == (
        Decimal("95.7"), "优秀", True, "",
    )  # fmt: skip
    disqualify(d, "D3", date(2026, 6, 1))
    veto(d, "D2", at(7, 1))
    rows = {r.name: r for r in annual.annual_assessment(d["hq"], 2026, through_month=3)}
    d3, d2 = rows["D3"], rows["D2"]
    assert (d3.score, d3.grade, d3.eligible, d3.vetoed, d3.disqualified) == (
        Decimal("95.7"), "优秀", False, False, True,
    )  # fmt: skip
    assert d3.ineligible_reason == "取消评先评优资格：两次列入黑榜"
    assert (d2.grade, d2.eligible, d2.vetoed, d2.veto_reason) == (
        "不合格", False, True, "发生重大不文明事件",
    )  # fmt: skip
    assert d2.ineligible_reason == "一票否决：发生重大不文明事件"


# --- the annual assessment page -----------------------------------------------------------------


def annual_page(client, d, export=""):
    client.force_login(d["leader"])
    suffix = f"&_export={export}" if export else ""
    return client.get(f"/rankings/annual/2026/?hq={d['hq'].pk}{suffix}")


def levers_cell(html: str, unit_id: int) -> str:
    row = html.split(f'<tr data-unit="{unit_id}"', 1)[1].split("</tr>", 1)[0]
    cell = row.split('class="wrap levers">', 1)[1].split("</td>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def test_annual_page_shows_each_units_records_and_honours(client, march):
    d = march
    d3_published_january_and_february(d)
    disqualify(d, "D3", date(2026, 6, 1))
    accountability.record(
        hq=d["hq"], by=d["secretariat"], unit=d["u"]["D2"],
        measure=Accountability.Measure.INTERVIEW,
        reason="逾期未整改", on=date(2026, 3, 20), person_name="李四", person_title="副局长",
    )  # fmt: skip
    kept = honours.award(
        hq=d["hq"], by=d["secretariat"], unit=d["u"]["D3"], kind=Honour.Kind.CIVILISED_UNIT,
        level=Honour.Level.CITY, year_awarded=2025,
    )  # fmt: skip
    honours.change_status(
        kept, to=Honour.Status.WARNING, reason="取消评先评优资格", by=d["secretariat"]
    )
    honours.award(
        hq=d["hq"], by=d["secretariat"], unit=d["u"]["D3"], kind=Honour.Kind.OTHER,
        level=Honour.Level.DISTRICT, year_awarded=2027, title="以后的称号",
    )  # fmt: skip
    html = annual_page(client, d).content.decode()
    assert levers_cell(html, d["u"]["D3"].pk) == (
        "6月1日 取消评先评优资格：两次列入黑榜 市级文明单位（2025年，黄牌警告）"
    )
    assert levers_cell(html, d["u"]["D2"].pk) == "3月20日 约谈（李四）：逾期未整改"
    assert levers_cell(html, d["u"]["D1"].pk) == "—"
    assert "取消评先评优资格：两次列入黑榜</small>" in html  # beside D3's 否
    rows = openpyxl.load_workbook(io.BytesIO(annual_page(client, d, "xlsx").content)).active
    by_name = {r[1]: r for r in rows.iter_rows(values_only=True)}
    assert by_name["D3"][12:16] == (
        "否", "取消评先评优资格：两次列入黑榜", "6月1日 取消评先评优资格：两次列入黑榜",
        "市级文明单位（2025年，黄牌警告）",
    )  # fmt: skip


def test_annual_page_queries_do_not_grow_with_records_and_honours(client, march):
    d = march
    annual_page(client, d)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as few:
        assert annual_page(client, d).status_code == 200
    for unit, day in [("D1", 3), ("D2", 4), ("D3", 5), ("A", 6)]:
        disqualify(d, unit, date(2026, 3, day))
        honours.award(
            hq=d["hq"], by=d["secretariat"], unit=d["u"][unit], kind=Honour.Kind.CIVILISED_UNIT,
            level=Honour.Level.DISTRICT, year_awarded=2025,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        assert annual_page(client, d).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_honours_review_reads_the_annual_grade(march):
    """D2: January 50.0 and February 40.0 (published), March live 66.7 (P8 and P13 closed on time,
    P14 open: 2 of 3) → mean 52.2 → 不合格, which proposes a 黄牌警告 for its honour."""
    d = march
    for month, total in [(1, "50.0"), (2, "40.0")]:
        publish_month(d["hq"], month, [
            {"unit_id": d["u"]["D2"].pk, "unit": "D2", "total": total, "assessed": True},
        ])  # fmt: skip
    honour = honours.award(
        hq=d["hq"], by=d["secretariat"], unit=d["u"]["D2"], kind=Honour.Kind.CIVILISED_UNIT,
        level=Honour.Level.DISTRICT, year_awarded=2025,
    )  # fmt: skip
    grade = {r.name: r for r in annual.annual_assessment(d["hq"], 2026, through_month=3)}["D2"]
    assert (grade.score, grade.grade) == (Decimal("52.2"), "不合格")
    rows = honours.review(d["hq"], 2026)
    assert [(r.honour.pk, r.proposal, r.reasons) for r in rows] == [
        (honour.pk, "warn", ["年度考评不合格"])
    ]


def test_rankings_page_says_why_a_unit_is_off_the_red_list(client, march):
    d = march
    disqualify(d, "D3", date(2026, 3, 31))
    client.force_login(d["leader"])
    html = client.get(f"/rankings/?hq={d['hq'].pk}&month=2026-03").content.decode()
    assert re.findall(r'<small class="ineligible">([^<]*)</small>', html) == [
        "不上红榜：取消评先评优资格：两次列入黑榜"
    ]
