"""A small district worked by hand from the rules of SPEC §6 (not from the code).

测试区, March 2026. Streets A, B; communities A1 (in A), B1 (in B); departments D1, D2, D3.
Sites: SA (A / A1), SB (B, no community), SB1 (B / B1). Every category deducts 4 points.

Site visits (submitted inspections):
  I1 3/5  SA, SB      P1 at SA, later 督办 (counts 8)      → SA 92, SB 100
  I2 3/12 SA, SB, SB1 P2, P3 at SB1 (4 + 4)              → SA 100, SB 100, SB1 92
  I3 3/20 SA          P4 at SA (4)                         → SA 96
  (a draft inspection on 3/25 at SB with a problem must not count)

Field:  A  = mean(92, 100, 96)        = 96.0   (3 visits)
        A1 = same sites               = 96.0   (3 visits)
        B  = mean(100, 100, 92)       = 97.3   (3 visits)
        B1 = 92                       = 92.0   (1 visit → 样本不足)
Rectification (problems due in March, primary unit):
  A : P1 due 3/7, closed 3/6, 督办 once           → 100·1/1 − 5 = 95
  A1: P4 due 3/22, closed 3/21                     → 100
  B : nothing due                                   → 100
  B1: P2 due 3/14, closed 3/15 late, returned once; P3 due 3/14 open
                                                    → 0 − 2 → 0
  D1: P5, P6 closed on time, P7 open (all due in March) → 66.7
  D2: P8 closed on time (1 due → 样本不足)           → 100
  D3: nothing due (样本不足)                          → 100
  (P9 for D1 is due in April: it does not count in March)
Totals: A 0.9·96 + 0.1·95 = 95.9 · B 0.9·97.3 + 10 = 97.6 · A1 96.4 · B1 0.9·92 = 82.8
        D1 66.7 · D2 100 · D3 100
Ranks (样本不足 after the others): streets B 1, A 2 · communities A1 1, B1 2 ·
       departments D1 1, then D2 2, D3 2 (tied, both 样本不足)
Bands: 优秀 A B A1 D2 D3 · 良好 B1 · 合格 D1
红榜: B (top 3 ≥ 90; only two streets), A1 (names its partners 结对：D1, 挂钩：王领导);
      A is in the top 3 too, but criticised in a March commentary: 黑榜 wins, not on the 红榜.
黑榜: D1 (< 85); A (criticised). B1 was praised but is 样本不足: on no list.
Annual 2026 through March, D1 vetoed: D1 own 66.7, paired community A1 96.4
        → 0.8·66.7 + 0.2·96.4 = 72.6, grade 不合格 (veto), not eligible. A: 95.9 优秀 eligible.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civility.reports import scoring
from civility.reports.models import Veto
from tests.reports.conftest import assign, at, inspect, problem

pytestmark = pytest.mark.django_db


def row(scores, name):
    return next(u for u in scores.units if u.name == name)


def test_scoring_field_scores_are_mean_site_visit_scores(march):
    scores = scoring.monthly_scores(march["hq"], 2026, 3)
    assert [
        (row(scores, n).visits, row(scores, n).field_score) for n in ("A", "A1", "B", "B1")
    ] == [(3, Decimal("96.0")), (3, Decimal("96.0")), (3, Decimal("97.3")), (1, Decimal("92.0"))]
    assert row(scores, "D1").field_score is None


def test_scoring_rectification_scores(march):
    scores = scoring.monthly_scores(march["hq"], 2026, 3)
    got = {
        n: (row(scores, n).due, row(scores, n).rectification)
        for n in ("A", "A1", "B", "B1", "D1", "D2", "D3")
    }
    assert got == {
        "A": (1, Decimal("95.0")),
        "A1": (1, Decimal("100.0")),
        "B": (0, Decimal("100.0")),
        "B1": (2, Decimal("0.0")),
        "D1": (3, Decimal("66.7")),
        "D2": (1, Decimal("100.0")),
        "D3": (0, Decimal("100.0")),
    }


def test_scoring_totals_ranks_bands_and_sample(march):
    scores = scoring.monthly_scores(march["hq"], 2026, 3)
    got = {u.name: (u.total, u.rank, u.band, u.insufficient) for u in scores.units}
    assert got == {
        "A": (Decimal("95.9"), 2, "优秀", False),
        "B": (Decimal("97.6"), 1, "优秀", False),
        "A1": (Decimal("96.4"), 1, "优秀", False),
        "B1": (Decimal("82.8"), 2, "良好", True),
        "D1": (Decimal("66.7"), 1, "合格", False),
        "D2": (Decimal("100.0"), 2, "优秀", True),
        "D3": (Decimal("100.0"), 2, "优秀", True),
    }


def test_scoring_red_and_black_lists_with_partners(march):
    scores = scoring.monthly_scores(march["hq"], 2026, 3)
    assert [u.name for u in scores.red_list] == ["B", "A1"]
    assert [u.name for u in scores.black_list] == ["A", "D1"]
    assert row(scores, "A1").partners == ["挂钩：王领导", "结对：D1"]
    assert row(scores, "A").black_reasons == ["受到点评批评"]
    assert row(scores, "D1").black_reasons == ["总分低于85.0"]
    assert not row(scores, "B1").on_red_list  # praised, but 样本不足


def test_scoring_annual_assessment_with_pairing_and_veto(march):
    Veto.objects.create(
        headquarters=march["hq"],
        unit=march["u"]["D1"],
        year=2026,
        reason="发生重大不文明事件",
        decided_by=march["secretariat"],
    )
    results = {r.name: r for r in scoring.annual_assessment(march["hq"], 2026, through_month=3)}
    d1 = results["D1"]
    assert (d1.own_average, d1.paired_average, d1.score) == (
        Decimal("66.7"),
        Decimal("96.4"),
        Decimal("72.6"),
    )
    assert (d1.grade, d1.vetoed, d1.eligible) == ("不合格", True, False)
    a = results["A"]
    assert (a.score, a.grade, a.eligible) == (Decimal("95.9"), "优秀", True)


def test_scoring_query_count_does_not_grow_with_problems(march):
    with CaptureQueriesContext(connection) as few:
        scoring.monthly_scores(march["hq"], 2026, 3)
    d = march
    inspection = inspect(d, 26, ["SA", "SB", "SB1"])
    for i in range(20):
        p = problem(d, ["SA", "SB", "SB1"][i % 3], at(3, 26), inspection)
        assign(d, p, "D1", at(3, 26))
    with CaptureQueriesContext(connection) as many:
        scoring.monthly_scores(march["hq"], 2026, 3)
    assert len(few.captured_queries) == len(many.captured_queries)
