"""通报 pages: the index, the weekly and monthly lists, the document itself (editing a draft,
生成草稿, 发布, 更正, 阅读情况), its print view, .docx and .xlsx, and its photos.

Every page starts from ``reports_visible_to(user)``; every number and text shown comes
from ``report.content`` (the frozen snapshot once published). Writes are the secretariat's and go
through ``civility.reports.compile``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from civility.core.exports import CONTENT_TYPES, download
from civility.core.htmx import toast, wants_partial
from civility.core.models import User
from civility.core.params import parse_id
from civility.core.periods import Period
from civility.core.roles import Role
from civility.core.tables import HtmxTableView
from civility.org.models import Headquarters
from civility.reports import compile as reports
from civility.reports import document as doc
from civility.reports import docx, xlsx
from civility.reports.forms import CompileForm, ReportFilter, ReportTextForm
from civility.reports.models import Report, ReportRead
from civility.reports.permissions import (
    can_compile_reports,
    can_view_report_readers,
    can_view_reports,
    reports_visible_to,
)
from civility.supervision.problems.models import Photo

NAV = {"nav_section": "reports"}
MAIN = "report-main"
RECIPIENT_ROLES = (Role.LEADER, Role.REPRESENTATIVE, Role.LIAISON)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = CONTENT_TYPES["xlsx"]
KIND_NAMES = {Report.Kind.WEEKLY: "weekly", Report.Kind.MONTHLY: "monthly"}


# --- helpers ---------------------------------------------------------------------------------


def _require_reader(user) -> None:
    if not can_view_reports(user):
        raise PermissionDenied


def _require_compiler(user) -> None:
    if not can_compile_reports(user):
        raise PermissionDenied


def _period_or_404(kind: str, period: Period) -> Period:
    """The URL's period, which must be of the URL's report kind (a week for weekly)."""
    try:
        return reports.report_period(kind, period)
    except ValueError:
        raise Http404("期间不存在") from None


def _default_headquarters(user, choices: list[Headquarters]) -> Headquarters | None:
    if user.unit_id:
        for hq in choices:
            if hq.pk == user.unit.headquarters_id:
                return hq
    return choices[0] if choices else None


def version_url(report: Report, view: str = "") -> str:
    """The report's page (or its print view / download) for exactly this version."""
    kind = KIND_NAMES[report.kind]
    if view == "docx" or view == "xlsx":
        url = reverse(f"report_{kind}_{view}", args=[report.period])
    elif view == "print":
        url = reverse(f"report_{kind}_print", args=[report.period])
    else:
        url = reports.report_url(report)
    return f"{url}?{urlencode({'id': report.pk})}"


def link_for(report: Report) -> str:
    """Lists link the current published version by its clean, bookmarkable period URL, and
    drafts and superseded versions by ``?id=``."""
    if report.status == Report.Status.PUBLISHED:
        return reports.report_url(report)
    return version_url(report)


