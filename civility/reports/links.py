"""Where a 通报 is read: the link to one version and the link lists show.

``compile.report_url`` is the clean period URL of the current version (notifications use it);
the pages, the print view and the downloads of a particular version add ``?id=``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from civility.reports import compile as reports
from civility.reports.models import Report

KIND_NAMES = {Report.Kind.WEEKLY: "weekly", Report.Kind.MONTHLY: "monthly"}


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
