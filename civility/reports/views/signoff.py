"""签阅 and 提醒 on a published bulletin (SPEC §5).

签阅 is an inline HTMX form beside the document: the box swaps to "已签阅" with the remark; a plain
POST redirects back to the document. 提醒 (the secretariat) notifies whoever has not read, or has
read but not signed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from civility.core.errors import Refused
from civility.core.htmx import toast, wants_partial
from civility.core.params import parse_id
from civility.core.periods import Period
from civility.reports import compile as reports
from civility.reports import signoff
from civility.reports.models import Report
from civility.reports.permissions import (
    can_remind_readers,
    can_sign_report,
    reports_visible_to,
)

SIGNOFF_BOX = "report-signoff"


class SignoffForm(forms.Form):
    remark = forms.CharField(
        label=gettext_lazy("签阅意见（可不填）"),
        required=False,
        max_length=signoff.REMARK_MAX,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": gettext_lazy("例如：已阅，将组织本单位逐项落实。")}
        ),
    )


def _report(request, kind: str, period: Period) -> Report:
    try:
        period = reports.report_period(kind, period)
    except ValueError:
        raise PermissionDenied from None
    scope = reports_visible_to(request.user).filter(kind=kind, period=str(period))
    return get_object_or_404(scope, pk=parse_id(request.POST.get("id")) or 0)


def _document_url(report: Report) -> str:
    return f"{reports.report_url(report)}?id={report.pk}"


def _box(request, report: Report, form: SignoffForm, *, message: str, level: str):
    context = {
        "report": report,
        "signoff": signoff.panel(report, request.user),
        "signoff_form": form,
    }
    response = render(request, "reports/_signoff.html", context)
    return toast(response, message, level)


@login_required
@require_POST
def report_sign(request, kind: str, period: Period):
    report = _report(request, kind, period)
    if not can_sign_report(request.user, report) and not signoff.signature(report, request.user):
        raise PermissionDenied
    form = SignoffForm(request.POST)
    partial = wants_partial(request, SIGNOFF_BOX)
    if not form.is_valid():
        if partial:
            return _box(request, report, form, message=_("请检查签阅意见。"), level="error")
        messages.error(request, _("签阅意见不能超过%(n)d字。") % {"n": signoff.REMARK_MAX})
        return redirect(_document_url(report))
    try:
        signoff.sign(report, request.user, form.cleaned_data["remark"])
    except Refused as refusal:
        if partial:
            return _box(request, report, form, message=refusal.message, level="error")
        messages.error(request, refusal.message)
        return redirect(_document_url(report))
    if partial:
        return _box(request, report, SignoffForm(), message=_("已签阅。"), level="success")
    messages.success(request, _("已签阅。"))
    return redirect(_document_url(report))


@login_required
@require_POST
def report_remind(request, kind: str, period: Period):
    report = _report(request, kind, period)
    if not can_remind_readers(request.user, report):
        raise PermissionDenied
    count = signoff.remind(report)
    if count:
        messages.success(request, _("已提醒 %(n)d 人阅读或签阅。") % {"n": count})
    else:
        messages.info(request, _("没有需要提醒的人（或提醒尚未读）。"))
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(_document_url(report))
    return redirect(_document_url(report))