def _go(request, url: str):
    """After a write: a full redirect (HTMX follows it as a client-side redirect)."""
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def select_report(request, kind: str, period: Period) -> Report:
    """The report a period URL shows: ``?id=`` a specific version, else the current one — the
    published report that is not superseded, else the draft (for those who may see drafts).
    404 when the period is not of this kind or there is nothing this person may see."""
    _require_reader(request.user)
    period = _period_or_404(kind, period)
    candidates = (
        reports_visible_to(request.user)
        .filter(kind=kind, period=str(period))
        .select_related("headquarters", "corrects")
    )
    if request.GET.get("id"):
        pk = parse_id(request.GET["id"])
        if pk is None:
            raise Http404("通报不存在")
        return get_object_or_404(candidates, pk=pk)
    if (hq_pk := parse_id(request.GET.get("hq"))) is not None:
        candidates = candidates.filter(headquarters_id=hq_pk)
    own_hq = request.user.unit.headquarters_id if request.user.unit_id else None
    order = Case(
        When(status=Report.Status.PUBLISHED, then=Value(0)),
        When(status=Report.Status.DRAFT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    mine = Case(
        When(headquarters_id=own_hq, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    report = (
        candidates.annotate(_mine=mine, _order=order)
        .order_by("_mine", "headquarters_id", "_order", "-published_at", "-id")
        .first()
    )
    if report is None:
        raise Http404("本期通报尚未发布")
    return report


def _report_from_post(request, kind: str, period: Period) -> Report:
    _require_compiler(request.user)
    period = _period_or_404(kind, period)
    pk = parse_id(request.POST.get("id"))
    scope = reports_visible_to(request.user).filter(kind=kind, period=str(period))
    scope = scope.select_related("headquarters", "corrects")
    return get_object_or_404(scope, pk=pk or 0)


# --- index and lists ---------------------------------------------------------------------------


def _compile(request, headquarters: Headquarters, kind: str, period: Period | str):
    try:
        report, changed = reports.compile_report(headquarters, kind, period)
    except reports.ReportError as error:
        messages.error(request, error.message)
        return _go(request, reverse("report_index"))
    if report.is_draft:
        messages.success(
            request, _("已生成草稿：%(title)s。已编辑的文字保持不变。") % {"title": report.title}
        )
    else:
        messages.info(request, _("本期通报已发布，数字已冻结；如需修改，请点击「更正」。"))
    return _go(request, version_url(report))


@login_required
@require_http_methods(["GET", "POST"])
def report_index(request):
    """Links to both lists, the latest of each, and for the secretariat 生成草稿."""
    _require_reader(request.user)
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
    _require_compiler(request.user)
    period = _period_or_404(kind, period)
    if period.first > timezone.localdate():
        # The same rule as the 生成草稿 form: a period that has not begun has nothing to report.
        messages.error(request, _("该期间尚未开始，不能生成通报。"))
        return _go(request, reverse("report_index"))
    hq_list = list(Headquarters.objects.order_by("id"))
    hq_pk = parse_id(request.POST.get("hq"))
    if hq_pk is not None:
        hq = next((h for h in hq_list if h.pk == hq_pk), None)
        if hq is None:
            raise Http404("指挥部不存在")
    else:
        hq = _default_headquarters(request.user, hq_list)
    return _compile(request, hq, kind, period)


def _cell(name: str, extra: str = "") -> dict:
    """Cell classes let the phone layout (app.css) turn each row into a card."""
    return {"td": {"class": f"col-{name} {extra}".strip()}}


class ReportTable(tables.Table):
    period = tables.Column(
        verbose_name=gettext_lazy("期间"), order_by=("period_start", "id"), attrs=_cell("period")
    )
    title = tables.Column(verbose_name=gettext_lazy("标题"), attrs=_cell("title", "wrap"))
    number = tables.Column(
        verbose_name=gettext_lazy("发文字号"), default="—", attrs=_cell("number")
    )
    status = tables.Column(verbose_name=gettext_lazy("状态"), attrs=_cell("status"))
    published_at = tables.Column(
        verbose_name=gettext_lazy("发布日期"), default="—", attrs=_cell("published")
    )
    read = tables.Column(
        verbose_name=gettext_lazy("阅读"), accessor="pk", orderable=False, attrs=_cell("read")
    )

    class Meta:
        model = Report
        fields = ()
        sequence = ("period", "title", "number", "status", "published_at", "read")
        per_page = 20  # as the view's paginate_by, also for ?per_page=0
        empty_text = gettext_lazy("暂无通报。")
        attrs = {"class": "table reports phone-cards", "id": "report-table"}
        row_attrs = {
            "data-pk": lambda record: record.pk,
            "data-status": lambda record: record.status,
        }

    def render_period(self, record):
        return format_html('<a href="{}">{}</a>', link_for(record), record.get_period().label)

    def value_period(self, record):
        return record.period

    def render_title(self, record):
        return format_html('<a href="{}">{}</a>', link_for(record), record.title)

    def value_title(self, record):
        return record.title

    def render_status(self, record):
        return format_html(
            '<span class="badge report-{}">{}</span>', record.status, _(record.get_status_display())
        )

    def value_status(self, record):
        return _(record.get_status_display())

    def render_published_at(self, value):
        return f"{timezone.localtime(value):%Y-%m-%d}"

    def value_published_at(self, value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""

    def render_read(self, record):
        if record.status == Report.Status.DRAFT:
            return "—"
        if record.is_read:
            return format_html('<span class="badge report-read">{}</span>', _("已阅"))
        return format_html('<span class="badge report-unread">{}</span>', _("未阅"))

    def value_read(self, record):
        if record.status == Report.Status.DRAFT:
            return ""
        return _("已阅") if record.is_read else _("未阅")


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
            kind_label=_(Report.Kind(self.kind).label),
            list_url=reverse(f"report_{self.kind}_list"),
            can_compile=can_compile_reports(self.request.user),
        )
        return context


report_list = login_required(ReportListView.as_view())


# --- the document ------------------------------------------------------------------------------


def _readers(report: Report) -> dict:
    """阅读情况: every recipient (active leaders, representatives, liaisons) by role, read or not
    — one query whatever the number of people."""

    memberships = (
        User.groups.through.objects.filter(
            group__name__in=[r.value for r in RECIPIENT_ROLES], user__is_active=True
        )
        .annotate(
            has_read=Exists(ReportRead.objects.filter(report=report, user=OuterRef("user_id")))
        )
        .select_related("user__unit", "group")
        .order_by("user__unit__kind", "user__unit__order", "user__name", "user_id")
    )
    roles = {
        role.value: {"label": _(role.label), "total": 0, "read": 0, "unread": []}
        for role in RECIPIENT_ROLES
    }
    people, readers = set(), set()
    for membership in memberships:
        group = roles[membership.group.name]
        group["total"] += 1
        people.add(membership.user_id)
        if membership.has_read:
            group["read"] += 1
            readers.add(membership.user_id)
        else:
            group["unread"].append(membership.user)
    return {
        "roles": list(roles.values()),
        "total": len(people),
        "read": len(readers),
        "unread": len(people) - len(readers),
    }


def _cases(report: Report, data: dict) -> list[dict]:
    """Typical cases with the URLs of their photos (served by ``report_photo``)."""
    cases = []
    for case in data.get("typical", []):
        urls = {}
        for key in ("before_photos", "after_photos"):
            urls[key] = [
                {
                    "full": reverse("report_photo", args=[report.pk, pk]),
                    "thumb": reverse("report_photo", args=[report.pk, pk]) + "?thumb=1",
                }
                for pk in case.get(key, [])
            ]
        cases.append(
            {
                **case,
                "photo_columns": [
                    ("整改前", urls["before_photos"]),
                    ("整改后", urls["after_photos"]),
                ],
            }
        )
    return cases


def document_context(report: Report) -> dict:
    """What the page and the print view show (all from ``report.content``)."""
    content = report.content
    data = content["data"]
    day = doc.issued_on(report)
    return {
        "report": report,
        "content": content,
        "data": data,
        "narrative": content["narrative"],
        # Each line of a narrative text is a paragraph (indented two characters, as 公文 are).
        "texts": {
            key: [line.strip() for line in (text or "").splitlines() if line.strip()]
            for key, text in content["narrative"].items()
        },
        "monthly": report.kind == Report.Kind.MONTHLY,
        "period_label": report.get_period().label,
        "issuer": doc.issuer(report),
        "issued": doc.chinese_date(day) if day else "",
        "overview_rows": doc.overview_rows(data),
        "rankings": doc.ranking_tables(data),
        "ranking_remark": doc.ranking_remark(data),
        "lists": [
            (
                "（一）红榜",
                "red-list",
                [doc.list_cells(e) for e in data.get("red_list", [])],
                "本月无单位进入红榜。",
            ),
            (
                "（二）黑榜",
                "black-list",
                [doc.list_cells(e) for e in data.get("black_list", [])],
                "本月无单位进入黑榜。",
            ),
        ],
        "ranking_headers": doc.RANKING_HEADERS,
        "list_headers": doc.LIST_HEADERS,
        "problem_headers": doc.PROBLEM_HEADERS,
        "problems": [doc.problem_cells(r) for r in data.get("problems", [])],
        "cases": _cases(report, data),
        "month": report.period_start.month,
    }


def _detail_context(request, report: Report, form: ReportTextForm | None = None) -> dict:
    user = request.user
    can_compile = can_compile_reports(user)
    context = {**NAV, **document_context(report), "can_compile": can_compile}
    correction = None
    if report.status != Report.Status.DRAFT:
        correction = Report.objects.filter(corrects=report).first()
        if correction is not None and correction.is_draft and not can_compile:
            correction = None
    original = report.corrects if report.corrects_id else None
    context.update(
        correction=correction,
        correction_url=version_url(correction) if correction else "",
        original=original,
        original_url=version_url(original) if original else "",
    )
    if report.is_draft and can_compile:
        context["form"] = form or ReportTextForm(report=report)
    if not report.is_draft and can_view_report_readers(user):
        context["readers"] = _readers(report)
    context["downloads"] = {
        "print": version_url(report, "print"),
        "docx": version_url(report, "docx") if report.kind == Report.Kind.MONTHLY else "",
        "xlsx": version_url(report, "xlsx") if report.kind == Report.Kind.MONTHLY else "",
    }
    context["main_id"] = MAIN
    context["urls"] = {
        name: reverse(f"report_{name}", args=[KIND_NAMES[report.kind], report.period])
        for name in ("compile", "edit", "publish", "correct")
    }
    return context


def _render_main(request, report: Report, form=None, *, message="", level="success"):
    """The document region after an HTMX write (the whole page for a plain POST)."""
    template = "reports/detail.html"
    if wants_partial(request, MAIN):
        template += "#main"
    response = render(request, template, _detail_context(request, report, form))
    if message:
        toast(response, message, level)
    return response


@login_required
def report_detail(request, period: Period, kind: str):
    try:
        report = select_report(request, kind, period)
    except Http404:
        if not can_compile_reports(request.user):
            raise
        # The secretariat may compile a period nobody has compiled yet, from its own URL.
        period = _period_or_404(kind, period)
        context = {
            **NAV,
            "kind": kind,
            "period": period,
            "kind_label": _(Report.Kind(kind).label),
            "compile_url": reverse("report_compile", args=[kind, period]),
            "future": period.first > timezone.localdate(),
        }
        return render(request, "reports/missing.html", context, status=404)
    reports.mark_read(report, request.user)
    return render(request, "reports/detail.html", _detail_context(request, report))


@login_required
@require_POST
def report_edit(request, kind: str, period: Period):
    """Save 标题, 主送 and the narrative of a draft (HTMX: the region comes back; errors → 200)."""
    report = _report_from_post(request, kind, period)
    if not report.is_draft:
        messages.error(request, _("该通报已发布，内容已冻结，不能修改。"))
        return _go(request, version_url(report))
    form = ReportTextForm(request.POST, report=report)
    if not form.is_valid():
        return _render_main(request, report, form, message=_("请检查填写的内容。"), level="error")
    if not _save_texts(report, form):
        messages.error(request, _("该通报已被他人发布，内容已冻结。"))
        return _go(request, version_url(report))
    if not getattr(request, "htmx", None):
        messages.success(request, _("已保存。"))
        return redirect(version_url(report))
    return _render_main(request, report, message=_("已保存。"))


def _save_texts(report: Report, form: ReportTextForm) -> bool:
    """Write the texts only while the report is still a draft (publishing may win the race)."""
    updated = Report.objects.filter(pk=report.pk, status=Report.Status.DRAFT).update(
        title=form.cleaned_data["title"].strip(),
        addressees=form.cleaned_data["addressees"].strip(),
        narrative=form.narrative(),
        updated_at=timezone.now(),
    )
    report.refresh_from_db()
    return updated == 1


@login_required
@require_POST
def report_publish(request, kind: str, period: Period):
    """发布: save the texts posted with the button (if any), then freeze the draft."""
    report = _report_from_post(request, kind, period)
    if not report.is_draft:
        messages.error(request, _("该通报已发布。"))
        return _go(request, version_url(report))
    form = None
    if "title" in request.POST:
        form = ReportTextForm(request.POST, report=report)
        if not form.is_valid():
            return _render_main(
                request, report, form, message=_("请检查填写的内容。"), level="error"
            )
        if not _save_texts(report, form):
            messages.error(request, _("该通报已被他人发布。"))
            return _go(request, version_url(report))
    try:
        report = reports.publish(report, by=request.user)
    except ValidationError as error:
        if form is None:
            form = ReportTextForm(ReportTextForm(report=report).initial, report=report)
            form.is_valid()
        form.add_error(None, error)
        message = "；".join(error.messages)
        return _render_main(request, report, form, message=message, level="error")
    except reports.ReportError as error:
        messages.error(request, error.message)
        return _go(request, version_url(Report.objects.get(pk=report.pk)))
    messages.success(request, _("已发布：%(number)s") % {"number": report.number})
    return _go(request, version_url(report))


@login_required
@require_POST
def report_correct(request, kind: str, period: Period):
    """更正: open a correction draft of a published report and go to it."""
    report = _report_from_post(request, kind, period)
    try:
        correction = reports.start_correction(report, by=request.user)
    except reports.ReportError as error:
        messages.error(request, error.message)
        return _go(request, version_url(report))
    messages.success(request, _("已生成更正草稿：修改后发布，即替代原通报。"))
    return _go(request, version_url(correction))


# --- print, downloads, photos -------------------------------------------------------------------


@login_required
def report_print(request, period: Period, kind: str):
    report = select_report(request, kind, period)
    reports.mark_read(report, request.user)
    context = {**document_context(report), "back": version_url(report)}
    return render(request, "reports/print.html", context)


def _download(report: Report, body: bytes, content_type: str, extension: str) -> HttpResponse:
    return download(body, doc.filename(report, extension), content_type)


@login_required
def report_docx(request, period: Period, kind: str):
    report = select_report(request, kind, period)
    reports.mark_read(report, request.user)
    return _download(report, docx.build(report), DOCX_TYPE, "docx")


@login_required
def report_xlsx(request, period: Period, kind: str):
    report = select_report(request, kind, period)
    return _download(report, xlsx.build(report), XLSX_TYPE, "xlsx")


@login_required
def report_photo(request, pk: int, photo_pk: int):
    """A typical case's photo, for whoever may see the report — even when they may not see the
    problem itself (the bulletin shows it to all its recipients). 404 for anything else."""
    report = reports_visible_to(request.user).filter(pk=pk).first()
    if report is None or photo_pk not in doc.typical_photo_ids(report):
        raise Http404("照片不存在")
    photo = Photo.objects.filter(pk=photo_pk).first()
    field = None
    if photo is not None:
        field = photo.thumbnail if request.GET.get("thumb") else photo.image
    if not field:
        raise Http404("照片不存在")
    try:
        handle = field.open("rb")
    except OSError:
        raise Http404("照片不存在") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
