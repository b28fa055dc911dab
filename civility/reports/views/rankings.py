"""考评 pages (SPEC §6, §8): the monthly rankings, the annual assessment and 一票否决.

The numbers come from ``civility.reports.scoring`` only; these views pick the headquarters and
the period, shape the rows once (the same rows feed the HTML tables and the exports), and check
``core.permissions``.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from civility.core.exports import FORMATS, Sheet, export_response
from civility.core.htmx import MODAL_BODY, wants_partial
from civility.core.params import parse_id
from civility.core.periods import MONTH, Period
from civility.org.models import Headquarters, Unit
from civility.participation.budget import unit_budget_lines
from civility.reports import annual as yearly
from civility.reports import annual_records, scoring
from civility.reports.models import Report, Veto
from civility.reports.permissions import (
    can_record_veto,
    can_view_rankings,
    own_unit_page,
    reports_visible_to,
)
from civility.reports.unit_page import count_links, failed_by_indicator, unit_url

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
REGION = "rankings-region"
BAND_CLASS = {"优秀": "excellent", "良好": "good", "合格": "pass", "不合格": "fail"}
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
VETO_HEADERS = ["年度", "单位", "类别", "否决理由", "决定人", "决定时间"]
YEAR_LINKS = 10


# --- shared -------------------------------------------------------------------------------------


def pick_headquarters(request) -> tuple[Headquarters | None, list[Headquarters]]:
    """``?hq=<pk>``, else the user's unit's headquarters, else the first one."""
    hq_list = list(Headquarters.objects.order_by("id"))
    if not hq_list:
        return None, []
    chosen = parse_id(request.GET.get("hq"))
    if chosen is not None:
        hq = next((h for h in hq_list if h.pk == chosen), None)
        if hq is None:
            raise Http404("没有这个指挥部")
        return hq, hq_list
    unit = getattr(request.user, "unit", None)
    if unit is not None:
        own = next((h for h in hq_list if h.pk == unit.headquarters_id), None)
        if own is not None:
            return own, hq_list
    return hq_list[0], hq_list


def _hq_query(request, hq) -> dict:
    """Keep ``hq`` in every link when the page was opened for a chosen headquarters."""
    return {"hq": hq.pk} if parse_id(request.GET.get("hq")) is not None else {}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _no_headquarters(request):
    return render(request, "reports/rankings_empty.html", {}, status=200)


# --- monthly rankings -----------------------------------------------------------------------------


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


def _row(u: scoring.UnitScore, period: Period, today: date, by_indicator: dict) -> dict:
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
        "url": unit_url(u.unit_id),
        "links": count_links(u.unit_id, u.kind, period, today),
        "failed_by_indicator": by_indicator.get(u.unit_id, "") if u.is_area else "",
    }


def ranking_rows(
    scores: scoring.MonthlyScores, period: Period, today: date, by_indicator: dict
) -> list[dict]:
    """One section per unit kind: assessed rows (the page's table and the exports) and the
    未考评 units (one line on the page, rows marked 未考评 in the exports)."""
    sections = []
    for kind, label, units in scores.kinds:
        sections.append(
            {
                "kind": kind,
                "label": label,
                "rows": [_row(u, period, today, by_indicator) for u in units],
                "unassessed": [
                    _row(u, period, today, by_indicator) for u in scores.unassessed(kind)
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
    _require(can_view_rankings(request.user))
    hq, hq_list = pick_headquarters(request)
    if hq is None:
        return _no_headquarters(request)
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

    keep = _hq_query(request, hq)
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
        "annual_url": _annual_url(hq, year, keep),
        "report": report,
    }
    template = "reports/rankings.html"
    if wants_partial(request, REGION):
        template += "#region"
    return render(request, template, context)


# --- annual assessment ------------------------------------------------------------------------


def _annual_url(hq, year: int, keep: dict) -> str:
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
    _require(can_view_rankings(request.user))
    hq, _hq_list = pick_headquarters(request)
    if hq is None:
        return _no_headquarters(request)
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
    keep = _hq_query(request, hq)
    first_year = max(hq.start_date.year, today.year - YEAR_LINKS + 1)
    groups: list[dict] = []
    for row in results:
        if not groups or groups[-1]["kind"] != row.kind:
            groups.append({"kind": row.kind, "label": row.kind_label, "rows": []})
        groups[-1]["rows"].append(
            {
                "score": row,
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
        "years": [(y, _annual_url(hq, y, keep)) for y in range(today.year, first_year - 1, -1)],
        "assessed": sum(r.assessed for r in results),
        "export_query": urlencode(keep),
        "rankings_url": f"{reverse('rankings')}?{urlencode(keep)}" if keep else reverse("rankings"),
        "veto_url": reverse("veto_list") + "?" + urlencode({**keep, "year": year}),
        "can_record_veto": can_record_veto(request.user),
    }
    return render(request, "reports/annual.html", context)


# --- 一票否决 -------------------------------------------------------------------------------------


class VetoForm(forms.ModelForm):
    class Meta:
        model = Veto
        fields = ["unit", "year", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "unit": {"required": gettext_lazy("请选择单位。")},
            "year": {"required": gettext_lazy("请填写年度。")},
            "reason": {"required": gettext_lazy("请填写否决理由。")},
        }

    def __init__(self, *args, headquarters, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.headquarters = headquarters
        self.today = today
        self.fields["unit"].queryset = Unit.objects.filter(
            headquarters=headquarters, is_committee_member=True, active=True
        ).order_by("kind", "order", "id")
        self.fields["unit"].empty_label = _("请选择文明委成员单位")
        self.fields["unit"].help_text = _("只能对文明委成员单位实行一票否决。")
        self.fields["year"].initial = today.year
        self.fields["year"].widget.attrs.update({"min": 2000, "max": today.year + 1})

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("请填写否决理由。"))
        return reason

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= self.today.year + 1:
            raise forms.ValidationError(_("年度不正确。"))
        return year

    def clean(self):
        cleaned = super().clean()
        unit, year = cleaned.get("unit"), cleaned.get("year")
        if unit and year and Veto.objects.filter(unit=unit, year=year).exists():
            raise forms.ValidationError(
                _("%(unit)s%(year)s年已有一票否决记录，不能重复记录。")
                % {"unit": unit.name, "year": year}
            )
        return cleaned

    def validate_constraints(self, exclude=None):
        # The duplicate check above says it in plain Chinese; the model's own constraint messages
        # would repeat it in generic words.
        return None


def veto_export_row(veto: Veto) -> list:
    return [
        veto.year,
        veto.unit.name,
        _(veto.unit.get_kind_display()),
        veto.reason,
        str(veto.decided_by) if veto.decided_by_id else "",
        veto.decided_at,
    ]


@login_required
def veto_list(request):
    """一票否决 records of the headquarters, newest year first (optionally one year)."""
    _require(can_view_rankings(request.user))
    hq, _hq_list = pick_headquarters(request)
    if hq is None:
        return _no_headquarters(request)
    vetoes = (
        Veto.objects.filter(headquarters=hq)
        .select_related("unit", "decided_by")
        .order_by("-year", "unit__kind", "unit__order", "unit__id")
    )
    year = parse_id(request.GET.get("year"))
    if year is not None and not 1 <= year <= 9999:
        year = None
    if year:
        vetoes = vetoes.filter(year=year)
    export_format = request.GET.get("_export")
    if export_format in FORMATS:
        rows = [veto_export_row(veto) for veto in vetoes]
        filename = f"vetoes-{hq.code}{f'-{year}' if year else ''}.{export_format}"
        return export_response(export_format, filename, [Sheet(_("一票否决"), VETO_HEADERS, rows)])
    keep = _hq_query(request, hq)
    context = {
        "hq": hq,
        "vetoes": vetoes,
        "year": year,
        "keep_query": urlencode(keep),
        "export_query": urlencode({**keep, **({"year": year} if year else {})}),
        "annual_url": _annual_url(hq, year or timezone.localdate().year, keep),
        "can_record_veto": can_record_veto(request.user),
        "new_url": reverse("veto_new") + (f"?{urlencode(keep)}" if keep else ""),
    }
    return render(request, "reports/veto_list.html", context)


@login_required
def veto_new(request):
    """记录一票否决 (secretariat): a modal over the list with HTMX, a page otherwise."""
    _require(can_record_veto(request.user))
    hq, _hq_list = pick_headquarters(request)
    if hq is None:
        return _no_headquarters(request)
    today = timezone.localdate()
    keep = _hq_query(request, hq)
    list_url = reverse("veto_list") + (f"?{urlencode(keep)}" if keep else "")
    form = VetoForm(request.POST or None, headquarters=hq, today=today)
    if request.method == "POST" and form.is_valid():
        veto = form.save(commit=False)
        veto.headquarters = hq
        veto.decided_by = request.user
        try:
            with transaction.atomic():
                veto.save()
        except IntegrityError:
            # Someone recorded the same unit and year a moment ago.
            form.add_error(
                None,
                _("%(unit)s%(year)s年已有一票否决记录，不能重复记录。")
                % {"unit": veto.unit.name, "year": veto.year},
            )
        else:
            messages.success(
                request,
                _("已记录%(unit)s%(year)s年一票否决。")
                % {"unit": veto.unit.name, "year": veto.year},
            )
            if getattr(request, "htmx", None):
                return HttpResponseClientRedirect(list_url)
            return redirect(list_url)
    partial = wants_partial(request, MODAL_BODY)
    context = {
        "hq": hq,
        "form": form,
        "action_url": request.get_full_path(),
        "list_url": list_url,
        "standalone": not partial,
    }
    template = "reports/veto_form.html#form" if partial else "reports/veto_form.html"
    return render(request, template, context)
