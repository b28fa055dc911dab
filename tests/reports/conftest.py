"""The hand-worked district of test_scoring.py (SPEC §6 v2), shared by the report tests."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from civility.core.roles import Role
from civility.org.models import (
    Assignment,
    Checklist,
    ChecklistItem,
    Headquarters,
    Indicator,
    Leader,
    Linkage,
    ProblemCategory,
    Site,
    SiteType,
    Unit,
    WorkGroup,
)
from civility.reports.models import Report
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.inspections import services
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.visits import Mark
from civility.supervision.problems import workflow
from tests.conftest import make_user
from tests.factories import photo

A_ = workflow.Action
TZ = timezone.get_fixed_timezone(8 * 60)


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def district():
    hq = Headquarters.objects.create(
        name="测试区创建指挥部",
        district="测试区",
        code="TS",
        doc_prefix="测创指",
        start_date=date(2026, 1, 1),
    )
    u = {}
    for name, kind, parent in [
        ("A", "street", None),
        ("B", "street", None),
        ("A1", "community", "A"),
        ("B1", "community", "B"),
        ("D1", "department", None),
        ("D2", "department", None),
        ("D3", "department", None),
    ]:
        u[name] = Unit.objects.create(
            headquarters=hq,
            name=name,
            kind=kind,
            parent=u.get(parent),
            # The committee's members are streets and departments, not communities.
            is_committee_member=kind != "community",
        )
    road = SiteType.objects.create(headquarters=hq, name="主干道")
    park = SiteType.objects.create(headquarters=hq, name="公园广场")  # no checklist
    sites = {
        "SA": Site.objects.create(
            headquarters=hq, name="SA", type=road, street=u["A"], community=u["A1"],
            default_unit=u["A1"],
        ),
        "SB": Site.objects.create(
            headquarters=hq, name="SB", type=road, street=u["B"], default_unit=u["B"]
        ),
        "SB1": Site.objects.create(
            headquarters=hq, name="SB1", type=road, street=u["B"], community=u["B1"],
            default_unit=u["B1"],
        ),
        "SC": Site.objects.create(
            headquarters=hq, name="SC", type=park, street=u["A"], community=u["A1"],
            default_unit=u["A1"],
        ),
    }  # fmt: skip
    categories = {
        name: ProblemCategory.objects.create(
            headquarters=hq, name=name, deduction=Decimal(deduction), time_limit_hours=48
        )
        for name, deduction in [("暴露垃圾", "4"), ("占道经营", "2"), ("乱停乱放", "1")]
    }
    top = Indicator.objects.create(
        headquarters=hq, level=1, code="Ⅰ-5", name="生活环境", source="national"
    )
    mid = Indicator.objects.create(
        headquarters=hq, level=2, code="Ⅱ-5.3", name="市容环境", parent=top, source="national"
    )
    content = {
        code: Indicator.objects.create(headquarters=hq, level=3, code=code, name=name,
                                       parent=mid, source="national")
        for code, name in [("Ⅲ-5.3.1", "无暴露垃圾"), ("Ⅲ-5.3.3", "无占道经营"),
                           ("Ⅲ-4.3.1", "公益广告"), ("Ⅲ-5.3.6", "设施完好")]
    }  # fmt: skip
    checklist = Checklist.objects.create(headquarters=hq, site_type=road, version=2026,
                                         name="主干道测评细则")  # fmt: skip
    items = {}
    for order, (key, text, points, code, cats, na) in enumerate(
        [
            ("I1", "无暴露垃圾", 30, "Ⅲ-5.3.1", ["暴露垃圾"], False),
            ("I2", "无占道经营", 30, "Ⅲ-5.3.3", ["占道经营"], False),
            ("I3", "公益广告设置规范", 20, "Ⅲ-4.3.1", [], True),
            ("I4", "设施完好", 20, "Ⅲ-5.3.6", [], False),
        ]
    ):
        items[key] = ChecklistItem.objects.create(
            checklist=checklist, order=order, text=text, points=points,
            indicator=content[code], na_allowed=na,
        )  # fmt: skip
        items[key].categories.set([categories[c] for c in cats])
    leader_record = Leader.objects.create(
        headquarters=hq, name="王领导", title="副区长", body="government"
    )
    Linkage.objects.create(
        headquarters=hq, kind="pairing", target=u["A1"], department=u["D1"],
        start_date=date(2026, 1, 1),
    )  # fmt: skip
    Linkage.objects.create(
        headquarters=hq, kind="contact", target=u["A1"], leader=leader_record,
        start_date=date(2026, 1, 1),
    )  # fmt: skip
    people = {
        "secretariat": make_user("s_sec", Role.SECRETARIAT),
        "inspector": make_user("s_ins", Role.INSPECTOR),
        "leader": make_user("s_lead", Role.LEADER),
    }
    for name in ("A", "A1", "B", "B1", "D1", "D2", "D3"):
        people[name] = make_user(f"s_li_{name}", Role.LIAISON, unit=u[name])
    team = InspectionTeam.objects.create(headquarters=hq, name="创建办督查组", kind="office")
    return {
        "hq": hq,
        "u": u,
        "sites": sites,
        "categories": categories,
        "category": categories["暴露垃圾"],
        "items": items,
        "checklist": checklist,
        "team": team,
        **people,
    }


def inspect(d, day, site_names, status="submitted", problems=(), marks=None, month=3):
    """An inspection on ``day`` with ``problems`` [(site, category)] recorded on it, submitted
    through the service (so its visits are scored) unless ``status`` is "draft". The problems
    are ``inspection.found``."""
    inspection = Inspection.objects.create(
        headquarters=d["hq"],
        team=d["team"],
        date=date(2026, month, day),
        created_by=d["inspector"],
    )
    inspection.sites.set([d["sites"][n] for n in site_names])
    found = [
        problem(d, site, at(month, day, 9), inspection, category=category)
        for site, category in problems
    ]
    if status == "submitted":
        services.submit_inspection(
            inspection, d["inspector"], marks=marks(found) if marks else None, now=at(month, day)
        )
    inspection.found = found
    return inspection


def problem(d, site, when, inspection=None, category="暴露垃圾"):
    p, _ = workflow.report_problem(
        by=d["inspector"],
        site=d["sites"][site],
        category=d["categories"][category],
        description="问题",
        photos=[photo()] if inspection else [],
        inspection=inspection,
        now=when,
        source="inspection" if inspection else "hotline",
    )
    return p


def assign(d, p, unit, when):
    return workflow.perform(p, A_.ASSIGN, by=d["secretariat"], unit=d["u"][unit], now=when)


def fix(d, p, unit, when):
    p = workflow.perform(p, A_.SUBMIT, by=d[unit], note="已整改", photos=[photo()], now=when)
    return workflow.perform(p, A_.APPROVE, by=d["inspector"], now=when + timedelta(hours=1))


def hotline(d, unit, day, closed_after=None, site="SB", hour=10):
    """A problem from the hotline assigned to ``unit`` on March ``day`` (due two days later),
    fixed ``closed_after`` days later when given."""
    p = assign(d, problem(d, site, at(3, day, hour)), unit, at(3, day, hour))
    if closed_after is not None:
        p = fix(d, p, unit, at(3, day + closed_after, hour))
    return p


@pytest.fixture
def march(district):
    d = district
    si = {s: d["sites"][s].pk for s in d["sites"]}
    i = d["items"]
    (p1,) = inspect(d, 5, ["SA", "SB"], problems=[("SA", "暴露垃圾")]).found
    p2, p3, p10 = inspect(
        d, 12, ["SA", "SB", "SB1"],
        problems=[("SB1", "暴露垃圾"), ("SB1", "占道经营"), ("SB", "乱停乱放")],
        marks=lambda found: {si["SB"]: {i["I4"].pk: Mark("fail", (found[2].pk,))}},
    ).found  # fmt: skip
    p4, p11 = inspect(
        d, 20, ["SA", "SC"],
        problems=[("SA", "暴露垃圾"), ("SC", "乱停乱放")],
        marks=lambda found: {si["SA"]: {i["I3"].pk: Mark("na")}},
    ).found  # fmt: skip
    inspect(d, 25, ["SB"], status="draft", problems=[("SB", "暴露垃圾")])  # no visit

    p1 = assign(d, p1, "A", at(3, 5))
    p1 = workflow.perform(p1, A_.ESCALATE, by=d["leader"], now=at(3, 6, 9))
    fix(d, p1, "A", at(3, 6))
    p2 = assign(d, p2, "B1", at(3, 12))
    p2 = workflow.perform(p2, A_.SUBMIT, by=d["B1"], note="已整改", photos=[photo()], now=at(3, 13))
    p2 = workflow.perform(p2, A_.RETURN, by=d["inspector"], note="不彻底", now=at(3, 13, 15))
    fix(d, p2, "B1", at(3, 15))
    assign(d, p3, "B1", at(3, 12))  # P3 stays open
    fix(d, assign(d, p4, "A1", at(3, 20)), "A1", at(3, 21))
    fix(d, assign(d, p10, "B", at(3, 12)), "B", at(3, 13))
    fix(d, assign(d, p11, "A", at(3, 20)), "A", at(3, 21))
    p12 = hotline(d, "A", 25, site="SA")  # P12: returned once, then closed on time
    p12 = workflow.perform(p12, A_.SUBMIT, by=d["A"], note="已整改", photos=[photo()],
                           now=at(3, 26))  # fmt: skip
    p12 = workflow.perform(p12, A_.RETURN, by=d["inspector"], note="不彻底", now=at(3, 26, 15))
    fix(d, p12, "A", at(3, 27, 8))
    d["p5"] = hotline(d, "D1", 2, closed_after=1)
    d["p6"] = hotline(d, "D1", 3, closed_after=1)
    d["p7"] = hotline(d, "D1", 4)  # open
    hotline(d, "D1", 30, hour=12)  # P9: due April 1, not in March
    hotline(d, "D2", 8, closed_after=1)  # P8
    hotline(d, "D2", 8, closed_after=1)  # P13
    d["p14"] = hotline(d, "D2", 8)  # open
    for day in (9, 9, 9):  # P15–P17, all closed on time
        hotline(d, "D3", day, closed_after=1)
    d["p3"] = p3
    for unit, tone in [("A", "criticism"), ("B1", "praise")]:
        c = Commentary.objects.create(
            headquarters=d["hq"],
            kind="meeting",
            tone=tone,
            date=date(2026, 3, 18),
            author=d["leader"],
            title="点评",
            text="……",
        )
        CommentaryReceipt.objects.create(commentary=c, unit=d["u"][unit])
    return d


def publish_month(hq, month, rows):
    """A published bulletin of ``month`` 2026 whose snapshot ranks ``rows``."""
    first = date(2026, month, 1)
    return Report.objects.create(
        headquarters=hq, kind="monthly", period=f"2026-{month:02d}", period_start=first,
        period_end=first.replace(day=28), status="published", year=2026,
        title="通报", published_at=at(month, 28),
        snapshot={"data": {"rankings": [{"kind": "all", "rows": rows}]}},
    )  # fmt: skip


def january_and_february_published(d):
    """Their snapshots say A 90.0 / 80.0, A1 90.0 / 86.0, D1 70.0 / 60.0."""
    u = d["u"]
    for month, totals in [(1, ("90.0", "90.0", "70.0")), (2, ("80.0", "86.0", "60.0"))]:
        publish_month(d["hq"], month, [
            {"unit_id": u[name].pk, "unit": name, "total": total, "assessed": True}
            for name, total in zip(("A", "A1", "D1"), totals, strict=True)
        ])  # fmt: skip


def two_assignments_for_a(d):
    """A's assignments due 2/1 (done 1/30, on time) and 3/1 (done 3/5, late)."""
    group = WorkGroup.objects.create(headquarters=d["hq"], name="综合协调组")
    for due, done in [(date(2026, 2, 1), date(2026, 1, 30)), (date(2026, 3, 1), date(2026, 3, 5))]:
        Assignment.objects.create(
            work_group=group, unit=d["u"]["A"], goal="目标", task="任务",
            responsible_person="张三", due_date=due, completed_on=done,
        )  # fmt: skip
