"""What the reports views share.

考评 pages: which headquarters a page shows and keeping it in links (the monthly rankings, the
annual assessment, 一票否决, and also the campaign pages and the home sections), refusing.
通报 pages (``reports`` and ``documents``): who may read or compile, the URL's period, going on
after a write.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect

from civility.core.params import parse_id
from civility.core.periods import Period
from civility.org.models import Headquarters
from civility.reports import compile as reports
from civility.reports.permissions import can_compile_reports, can_view_reports

NAV = {"nav_section": "reports"}


# --- 考评 pages -------------------------------------------------------------------------------


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


def hq_query(request, hq) -> dict:
    """Keep ``hq`` in every link when the page was opened for a chosen headquarters."""
    return {"hq": hq.pk} if parse_id(request.GET.get("hq")) is not None else {}


def require(allowed: bool) -> None:
    """Refuse (403) unless the permission predicate allowed it."""
    if not allowed:
        raise PermissionDenied


def no_headquarters(request):
    """The page shown before any headquarters exists."""
    return render(request, "reports/rankings_empty.html", {}, status=200)


# --- 通报 pages -------------------------------------------------------------------------------


def require_reader(user) -> None:
    if not can_view_reports(user):
        raise PermissionDenied


def require_compiler(user) -> None:
    if not can_compile_reports(user):
        raise PermissionDenied


def period_or_404(kind: str, period: Period) -> Period:
    """The URL's period, which must be of the URL's report kind (a week for weekly)."""
    try:
        return reports.report_period(kind, period)
    except ValueError:
        raise Http404("期间不存在") from None


def go(request, url: str):
    """After a write: a full redirect (HTMX follows it as a client-side redirect)."""
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(url)
    return redirect(url)
