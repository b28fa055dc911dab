"""One 通报: its page (choosing the version a URL shows), editing a draft, 发布, 更正, its
print view, .docx and .xlsx, and its typical cases' photos.

Every page starts from ``reports_visible_to(user)``; every number and text shown comes
from ``report.content`` (the frozen snapshot once published). Writes are the secretariat's and go
through ``civility.reports.compile``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civility.core.exports import CONTENT_TYPES, download
from civility.core.htmx import toast, wants_partial
from civility.core.params import parse_id
from civility.core.periods import Period
from civility.reports import bulletin, docx, signoff, xlsx
from civility.reports import compile as reports
from civility.reports import document as doc
from civility.reports.forms import ReportTextForm
from civility.reports.layout import grouped, missing_photo
from civility.reports.links import KIND_NAMES, version_url
from civility.reports.models import Report
from civility.reports.permissions import (
    can_compile_reports,
    can_remind_readers,
    can_sign_report,
    can_view_report_readers,
    reports_visible_to,
)
from civility.reports.views.common import NAV, go, period_or_404, require_compiler, require_reader
from civility.reports.views.signoff import SignoffForm
from civility.supervision.photo_views import serve_photo
from civility.supervision.problems.models import Photo

MAIN = "report-main"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = CONTENT_TYPES["xlsx"]


# --- which report a URL shows ------------------------------------------------------------------


def select_report(request, kind: str, period: Period) -> Report:
    """The report a period URL shows: ``?id=`` a specific version, else the current one — the
    published report that is not superseded, else the draft (for those who may see drafts).
    404 when the period is not of this kind or there is nothing this person may see."""
    require_reader(request.user)
    period = period_or_404(kind, period)
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
    require_compiler(request.user)
    period = period_or_404(kind, period)
    pk = parse_id(request.POST.get("id"))
    scope = reports_visible_to(request.user).filter(kind=kind, period=str(period))
    scope = scope.select_related("headquarters", "corrects")
    return get_object_or_404(scope, pk=pk or 0)


# --- the document ------------------------------------------------------------------------------


def _photo_urls(report: Report, ids: list[int]) -> list[dict]:
    return [
        {
            "full": reverse("report_photo", args=[report.pk, pk]),
            "thumb": reverse("report_photo", args=[report.pk, pk]) + "?thumb=1",
        }
        for pk in ids
    ]


def sheet(report: Report) -> dict:
    """The report's layout (``bulletin.layout``) grouped for the templates, with the URLs of the
    typical cases' photos (served by ``report_photo``)."""
    layout = bulletin.layout(report)
    for block in layout.all:
        if block.case is not None:
            block.photos = [
                (
                    _("整改前"),
                    _photo_urls(report, block.case.get("before_photos", [])),
                    missing_photo(block.case, after=False),
                ),
                (
                    _("整改后"),
                    _photo_urls(report, block.case.get("after_photos", [])),
                    missing_photo(block.case, after=True),
                ),
            ]
    return {
        part: grouped(getattr(layout, part))
        for part in ("head", "body", "foot", "annex", "imprint")
    }


def document_context(report: Report) -> dict:
    """What the page and the print view show (all from ``report.content``)."""
    content = report.content
    return {
        "report": report,
        "content": content,
        "sheet": sheet(report),
        "monthly": report.kind == Report.Kind.MONTHLY,
        "period_label": report.get_period().label,
        "problems_count": len(content["data"].get("problems", [])),
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
        context["editing"] = True  # the document marks every text the form can change
    if not report.is_draft and can_view_report_readers(user):
        context["readers"] = signoff.readers(report)
        context["can_remind"] = can_remind_readers(user, report)
    if can_sign_report(user, report) or signoff.signature(report, user):
        context["signoff"] = signoff.panel(report, user)
        context["signoff_form"] = SignoffForm()
    context["downloads"] = {
        "print": version_url(report, "print"),
        "docx": version_url(report, "docx"),
        "xlsx": version_url(report, "xlsx"),
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


def _missing(request, kind: str, period: Period):
    """A period with nothing this person may see: a page that says so (尚未发布, or 生成草稿 for
    the secretariat), with the latest published one — not a 404."""
    period = period_or_404(kind, period)
    latest = (
        reports_visible_to(request.user)
        .filter(kind=kind, status=Report.Status.PUBLISHED)
        .order_by("-period_start", "-published_at")
        .first()
    )
    context = {
        **NAV,
        "kind": kind,
        "period": period,
        "period_label": period.label,
        "kind_label": _(Report.Kind(kind).label),
        "list_url": reverse(f"report_{KIND_NAMES[kind]}_list"),
        "can_compile": can_compile_reports(request.user),
        "compile_url": reverse("report_compile", args=[kind, period]),
        "future": period.first > timezone.localdate(),
        "latest": latest,
        "latest_url": reports.report_url(latest) if latest else "",
    }
    return render(request, "reports/missing.html", context)


@login_required
def report_detail(request, period: Period, kind: str):
    try:
        report = select_report(request, kind, period)
    except Http404:
        if request.GET.get("id"):
            raise  # a version that does not exist (or is not this person's to see)
        return _missing(request, kind, period)
    reports.mark_read(report, request.user)
    return render(request, "reports/detail.html", _detail_context(request, report))


@login_required
@require_POST
def report_edit(request, kind: str, period: Period):
    """Save 标题, 主送 and the narrative of a draft (HTMX: the region comes back; errors → 200)."""
    report = _report_from_post(request, kind, period)
    if not report.is_draft:
        messages.error(request, _("该通报已发布，内容已冻结，不能修改。"))
        return go(request, version_url(report))
    form = ReportTextForm(request.POST, report=report)
    if not form.is_valid():
        return _render_main(request, report, form, message=_("请检查填写的内容。"), level="error")
    if not _save_texts(report, form):
        messages.error(request, _("该通报已被他人发布，内容已冻结。"))
        return go(request, version_url(report))
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
        return go(request, version_url(report))
    form = None
    if "title" in request.POST:
        form = ReportTextForm(request.POST, report=report)
        if not form.is_valid():
            return _render_main(
                request, report, form, message=_("请检查填写的内容。"), level="error"
            )
        if not _save_texts(report, form):
            messages.error(request, _("该通报已被他人发布。"))
            return go(request, version_url(report))
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
        return go(request, version_url(Report.objects.get(pk=report.pk)))
    messages.success(request, _("已发布：%(number)s") % {"number": report.number})
    return go(request, version_url(report))


@login_required
@require_POST
def report_correct(request, kind: str, period: Period):
    """更正: open a correction draft of a published report and go to it."""
    report = _report_from_post(request, kind, period)
    try:
        correction = reports.start_correction(report, by=request.user)
    except reports.ReportError as error:
        messages.error(request, error.message)
        return go(request, version_url(report))
    messages.success(request, _("已生成更正草稿：修改后发布，即替代原通报。"))
    return go(request, version_url(correction))


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
    return serve_photo(photo, thumb=bool(request.GET.get("thumb")))
