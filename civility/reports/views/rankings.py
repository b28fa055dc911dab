"""考评排名 (SPEC §6): the monthly rankings, a table per unit kind with 红榜/黑榜 and 同奖同罚.

The numbers come from ``civility.reports.scoring`` only; the view picks the headquarters and the
month, shapes the rows once (the same rows feed the HTML tables and the exports), and checks
``reports.permissions``. The annual assessment is in ``annual``, 一票否决 in ``vetoes``.
"""

from __future__ import annotations

import re
from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from civility.core.exports import FORMATS, Sheet, export_response
from civility.core.htmx import wants_partial
from civility.core.periods import MONTH, Period
from civility.reports import scoring
from civility.reports.models import Report
from civility.reports.permissions import can_view_rankings, own_unit_page, reports_visible_to
from civility.reports.unit_page import (
    BAND_CLASS,
    UNIT_MARK,
    count_links,
    failed_by_indicator,
    link_bases,
)
from civility.reports.views.annual import annual_url
from civility.reports.views.common import (
    hq_query,
    no_headquarters,
    pick_headquarters,
    require,
)

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
REGION = "rankings-region"
RANKING_HEADERS = [
    "名次",
    "单位",
    "点位次数",
    "不合格项",
    "现场分",
    "到期问题",
    "按期办结",
    "提交整改",
    "退回",
    "督办",
    "整改分",
    "总分",
    "等次",
    "说明",
    "红榜",
    "黑榜",
    "同奖同罚",
    "不合格项（按指标）",
]


def parse_month(raw: str | None, today: date) -> tuple[Period, str]:
    """(month, error): the asked month when it is this month or earlier, else this month with a
    message saying why. Lenient on purpose (``2026-3`` is March), unlike URL periods."""
    current = Period.of(today, MONTH)
    if not raw:
        return current, ""
    match = MONTH_RE.match(raw.strip())
    if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 2000:
        asked = Period.month(int(match[1]), int(match[2]))
        if asked <= current:
            return asked, ""
        return current, _("所选月份尚未到来，已显示本月排名。")
    return current, _("月份格式不正确（应为 2026-03 这样的年月），已显示本月排名。")


def _row(u: scoring.UnitScore, period: Period, today: date, by_indicator: dict, bases) -> dict:
    listed = u.on_red_list or u.on_black_list
    return {
        "unit_id": u.unit_id,
        "rank": u.rank,
        "name": u.name,
        "is_area": u.is_area,
        "assessed": u.assessed,
        "visits": u.visits if u.is_area else None,
        "items_failed": u.items_failed if u.is_area else None,
        "field_score": u.field_score,
        "due": u.due,
        "on_time": u.on_time,
        "submitted": u.submitted,
        "returned": u.returned,
        "escalated": u.escalated,
        "on_time_rate": scoring.percent(u.on_time_rate),
        "rework_rate": scoring.percent(u.rework_rate),
        "escalation_rate": scoring.percent(u.escalation_rate),
        "rectification": u.rectification,
        "total": u.total,
        "total_note": u.total_note,
        "band": u.band,
        "band_class": BAND_CLASS.get(u.band, ""),
        "red": u.red_reasons,
        "black": u.black_reasons,
        "ineligible": u.ineligible,
        # 同奖同罚 is named with a list entry only.
        "partners": u.partners if listed else [],
        "url": bases["unit"].replace(UNIT_MARK, str(u.unit_id)),
        "links": count_links(u.unit_id, u.kind, period, today, bases),
        "failed_by_indicator": by_indicator.get(u.unit_id, "") if u.is_area else "",
    }


def ranking_rows(
    scores: scoring.MonthlyScores, period: Period, today: date, by_indicator: dict
) -> list[dict]:
    """One section per unit kind: assessed rows (the page's table and the exports) and the
    未考评 units (one line on the page, rows marked 未考评 in the exports)."""
    sections, bases = [], link_bases()
    for kind, label, units in scores.kinds:
        sections.append(
            {
                "kind": kind,
                "label": label,
                "rows": [_row(u, period, today, by_indicator, bases) for u in units],
                "unassessed": [
                    _row(u, period, today, by_indicator, bases) for u in scores.unassessed(kind)
                ],
            }
        )
    return sections


def ranking_export_row(row: dict) -> list:
    return [
        row["rank"],
        row["name"],
        row["visits"],
        row["items_failed"],
        row["field_score"],
        row["due"],
        row["on_time"],
        row["submitted"],
        row["returned"],
        row["escalated"],
        row["rectification"],
        row["total"],
        row["band"] or ("" if row["assessed"] else scoring.NOT_ASSESSED),
        row["total_note"],
        "；".join(row["red"]),
        "；".join(row["black"]),
        "；".join(row["partners"]),
        row["failed_by_indicator"],
    ]


def _export_rankings(sections, hq, month: Period, export_format: str):
    """A sheet per unit kind (.xlsx), or one table with the kind in its first column (.csv)."""
    sheets = [
        Sheet(
            section["label"],
            RANKING_HEADERS,
            [ranking_export_row(r) for r in section["rows"] + section["unassessed"]],
        )
        for section in sections
    ]
    filename = f"rankings-{hq.code}-{month}.{export_format}"
    return export_response(export_format, filename, sheets, csv_sheet_column="类别")


@login_required
def rankings(request):
    """考评排名 of one month: a table per unit kind, with 红榜/黑榜 and 同奖同罚. A liaison is
    sent to their own unit's page instead."""
    own = own_unit_page(request.user)
    if own is not None and not can_view_rankings(request.user):
        return redirect("unit_page", pk=own)
    require(can_view_rankings(request.user))
    hq, hq_list = pick_headquarters(request)
    if hq is None:
        return no_headquarters(request)
    today = timezone.localdate()
    shown, month_error = parse_month(request.GET.get("month"), today)
    current = Period.of(today, MONTH)
    year, month = shown.year, shown.number
    scores = scoring.monthly_scores(hq, year, month)
    by_indicator = failed_by_indicator(hq, shown)
    sections = ranking_rows(scores, shown, today, by_indicator)
    export_format = request.GET.get("_export")
    if export_format in FORMATS:
        return _export_rankings(sections, hq, shown, export_format)

    keep = hq_query(request, hq)
    period = str(shown)

    def month_url(other: Period) -> str:
        return f"{reverse('rankings')}?{urlencode({**keep, 'month': str(other)})}"

    report = (
        reports_visible_to(request.user)
        .filter(headquarters=hq, kind=Report.Kind.MONTHLY, period=period)
        .exclude(status=Report.Status.SUPERSEDED)
        .order_by("status")
        .first()
    )
    context = {
        "hq": hq,
        "hq_list": hq_list,
        "keep_hq": keep,
        "scores": scores,
        "sections": sections,
        "red_list": scores.red_list,
        "black_list": scores.black_list,
        "year": year,
        "month": month,
        "period": period,
        "current": shown == current,
        "today": today,
        "max_month": str(current),
        "month_error": month_error,
        "prev_url": month_url(shown.previous()),
        "next_url": month_url(shown.next()) if shown.next() <= current else "",
        "export_query": urlencode({**keep, "month": period}),
        "annual_url": annual_url(hq, year, keep),
        "report": report,
    }
    template = "reports/rankings.html"
    if wants_partial(request, REGION):
        template += "#region"
    return render(request, template, context)
