"""督查安排: the secretariat plans next weeks' inspections (team, day, street or sites, focus) on a
small page (/inspections/plans/) or in the admin; the weekly 巡报 lists the coming week's plan."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from civility.core.permissions import is_secretariat
from civility.org.models import Headquarters, Site, Unit
from civility.supervision.inspections.models import InspectionPlan, InspectionTeam
from civility.supervision.inspections.permissions import can_view_inspections

SHOWN_DAYS = 28


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PlanForm(forms.ModelForm):
    class Meta:
        model = InspectionPlan
        fields = ("team", "date", "street", "sites", "note")
        widgets = {
            "date": DateInput(),
            "sites": forms.SelectMultiple(attrs={"size": 6}),
            "note": forms.TextInput(
                attrs={"placeholder": gettext_lazy("例如：背街小巷、农贸市场周边")}
            ),
        }
        error_messages = {
            "team": {"required": gettext_lazy("请选择督查组。")},
            "date": {"required": gettext_lazy("请填写计划日期。")},
        }

    def __init__(self, *args, headquarters: Headquarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.headquarters = headquarters
        self.fields["team"].queryset = InspectionTeam.objects.filter(
            headquarters=headquarters, active=True
        )
        self.fields["street"].queryset = Unit.objects.filter(
            headquarters=headquarters, kind=Unit.Kind.STREET, active=True
        ).order_by("order", "id")
        self.fields["sites"].queryset = (
            Site.objects.filter(headquarters=headquarters, active=True)
            .select_related("street")
            .order_by("street__order", "name")
        )
        self.fields["sites"].required = False
        self.fields["sites"].help_text = _("可不选；按住 Ctrl（手机上直接点选）可选多个点位。")

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("date")
        if day and day < timezone.localdate():
            self.add_error("date", _("计划日期不能早于今天。"))
        if not cleaned.get("street") and not cleaned.get("sites"):
            raise ValidationError(_("请选择街道或点位。"))
        return cleaned


def _headquarters(user) -> Headquarters | None:
    if user.unit_id:
        return user.unit.headquarters
    return Headquarters.objects.order_by("id").first()


@login_required
@require_http_methods(["GET", "POST"])
def plan_list(request):
    """The coming four weeks' plans; the secretariat adds one with the form beside them."""
    user = request.user
    if not can_view_inspections(user):
        raise PermissionDenied
    hq = _headquarters(user)
    can_plan = is_secretariat(user) and hq is not None
    form = None
    if can_plan:
        if request.method == "POST":
            form = PlanForm(request.POST, headquarters=hq)
            if form.is_valid():
                plan = form.save(commit=False)
                plan.created_by = user
                plan.save()
                form.save_m2m()
                messages.success(request, _("已添加督查安排：%(plan)s") % {"plan": plan})
                return redirect("inspection_plans")
        else:
            form = PlanForm(headquarters=hq)
    elif request.method == "POST":
        raise PermissionDenied
    today = timezone.localdate()
    plans = (
        InspectionPlan.objects.filter(
            headquarters=hq, date__gte=today, date__lte=today + timedelta(days=SHOWN_DAYS)
        )
        .select_related("team", "street")
        .prefetch_related("sites")
        .order_by("date", "team__kind", "id")
        if hq
        else InspectionPlan.objects.none()
    )
    return render(
        request,
        "supervision/inspections/plans.html",
        {"plans": plans, "form": form, "can_plan": can_plan, "nav_section": "inspections"},
    )


@login_required
@require_POST
def plan_delete(request, pk: int):
    if not is_secretariat(request.user):
        raise PermissionDenied
    plan = get_object_or_404(InspectionPlan, pk=pk)
    plan.delete()
    messages.success(request, _("已删除督查安排。"))
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(reverse("inspection_plans"))
    return redirect("inspection_plans")
