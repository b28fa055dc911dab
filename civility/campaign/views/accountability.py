"""问责 pages (SPEC §7, §8): ``/accountability/`` (records, filters, export, and for the deciders
the open suggestions), ``/accountability/new/`` (记录问责, prefilled from a suggestion) and
``/accountability/dismiss/`` (不予问责). The forms open in the modal with HTMX and work as pages
without it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from civility.campaign import accountability
from civility.campaign.filters import AccountabilityFilter
from civility.campaign.forms import AccountabilityForm, DismissForm
from civility.campaign.permissions import (
    accountability_visible_to,
    can_decide_accountability,
    can_view_accountability,
)
from civility.campaign.tables import AccountabilityTable
from civility.core.errors import Refused
from civility.core.permissions import sees_everything
from civility.core.tables import HtmxTableView
from civility.org.models import Unit
from civility.reports.views.common import pick_headquarters
from civility.supervision.problems.models import Problem


class AccountabilityListView(HtmxTableView):
    template_name = "campaign/accountability_list.html"
    table_class = AccountabilityTable
    filterset_class = AccountabilityFilter
    export_name = "accountability"

    def has_permission(self) -> bool:
        return can_view_accountability(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        self.hq = pick_headquarters(request)[0] if request.user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            accountability_visible_to(self.request.user)
            .filter(headquarters=self.hq)
            .select_related("unit", "decided_by", "veto")
            .prefetch_related("problems", "commentaries")
            .order_by("-date", "-id")
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        user = self.request.user
        units = Unit.objects.filter(headquarters=self.hq)
        kwargs["units"] = units if sees_everything(user) else units.filter(pk=user.unit_id)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            hq=self.hq,
            can_decide=can_decide_accountability(user),
            nav_section="accountability",
        )
        if context["can_decide"] and self.hq is not None:
            context["suggestions"] = accountability.suggestions(self.hq)
        return context


accountability_list = AccountabilityListView.as_view()


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("accountability_list")


def _done(request, message: str):
    messages.success(request, message)
    target = _next_url(request)
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(target)
    return redirect(target)


def _render_form(request, template: str, context: dict):
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx and not htmx.history_restore_request)
    context.update(
        standalone=not partial,
        action_url=request.get_full_path(),
        next_url=_next_url(request),
        nav_section="accountability",
    )
    response = render(request, f"{template}#form" if partial else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def suggestion_numbers(suggestion) -> list[str]:
    if not suggestion.problem_ids:
        return []
    problems = Problem.objects.filter(pk__in=suggestion.problem_ids).order_by("number")
    return list(problems.values_list("number", flat=True))


def _decider_hq(request):
    if not can_decide_accountability(request.user):
        raise PermissionDenied
    hq = pick_headquarters(request)[0]
    if hq is None:
        raise PermissionDenied
    return hq


@login_required
def accountability_new(request):
    """记录问责; ``?suggestion=<key>`` prefills the form from an open suggestion."""
    hq = _decider_hq(request)
    key = (request.POST or request.GET).get("suggestion", "")
    suggestion = accountability.suggestion(hq, key) if key else None
    initial = {}
    if suggestion is not None:
        initial = {
            "unit": suggestion.unit.pk,
            "measure": suggestion.measure,
            "reason": suggestion.reason,
            "problem_numbers": "、".join(suggestion_numbers(suggestion)),
            "commentaries": suggestion.commentary_ids,
            "suggestion": suggestion.key,
        }
    form = AccountabilityForm(request.POST or None, hq=hq, initial=initial)
    gone = _("该问责建议已处理或不存在。") if key and suggestion is None else ""
    if not gone and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = accountability.record(
                hq=hq,
                by=request.user,
                unit=data["unit"],
                measure=data["measure"],
                reason=data["reason"],
                on=data["date"],
                person_name=data["person_name"],
                person_title=data["person_title"],
                problems=data["problem_numbers"],
                commentaries=data["commentaries"],
                veto=data["veto"],
                suggestion_key=suggestion.key if suggestion else "",
            )
        except ValidationError as error:
            form.add_error(None, error)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            return _done(
                request,
                _("已记录问责：%(target)s %(measure)s。")
                % {"target": record.target_label, "measure": _(record.get_measure_display())},
            )
    context = {"hq": hq, "form": form, "suggestion": suggestion, "gone": gone}
    return _render_form(request, "campaign/accountability_form.html", context)


@login_required
def accountability_dismiss(request):
    """不予问责 of one open suggestion, with the reason."""
    hq = _decider_hq(request)
    key = (request.POST or request.GET).get("suggestion", "")
    suggestion = accountability.suggestion(hq, key) if key else None
    form = DismissForm(request.POST or None, initial={"suggestion": key})
    gone = "" if suggestion is not None else _("该问责建议已处理或不存在。")
    if not gone and request.method == "POST" and form.is_valid():
        try:
            accountability.dismiss(
                hq=hq, by=request.user, suggestion=suggestion, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            return _done(
                request, _("已记录不予问责：%(summary)s。") % {"summary": suggestion.summary}
            )
    context = {"hq": hq, "form": form, "suggestion": suggestion, "gone": gone}
    return _render_form(request, "campaign/dismiss_form.html", context)
