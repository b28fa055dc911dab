"""The hand-worked district of test_scoring.py, shared by the report tests."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from civility.core.roles import Role
from civility.org.models import Headquarters, Leader, Linkage, ProblemCategory, Site, SiteType, Unit
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.inspections.models import Inspection, InspectionTeam
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
            is_committee_member=True,
        )
    site_type = SiteType.objects.create(headquarters=hq, name="主干道")
    sites = {
        "SA": Site.objects.create(
            headquarters=hq,
            name="SA",
            type=site_type,
            street=u["A"],
            community=u["A1"],
            default_unit=u["A1"],
        ),
        "SB": Site.objects.create(
            headquarters=hq, name="SB", type=site_type, street=u["B"], default_unit=u["B"]
        ),
        "SB1": Site.objects.create(
            headquarters=hq,
            name="SB1",
            type=site_type,
            street=u["B"],
            community=u["B1"],
            default_unit=u["B1"],
        ),
    }
    category = ProblemCategory.objects.create(
        headquarters=hq, name="暴露垃圾", deduction=Decimal("4"), time_limit_hours=48
    )
    leader_record = Leader.objects.create(
        headquarters=hq, name="王领导", title="副区长", body="government"
    )
    Linkage.objects.create(
        headquarters=hq,
        kind="pairing",
        target=u["A1"],
        department=u["D1"],
        start_date=date(2026, 1, 1),
    )
    Linkage.objects.create(
        headquarters=hq,
        kind="contact",
        target=u["A1"],
        leader=leader_record,
        start_date=date(2026, 1, 1),
    )
    people = {
        "secretariat": make_user("s_sec", Role.SECRETARIAT),
        "inspector": make_user("s_ins", Role.INSPECTOR),
        "leader": make_user("s_lead", Role.LEADER),
    }
    for name in ("A", "A1", "B", "B1", "D1", "D2"):
        people[name] = make_user(f"s_li_{name}", Role.LIAISON, unit=u[name])
    team = InspectionTeam.objects.create(headquarters=hq, name="创建办督查组", kind="office")
    return {"hq": hq, "u": u, "sites": sites, "category": category, "team": team, **people}


def inspect(d, day, site_names, status="submitted"):
    inspection = Inspection.objects.create(
        headquarters=d["hq"],
        team=d["team"],
        date=date(2026, 3, day),
        status=status,
        created_by=d["inspector"],
        submitted_at=at(3, day) if status == "submitted" else None,
    )
    inspection.sites.set([d["sites"][n] for n in site_names])
    return inspection


def problem(d, site, when, inspection=None):
    p, _ = workflow.report_problem(
        by=d["inspector"],
        site=d["sites"][site],
        category=d["category"],
        description="问题",
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


@pytest.fixture
def march(district):
    d = district
    i1, i2, i3 = (
        inspect(d, 5, ["SA", "SB"]),
        inspect(d, 12, ["SA", "SB", "SB1"]),
        inspect(d, 20, ["SA"]),
    )
    draft = inspect(d, 25, ["SB"], status="draft")
    p1 = assign(d, problem(d, "SA", at(3, 5), i1), "A", at(3, 5))
    p1 = workflow.perform(p1, A_.ESCALATE, by=d["leader"], now=at(3, 6, 9))
    fix(d, p1, "A", at(3, 6))
    p2 = assign(d, problem(d, "SB1", at(3, 12), i2), "B1", at(3, 12))
    p2 = workflow.perform(p2, A_.SUBMIT, by=d["B1"], note="已整改", photos=[photo()], now=at(3, 13))
    p2 = workflow.perform(p2, A_.RETURN, by=d["inspector"], note="不彻底", now=at(3, 13, 15))
    fix(d, p2, "B1", at(3, 15))
    assign(d, problem(d, "SB1", at(3, 12), i2), "B1", at(3, 12))  # P3 stays open
    p4 = assign(d, problem(d, "SA", at(3, 20), i3), "A1", at(3, 20))
    fix(d, p4, "A1", at(3, 21))
    problem(d, "SB", at(3, 25), draft)  # on a draft inspection: no visit
    for day, closed in [(2, True), (3, True), (4, False)]:  # P5, P6, P7 for D1
        p = assign(d, problem(d, "SB", at(3, day)), "D1", at(3, day))
        if closed:
            fix(d, p, "D1", at(3, day + 1))
    fix(d, assign(d, problem(d, "SB", at(3, 8)), "D2", at(3, 8)), "D2", at(3, 9))  # P8
    assign(d, problem(d, "SB", at(3, 30, 12)), "D1", at(3, 30, 12))  # P9: due April 1
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
