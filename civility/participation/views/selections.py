"""典型评选 pages: ``/selections/`` and ``/selections/<pk>/`` (nominations, review, 公示, results),
with the forms that go with them. Every change goes through ``participation.selections``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from civility.core.errors import Conflict, NotAllowed
from civility.core.permissions import has_role
from civility.core.roles import Role
from civility.participation import selections as service
from civility.participation.forms_selections import (
    NominationForm,
    PublicityForm,
    ReviewForm,
    SelectionForm,
)
from civility.participation.models import (
    Nomination,
    ParticipationPhoto,
    Selection,
    SelectionResult,
)
from civility.participation.permissions import (
    can_manage_selections,
    can_nominate,
    can_view_selections,
    nominating_units_for,
    nominations_visible_to,
    selections_visible_to,
)
from civility.participation.views.common import headquarters_for, put_errors

# The stages as the page's progress bar names them.
STAGES = [_lazy("征集推荐"), _lazy("评审"), _lazy("公示"), _lazy("公布结果")]
STATUS_ORDER = list(Selection.Status)


@login_required
def selection_list(request):
    user = request.user
    if not can_view_selections(user):
        raise PermissionDenied
    selections = (
        selections_visible_to(user)
        .select_related("headquarters")
        .annotate(
            nomination_count=Count("nominations"),
            shortlist_count=Count("nominations", filter=Q(nominations__shortlisted=True)),
        )
        .order_by("-year", "kind")
    )
    own = {}
    if user.unit_id:
        own = dict(
            Nomination.objects.filter(unit_id=user.unit_id)
            .values_list("selection")
            .annotate(n=Count("id"))
            .order_by()
        )
    rows = list(selections)
    for selection in rows:
        selection.own_count = own.get(selection.pk, 0)
    context = {
        "selections": rows,
        "can_manage": can_manage_selections(user),
        "sees_counts": can_manage_selections(user) or has_role(user, Role.LEADER),
        "nav_section": "selections",
    }
    return render(request, "participation/selection_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def selection_new(request):
    if not can_manage_selections(request.user):
        raise PermissionDenied
    hq = headquarters_for(request.user)
    if hq is None:
        raise Http404("没有指挥部")
    form = SelectionForm(request.POST or None, hq=hq)
    if request.method == "POST" and form.is_valid():
        selection = form.save()
        messages.success(request, _("评选已发起，开始征集推荐。"))
        return redirect("selection_detail", pk=selection.pk)
    return render(
        request, "participation/selection_form.html", {"form": form, "nav_section": "selections"}
    )


def _get(request, pk) -> Selection:
    if not can_view_selections(request.user):
        raise PermissionDenied
    selection = (
        selections_visible_to(request.user).select_related("headquarters").filter(pk=pk).first()
    )
    if selection is None:
        raise Http404("评选不存在")
    return selection


def _nominations(user, selection: Selection):
    return (
        nominations_visible_to(user, selection)
        .select_related("unit", "nominee_unit")
        .prefetch_related(
            Prefetch("photos", queryset=ParticipationPhoto.objects.order_by("uploaded_at", "id"))
        )
    )


@login_required
def selection_detail(request, pk):
    selection = _get(request, pk)
    user = request.user
    today = timezone.localdate()
    manage = can_manage_selections(user)
    context = {
        "selection": selection,
        "stages": STAGES,
        "stage_index": STATUS_ORDER.index(Selection.Status(selection.status)),
        "nominations": list(_nominations(user, selection)),
        "results": list(
            SelectionResult.objects.filter(selection=selection).select_related(
                "nomination", "nomination__unit", "honour__unit"
            )
        ),
        "manage": manage,
        "can_nominate": can_nominate(user, selection),
        "shows_scores": manage or has_role(user, Role.LEADER),
        "publicity_form": PublicityForm() if manage else None,
        "can_publish": service.can_publish_results(selection, today),
        "today": today,
        "nav_section": "selections",
    }
    return render(request, "participation/selection_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def nomination_new(request, pk):
    selection = _get(request, pk)
    user = request.user
    if not can_nominate(user, selection):
        raise PermissionDenied
    units = nominating_units_for(user, selection)
    form = NominationForm(
        request.POST or None, request.FILES or None, selection=selection, units=units
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.nominate(selection, by=user, **form.nominate_kwargs())
        except NotAllowed as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("推荐已提交。"))
            return redirect("selection_detail", pk=selection.pk)
    context = {"selection": selection, "form": form, "nav_section": "selections"}
    return render(request, "participation/nomination_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def selection_review(request, pk):
    selection = _get(request, pk)
    user = request.user
    if not can_manage_selections(user):
        raise PermissionDenied
    if selection.status != Selection.Status.REVIEWING:
        messages.error(request, _("评选不在评审阶段。"))
        return redirect("selection_detail", pk=selection.pk)
    nominations = selection.nominations.select_related("unit").order_by("id")
    form = ReviewForm(request.POST or None, nominations=nominations)
    if request.method == "POST" and form.is_valid():
        try:
            service.review(selection, form.marks(), by=user)
        except (NotAllowed, Conflict) as error:
            messages.error(request, error.message)
            return redirect("selection_detail", pk=selection.pk)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("评审结果已保存。"))
            return redirect("selection_detail", pk=selection.pk)
    context = {"selection": selection, "form": form, "nav_section": "selections"}
    return render(request, "participation/selection_review.html", context)


def _step(request, pk, run, done: str):
    selection = _get(request, pk)
    if not can_manage_selections(request.user):
        raise PermissionDenied
    try:
        run(selection)
    except (NotAllowed, Conflict) as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("selection_detail", pk=selection.pk)


@login_required
@require_POST
def selection_start_review(request, pk):
    return _step(
        request, pk, lambda s: service.start_review(s, by=request.user), _("已进入评审阶段。")
    )


@login_required
@require_POST
def selection_publicity(request, pk):
    form = PublicityForm(request.POST)

    def run(selection):
        if not form.is_valid():
            raise ValidationError(list(form.errors.values())[0])
        service.start_publicity(
            selection,
            by=request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )

    return _step(request, pk, run, _("入围名单已进入公示。"))


@login_required
@require_POST
def selection_publish(request, pk):
    return _step(
        request, pk, lambda s: service.publish_results(s, by=request.user), _("评选结果已公布。")
    )
