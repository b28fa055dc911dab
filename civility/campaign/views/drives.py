"""Drive pages (SPEC §7, §8): ``/drives/`` (running, upcoming and ended drives with their counts)
and ``/drives/<pk>/`` (progress: found / closed / on time / 回潮 per unit and per week, sub-drives,
targets against actual figures, charts), with its .xlsx at ``/drives/<pk>.xlsx``.

Every figure links to the problem list filtered to the rows it counts. A liaison sees the drives
of their unit, with their unit's figures only (``permissions.drive_scope``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civility.campaign.links import figure_urls, problems_url
from civility.campaign.permissions import (
    can_manage_drives,
    can_view_drives,
    drive_scope,
    drives_visible_to,
)
from civility.core.exports import Sheet, export_response
from civility.reports.views.common import pick_headquarters
from civility.supervision.drives.models import Drive
from civility.supervision.drives.progress import drive_problems, drive_progress, drive_totals
from civility.supervision.inspections.permissions import can_start_inspection
from civility.supervision.problems import recurrence

TOP_UNITS = 12  # the rest of the units sit behind "其余 N 个单位"


def _drive_or_404(request, pk) -> Drive:
    if not can_view_drives(request.user):
        raise PermissionDenied
    drive = (
        drives_visible_to(request.user)
        .select_related("lead_group", "parent", "headquarters")
        .filter(pk=pk)
        .first()
    )
    if drive is None:
        raise Http404(_("没有这个专项行动"))
    return drive


def _state(drive: Drive, today) -> str:
    if drive.start_date > today:
        return "upcoming"
    return "running" if drive.end_date >= today else "ended"


@login_required
def drive_list(request):
    if not can_view_drives(request.user):
        raise PermissionDenied
    hq, hq_list = pick_headquarters(request)
    today = timezone.localdate()
    drives = list(
        drives_visible_to(request.user)
        .filter(headquarters=hq)
        .select_related("lead_group", "parent")
        .order_by("-start_date", "id")
    )
    totals = drive_totals(drives, scope=drive_scope(request.user))
    children: dict[int, list[Drive]] = {}
    for drive in drives:
        drive.figures = totals[drive.pk]
        drive.state = _state(drive, today)
        drive.urls = figure_urls(drive=drive.pk)
        if drive.parent_id:
            children.setdefault(drive.parent_id, []).append(drive)
    shown = {d.pk for d in drives}
    top = [d for d in drives if d.parent_id is None or d.parent_id not in shown]
    for drive in drives:
        drive.sub_drives = sorted(children.get(drive.pk, []), key=lambda d: (d.start_date, d.pk))
    groups = [
        ("running", _("正在进行"), [d for d in top if d.state == "running"]),
        ("upcoming", _("即将开始"), [d for d in top if d.state == "upcoming"]),
        ("ended", _("已结束"), [d for d in top if d.state == "ended"]),
    ]
    context = {
        "hq": hq,
        "hq_list": hq_list,
        "groups": [g for g in groups if g[2]],
        "total": len(drives),
        "can_manage": can_manage_drives(request.user),
        "can_revisit": can_start_inspection(request.user),
        "scoped": drive_scope(request.user) is not None,
        "nav_section": "drives",
    }
    return render(request, "campaign/drive_list.html", context)


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def _progress_context(request, drive: Drive) -> dict:
    scope = drive_scope(request.user)
    progress = drive_progress(drive, scope=scope)
    problems = drive_problems(drive, scope)
    base = {"drive": drive.pk}
    for row in progress.units:
        unit_filter = {"unit": row.unit_id} if row.unit_id else {"status": "reported"}
        row.urls = figure_urls(**base, **unit_filter)
        row.name = row.name or _("待交办（未定主责单位）")
    for row in progress.weeks:
        row.urls = figure_urls(
            **base,
            date_from=f"{row.period.first:%Y-%m-%d}",
            date_to=f"{row.period.last:%Y-%m-%d}",
        )
        row.label = f"{row.period.first:%m-%d}—{row.period.last:%m-%d}"
    for row in progress.sub_drives:
        row.urls = figure_urls(drive=row.drive.pk)
    categories = recurrence.rates_by_category(problems)
    for row in categories:
        row.url = problems_url(drive=drive.pk, category=row.key)
        row.recurring_url = problems_url(drive=drive.pk, category=row.key, recurring="yes")
    sites = recurrence.rates_by_site(problems)[:15]
    for row in sites:
        row.url = problems_url(drive=drive.pk, q=row.name, recurring="yes")
    today = timezone.localdate()
    elapsed = max(0, min((today - drive.start_date).days + 1, drive.days))
    charts = {
        "weeks": {
            "labels": [row.label for row in progress.weeks],
            "series": [
                {
                    "key": key,
                    "name": label,
                    "data": [
                        {"value": getattr(row.figures, key), "url": row.urls[key]}
                        for row in progress.weeks
                    ],
                }
                for key, label in (
                    ("found", _("发现")),
                    ("closed", _("已销号")),
                    ("recurring", _("回潮")),
                )
            ],
        },
        "units": [
            {
                "name": row.name,
                "found": row.figures.found,
                "closed": row.figures.closed,
                "found_url": row.urls["found"],
                "closed_url": row.urls["closed"],
            }
            for row in progress.units[:12]
        ],
    }
    return {
        "drive": drive,
        "progress": progress,
        "top_units": progress.units[:TOP_UNITS],
        "more_units": progress.units[TOP_UNITS:],
        "figures": progress.figures,
        "urls": figure_urls(**base),
        "rates": {
            "closure": _rate(progress.figures.closure_rate),
            "on_time": _rate(progress.figures.on_time_rate),
            "recurrence": _rate(progress.figures.recurrence_rate),
        },
        "categories": categories,
        "sites": sites,
        "charts": charts,
        "state": _state(drive, today),
        "elapsed": elapsed,
        "scoped": scope is not None,
        "can_manage": can_manage_drives(request.user),
        "admin_url": reverse("admin:supervision_drive_change", args=[drive.pk]),
        "export_url": reverse("drive_export", args=[drive.pk]),
        "nav_section": "drives",
    }


@login_required
def drive_detail(request, pk):
    drive = _drive_or_404(request, pk)
    return render(request, "campaign/drive_detail.html", _progress_context(request, drive))


@login_required
def drive_export(request, pk):
    """The progress page's tables as one .xlsx (the same rows as the page)."""
    drive = _drive_or_404(request, pk)
    context = _progress_context(request, drive)
    progress = context["progress"]
    headers = (
        "发现问题",
        "已销号",
        "销号率",
        "按期销号",
        "按期销号率",
        "逾期未销号",
        "回潮",
        "回潮率",
    )

    def cells(figures):
        return (
            figures.found,
            figures.closed,
            figures.closure_rate,
            figures.on_time,
            figures.on_time_rate,
            figures.overdue,
            figures.recurring,
            figures.recurrence_rate,
        )

    sheets = [
        Sheet(
            "总体情况",
            ("专项行动", "起止日期", *headers),
            [
                (
                    drive.name,
                    f"{drive.start_date:%Y-%m-%d} — {drive.end_date:%Y-%m-%d}",
                    *cells(progress.figures),
                )
            ],
        ),
        Sheet(
            "目标完成",
            ("目标", "指标", "目标值", "实际", "是否达标"),
            [
                (
                    t.target.label,
                    t.target.get_metric_display(),
                    t.target.value,
                    t.actual,
                    "—" if t.met is None else ("达标" if t.met else "未达标"),
                )
                for t in progress.targets
            ],
        ),
        Sheet("分单位", ("单位", *headers), [(r.name, *cells(r.figures)) for r in progress.units]),
        Sheet(
            "分周",
            ("周", "起", "止", *headers),
            [
                (
                    str(r.period.label),
                    f"{r.period.first:%Y-%m-%d}",
                    f"{r.period.last:%Y-%m-%d}",
                    *cells(r.figures),
                )
                for r in progress.weeks
            ],
        ),
        Sheet(
            "子行动",
            ("子行动", "起止日期", *headers),
            [
                (
                    r.drive.name,
                    f"{r.drive.start_date:%Y-%m-%d} — {r.drive.end_date:%Y-%m-%d}",
                    *cells(r.figures),
                )
                for r in progress.sub_drives
            ],
        ),
        Sheet(
            "回潮分类别",
            ("问题类别", "发现问题", "回潮", "回潮率"),
            [(r.name, r.found, r.recurring, r.rate) for r in context["categories"]],
        ),
        Sheet(
            "回潮点位",
            ("点位", "发现问题", "回潮", "回潮率"),
            [(r.name, r.found, r.recurring, r.rate) for r in context["sites"]],
        ),
    ]
    filename = f"drive-{drive.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    return export_response("xlsx", filename, sheets)
