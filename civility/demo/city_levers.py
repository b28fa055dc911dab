"""The campaign's levers and participation in the city-sized district (``seed_city``): drives
with their problems tagged, 问责, honours, suggestions, activities, selections and budgets, so
that their pages are measured on a city (issue 11). Few rows: written through the same functions
as the demo's (``demo.campaign``, ``demo.participation``); tagging the drives' problems is one
bulk UPDATE per drive, with the workflow's rule (the most specific running drive).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from civility.campaign.models import Accountability
from civility.core.models import User
from civility.core.roles import Role
from civility.demo.campaign import create_drives, seed_levers
from civility.demo.participation import seed_participation
from civility.supervision.drives.models import Drive
from civility.supervision.problems.models import Problem

DRIVE_MONTHS = 12


def tag_drive_problems(hq) -> int:
    """Tag the problems reported while a drive ran in its categories, most specific drive last
    so that it wins (a sub-drive over its parent, fewer categories over more)."""
    tz = timezone.get_current_timezone()
    drives = (
        Drive.objects.filter(headquarters=hq)
        .annotate(n=Count("categories"))
        .filter(n__gt=0)
        .order_by("-n", "parent_id", "start_date", "id")
    )
    tagged = 0
    for drive in drives:
        start = datetime.combine(drive.start_date, time.min, tzinfo=tz)
        end = datetime.combine(drive.end_date + timedelta(days=1), time.min, tzinfo=tz)
        tagged += Problem.objects.filter(
            headquarters=hq,
            reported_at__gte=start,
            reported_at__lt=end,
            category__in=drive.categories.all(),
        ).update(drive=drive)
    return tagged


def seed_city_levers(hq, say, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if not Drive.objects.filter(headquarters=hq).exists():
        create_drives(hq, now=now, months=DRIVE_MONTHS)
        say(f"专项行动：{Drive.objects.filter(headquarters=hq).count()} 个，"
            f"标记问题 {tag_drive_problems(hq):,} 个")  # fmt: skip
    secretariat = User.objects.filter(groups__name=Role.SECRETARIAT).order_by("pk").first()
    leader = User.objects.filter(groups__name=Role.LEADER).order_by("pk").first()
    if secretariat and leader and not Accountability.objects.filter(headquarters=hq).exists():
        seed_levers(hq, secretariat, leader, now=now)
        say("问责与荣誉：已生成")
    summary = seed_participation(hq, now=now)
    say(summary.strip() or "全民参与：已有数据")
