"""Site visits scored from the 测评 checklist when an inspection is submitted (SPEC §6).

The 农贸市场 checklist of the Huli fixtures (points in brackets, the categories that fail it):
  1 划行归市，摊位不越线经营 (15, 农贸市场管理不规范)   2 场内地面干净无积水 (15, 暴露垃圾/卫生死角)
  3 市场周边无占道经营 (15, 占道经营)                 4 明码标价，设置公平秤 (10, none)
  5 防蝇、防鼠、防尘设施完好 (10, 设施破损)            6 公厕保洁良好、无异味 (10, 可不适用)
  7 车辆停放有序 (10)   8 无乱张贴、乱拉乱挂 (5)   9 公益广告到位 (10)          = 100
The visit of the first test: a 占道经营 problem fails item 3; the inspector taps 不合格 on item 4
with a problem and its photo, and 不适用 on item 6 (the market has no toilet):
  applicable 100 − 10 = 90, passed 90 − 15 − 10 = 65 → 得分率 100 × 65 / 90 = 72.2222…
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civility.org.models import ChecklistItem, ProblemCategory, Site, SiteType
from civility.reports import scoring
from civility.supervision.inspections import services
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.visits import Mark, SiteVisit, SiteVisitItem
from civility.supervision.problems import workflow
from tests.factories import photo

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)
DAY = date(2026, 3, 10)
WHEN = datetime(2026, 3, 10, 10, 0, tzinfo=TZ)
FAIL, NA, PASS = SiteVisitItem.Result.FAIL, SiteVisitItem.Result.NA, SiteVisitItem.Result.PASS


@pytest.fixture
def market(hq):
    return Site.objects.get(headquarters=hq, name="金山农贸市场")


@pytest.fixture
def items(market):
    """The 农贸市场 checklist's items by their order (1–9)."""
    rows = ChecklistItem.objects.filter(checklist__site_type=market.type)
    return {item.order: item for item in rows}


def category(hq, name):
    return ProblemCategory.objects.get(headquarters=hq, name=name)


def new_inspection(hq, inspector, *sites, day=DAY):
    inspection = Inspection.objects.create(
        headquarters=hq,
        team=InspectionTeam.objects.get(headquarters=hq, name="创建办督查组"),
        date=day,
        created_by=inspector,
    )
    inspection.sites.set(sites)
    return inspection


def record(inspection, site, name, *, with_photo=True, by):
    problem, _ = workflow.report_problem(
        by=by,
        site=site,
        category=category(site.headquarters, name),
        description=f"{site.name}：{name}",
        photos=[photo()] if with_photo else [],
        inspection=inspection,
        now=WHEN,
    )
    return problem


def submit(inspection, inspector, marks):
    return services.submit_inspection(inspection, inspector, marks=marks, now=WHEN)


