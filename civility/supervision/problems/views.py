"""The problem pages (SPEC §4, §8): list with filters and 批量交办, detail with the actions this
person may take now, the action forms, and permission-checked photos.

Views stay thin: they check who may see what (``core.permissions``), parse input (``forms``) and
hand every change to ``workflow.perform``; they never write a problem themselves.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from civility.core.htmx import MODAL_BODY, close_modal, toast, wants_partial
from civility.core.tables import TABLE_REGION, HtmxTableView
from civility.supervision.permissions import can_view_photo
from civility.supervision.photo_views import serve_photo
from civility.supervision.problems import workflow
from civility.supervision.problems.choices import visible_street_ids
from civility.supervision.problems.filters import ProblemFilter, UnitSearchSelect
from civility.supervision.problems.forms import BulkAssignForm
from civility.supervision.problems.models import ExtensionRequest, Photo, Problem, ProblemEvent
from civility.supervision.problems.permissions import (
    can_bulk_assign,
    can_view_problems,
    problems_visible_to,
    sees_all_problems,
)
from civility.supervision.problems.tables import BULK_FORM_ID, ProblemTable
from civility.supervision.problems.tables import READS as PROBLEM_TABLE_READS
from civility.supervision.problems.workflow import Action, Conflict, NotAllowed

MAIN_TEMPLATE = "supervision/problems/detail.html"
FORM_TEMPLATE = "supervision/problems/action_form.html"
MAIN = "problem-main"  # the page region an action refreshes


def _in_page(request) -> bool:
    """An action asked from the page (its modal form or a direct button): answer with fragments."""
    return wants_partial(request, MODAL_BODY, MAIN)


# --- list -------------------------------------------------------------------------------------


class ProblemListView(HtmxTableView):
    template_name = "supervision/problems/list.html"
    table_class = ProblemTable
    filterset_class = ProblemFilter
    export_name = "problems"
    keyset = True

    def has_permission(self) -> bool:
        return can_view_problems(self.request.user)

    def visible(self):
        return problems_visible_to(self.request.user, walk=True)

    def get_queryset(self):
        return (
            self.visible()
            .select_related("site", "site__street", "category", "primary_unit")
            .only(*PROBLEM_TABLE_READS)
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        user = self.request.user
        kwargs["visible"] = None if sees_all_problems(user) else self.visible()
        kwargs["street_ids"] = visible_street_ids(user)
        return kwargs

    def get_table_kwargs(self):
        kwargs = {"now": timezone.now()}
        if not can_bulk_assign(self.request.user):
            kwargs["exclude"] = ("select",)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["nav_section"] = "problems"
        context["bulk_form_id"] = BULK_FORM_ID
        if can_bulk_assign(user):
            context["bulk_form"] = BulkAssignForm(
                user=user, widget=UnitSearchSelect(blank="default")
            )
        return context

    def post(self, request, *args, **kwargs):
        """批量交办: assign every ticked 待交办 problem, then show the table again."""
        if not can_bulk_assign(request.user):
            raise PermissionDenied
        form = BulkAssignForm(request.POST, user=request.user)
        if not form.is_valid():
            message, level = _("请选择有效的交办单位。"), "error"
        else:
            message, level = bulk_assign(
                request.user, form.selected_ids(), unit=form.cleaned_data["unit"]
            )
        if wants_partial(request, TABLE_REGION):
            response = self.get(request, *args, **kwargs)
            return toast(response, message, level)
        getattr(messages, level)(request, message)
        return redirect(request.get_full_path())


problem_list = ProblemListView.as_view()


def bulk_assign(user, ids: list[int], *, unit=None) -> tuple[str, str]:
    """交办 each problem (to ``unit`` or its site's default unit); (message, toast level)."""
    if not ids:
        return _("请先勾选要交办的问题。"), "error"
    problems = {
        p.pk: p
        for p in problems_visible_to(user)
        .filter(pk__in=ids)
        .select_related("site", "site__default_unit", "category", "category__default_department")
        .prefetch_related("site__cooperating_units")
    }
    failed = [_("#%(pk)s：问题不存在或无权查看") % {"pk": pk} for pk in ids if pk not in problems]
    found = [problems[pk] for pk in ids if pk in problems]
    outcome = workflow.assign_many(found, by=user, unit=unit)
    failed += [
        f"{problem.number}：{'；'.join(m.rstrip('。') for m in reasons)}"
        for problem, reasons in outcome.failed
    ]
    done = len(outcome.done)
    if not failed:
        message = ngettext("已交办 %(n)s 个问题。", "已交办 %(n)s 个问题。", done) % {"n": done}
        return message, "success"
    reasons = "；".join(failed[:3]) + (_("等") if len(failed) > 3 else "")
    level = "info" if done else "error"
    message = _("已交办 %(done)s 个问题，%(failed)s 个未能交办（%(reasons)s）。") % {
        "done": done,
        "failed": len(failed),
        "reasons": reasons,
    }
    return message, level


# --- detail -----------------------------------------------------------------------------------


def _detail_queryset(user):
    return (
        problems_visible_to(user)
        .select_related(
            "headquarters",
            "site",
            "site__street",
            "site__community",
            "site__default_unit",
            "category",
            "primary_unit",
            "reported_by",
            "inspection",
            "drive",
            "recurrence_of",
        )
        .prefetch_related(
            "cooperating_units",
            # By id here, by time in the template (stable): ordered by reported_at, SQLite walks
            # the whole reported_at index instead of the few rows of the recurrence_of index.
            Prefetch("recurrences", queryset=Problem.objects.order_by("id")),
            Prefetch("photos", queryset=Photo.objects.order_by("uploaded_at", "id")),
            Prefetch(
                "events",
                queryset=ProblemEvent.objects.select_related("actor").prefetch_related(
                    Prefetch("photos", queryset=Photo.objects.order_by("uploaded_at", "id"))
                ),
            ),
        )
    )


def _get_problem(request, number: str, *, for_page: bool = True) -> Problem:
    """The problem if this person may see it: 403 without access to problems, else 404.

    ``for_page`` loads everything the detail page shows; actions need only the problem itself.
    """
    if not can_view_problems(request.user):
        raise PermissionDenied
    if for_page:
        problems = _detail_queryset(request.user)
    else:
        problems = problems_visible_to(request.user).select_related(
            "site", "site__default_unit", "category", "primary_unit"
        )
    problem = problems.filter(number=number).first()
    if problem is None:
        raise Http404("问题不存在")
    return problem


def _status_label(value: str) -> str:
    try:
        return Problem.Status(value).label
    except ValueError:
        return ""


def _when(value: str | None):
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _timeline(problem: Problem) -> list[ProblemEvent]:
    events = list(problem.events.all())
    for event in events:
        event.from_label = _status_label(event.from_status)
        event.to_label = _status_label(event.to_status)
        data = event.data or {}
        event.unit_name = data.get("unit") or ""
        event.from_unit = data.get("from_unit") or ""
        event.deadline = _when(data.get("deadline"))
        event.requested_deadline = _when(data.get("requested_deadline"))
    return events


def _action_buttons(user, problem: Problem) -> list[dict]:
    buttons = []
    for action in workflow.available_actions(user, problem):
        spec = workflow.ACTIONS[action]
        url = reverse("problem_act", args=[problem.number, action.value])
        buttons.append(
            {
                "action": action.value,
                "label": spec.label,
                "url": url,
                "form_url": f"{url}?v={problem.version}",
                "direct": spec.direct,
                "style": spec.style,
                "confirm": spec.confirm_text,
            }
        )
    return buttons


def _detail_context(request, problem: Problem) -> dict:
    now = timezone.now()
    photos = list(problem.photos.all())
    pending = (
        ExtensionRequest.objects.filter(problem=problem, status=ExtensionRequest.Status.PENDING)
        .select_related("requested_by")
        .first()
    )
    milestones = [
        (_("上报"), problem.reported_at),
        (_("交办"), problem.assigned_at),
        (_("签收"), problem.acknowledged_at),
        (_("提交整改"), problem.submitted_at),
        (_("销号"), problem.closed_at),
    ]
    return {
        "problem": problem,
        "due": problem.due_state(now),
        "before_photos": [p for p in photos if p.kind == Photo.Kind.BEFORE],
        "after_photos": [p for p in photos if p.kind in (Photo.Kind.AFTER, Photo.Kind.REVIEW)],
        "events": _timeline(problem),
        "pending_extension": pending,
        "milestones": milestones,
        "buttons": _action_buttons(request.user, problem),
        "cooperating": list(problem.cooperating_units.all()),
        "nav_section": "problems",
    }


@login_required
def problem_detail(request, number):
    problem = _get_problem(request, number)
    template = f"{MAIN_TEMPLATE}#main" if wants_partial(request, MAIN) else MAIN_TEMPLATE
    return render(request, template, _detail_context(request, problem))


# --- actions ----------------------------------------------------------------------------------


def _main_response(request, problem: Problem, message: str, level: str) -> HttpResponse:
    """The refreshed page regions (header, photos, timeline, action panel) for HTMX."""
    fresh = _detail_queryset(request.user).filter(pk=problem.pk).first()
    if fresh is None:  # e.g. reassigned away from this liaison's unit
        response = HttpResponseClientRedirect(reverse("problem_list"))
        messages.add_message(request, messages.INFO, message)
        return response
    response = render(request, f"{MAIN_TEMPLATE}#main", _detail_context(request, fresh))
    response = reswap(retarget(response, f"#{MAIN}"), "outerHTML")
    return close_modal(toast(response, message, level))


def _done(request, problem: Problem, action: Action) -> HttpResponse:
    message = workflow.ACTIONS[action].done
    if _in_page(request):
        return _main_response(request, problem, message, "success")
    messages.success(
        request, _("%(number)s：%(message)s。") % {"number": problem.number, "message": message}
    )
    return redirect("problem_detail", number=problem.number)


def _conflict(request, error: Conflict) -> HttpResponse:
    current = error.current
    if _in_page(request):
        return _main_response(request, current, error.message, "error")
    messages.error(request, error.message)
    return redirect("problem_detail", number=current.number)


def _denied(request, problem: Problem, message: str) -> HttpResponse:
    if _in_page(request):
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    context = {"problem": problem, "message": message, "nav_section": "problems"}
    return render(request, "supervision/problems/act_denied.html", context, status=403)


def _form_response(request, problem: Problem, action: Action, form) -> HttpResponse:
    context = {
        "problem": problem,
        "action": action,
        "form": form,
        "act_url": reverse("problem_act", args=[problem.number, action.value]),
        "nav_section": "problems",
    }
    spec = workflow.ACTIONS[action]
    if spec.extension in ("approve", "reject"):
        context["pending_extension"] = (
            ExtensionRequest.objects.filter(problem=problem, status=ExtensionRequest.Status.PENDING)
            .select_related("requested_by")
            .first()
        )
    if spec.shows_dispute:
        # The secretariat decides on the dispute: show what the unit said.
        context["dispute"] = (
            problem.events.filter(action=Action.DISPUTE).select_related("actor").last()
        )
    if _in_page(request):
        response = render(request, f"{FORM_TEMPLATE}#form", context)
        return reswap(retarget(response, f"#{MODAL_BODY}"), "innerHTML")
    context["standalone"] = True
    return render(request, FORM_TEMPLATE, context)


def _seen_version(request) -> int | None:
    """The version of the problem the person was looking at when they chose the action."""
    raw = request.POST.get("version") if request.method == "POST" else request.GET.get("v")
    # isascii: "²".isdigit() is true but int("²") raises.
    ok = raw and raw.isascii() and raw.isdigit() and len(raw) < 19
    return int(raw) if ok else None


@login_required
@require_http_methods(["GET", "POST"])
def problem_act(request, number, action):
    """GET: the action's form (modal for HTMX, page otherwise). POST: take the action."""
    try:
        action = Action(action)
    except ValueError:
        raise Http404("没有这个操作") from None
    problem = _get_problem(request, number, for_page=False)
    user = request.user
    seen = _seen_version(request)
    if seen is not None and seen != problem.version:
        return _conflict(request, Conflict(problem))
    if not workflow.is_allowed(user, problem, action):
        message = _("您现在不能对该问题执行「%(action)s」。") % {"action": action.label}
        return _denied(request, problem, message)
    spec = workflow.ACTIONS[action]
    if request.method == "GET":
        return _form_response(request, problem, action, spec.make_form(problem=problem, user=user))
    form = spec.make_form(request.POST, request.FILES, problem=problem, user=user)
    if form.is_valid():
        try:
            problem = workflow.perform(problem, action, by=user, **form.perform_kwargs())
        except Conflict as error:
            return _conflict(request, error)
        except NotAllowed as error:
            return _denied(request, problem, error.message)
        except ValidationError as error:
            form.add_workflow_errors(error)
        else:
            return _done(request, problem, action)
    return _form_response(request, problem, action, form)


# --- photos -----------------------------------------------------------------------------------


@login_required
def photo(request, pk: int, thumb: bool = False):
    """The image (or its thumbnail) for people who may see its problem; 404 for everyone else,
    so that nobody learns whether a photo exists."""
    item = Photo.objects.filter(pk=pk).first()
    if item is None or not can_view_photo(request.user, item):
        raise Http404("照片不存在")
    return serve_photo(item, thumb=thumb)
