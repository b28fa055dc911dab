"""A small district worked by hand from the rules of SPEC §6 v2 (not from the code).

测试区, March 2026. Streets A, B; communities A1 (in A), B1 (in B); departments D1, D2, D3.
Sites: SA (A / A1), SB (B), SB1 (B / B1) are 主干道; SC (A / A1) is a 公园广场, which has no
checklist. 主干道 checklist: I1 无暴露垃圾 30 (fails on 暴露垃圾), I2 无占道经营 30 (占道经营),
I3 公益广告 20 (may be 不适用), I4 设施完好 20. 乱停乱放 belongs to no item.

Site visits (得分率 = 100 × passed / applicable):
  3/5  SA  P1 暴露垃圾 → I1 fails                       70/100  = 70
       SB  nothing                                      100
  3/12 SA  nothing                                      100
       SB  P10 乱停乱放, I4 marked 不合格 with P10        80/100  = 80
       SB1 P2 暴露垃圾, P3 占道经营 → I1, I2 fail         40/100  = 40
  3/20 SA  P4 暴露垃圾 → I1 fails, I3 不适用              50/80   = 62.5
       SC  P11 乱停乱放 (no checklist: 100 − 1)           99
  (a draft inspection on 3/25 at SB does not count)
Field:  A = A1 = mean(70, 100, 62.5, 99) = 82.875 → 82.9 (4 visits)
        B = mean(100, 80, 40) = 73.33 → 73.3 (3 visits); B1: 1 visit → no field part
Rectification (primary unit; due = deadline in March and passed):
  A : P1 (督办 3/6), P11, P12 (退回 once) all closed on time: 3 due, 3 on time;
      提交 4 (P1, P11, P12 twice), 退回 1; 督办 1 of 3 open
      → 100·1 − 20·¼ − 30·⅓ = 85
  A1: P4 only (1 due) → no part · B: P10 only → no part · B1: P2, P3 (2 due) → no part
  D1: P5, P6 on time, P7 open (P9 is due April 1) → 100·⅔ = 66.7; open 4 (P5–P7, P9)
  D2: P8, P13 on time, P14 open → 66.7 · D3: P15–P17 on time → 100
Totals: A 0.7·82.875 + 0.3·85 = 83.5125 → 83.5 · A1 82.9 (field alone) · B 73.3 (field alone)
        B1 未考评 · D1 66.7 · D2 66.7 · D3 100.0
Ranks: streets A 1, B 2 · communities A1 1 · departments D3 1, D1 2, D2 2 (tie)
Bands: A 良好, A1 良好, B 合格 (on the 黑榜 below 75), D1 合格, D2 合格, D3 优秀; B1 none
红榜: B1 (praised, although 未考评), D3 (top of its kind, ≥ 90)
黑榜: A (criticised), B (73.3 < 75), D1, D2 (66.7 < 75)
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civility.core.periods import Period
from civility.reports import annual, scoring
from civility.reports import compile as compile_
from civility.reports.models import Veto
from civility.supervision.inspections.visits import SiteVisit
from civility.supervision.problems import workflow
from tests.factories import photo
from tests.reports.conftest import (
    A_,
    assign,
    at,
    hotline,
    inspect,
    january_and_february_published,
    problem,
    two_assignments_for_a,
)

pytestmark = pytest.mark.django_db
D = Decimal


def row(scores, name):
    return next(u for u in scores.units if u.name == name)


def test_scoring_site_visits_score_their_checklist(march):
    rates = sorted(
        (v.inspection.date.day, v.site.name, v.score_rate)
        for v in SiteVisit.objects.select_related("inspection", "site")
    )
    assert rates == [
        (5, "SA", D(70)),
        (5, "SB", D(100)),
        (12, "SA", D(100)),
        (12, "SB", D(80)),
        (12, "SB1", D(40)),
        (20, "SA", D("62.5")),
        (20, "SC", D(99)),
    ]


def test_scoring_field_scores_are_mean_visit_rates(march):
    scores = scoring.monthly_scores(march["hq"], 2026, 3)
    got = {n: (row(scores, n).visits, row(scores, n).field_score) for n in ("A", "A1", "B", "B1")}
    assert got == {
        "A": (4, D("82.9")),
        "A1": (4, D("82.9")),
        "B": (3, D("73.3")),
        "B1": (1, None),
    }
    assert row(scores, "B").items_failed == 3  # I4 at SB, I1 and I2 at SB1


def test_scoring_rectification_rates_and_counts(march):
    scores = scoring.monthly_scores(march["hq"], 2026, 3)
    a = row(scores, "A")
    assert (a.due, a.on_time, a.submitted, a.returned, a.escalated, a.open) == (3, 3, 4, 1, 1, 3)
    assert a.rectification == D("85.0")
    got = {
        n: (row(scores, n).due, row(scores, n).on_time, row(scores, n).open,
            row(scores, n).rectification)
        for n in ("A1", "B", "B1", "D1", "D2", "D3")
    }  # fmt: skip
    assert got == {
        "A1": (1, 1, 1, None),
        "B": (1, 1, 1, None),
        "B1": (2, 0, 2, None),
        "D1": (3, 2, 4, D("66.7")),
        "D2": (3, 2, 3, D("66.7")),
        "D3": (3, 3, 3, D("100.0")),
    }


def test_scoring_totals_ranks_bands_and_unassessed(march):
    scores = scoring.monthly_scores(march["hq"], 2026, 3)
    got = {u.name: (u.total, u.rank, u.band) for u in scores.units}
    assert got == {
        "A": (D("83.5"), 1, "良好"),
        "B": (D("73.3"), 2, "合格"),
        "A1": (D("82.9"), 1, "良好"),
        "B1": (None, None, ""),
        "D1": (D("66.7"), 2, "合格"),
        "D2": (D("66.7"), 2, "合格"),
        "D3": (D("100.0"), 1, "优秀"),
    }
    assert row(scores, "A1").total_note == "整改分未考评，总分为现场分"
    assert [u.name for u in scores.unassessed("community")] == ["B1"]
    assert [u.name for u in scores.of_kind("department")] == ["D3", "D1", "D2"]


def test_scoring_red_and_black_lists_with_reasons(march):
    scores = scoring.monthly_scores(march["hq"], 2026, 3)
    assert [u.name for u in scores.red_list] == ["B1", "D3"]
    assert [u.name for u in scores.black_list] == ["A", "B", "D1", "D2"]
    assert row(scores, "D3").red_reasons == ["总分100.0，按期办结率100%，返工率0%，区直部门第1名"]
    assert row(scores, "B1").red_reasons == ["点评表扬：点评（3月18日）"]  # commentary, unassessed
    assert row(scores, "A").black_reasons == ["点评批评：点评（3月18日）"]
    assert row(scores, "B").black_reasons == ["总分73.3，现场分73.3"]
    assert row(scores, "D1").black_reasons == ["总分66.7，按期办结率67%，返工率0%"]
    assert row(scores, "A1").partners == ["挂钩：王领导", "结对：D1"]


def test_scoring_vetoed_unit_leaves_the_red_list_from_the_moment_of_the_veto(march):
    """D3 tops the departments in March (红榜). A veto recorded on 3/28 takes it off March's
    红榜; one recorded in April (after March ended) leaves March as it was, and takes D3 off the
    红榜 of April and later months of the year."""
    veto = Veto.objects.create(
        headquarters=march["hq"], unit=march["u"]["D3"], year=2026, reason="重大事件",
        decided_by=march["secretariat"],
    )  # fmt: skip
    Veto.objects.filter(pk=veto.pk).update(decided_at=at(4, 2))
    assert [u.name for u in scoring.monthly_scores(march["hq"], 2026, 3).red_list] == ["B1", "D3"]
    april = scoring.monthly_scores(march["hq"], 2026, 4, now=at(5, 1, 9))
    assert april.by_unit()[march["u"]["D3"].pk].ineligible == "一票否决：重大事件"
    Veto.objects.filter(pk=veto.pk).update(decided_at=at(3, 28))
    scores = scoring.monthly_scores(march["hq"], 2026, 3)
    assert [u.name for u in scores.red_list] == ["B1"]
    assert row(scores, "D3").rank == 1  # still ranked; only off the 红榜


def test_scoring_partner_listings_show_paired_communities(march):
    scores_b1 = scoring.partner_listings(march["u"]["D1"], (2026, 3))
    assert scores_b1 == []  # A1, its partner, is on no list in March
    march["u"]["A1"].commentary_receipts.create(commentary=march["u"]["A"].commentaries.first())
    listed = scoring.partner_listings(march["u"]["D1"], (2026, 3))
    assert [(e["unit"], e["list"]) for e in listed] == [("A1", "黑榜")]


def test_scoring_running_month_has_counts_but_no_band_rank_or_list(march):
    scores = scoring.monthly_scores(march["hq"], 2026, 3, now=at(3, 20, 12))
    a = row(scores, "A")
    # By 3/20 noon: the four visits are in; only P1's deadline (3/7) has passed.
    assert scores.running
    assert (a.visits, a.due, a.total, a.band, a.rank) == (4, 1, D("82.9"), "", None)
    assert scores.red_list == [] and scores.black_list == []


def test_scoring_later_escalation_return_or_extension_never_moves_an_ended_month(march):
    d = march
    before = compile_.monthly_data(d["hq"], Period.month(2026, 3))
    p7 = workflow.perform(d["p7"], A_.ESCALATE, by=d["leader"])  # today
    p3 = workflow.perform(d["p3"], A_.SUBMIT, by=d["B1"], note="已整改", photos=[photo()])
    workflow.perform(p3, A_.RETURN, by=d["inspector"], note="不彻底")
    p7 = workflow.perform(
        p7, A_.REQUEST_EXTENSION, by=d["D1"], note="需要时间",
        deadline=timezone.now() + timedelta(days=10),
    )  # fmt: skip
    workflow.perform(p7, A_.APPROVE_EXTENSION, by=d["secretariat"])
    after = compile_.monthly_data(d["hq"], Period.month(2026, 3))
    for key in ("rankings", "red_list", "black_list"):
        assert after[key] == before[key]
    d1 = row(scoring.monthly_scores(d["hq"], 2026, 3), "D1")
    assert (d1.due, d1.on_time, d1.escalated, d1.rectification) == (3, 2, 0, D("66.7"))


def test_scoring_reassignment_counts_for_the_unit_that_held_the_problem(march):
    d = march
    p = hotline(d, "D3", 10)  # due 3/12, disputed and reassigned to D2 in April
    p = workflow.perform(p, A_.DISPUTE, by=d["D3"], note="不属我单位", now=at(3, 11))
    workflow.perform(p, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D2"], now=at(4, 2))
    scores = scoring.monthly_scores(d["hq"], 2026, 3)
    d3 = row(scores, "D3")
    # In March the problem was D3's: due 3/12 and not closed → 3 of 4 on time.
    assert (d3.due, d3.on_time, d3.open, d3.rectification) == (4, 3, 4, D("75.0"))
    assert row(scores, "D2").due == 3


def test_scoring_annual_from_snapshots_with_one_unpublished_month(march):
    """Jan and Feb published (their snapshots say A 90.0/80.0, A1 90.0/86.0, D1 70.0/60.0),
    March live (未通报): A 83.5, A1 82.9, D1 66.7.
    A : mean(90, 80, 83.5) = 84.5; assignments due 2/1 (done 1/30) and 3/1 (done 3/5, late)
        → 50 %; 0.7·84.5 + 0.3·50 = 74.15 → 74.2 合格, not eligible.
    A1 (not a committee member, but D1's partner): mean(90, 86, 82.9) = 86.3.
    D1: mean(70, 60, 66.7) = 65.567, no assignment → own 65.567;
        0.8·65.567 + 0.2·86.3 = 69.713 → 69.7; vetoed → 不合格.
    B : March only (1 assessed month), no assignment → 未考评."""
    d = march
    u = d["u"]
    january_and_february_published(d)
    two_assignments_for_a(d)
    Veto.objects.create(
        headquarters=d["hq"], unit=u["D1"], year=2026, reason="发生重大不文明事件",
        decided_by=d["secretariat"],
    )  # fmt: skip
    result = annual.annual_assessment(d["hq"], 2026, through_month=3)
    assert (result.published, result.unpublished) == ([1, 2], [3])
    rows = {r.name: r for r in result}
    assert set(rows) == {"A", "B", "D1", "D2", "D3"}  # committee members only
    a = rows["A"]
    assert (a.months, a.monthly_average, a.assignments_due, a.assignments_done) == (
        3, D("84.5"), 2, 1,
    )  # fmt: skip
    assert (a.score, a.grade, a.eligible) == (D("74.2"), "合格", False)
    assert [(m.month, m.published) for m in a.month_totals] == [(1, True), (2, True), (3, False)]
    d1 = rows["D1"]
    assert (d1.own_score, d1.paired_average, d1.score) == (D("65.6"), D("86.3"), D("69.7"))
    assert (d1.grade, d1.vetoed, d1.eligible) == ("不合格", True, False)
    b = rows["B"]
    assert (b.months, b.score, b.grade, b.eligible) == (1, None, "未考评", False)


def test_scoring_monthly_query_count_does_not_grow_with_problems_and_visits(march):
    d = march
    with CaptureQueriesContext(connection) as few:
        scoring.monthly_scores(d["hq"], 2026, 3)
    for day in (26, 27):
        inspect(d, day, ["SA", "SB", "SB1", "SC"],
                problems=[(s, "暴露垃圾") for s in ("SA", "SB", "SB1", "SC")])  # fmt: skip
    for _ in range(5):
        p = assign(d, problem(d, "SB", at(3, 26)), "D1", at(3, 26))
        workflow.perform(p, A_.ESCALATE, by=d["leader"], now=at(3, 27))
    hotline(d, "D3", 11)  # and one more replayed (reassigned) problem
    p = workflow.perform(
        hotline(d, "D3", 12), A_.DISPUTE, by=d["D3"], note="异议", now=at(3, 12, 12)
    )
    workflow.perform(p, A_.REASSIGN, by=d["secretariat"], unit=d["u"]["D2"], now=at(3, 13))
    with CaptureQueriesContext(connection) as many:
        scoring.monthly_scores(d["hq"], 2026, 3)
    assert len(few.captured_queries) == len(many.captured_queries)


def test_scoring_annual_query_count_does_not_grow_with_problems(march):
    d = march
    with CaptureQueriesContext(connection) as few:
        annual.annual_assessment(d["hq"], 2026, through_month=3)
    for _ in range(5):
        assign(d, problem(d, "SB", at(3, 26)), "D2", at(3, 26))
    inspect(d, 27, ["SA", "SB"], problems=[("SA", "占道经营")])
    with CaptureQueriesContext(connection) as many:
        annual.annual_assessment(d["hq"], 2026, through_month=3)
    assert len(few.captured_queries) == len(many.captured_queries)
