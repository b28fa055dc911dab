"""全民参与 pages: ``/activities/`` (table, filters, export), entering and editing an activity, its
page, and a page per series with counts by unit and month."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civility.core.errors import NotAllowed
from civility.core.params import parse_id
from civility.core.permissions import is_secretariat
from civility.core.tables import HtmxTableView
from civility.org.models import Unit
from civility.participation import activities as service
from civility.participation.filters import ActivityFilter
from civility.participation.forms import ActivityForm
from civility.participation.models import ActivitySeries, ParticipationPhoto
from civility.participation.permissions import (
    activities_visible_to,
    can_edit_activity,
    can_enter_activity,
    can_view_activities,
)
from civility.participation.tables import ActivityTable
from civility.participation.views.common import headquarters_for, put_errors

MONTHS = list(range(1, 13))


class ActivityListView(HtmxTableView):
    template_name = "participation/activity_list.html"
    table_class = ActivityTable
    filterset_class = ActivityFilter
    export_name = "activities"

    def has_permission(self) -> bool:
        return can_view_activities(self.request.user)

    def visible(self):
        return activities_visible_to(self.request.user)

    def get_queryset(self):
        return self.visible().select_related("series", "organiser", "drive")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["visible"] = self.visible()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["filter"].qs
        context["sums"] = rows.aggregate(
            participants=Sum("participants", default=0),
            volunteers=Sum("volunteers", default=0),
            hours=Sum("volunteer_hours", default=0),
        )
        context["series_list"] = ActivitySeries.objects.filter(active=True).order_by(
            "headquarters", "order", "id"
        )
        context["can_enter"] = can_enter_activity(self.request.user)
        context["nav_section"] = "activities"
        return context


activity_list = ActivityListView.as_view()


def _organisers(user, hq):
    units = Unit.objects.filter(headquarters=hq, active=True)
    return units if is_secretariat(user) else units.filter(pk=user.unit_id)


def _values(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("client_token", None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request):
    user = request.user
    if not can_enter_activity(user):
        raise PermissionDenied
    hq = headquarters_for(user)
    if hq is None:
        raise Http404("没有指挥部")
    organisers = _organisers(user, hq)
    initial = {}
    if (series := parse_id(request.GET.get("series"))) is not None:
        initial["series"] = series
    form = ActivityForm(
        request.POST or None, request.FILES or None, hq=hq, organisers=organisers, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        values = _values(form)
        photos = values.pop("photos", [])
        try:
            activity, _created = service.record_activity(
                by=user, photos=photos, client_token=form.cleaned_data.get("client_token"), **values
            )
        except NotAllowed as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("活动已登记。"))
            return redirect("activity_detail", pk=activity.pk)
    context = {"form": form, "nav_section": "activities", "editing": None}
    return render(request, "participation/activity_form.html", context)


def _get(request, pk):
    if not can_view_activities(request.user):
        raise PermissionDenied
    activity = (
        activities_visible_to(request.user)
        .select_related("series", "organiser", "drive", "created_by")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404("活动不存在")
    return activity


@login_required
def activity_detail(request, pk):
    activity = _get(request, pk)
    context = {
        "activity": activity,
        "photos": list(ParticipationPhoto.objects.filter(activity=activity)),
        "can_edit": can_edit_activity(request.user, activity),
        "nav_section": "activities",
    }
    return render(request, "participation/activity_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    activity = _get(request, pk)
    user = request.user
    if not can_edit_activity(user, activity):
        raise PermissionDenied
    hq = activity.headquarters
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        instance=activity,
        hq=hq,
        organisers=_organisers(user, hq),
    )
    if request.method == "POST" and form.is_valid():
        values = _values(form)
        photos = values.pop("photos", [])
        try:
            service.update_activity(activity, by=user, photos=photos, **values)
        except NotAllowed as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("活动已更新。"))
            return redirect("activity_detail", pk=activity.pk)
    context = {"form": form, "nav_section": "activities", "editing": activity}
    return render(request, "participation/activity_form.html", context)


@login_required
def series_detail(request, pk):
    """A series in a year: how many activities each unit held per month, and the people."""
    if not can_view_activities(request.user):
        raise PermissionDenied
    series = get_object_or_404(ActivitySeries.objects.select_related("headquarters"), pk=pk)
    visible = activities_visible_to(request.user)
    today = timezone.localdate()
    years = service.years_of(visible.filter(series=series), today)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isascii() and raw.isdigit() and int(raw) in years else years[0]
    context = {
        "series": series,
        "year": year,
        "years": years,
        "figures": service.series_year(series, visible, year),
        "month_numbers": MONTHS,
        "latest": visible.filter(series=series, date__year=year)
        .select_related("organiser")
        .order_by("-date", "-id")[:10],
        "other_series": ActivitySeries.objects.filter(
            headquarters=series.headquarters_id, active=True
        ).order_by("order", "id"),
        "can_enter": can_enter_activity(request.user),
        "nav_section": "activities",
    }
    return render(request, "participation/series_detail.html", context)
