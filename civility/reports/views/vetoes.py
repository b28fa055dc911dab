"""一票否决 (SPEC §6): the records of a headquarters (page and exports) and recording one
(the secretariat, in a modal over the list with HTMX). The annual assessment reads them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from civility.core.exports import FORMATS, Sheet, export_response
from civility.core.htmx import MODAL_BODY, wants_partial
from civility.core.params import parse_id
from civility.reports.forms import VetoForm
from civility.reports.models import Veto
from civility.reports.permissions import can_record_veto, can_view_rankings
from civility.reports.views.annual import annual_url
from civility.reports.views.common import (
    hq_query,
    no_headquarters,
    pick_headquarters,
    require,
)

VETO_HEADERS = ["年度", "单位", "类别", "否决理由", "决定人", "决定时间"]


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
    require(can_view_rankings(request.user))
    hq, _hq_list = pick_headquarters(request)
    if hq is None:
        return no_headquarters(request)
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
    keep = hq_query(request, hq)
    context = {
        "hq": hq,
        "vetoes": vetoes,
        "year": year,
        "keep_query": urlencode(keep),
        "export_query": urlencode({**keep, **({"year": year} if year else {})}),
        "annual_url": annual_url(hq, year or timezone.localdate().year, keep),
        "can_record_veto": can_record_veto(request.user),
        "new_url": reverse("veto_new") + (f"?{urlencode(keep)}" if keep else ""),
    }
    return render(request, "reports/veto_list.html", context)


@login_required
def veto_new(request):
    """记录一票否决 (secretariat): a modal over the list with HTMX, a page otherwise."""
    require(can_record_veto(request.user))
    hq, _hq_list = pick_headquarters(request)
    if hq is None:
        return no_headquarters(request)
    today = timezone.localdate()
    keep = hq_query(request, hq)
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
