"""通报 pages: the index (with 生成草稿) and the weekly and monthly lists. One report's page,
its writes, print view, downloads and photos are in ``documents``.

Every page starts from ``reports_visible_to(user)``. Writes are the secretariat's and go
through ``civility.reports.compile``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civility.core.params import parse_id
from civility.core.periods import Period
from civility.core.tables import HtmxTableView
from civility.org.models import Headquarters
from civility.reports import compile as reports
from civility.reports.forms import CompileForm, ReportFilter
from civility.reports.links import link_for, version_url
from civility.reports.models import Report, ReportRead
from civility.reports.permissions import can_compile_reports, can_view_reports, reports_visible_to
from civility.reports.tables import ReportTable
from civility.reports.views.common import NAV, go, period_or_404, require_compiler, require_reader

# --- helpers ---------------------------------------------------------------------------------


def _default_headquarters(user, choices: list[Headquarters]) -> Headquarters | None:
    if user.unit_id:
        for hq in choices:
            if hq.pk == user.unit.headquarters_id:
                return hq
    return choices[0] if choices else None


# --- index and lists ---------------------------------------------------------------------------


def _compile(request, headquarters: Headquarters, kind: str, period: Period | str):
    try:
        report, changed = reports.compile_report(headquarters, kind, period)
    except reports.ReportError as error:
        messages.error(request, error.message)
        return go(request, reverse("report_index"))
    if report.is_draft:
        messages.success(
            request, _("已生成草稿：%(title)s。已编辑的文字保持不变。") % {"title": report.title}
        )
    else:
        messages.info(request, _("本期通报已发布，数字已冻结；如需修改，请点击「更正」。"))
    return go(request, version_url(report))


@login_required
@require_http_methods(["GET", "POST"])
def report_index(request):
    """Links to both lists, the latest of each, and for the secretariat 生成草稿."""
    require_reader(request.user)
    user = request.user
    can_compile = can_compile_reports(user)
    hq_list = list(Headquarters.objects.order_by("id")) if can_compile else []
    form = None
    if can_compile:
        default_hq = _default_headquarters(user, hq_list)
        if request.method == "POST":
            form = CompileForm(request.POST, headquarters_choices=hq_list)
            if form.is_valid():
                hq = form.cleaned_data["hq"] or default_hq
                return _compile(request, hq, form.cleaned_data["kind"], form.cleaned_data["period"])
        else:
            form = CompileForm(
                initial={"kind": Report.Kind.MONTHLY, "hq": default_hq},
                headquarters_choices=hq_list,
            )
    elif request.method == "POST":
        raise PermissionDenied

    visible = reports_visible_to(user)
    read = ReportRead.objects.filter(report=OuterRef("pk"), user=user)
    counts = visible.aggregate(
        **{
            f"{kind}_{what}": Count("id", filter=Q(kind=kind) & condition)
            for kind in Report.Kind.values
            for what, condition in (
                ("all", Q()),
                ("unread", ~Q(status=Report.Status.DRAFT) & ~Q(Exists(read))),
            )
        }
    )
    latest = list(
        visible.exclude(status=Report.Status.SUPERSEDED)
        .annotate(is_read=Exists(read))
        .order_by("-period_start", "-id")[:6]
    )
    for report in latest:
        report.link = link_for(report)
    today = timezone.localdate()
    context = {
        **NAV,
        "counts": counts,
        "latest": latest,
        "can_compile": can_compile,
        "form": form,
        "hq": _default_headquarters(user, hq_list) if can_compile else None,
        "quick": [
            (kind, Period.last_ended(Report.Kind(kind).period_kind, today), label)
            for kind, label in (
                (Report.Kind.WEEKLY, _("上周巡报")),
                (Report.Kind.MONTHLY, _("上月通报")),
            )
        ]
        if can_compile
        else [],
    }
    return render(request, "reports/index.html", context)


@login_required
@require_POST
def report_compile(request, kind: str, period: Period):
    """生成草稿 for one period (again: numbers refreshed, edited texts kept)."""
    require_compiler(request.user)
    period = period_or_404(kind, period)
    if period.first > timezone.localdate():
        # The same rule as the 生成草稿 form: a period that has not begun has nothing to report.
        messages.error(request, _("该期间尚未开始，不能生成通报。"))
        return go(request, reverse("report_index"))
    hq_list = list(Headquarters.objects.order_by("id"))
    hq_pk = parse_id(request.POST.get("hq"))
    if hq_pk is not None:
        hq = next((h for h in hq_list if h.pk == hq_pk), None)
        if hq is None:
            raise Http404("指挥部不存在")
    else:
        hq = _default_headquarters(request.user, hq_list)
    return _compile(request, hq, kind, period)


class ReportListView(HtmxTableView):
    template_name = "reports/list.html"
    table_class = ReportTable
    filterset_class = ReportFilter
    paginate_by = 20

    def has_permission(self) -> bool:
        return can_view_reports(self.request.user)

    @property
    def kind(self) -> str:
        return self.kwargs["kind"]

    @property
    def export_name(self) -> str:
        return "weekly-reports" if self.kind == Report.Kind.WEEKLY else "monthly-reports"

    def get_queryset(self):
        read = ReportRead.objects.filter(report=OuterRef("pk"), user=self.request.user)
        return (
            reports_visible_to(self.request.user)
            .filter(kind=self.kind)
            .annotate(is_read=Exists(read))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            NAV,
            kind=self.kind,
            kind_label=Report.Kind(self.kind).label,
            list_url=reverse(f"report_{self.kind}_list"),
            can_compile=can_compile_reports(self.request.user),
        )
        return context


report_list = login_required(ReportListView.as_view())
