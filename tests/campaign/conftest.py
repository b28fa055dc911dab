"""A hand-built drive (百日大会战 with two sub-drives) and its problems, moved through the workflow
at fixed past times, so that every figure of the progress page is known in advance.

d0 is the Monday three weeks before this week's Monday. The drives start on d0.

    p1  site1  占道经营  found d0+1  → 湖里街道, deadline d0+3, closed d0+2     (on time)
    p2  site2  占道经营  found d0+1  → 执法局,   deadline d0+3, open          (overdue)
    p3  site1  占道经营  found d0+8  → 湖里街道, deadline today+5, open       (回潮 of p1)
    p4  site3  暴露垃圾  found d0+9  → 湖里街道, deadline d0+9 12:00, closed d0+10 (late)
    p5  site3  占道经营  found d0+9  → voided (never counted)
"""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from civility.org.models import ProblemCategory, Site
from civility.supervision.drives.models import Drive, DriveTarget
from civility.supervision.problems import workflow
from tests.factories import photo

A = workflow.Action
TZ = timezone.get_current_timezone()


def at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=TZ)


def monday_weeks_ago(weeks: int):
    today = timezone.localdate()
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks)


def report(by, site, category, when):
    problem, _ = workflow.report_problem(
        by=by, site=site, category=category, description="现场问题", photos=[photo("red")], now=when
    )
    return problem


@pytest.fixture
def d0():
    return monday_weeks_ago(3)


@pytest.fixture
def categories(hq):
    return {
        c.name: c
        for c in ProblemCategory.objects.filter(headquarters=hq, name__in=["占道经营", "暴露垃圾"])
    }


@pytest.fixture
def drives(hq, d0, categories):
    end = timezone.localdate() + timedelta(days=30)
    whole = Drive.objects.create(
        headquarters=hq,
        name="百日大会战",
        kind=Drive.Kind.HUNDRED_DAYS,
        start_date=d0,
        end_date=end,
    )
    order = Drive.objects.create(
        headquarters=hq,
        name="市容秩序战役",
        kind=Drive.Kind.BATTLE,
        parent=whole,
        start_date=d0,
        end_date=end,
    )
    order.categories.set([categories["占道经营"]])
    clean = Drive.objects.create(
        headquarters=hq,
        name="环境卫生战役",
        kind=Drive.Kind.BATTLE,
        parent=whole,
        start_date=d0,
        end_date=end,
    )
    clean.categories.set([categories["暴露垃圾"]])
    M = DriveTarget.Metric
    for order_no, (label, metric, value) in enumerate(
        [
            ("销号率", M.CLOSURE_RATE, 60),
            ("回潮率", M.RECURRENCE_RATE, 30),
            ("点位清零", M.SITES_CLEARED, 2),
        ]
    ):
        DriveTarget.objects.create(
            drive=whole, label=label, metric=metric, value=value, order=order_no
        )
    return {"whole": whole, "order": order, "clean": clean}


@pytest.fixture
def sites(hq, street):
    chosen = list(Site.objects.filter(headquarters=hq, street=street).order_by("pk")[:3])
    for site in chosen:
        site.default_unit = street
        site.save(update_fields=["default_unit"])
    return chosen


@pytest.fixture
def drive_problems(drives, d0, sites, categories, secretariat, inspector, liaison, department):
    occupy, garbage = categories["占道经营"], categories["暴露垃圾"]
    street = liaison.unit

    def close(problem, submitted, closed):
        problem = workflow.perform(
            problem,
            A.SUBMIT,
            by=liaison_for(problem),
            note="已整改",
            photos=[photo()],
            now=submitted,
        )
        return workflow.perform(problem, A.APPROVE, by=inspector, now=closed)

    def liaison_for(problem):
        return liaison

    p1 = report(inspector, sites[0], occupy, at(d0 + timedelta(days=1)))
    p1 = workflow.perform(
        p1,
        A.ASSIGN,
        by=secretariat,
        unit=street,
        deadline=at(d0 + timedelta(days=3)),
        now=at(d0 + timedelta(days=1), 11),
    )
    p1 = close(p1, at(d0 + timedelta(days=2), 9), at(d0 + timedelta(days=2), 15))
    p2 = report(inspector, sites[1], occupy, at(d0 + timedelta(days=1), 11))
    p2 = workflow.perform(
        p2,
        A.ASSIGN,
        by=secretariat,
        unit=department,
        deadline=at(d0 + timedelta(days=3)),
        now=at(d0 + timedelta(days=1), 12),
    )
    p3 = report(inspector, sites[0], occupy, at(d0 + timedelta(days=8)))
    p3 = workflow.perform(
        p3,
        A.ASSIGN,
        by=secretariat,
        unit=street,
        deadline=timezone.now() + timedelta(days=5),
        now=at(d0 + timedelta(days=8), 11),
    )
    p4 = report(inspector, sites[2], garbage, at(d0 + timedelta(days=9)))
    p4 = workflow.perform(
        p4,
        A.ASSIGN,
        by=secretariat,
        unit=street,
        deadline=at(d0 + timedelta(days=9), 12),
        now=at(d0 + timedelta(days=9), 11),
    )
    p4 = close(p4, at(d0 + timedelta(days=10), 9), at(d0 + timedelta(days=10), 15))
    p5 = report(inspector, sites[2], occupy, at(d0 + timedelta(days=9), 13))
    p5 = workflow.perform(
        p5, A.VOID, by=secretariat, note="重复上报", now=at(d0 + timedelta(days=9), 14)
    )
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5}


def publish_month(hq, year, month, black=(), red=()):
    """A published monthly bulletin whose frozen snapshot lists ``black`` and ``red`` units."""
    from datetime import date

    from civility.core.periods import MONTH, Period
    from civility.reports.models import Report

    period = Period.of(date(year, month, 1), MONTH)

    def entries(units):
        return [{"unit_id": u.pk, "unit": u.name, "reasons": ["总分72.4"]} for u in units]

    return Report.objects.create(
        headquarters=hq,
        kind=Report.Kind.MONTHLY,
        period=period.slug,
        period_start=period.first,
        period_end=period.last,
        status=Report.Status.PUBLISHED,
        year=year,
        title=f"{year}年{month}月通报",
        snapshot={"data": {"black_list": entries(black), "red_list": entries(red)}},
        published_at=timezone.now(),
    )
