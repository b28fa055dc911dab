"""What the 考评 pages share: which headquarters a page shows, keeping it in links, refusing.

The monthly rankings (``rankings``), the annual assessment (``annual``), 一票否决 (``vetoes``), the
campaign pages and the home sections all pick the headquarters the same way.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from civility.core.params import parse_id
from civility.org.models import Headquarters


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
