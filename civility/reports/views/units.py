"""A unit's page (/units/<pk>/): its scores with the counts behind them, its assignments, its
同奖同罚 partners and the sections other apps register (``core.registry.unit_sections``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from civility.core.registry import unit_sections
from civility.org.models import Unit
from civility.reports.permissions import can_view_unit_page, own_unit_page
from civility.reports.unit_page import unit_page_data


@login_required
def unit_page(request, pk: int):
    unit = get_object_or_404(Unit.objects.select_related("headquarters", "parent"), pk=pk)
    if not can_view_unit_page(request.user, unit):
        raise PermissionDenied(_("您只能查看本单位的考评页面。"))
    sections = []
    for section in unit_sections():
        context = section.context(request, unit)
        if context is not None:
            sections.append(
                {
                    "key": section.key,
                    "html": render_to_string(
                        section.template, {**context, "unit": unit}, request=request
                    ),
                }
            )
    context = {
        "unit": unit,
        "own": own_unit_page(request.user) == unit.pk,
        "sections": sections,
        **unit_page_data(unit),
    }
    return render(request, "reports/unit_page.html", context)
