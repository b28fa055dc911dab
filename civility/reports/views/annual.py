"""年度考评 (SPEC §6): every 文明委成员单位's year, with 一票否决, 评先评优资格, 问责 and honours,
and each unit's 投入保障 money (SPEC §7) beside it; the same rows feed the page and the exports.

The numbers come from ``civility.reports.annual`` (on top of ``scoring``) and
``civility.reports.annual_records``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from civility.core.exports import FORMATS, Sheet, export_response
from civility.participation.budget import unit_budget_lines
from civility.reports import annual as yearly
from civility.reports import annual_records
from civility.reports.permissions import can_record_veto, can_view_rankings, own_unit_page
from civility.reports.unit_page import BAND_CLASS, UNIT_MARK, unit_url_pattern
from civility.reports.views.common import (
    hq_query,
    no_headquarters,
    pick_headquarters,
    require,
)

ANNUAL_HEADERS = [
    "类别",
    "单位",
    "计分月数",
    "月度平均分",
    "到期责任分解",
    "按期完成",
    "结对社区平均分",
    "年度得分",
    "等次",
    "说明",
    "一票否决",
    "否决理由",
    "评先评优资格",
    "不具备资格原因",
    "问责记录",
    "荣誉称号",
]
# 投入保障 (SPEC §7): each unit's money of the year, after the assessment's own columns.
BUDGET_HEADERS = ["下达资金（万元）", "已支出（万元）"]
YEAR_LINKS = 10


def annual_url(hq, year: int, keep: dict) -> str:
    url = reverse("rankings_annual", args=[year])
    return f"{url}?{urlencode(keep)}" if keep else url


def annual_export_row(row: yearly.AnnualScore, levers: annual_records.UnitLevers) -> list:
    return [
        row.kind_label,
        row.name,
        row.months,
        row.monthly_average,
        row.assignments_due,
        row.assignments_done,
        row.paired_average,
        row.score,
        row.grade,
        row.note,
        "是" if row.vetoed else "",
        row.veto_reason,
        "是" if row.eligible else "否",
        row.ineligible_reason,
        "；".join(levers.record_lines),
        "；".join(levers.honour_lines),
    ]


def budget_cells(line: dict | None) -> list:
    """下达 and 支出 of a unit's 投入保障 line (empty cells for a unit without money)."""
    return [line["allocated"], line["spent"]] if line else [None, None]


@login_required
def annual(request, year: int):
    """年度考评 of every 文明委成员单位 (SPEC §6), with 一票否决 and 评先评优资格."""
    own = own_unit_page(request.user)
    if own is not None and not can_view_rankings(request.user):
        return redirect("unit_page", pk=own)
    require(can_view_rankings(request.user))
    hq, _hq_list = pick_headquarters(request)
    if hq is None:
        return no_headquarters(request)
    today = timezone.localdate()
    if year > today.year or year < min(hq.start_date.year, today.year - YEAR_LINKS):
        raise Http404("没有这一年度的考评")
    results = yearly.annual_assessment(hq, year)
    budget = unit_budget_lines(hq, year)
    levers = annual_records.levers_by_unit(hq, year, [r.unit_id for r in results])
    export_format = request.GET.get("_export")
    if export_format in FORMATS:
        sheet = Sheet(
            f"{year}年度考评",
            [*ANNUAL_HEADERS, *BUDGET_HEADERS],
            [
                [*annual_export_row(r, levers[r.unit_id]), *budget_cells(budget.get(r.unit_id))]
                for r in results
            ],
        )
        filename = f"annual-{hq.code}-{year}.{export_format}"
        return export_response(export_format, filename, [sheet])
    keep = hq_query(request, hq)
    first_year = max(hq.start_date.year, today.year - YEAR_LINKS + 1)
    groups: list[dict] = []
    unit_pattern = unit_url_pattern()
    for row in results:
        if not groups or groups[-1]["kind"] != row.kind:
            groups.append({"kind": row.kind, "label": row.kind_label, "rows": []})
        groups[-1]["rows"].append(
            {
                "score": row,
                "url": unit_pattern.replace(UNIT_MARK, str(row.unit_id)),
                "band_class": BAND_CLASS.get(row.grade, ""),
                "budget": budget.get(row.unit_id),
                "levers": levers[row.unit_id],
            }
        )
    policy = results.policy
    context = {
        "hq": hq,
        "year": year,
        "policy": policy,
        "own_weight": 1 - policy.pairing_weight,
        "through_month": today.month - 1 if year == today.year else 12,
        "unpublished": results.unpublished,
        "groups": groups,
        "count": len(results),
        "eligible": sum(r.eligible for r in results),
        "vetoed": sum(r.vetoed for r in results),
        "years": [(y, annual_url(hq, y, keep)) for y in range(today.year, first_year - 1, -1)],
        "assessed": sum(r.assessed for r in results),
        "export_query": urlencode(keep),
        "rankings_url": f"{reverse('rankings')}?{urlencode(keep)}" if keep else reverse("rankings"),
        "veto_url": reverse("veto_list") + "?" + urlencode({**keep, "year": year}),
        "can_record_veto": can_record_veto(request.user),
    }
    return render(request, "reports/annual.html", context)
