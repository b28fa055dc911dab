"""全民参与 activities: recording them (the pages and the demo use these) and the figures of a
series page — counts per organising unit and month, computed by the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _

from civility.core.errors import NotAllowed
from civility.core.permissions import is_secretariat
from civility.org.models import Unit
from civility.participation.models import Activity, ActivitySeries
from civility.participation.permissions import can_edit_activity, can_enter_activity
from civility.participation.photos import attach_photos
from civility.supervision.photos import ProcessedPhoto, photo_files_guard

KINDS = list(Unit.Kind.values)  # units listed as /org/ lists them: streets first
FIELDS = (
    "series",
    "organiser",
    "title",
    "date",
    "place",
    "participants",
    "volunteers",
    "volunteer_hours",
    "drive",
    "description",
)


def _check_units(by, values: dict) -> None:
    organiser, series = values["organiser"], values["series"]
    if not is_secretariat(by) and organiser.pk != by.unit_id:
        raise NotAllowed(_("联络员只能填报本单位组织的活动。"))
    if series.headquarters_id != organiser.headquarters_id:
        raise ValidationError({"series": _("活动系列与组织单位不属于同一指挥部。")})
    drive = values.get("drive")
    if drive is not None and drive.headquarters_id != organiser.headquarters_id:
        raise ValidationError({"drive": _("专项行动与组织单位不属于同一指挥部。")})


def record_activity(
    *, by, photos: Sequence[ProcessedPhoto] = (), client_token=None, **values
) -> tuple[Activity, bool]:
    """A new activity with its photos; (activity, created). A repeated ``client_token`` returns
    the first one."""
    if not can_enter_activity(by):
        raise NotAllowed(_("只有创建办和责任单位联络员可以填报活动。"))
    if client_token is not None:
        existing = Activity.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing, False
    _check_units(by, values)
    activity = Activity(
        headquarters_id=values["organiser"].headquarters_id,
        created_by=by,
        client_token=client_token,
        **{name: values.get(name) for name in FIELDS if name in values},
    )
    activity.full_clean(exclude=["created_by", "headquarters", "client_token"])
    try:
        with photo_files_guard(), transaction.atomic():
            activity.save()
            attach_photos(photos, by=by, activity=activity)
    except IntegrityError:
        if client_token is not None:
            existing = Activity.objects.filter(client_token=client_token).first()
            if existing is not None:
                return existing, False
        raise
    return activity, True


def update_activity(
    activity: Activity, *, by, photos: Sequence[ProcessedPhoto] = (), **values
) -> Activity:
    if not can_edit_activity(by, activity):
        raise NotAllowed(_("您不能修改其他单位的活动。"))
    _check_units(by, values)
    for name in FIELDS:
        if name in values:
            setattr(activity, name, values[name])
    activity.headquarters_id = activity.organiser.headquarters_id
    activity.full_clean(exclude=["created_by", "headquarters", "client_token"])
    with photo_files_guard(), transaction.atomic():
        activity.save()
        attach_photos(photos, by=by, activity=activity)
    return activity


def series_year(series: ActivitySeries, activities: QuerySet, year: int) -> dict:
    """A series in a year: per organising unit, activities per month and the year's totals;
    per month, the totals over the units. ``activities`` are the rows this person may see."""
    rows = (
        activities.filter(series=series, date__year=year)
        .annotate(month=ExtractMonth("date"))
        .values("organiser", "organiser__name", "organiser__kind", "organiser__order", "month")
        .annotate(
            n=Count("id"),
            people=Sum("participants"),
            volunteers=Sum("volunteers"),
            hours=Sum("volunteer_hours"),
        )
        .order_by()
    )
    units: dict[int, dict] = {}
    months = [0] * 12
    for row in rows:
        unit = units.setdefault(
            row["organiser"],
            {
                "pk": row["organiser"],
                "name": row["organiser__name"],
                "sort": (
                    KINDS.index(row["organiser__kind"]),
                    row["organiser__order"],
                    row["organiser"],
                ),
                "months": [0] * 12,
                "total": 0,
                "people": 0,
                "volunteers": 0,
                "hours": 0,
            },
        )
        unit["months"][row["month"] - 1] += row["n"]
        unit["total"] += row["n"]
        unit["people"] += row["people"] or 0
        unit["volunteers"] += row["volunteers"] or 0
        unit["hours"] += row["hours"] or 0
        months[row["month"] - 1] += row["n"]
    ordered = sorted(units.values(), key=lambda u: u["sort"])
    return {
        "year": year,
        "units": ordered,
        "months": months,
        "total": sum(months),
        "people": sum(u["people"] for u in ordered),
        "volunteers": sum(u["volunteers"] for u in ordered),
        "hours": sum(u["hours"] for u in ordered),
    }


def years_of(activities: QuerySet, today: date) -> list[int]:
    """The years that have activities, and this year."""
    years = {d.year for d in activities.dates("date", "year")}
    years.add(today.year)
    return sorted(years, reverse=True)
