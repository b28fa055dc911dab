"""文明荣誉称号 pages (SPEC §7, §8): ``/honours/`` (list, filters, export; the secretariat changes
a status in the modal) and ``/honours/review/<year>/`` (the data's proposals; the secretariat
confirms or dismisses each with a note; leaders read it), with its .xlsx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from civility.campaign import honours
from civility.campaign.filters import HonourFilter
from civility.campaign.forms import HonourStatusForm, ReviewDecisionForm
from civility.campaign.models import Honour, HonourChange
from civility.campaign.permissions import (
    can_decide_honour_review,
    can_manage_honours,
    can_view_honour_review,
    can_view_honours,
    honours_visible_to,
)
from civility.campaign.tables import HonourTable
from civility.core.errors import Refused
from civility.core.exports import Sheet, export_response
from civility.core.htmx import toast, wants_partial
from civility.core.permissions import sees_everything
from civility.core.tables import HtmxTableView
from civility.org.models import Unit
from civility.reports.views.common import pick_headquarters

FIRST_YEAR = 2000


class HonourListView(HtmxTableView):
    template_name = "campaign/honour_list.html"
    table_class = HonourTable
    filterset_class = HonourFilter
    export_name = "honours"

    def has_permission(self) -> bool:
        return can_view_honours(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        self.hq = pick_headquarters(request)[0] if request.user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            honours_visible_to(self.request.user)
            .filter(headquarters=self.hq)
            .select_related("unit")
            .prefetch_related(
                Prefetch("changes", queryset=HonourChange.objects.order_by("at", "id"))
            )
            .order_by("unit__kind", "unit__order", "-year_awarded", "id")
        )

    def get_table_kwargs(self):
        return {"can_manage": can_manage_honours(self.request.user)}

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        user = self.request.user
        units = Unit.objects.filter(headquarters=self.hq)
        kwargs["units"] = units if sees_everything(user) else units.filter(pk=user.unit_id)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            hq=self.hq,
            can_manage=can_manage_honours(user),
            can_review=can_view_honour_review(user),
            review_years=[timezone.localdate().year, timezone.localdate().year - 1],
            nav_section="honours",
        )
        return context


honour_list = HonourListView.as_view()


@login_required
def honour_status(request, pk):
    """变更状态 (secretariat): a modal over the list with HTMX, a page otherwise."""
    if not can_manage_honours(request.user):
        raise PermissionDenied
    honour = get_object_or_404(Honour.objects.select_related("unit"), pk=pk)
    form = HonourStatusForm(request.POST or None, honour=honour)
    if request.method == "POST" and form.is_valid():
        try:
            honours.change_status(
                honour,
                to=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(honour)s 已变更为「%(status)s」。")
                % {"honour": honour, "status": _(honour.get_status_display())},
            )
            url = reverse("honour_list")
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    partial = bool(request.htmx and not request.htmx.history_restore_request)
    context = {
        "honour": honour,
        "form": form,
        "standalone": not partial,
        "action_url": request.get_full_path(),
        "nav_section": "honours",
    }
    template = "campaign/honour_status.html#form" if partial else "campaign/honour_status.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- the yearly review ---------------------------------------------------------------------------


def _review_year(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404(_("没有这个年度的复核"))
    return year


def _review_context(request, hq, year: int, **extra) -> dict:
    rows = honours.review(hq, year)
    today = timezone.localdate()
    context = {
        "hq": hq,
        "year": year,
        "rows": rows,
        "open_count": sum(1 for r in rows if r.decision is None),
        "can_decide": can_decide_honour_review(request.user),
        "prev_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < today.year else None,
        "export_url": reverse("honour_review_export", args=[year]),
        "nav_section": "honours",
    }
    context.update(extra)
    return context


@login_required
def honour_review(request, year):
    if not can_view_honour_review(request.user):
        raise PermissionDenied
    year = _review_year(year)
    hq = pick_headquarters(request)[0]
    return render(request, "campaign/honour_review.html", _review_context(request, hq, year))


@login_required
@require_POST
def honour_review_decide(request, year):
    """确认 or 不予采纳 one proposal; answers with the review table (HTMX) or the page."""
    if not can_decide_honour_review(request.user):
        raise PermissionDenied
    year = _review_year(year)
    hq = pick_headquarters(request)[0]
    form = ReviewDecisionForm(request.POST)
    error, message = "", ""
    if not form.is_valid():
        error = _("请求无效，请刷新页面后重试。")
    else:
        honour = Honour.objects.filter(headquarters=hq, pk=form.cleaned_data["honour"]).first()
        if honour is None:
            raise Http404(_("没有这个荣誉称号"))
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            honours.decide(
                hq=hq,
                year=year,
                honour=honour,
                confirm=confirm,
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except Refused as exc:
            error = exc.message
        else:
            message = (_("已确认：%(honour)s") if confirm else _("不予采纳：%(honour)s")) % {
                "honour": honour
            }
    if wants_partial(request, "review-region"):
        context = _review_context(request, hq, year, error=error)
        response = render(request, "campaign/honour_review.html#region", context)
        return toast(response, error or message, "error" if error else "success")
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect("honour_review", year)


@login_required
def honour_review_export(request, year):
    if not can_view_honour_review(request.user):
        raise PermissionDenied
    year = _review_year(year)
    hq = pick_headquarters(request)[0]
    rows = honours.review(hq, year)
    sheet = Sheet(
        f"{year}年度荣誉复核",
        (
            "单位",
            "荣誉称号",
            "级别",
            "授予年度",
            "当前状态",
            "建议",
            "依据",
            "决定",
            "意见",
            "决定人",
        ),
        [
            (
                r.honour.unit.name,
                r.honour.display_title,
                _(r.honour.get_level_display()),
                r.honour.year_awarded,
                _(r.honour.get_status_display()),
                _(r.proposal_label),
                r.reasons_text,
                _(r.decision.get_decision_display()) if r.decision else _("待确认"),
                r.decision.note if r.decision else "",
                str(r.decision.decided_by) if r.decision else "",
            )
            for r in rows
        ],
    )
    filename = f"honour-review-{year}.xlsx"
    return export_response("xlsx", filename, [sheet])
