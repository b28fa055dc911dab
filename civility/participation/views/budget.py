"""投入保障 page: ``/budget/<year>/`` (sources, projects, units, spending against allocations,
year on year) and its .xlsx at ``/budget/<year>.xlsx``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from civility.core.exports import export_response
from civility.participation.budget import budget_sheets, budget_year
from civility.participation.models import Budget
from civility.participation.permissions import can_view_budget
from civility.participation.views.common import headquarters_for

FIRST_YEAR = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _checked(request, year: int):
    if not can_view_budget(request.user):
        raise PermissionDenied
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise Http404("年度超出范围")
    hq = headquarters_for(request.user)
    if hq is None:
        raise Http404("没有指挥部")
    return hq


@login_required
def budget_index(request):
    """The latest budgeted year (or this year)."""
    if not can_view_budget(request.user):
        raise PermissionDenied
    hq = headquarters_for(request.user)
    this_year = timezone.localdate().year
    latest = Budget.objects.filter(headquarters=hq, year__lte=this_year).aggregate(y=Max("year"))
    return redirect("budget_year", year=latest["y"] or this_year)


@login_required
def budget_page(request, year: int):
    hq = _checked(request, year)
    data = budget_year(hq, year)
    years = [row["year"] for row in data["history"]]
    context = {
        "hq": hq,
        "data": data,
        "year": year,
        "previous_year": max((y for y in years if y < year), default=None),
        "next_year": min((y for y in years if y > year), default=None),
        "nav_section": "budget",
    }
    return render(request, "participation/budget.html", context)


@login_required
def budget_export(request, year: int):
    hq = _checked(request, year)
    return export_response("xlsx", f"budget-{year}.xlsx", budget_sheets(budget_year(hq, year)))
