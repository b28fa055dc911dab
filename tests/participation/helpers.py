"""Builders for participation tests, all through the services the pages use."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from civility.participation import activities, selections, suggestions
from civility.participation.models import ActivitySeries, Selection, Suggestion
from tests.factories import photo

A = suggestions.Action


def suggestion(rep, hq, text="路口缺少斑马线，建议施划。", **kwargs):
    made, _ = suggestions.submit(
        by=rep, headquarters=hq, category=Suggestion.Category.TRAFFIC, text=text, **kwargs
    )
    return made


def assigned(rep, hq, secretariat, unit, **kwargs):
    return suggestions.perform(
        suggestion(rep, hq, **kwargs),
        A.ASSIGN,
        by=secretariat,
        unit=unit,
        deadline=timezone.localdate() + timedelta(days=7),
    )


def answered(rep, hq, secretariat, **kwargs):
    return suggestions.perform(
        suggestion(rep, hq, **kwargs), A.ANSWER, by=secretariat, note="已纳入下阶段计划。"
    )


def activity(by, unit, *, series=None, day=None, participants=30, volunteers=10, **kwargs):
    series = series or ActivitySeries.objects.filter(headquarters=unit.headquarters).first()
    made, _ = activities.record_activity(
        by=by,
        series=series,
        organiser=unit,
        title=kwargs.pop("title", f"{unit.name}清洁家园"),
        date=day or timezone.localdate(),
        place="辖区主干道",
        participants=participants,
        volunteers=volunteers,
        volunteer_hours=Decimal(volunteers) * 2,
        **kwargs,
    )
    return made


def selection(hq, *, kind=Selection.Kind.PROPERTY, year=None, quota=3):
    return Selection.objects.create(
        headquarters=hq,
        kind=kind,
        year=year or timezone.localdate().year,
        title=f"{year or timezone.localdate().year}年度{Selection.Kind(kind).label}评选",
        quota=quota,
        criteria="服务规范，小区整洁，业主满意。",
    )


def nominate(sel, by, unit, nominee, with_photo=False):
    made, _ = selections.nominate(
        sel,
        by=by,
        unit=unit,
        nominee_kind="unit",
        nominee=nominee,
        materials=f"{nominee}管理规范，环境整洁。",
        photos=[photo("blue")] if with_photo else [],
    )
    return made


def on_publicity(sel, secretariat, nominations, *, start: date, end: date):
    sel = selections.start_review(sel, by=secretariat)
    marks = {n.pk: (Decimal(90 - i), True, "") for i, n in enumerate(nominations)}
    sel = selections.review(sel, marks, by=secretariat)
    return selections.start_publicity(
        sel, by=secretariat, start=start, end=end, today=min(start, timezone.localdate())
    )
