"""回头看 (SPEC §4–5, §7): go back to the sites where last week's or last month's problems were
closed. ``closed_sites`` lists them; ``create_revisit`` opens a 回头看 inspection (kind REVISIT)
with those sites already added, through the inspection service like any other inspection.
The page at ``/inspections/revisit/`` is for the secretariat and inspectors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civility.core.params import parse_id
from civility.core.periods import MONTH, WEEK, Period
from civility.org.models import Site
from civility.supervision.inspections import services
from civility.supervision.inspections.forms import new_token, token_from
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.permissions import can_start_inspection, inspection_teams_for
from civility.supervision.problems.models import Problem


@dataclass
class ClosedSite:
    site: Site
    closed: int
    recurring: int


def closed_sites(hq, period: Period) -> list[ClosedSite]:
    """The active sites of ``hq`` where problems were closed in ``period`` (most closed first)."""
    rows = (
        Problem.objects.filter(
            headquarters=hq,
            status=Problem.Status.CLOSED,
            closed_at__gte=period.start,
            closed_at__lt=period.end,
            site__active=True,
        )
        .order_by()
        .values("site_id")
        .annotate(closed=Count("pk"), recurring=Count("pk", filter=Q(recurrence_of__isnull=False)))
    )
    counts = {row["site_id"]: row for row in rows}
    sites = Site.objects.filter(pk__in=counts).select_related("street", "community")
    result = [
        ClosedSite(site, counts[site.pk]["closed"], counts[site.pk]["recurring"]) for site in sites
    ]
    result.sort(key=lambda r: (-r.closed, r.site.street.order, r.site.name))
    return result


def create_revisit(*, by, team: InspectionTeam, sites, period: Period, client_token=None):
    """A draft 回头看 inspection of ``team`` with ``sites`` added; (inspection, created)."""
    sites = list(sites)
    if not sites:
        raise ValidationError(_("请至少选择一个点位。"))
    with transaction.atomic():
        inspection, created = services.create_inspection(
            by=by, team=team, kind=Inspection.Kind.REVISIT, client_token=client_token
        )
        if created:
            for site in sites:
                services.add_site(inspection=inspection, site=site)
            services.save_summary(
                inspection=inspection,
                summary=_("回头看：%(period)s销号问题所在点位。") % {"period": period.label},
            )
    return inspection, created


def _period(raw: str | None) -> Period:
    return Period.last_ended(MONTH if raw == "month" else WEEK)


@login_required
def revisit_new(request):
    """List last period's closed problems' sites; POST opens the 回头看 inspection."""
    user = request.user
    if not can_start_inspection(user):
        raise PermissionDenied
    teams = list(
        inspection_teams_for(user)
        .select_related("headquarters")
        .order_by("headquarters", "kind", "id")
    )
    kind = "month" if (request.POST or request.GET).get("period") == "month" else "week"
    period = _period(kind)
    hq = teams[0].headquarters if teams else None
    rows = closed_sites(hq, period) if hq else []
    error = ""
    if request.method == "POST" and hq is not None:
        team = next((t for t in teams if t.pk == parse_id(request.POST.get("team"))), None)
        chosen = {parse_id(v) for v in request.POST.getlist("sites")}
        sites = [row.site for row in rows if row.site.pk in chosen]
        if team is None:
            error = _("请选择督查组。")
        else:
            try:
                inspection, _created = create_revisit(
                    by=user,
                    team=team,
                    sites=sites,
                    period=period,
                    client_token=token_from(request.POST),
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            except services.InspectionError as exc:
                error = exc.message
            else:
                return redirect("inspection_detail", inspection.pk)
    context = {
        "teams": teams,
        "period": period,
        "kind": kind,
        "rows": rows,
        "error": error,
        "client_token": new_token(),
        "nav_section": "inspections",
    }
    return render(request, "supervision/inspections/revisit.html", context)
