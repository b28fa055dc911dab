from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from civility.core.models import User
from civility.core.params import parse_id
from civility.core.permissions import sees_everything
from civility.core.roles import Role
from civility.core.tables import HtmxTableView
from civility.org.filters import AssignmentFilter
from civility.org.models import Headquarters, Leader, Linkage, Unit, WorkGroup
from civility.org.permissions import assignments_visible_to, can_view_assignments, can_view_org
from civility.org.tables import AssignmentTable


def _liaisons():

    return Prefetch(
        "members",
        queryset=User.objects.filter(groups__name=Role.LIAISON, is_active=True).order_by("id"),
        to_attr="liaisons",
    )


@login_required
def org_overview(request):
    """The headquarters, its leaders and work groups, and the unit tree with liaisons and links."""
    if not can_view_org(request.user):
        raise PermissionDenied
    headquarters = Headquarters.objects.select_related(
        "commander", "executive_deputy", "office_unit"
    ).order_by("id")
    hq_list = list(headquarters)
    if not hq_list:
        return render(request, "org/overview.html", {"hq": None})
    if (hq_pk := parse_id(request.GET.get("hq"))) is not None:
        hq = get_object_or_404(headquarters, pk=hq_pk)
    elif request.user.unit_id:
        hq = next(h for h in hq_list if h.pk == request.user.unit.headquarters_id)
    else:
        hq = hq_list[0]

    leaders = Leader.objects.filter(headquarters=hq)
    work_groups = (
        WorkGroup.objects.filter(headquarters=hq)
        .select_related("head", "lead_unit")
        .prefetch_related(Prefetch("member_units", queryset=Unit.objects.order_by("kind", "order")))
    )
    area_links = Prefetch(
        "linkages_in",
        queryset=Linkage.objects.select_related("leader", "department").order_by("kind", "id"),
        to_attr="links",
    )
    neighbourhoods = Prefetch(  # 四级同创: the 小区/居民小组 of each community
        "children",
        queryset=Unit.objects.filter(active=True).order_by("order", "id"),
        to_attr="neighbourhoods",
    )
    communities = Prefetch(
        "children",
        queryset=Unit.objects.filter(active=True)
        .order_by("order", "id")
        .prefetch_related(_liaisons(), area_links, neighbourhoods),
        to_attr="communities",
    )
    units = Unit.objects.filter(headquarters=hq, active=True)
    streets = (
        units.filter(kind=Unit.Kind.STREET)
        .order_by("order", "id")
        .prefetch_related(_liaisons(), area_links, communities)
    )
    departments = (
        units.exclude(kind__in=Unit.AREA_KINDS)
        .order_by("kind", "order", "id")
        .prefetch_related(
            _liaisons(),
            Prefetch(
                "linkages_out",
                queryset=Linkage.objects.filter(kind=Linkage.Kind.PAIRING)
                .select_related("target")
                .order_by("target__order"),
                to_attr="pairings",
            ),
        )
    )
    cadres = (
        Linkage.objects.filter(headquarters=hq, kind=Linkage.Kind.CADRE_AREA)
        .select_related("target")
        .order_by("target__order", "id")
    )
    counts = units.aggregate(
        streets=Count("id", filter=Q(kind=Unit.Kind.STREET)),
        communities=Count("id", filter=Q(kind=Unit.Kind.COMMUNITY)),
        departments=Count("id", filter=Q(kind=Unit.Kind.DEPARTMENT)),
    )
    context = {
        "hq": hq,
        "hq_list": hq_list,
        "leaders": leaders,
        "work_groups": work_groups,
        "streets": streets,
        "departments": departments,
        "cadres": cadres,
        "counts": counts,
        # Unit names link to the unit's page (/units/<pk>/) where this person may open it.
        "unit_pages": sees_everything(request.user),
    }
    return render(request, "org/overview.html", context)


class AssignmentListView(HtmxTableView):
    template_name = "org/assignment_list.html"
    table_class = AssignmentTable
    filterset_class = AssignmentFilter
    export_name = "assignments"

    def has_permission(self) -> bool:
        return can_view_assignments(self.request.user)

    def get_queryset(self):
        return assignments_visible_to(self.request.user).select_related(
            "work_group", "unit", "indicator"
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        user = self.request.user
        if sees_everything(user):
            kwargs["units"] = Unit.objects.filter(active=True)
        else:
            kwargs["units"] = Unit.objects.filter(pk=user.unit_id)
        return kwargs


assignment_list = AssignmentListView.as_view()