def refusal(call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.messages[0]


def test_visit_rate_counts_items_failed_by_problems_and_by_marks(hq, inspector, market, items):
    inspection = new_inspection(hq, inspector, market)
    stalls = record(inspection, market, "占道经营", by=inspector)
    scales = record(inspection, market, "不文明行为", by=inspector)  # 摊主拒用公平秤
    submit(
        inspection,
        inspector,
        {market.pk: {items[4].pk: Mark(FAIL, (scales.pk,)), items[6].pk: Mark(NA)}},
    )
    visit = SiteVisit.objects.get(inspection=inspection, site=market)
    assert (visit.applicable_points, visit.passed_points) == (Decimal(90), Decimal(65))
    assert visit.score_rate == Decimal("72.2222")
    assert visit.items_failed == 2
    results = {
        r.item.order: (r.result, r.marked, [p.pk for p in r.problems.all()], r.points)
        for r in visit.items.select_related("item").prefetch_related("problems")
    }
    assert results[3] == (FAIL, False, [stalls.pk], Decimal(15))
    assert results[4] == (FAIL, True, [scales.pk], Decimal(10))
    assert results[6] == (NA, True, [], Decimal(10))
    assert {order for order, r in results.items() if r[0] == PASS} == {1, 2, 5, 7, 8, 9}
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED


def test_visit_counts_in_the_months_field_score(hq, inspector, market, items):
    """Three visits of 金山街道's market in March: 72.2222 (as above), 100, 85 (item 3 failed)
    → the street's field part is their mean, 85.7407 → 85.7."""
    first = new_inspection(hq, inspector, market, day=date(2026, 3, 10))
    scales = record(first, market, "不文明行为", by=inspector)
    record(first, market, "占道经营", by=inspector)
    marks = {items[4].pk: Mark(FAIL, (scales.pk,)), items[6].pk: Mark(NA)}
    submit(first, inspector, {market.pk: marks})
    submit(new_inspection(hq, inspector, market, day=date(2026, 3, 11)), inspector, None)
    third = new_inspection(hq, inspector, market, day=date(2026, 3, 12))
    record(third, market, "占道经营", by=inspector)
    submit(third, inspector, None)
    scores = scoring.monthly_scores(hq, 2026, 3, compare=False)
    street = scores.by_unit()[market.street_id]
    assert (street.visits, street.items_failed, street.field_score) == (3, 3, Decimal("85.7"))


def test_fail_mark_needs_a_problem_with_a_photo(hq, inspector, market, items):
    inspection = new_inspection(hq, inspector, market)
    no_photo = record(inspection, market, "不文明行为", with_photo=False, by=inspector)
    marks = {market.pk: {items[4].pk: Mark(FAIL, (no_photo.pk,))}}
    message = refusal(lambda: submit(inspection, inspector, marks))
    assert message == "「明码标价，设置公平秤」标为不合格，须记录至少一个带照片的问题。"
    # Nothing is saved: the inspection stays a draft, without a visit.
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.DRAFT
    assert not SiteVisit.objects.filter(inspection=inspection).exists()
    message = refusal(lambda: submit(inspection, inspector, {market.pk: {items[4].pk: Mark(FAIL)}}))
    assert message == "「明码标价，设置公平秤」标为不合格，须记录至少一个带照片的问题。"


def test_fail_mark_refuses_a_problem_of_another_visit(hq, inspector, market, items):
    elsewhere = new_inspection(hq, inspector, market)
    other = record(elsewhere, market, "不文明行为", by=inspector)
    inspection = new_inspection(hq, inspector, market)
    message = refusal(
        lambda: submit(inspection, inspector, {market.pk: {items[4].pk: Mark(FAIL, (other.pk,))}})
    )
    assert message == "所选问题不是在该点位本次督查中记录的。"


def test_not_applicable_only_where_the_checklist_allows_it(hq, inspector, market, items):
    inspection = new_inspection(hq, inspector, market)
    message = refusal(lambda: submit(inspection, inspector, {market.pk: {items[3].pk: Mark(NA)}}))
    assert message == "「市场周边无占道经营」不能标为不适用。"
    record(inspection, market, "公厕保洁不到位", by=inspector)
    message = refusal(lambda: submit(inspection, inspector, {market.pk: {items[6].pk: Mark(NA)}}))
    assert message == "「公厕保洁良好、无异味」已记录相关问题，不能标为不适用。"
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.DRAFT


def test_marks_must_belong_to_the_visit(hq, inspector, market, items):
    road = Site.objects.get(headquarters=hq, name="湖里大道")
    inspection = new_inspection(hq, inspector, market)
    message = refusal(lambda: submit(inspection, inspector, {road.pk: {items[6].pk: Mark(NA)}}))
    assert message == "所标记的点位不在本次督查中。"
    road_item = ChecklistItem.objects.filter(checklist__site_type=road.type).first()
    message = refusal(
        lambda: submit(inspection, inspector, {market.pk: {road_item.pk: Mark(FAIL)}})
    )
    assert message == "所标记的测评内容不属于该点位的测评细则。"


def test_site_type_without_checklist_falls_back_to_deductions(hq, inspector, street):
    """A 停车场 has no checklist: 100 − (2.0 for 占道经营 + 1.0 for 暴露垃圾) = 97."""
    parking = Site.objects.create(
        headquarters=hq,
        name="湖里停车场",
        type=SiteType.objects.create(headquarters=hq, name="停车场"),
        street=street,
        default_unit=street,
    )
    inspection = new_inspection(hq, inspector, parking)
    record(inspection, parking, "占道经营", by=inspector)
    record(inspection, parking, "暴露垃圾", by=inspector)
    message = refusal(lambda: submit(inspection, inspector, {parking.pk: {1: Mark(NA)}}))
    assert message == "该点位类型没有测评细则，不能标记测评内容。"
    submit(inspection, inspector, None)
    visit = SiteVisit.objects.get(inspection=inspection)
    assert (visit.checklist, visit.score_rate, visit.deductions) == (
        None,
        Decimal(97),
        Decimal(3),
    )
    assert not visit.items.exists()


def test_editing_a_checklist_later_never_changes_a_scored_visit(hq, inspector, market, items):
    inspection = new_inspection(hq, inspector, market)
    record(inspection, market, "占道经营", by=inspector)
    submit(inspection, inspector, None)
    visit = SiteVisit.objects.get(inspection=inspection)
    assert visit.score_rate == Decimal(85)  # 100 − 15
    before = scoring.monthly_scores(hq, 2026, 3, compare=False).by_unit()[market.street_id]

    # The checklist is edited afterwards: item 3 weighs 40, a new item is added.
    ChecklistItem.objects.filter(pk=items[3].pk).update(points=40)
    ChecklistItem.objects.create(
        checklist=items[3].checklist, order=10, text="新增测评内容", points=20,
        indicator=items[3].indicator,
    )  # fmt: skip
    visit.refresh_from_db()
    assert (visit.score_rate, visit.applicable_points, visit.passed_points) == (
        Decimal(85),
        Decimal(100),
        Decimal(85),
    )
    assert visit.items.get(item=items[3]).points == Decimal(15)
    assert visit.items.count() == 9
    after = scoring.monthly_scores(hq, 2026, 3, compare=False).by_unit()[market.street_id]
    assert (after.visits, after.field_raw) == (before.visits, before.field_raw)

    # A later inspection is scored with the checklist as it is now: item 3 (40) of 145 fails,
    # 100 × 105 / 145 = 72.4138.
    later = new_inspection(hq, inspector, market, day=date(2026, 3, 20))
    record(later, market, "占道经营", by=inspector)
    submit(later, inspector, None)
    assert SiteVisit.objects.get(inspection=later).score_rate == Decimal("72.4138")


def test_scoring_queries_do_not_grow_with_sites_and_problems(hq, inspector, market, items):
    road = Site.objects.get(headquarters=hq, name="湖里大道")
    small = new_inspection(hq, inspector, market)
    record(small, market, "占道经营", by=inspector)
    with CaptureQueriesContext(connection) as few:
        submit(small, inspector, {market.pk: {items[6].pk: Mark(NA)}})
    big = new_inspection(hq, inspector, market, road)
    for name in ("占道经营", "暴露垃圾", "设施破损", "不文明行为"):
        record(big, market, name, by=inspector)
        record(big, road, name, by=inspector)
    evidence = big.problems.filter(site=market, category__name="不文明行为").get()
    marks = {market.pk: {items[6].pk: Mark(NA), items[4].pk: Mark(FAIL, (evidence.pk,))}}
    with CaptureQueriesContext(connection) as many:
        submit(big, inspector, marks)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert SiteVisit.objects.filter(inspection=big).count() == 2
