"""建议意见 pages (SPEC §7, §8): ``/suggestions/`` (a representative's own, a unit's to answer,
everything for the secretariat and leaders), ``/suggestions/new/`` (made for a phone),
``/suggestions/<pk>/`` (the handling: timeline, linked problems with their live state, reply,
rating) and its actions. Every change goes through ``participation.suggestions``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Prefetch, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from civility.core.errors import NotAllowed
from civility.core.htmx import close_modal
from civility.core.permissions import has_role, sees_everything
from civility.core.roles import Role
from civility.core.tables import HtmxTableView
from civility.org.models import Site
from civility.participation import suggestions as machine
from civility.participation.filters import SuggestionFilter
from civility.participation.forms import SuggestionForm, action_form
from civility.participation.models import ParticipationPhoto, Suggestion, SuggestionEvent
from civility.participation.permissions import (
    can_submit_suggestion,
    can_view_suggestions,
    suggestions_visible_to,
)
from civility.participation.suggestions import Action, Conflict
from civility.participation.tables import SuggestionTable
from civility.participation.views.common import (
    headquarters_for,
    is_partial,
    modal_or_page,
    put_errors,
    refused,
)
from civility.supervision.problems.models import Photo, Problem
from civility.supervision.problems.permissions import problems_visible_to

DETAIL = "participation/suggestion_detail.html"
ACTION_FORM = "participation/suggestion_action.html"
SITE_RESULTS = 10

DONE = {
    Action.CONVERT: gettext_lazy("已转为问题交办"),
    Action.ASSIGN: gettext_lazy("已交办答复"),
    Action.REPLY: gettext_lazy("已答复，等待代表评价"),
    Action.ANSWER: gettext_lazy("已答复，等待代表评价"),
    Action.RATE_SATISFIED: gettext_lazy("感谢您的评价"),
    Action.RATE_BASIC: gettext_lazy("感谢您的评价"),
    Action.RATE_UNSATISFIED: gettext_lazy("已退回创建办重新办理"),
}
INTROS = {
    Action.CONVERT: gettext_lazy(
        "把建议转为一个或多个问题，进入交办—整改—复查—销号闭环；问题全部销号后建议自动办结，"
        "代表可随时查看进展。"
    ),
    Action.ASSIGN: gettext_lazy("交给责任单位书面答复，联络员在期限内答复后由代表评价。"),
    Action.REPLY: gettext_lazy("写明采取的措施和结果，答复将送达提出建议的代表。"),
    Action.ANSWER: gettext_lazy(
        "不需转为问题或交办的建议（如已有计划、政策解释），由创建办直接答复。"
    ),
    Action.RATE_SATISFIED: gettext_lazy("对本次办理结果满意。"),
    Action.RATE_BASIC: gettext_lazy("对本次办理结果基本满意。"),
    Action.RATE_UNSATISFIED: gettext_lazy("说明原因，建议将退回创建办重新办理。"),
}
STYLE = {
    Action.CONVERT: "primary",
    Action.REPLY: "primary",
    Action.RATE_SATISFIED: "primary",
    Action.RATE_UNSATISFIED: "danger",
}


# --- list -------------------------------------------------------------------------------------


class SuggestionListView(HtmxTableView):
    template_name = "participation/suggestion_list.html"
    table_class = SuggestionTable
    filterset_class = SuggestionFilter
    export_name = "suggestions"

    def has_permission(self) -> bool:
        return can_view_suggestions(self.request.user)

    def visible(self):
        return suggestions_visible_to(self.request.user)

    def get_queryset(self):
        return (
            self.visible()
            .select_related("author", "unit", "site")
            .prefetch_related(Prefetch("problems", queryset=Problem.objects.only("id", "number")))
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["visible"] = self.visible()
        return kwargs

    def get_table_kwargs(self):
        user = self.request.user
        if has_role(user, Role.REPRESENTATIVE) and not sees_everything(user):
            return {"exclude": ("author",)}  # their own: the author column says nothing
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav_section"] = "suggestions"
        context["can_submit"] = can_submit_suggestion(self.request.user)
        return context


suggestion_list = SuggestionListView.as_view()


# --- new --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_new(request):
    user = request.user
    if not can_submit_suggestion(user):
        raise PermissionDenied
    hq = headquarters_for(user)
    if hq is None:
        raise Http404("没有指挥部")
    if request.method == "GET":
        form = SuggestionForm(hq=hq)
    else:
        form = SuggestionForm(request.POST, request.FILES, hq=hq)
        if form.is_valid():
            try:
                suggestion, created = machine.submit(
                    by=user, headquarters=hq, **form.submit_kwargs()
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                if created:
                    messages.success(
                        request,
                        _("建议已提交（%(number)s），创建办处理后会通知您。")
                        % {"number": suggestion.number},
                    )
                return redirect("suggestion_detail", pk=suggestion.pk)
    context = {"form": form, "nav_section": "suggestions", "site_limit": SITE_RESULTS}
    return render(request, "participation/suggestion_new.html", context)


@login_required
@require_GET
def site_search(request):
    """Sites matching part of a name or address, best first (as the inspection editor ranks them):
    the results pick the site in the suggestion form."""
    if not can_submit_suggestion(request.user):
        raise PermissionDenied
    hq = headquarters_for(request.user)
    query = request.GET.get("q", "").strip()
    results = []
    if query and hq is not None:
        results = list(
            Site.objects.filter(headquarters=hq, active=True)
            .filter(Q(name__icontains=query) | Q(address__icontains=query))
            .annotate(
                rank=Case(
                    When(name__iexact=query, then=Value(0)),
                    When(name__istartswith=query, then=Value(1)),
                    When(name__icontains=query, then=Value(2)),
                    default=Value(3),
                )
            )
            .select_related("street", "community")
            .order_by("rank", "name")[:SITE_RESULTS]
        )
    context = {"results": results, "query": query, "site_limit": SITE_RESULTS}
    return render(request, "participation/suggestion_new.html#site_results", context)


# --- detail -----------------------------------------------------------------------------------


def _get(request, pk) -> Suggestion:
    if not can_view_suggestions(request.user):
        raise PermissionDenied
    suggestion = (
        suggestions_visible_to(request.user)
        .select_related("headquarters", "author", "unit", "site", "site__street", "replied_by")
        .filter(pk=pk)
        .first()
    )
    if suggestion is None:
        raise Http404("建议不存在")
    return suggestion


def _problems(suggestion: Suggestion) -> list[Problem]:
    """The linked problems with their live state and photos (one query each)."""
    now = timezone.now()
    problems = list(
        suggestion.problems.select_related("site", "category", "primary_unit")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("uploaded_at", "id")))
        .order_by("id")
    )
    for problem in problems:
        problem.due = problem.due_state(now)
        photos = list(problem.photos.all())
        problem.before = [p for p in photos if p.kind == Photo.Kind.BEFORE][:3]
        problem.after = [p for p in photos if p.kind in (Photo.Kind.AFTER, Photo.Kind.REVIEW)][:3]
    return problems


def _buttons(user, suggestion: Suggestion) -> list[dict]:
    buttons = []
    for action in machine.available_actions(user, suggestion):
        url = reverse("suggestion_act", args=[suggestion.pk, action.value])
        buttons.append(
            {
                "action": action.value,
                "label": action.label,
                "url": f"{url}?v={suggestion.version}",
                "style": STYLE.get(action, ""),
            }
        )
    return buttons


def _detail_context(request, suggestion: Suggestion) -> dict:
    events = list(
        SuggestionEvent.objects.filter(suggestion=suggestion).select_related("actor", "unit")
    )
    problems = _problems(suggestion)
    openable = set(
        problems_visible_to(request.user)
        .filter(pk__in=[p.pk for p in problems])
        .values_list("pk", flat=True)
    )
    for problem in problems:
        problem.openable = problem.pk in openable
    return {
        "suggestion": suggestion,
        "photos": list(ParticipationPhoto.objects.filter(suggestion=suggestion)),
        "events": events,
        "problems": problems,
        "open_problems": sum(1 for p in problems if p.status not in machine.FINISHED),
        "buttons": _buttons(request.user, suggestion),
        "is_author": request.user.pk == suggestion.author_id,
        "nav_section": "suggestions",
    }


@login_required
def suggestion_detail(request, pk):
    suggestion = _get(request, pk)
    template = DETAIL
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "suggestion-main" and not htmx.history_restore_request:
        template = f"{DETAIL}#main"
    return render(request, template, _detail_context(request, suggestion))


# --- actions ----------------------------------------------------------------------------------


def _seen_version(request) -> int | None:
    """The version of the suggestion the person was looking at when they chose the action."""
    raw = request.POST.get("version") if request.method == "POST" else request.GET.get("v")
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _after(request, suggestion: Suggestion, message: str, level: str):
    if is_partial(request):
        response = HttpResponseClientRedirect(reverse("suggestion_detail", args=[suggestion.pk]))
        getattr(messages, level)(request, message)
        return close_modal(response)
    getattr(messages, level)(request, message)
    return redirect("suggestion_detail", pk=suggestion.pk)


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_act(request, pk, action):
    try:
        action = Action(action)
    except ValueError:
        raise Http404("没有这个操作") from None
    if action not in machine.HAND_ACTIONS:
        raise Http404("没有这个操作")
    suggestion = _get(request, pk)
    back = reverse("suggestion_detail", args=[suggestion.pk])
    user = request.user
    seen = _seen_version(request)
    if seen is not None and seen != suggestion.version:
        return _after(request, suggestion, Conflict(suggestion).message, "error")
    if not machine.is_allowed(user, suggestion, action):
        return refused(
            request, _("您现在不能对该建议执行「%(action)s」。") % {"action": action.label}, back
        )
    if request.method == "GET":
        form = action_form(action, suggestion=suggestion)
    else:
        form = action_form(action, request.POST, request.FILES, suggestion=suggestion)
        if form.is_valid():
            try:
                kwargs = form.perform_kwargs()
                if action == Action.CONVERT:
                    suggestion = machine.convert(
                        suggestion, kwargs.pop("drafts"), by=user, **kwargs
                    )
                else:
                    suggestion = machine.perform(suggestion, action, by=user, **kwargs)
            except Conflict as error:
                return _after(request, error.current, error.message, "error")
            except NotAllowed as error:
                return refused(request, error.message, back)
            except ValidationError as error:
                put_errors(form, error)
            else:
                return _after(request, suggestion, str(DONE[action]), "success")
    context = {
        "suggestion": suggestion,
        "action": action,
        "form": form,
        "intro": INTROS.get(action, ""),
        "act_url": reverse("suggestion_act", args=[suggestion.pk, action.value]),
        "nav_section": "suggestions",
    }
    return modal_or_page(request, ACTION_FORM, context)
