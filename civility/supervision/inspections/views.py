"""Inspection pages (督查, SPEC §4), made for an inspector's phone.

``/inspections/new/`` opens a server-side draft at once; ``/inspections/<pk>/`` is the draft's
editor (sites visited, one problem at a time, summary, submit) and, once submitted, its read-only
record. Every problem is saved the moment it is added, so a dropped connection loses at most the
problem being typed; hidden client tokens make re-sent forms harmless.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Prefetch, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from civility.core.htmx import toast, wants_partial
from civility.core.params import parse_id
from civility.core.tables import HtmxTableView
from civility.org.models import ChecklistItem, Site
from civility.supervision.inspections import checklist_editor, services
from civility.supervision.inspections.counts import COUNTS, add_counts
from civility.supervision.inspections.forms import (
    NewInspectionForm,
    ProblemForm,
    day_or_none,
    new_token,
    token_from,
)
from civility.supervision.inspections.models import Inspection
from civility.supervision.inspections.permissions import (
    can_edit_inspection,
    can_start_inspection,
    can_view_inspection,
    can_view_inspections,
    inspection_teams_for,
    inspections_openable_by,
    is_inspection_author,
)
from civility.supervision.inspections.tables import InspectionFilter, InspectionTable
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Photo, Problem

TEMPLATE = "supervision/inspections/detail.html"
SITE_RESULTS = 10


# --- list -------------------------------------------------------------------------------------


class InspectionListView(HtmxTableView):
    template_name = "supervision/inspections/list.html"
    table_class = InspectionTable
    filterset_class = InspectionFilter
    export_name = "inspections"

    def has_permission(self) -> bool:
        return can_view_inspections(self.request.user)

    def get_queryset(self):
        inspections = (
            inspections_openable_by(self.request.user)
            .select_related("team", "street", "created_by")
            .prefetch_related("inspectors")
            .order_by("-date", "-id")
        )
        # Counted for every row only where every row needs them: exports and sorting by a count.
        if self.exporting or self.request.GET.get("sort", "").lstrip("-") in COUNTS:
            inspections = inspections.annotate(**COUNTS)
        return inspections

    def decorate_page(self, records) -> None:
        """The counts of the 25 rows shown (the whole list took 20 s at city scale)."""
        if records and not hasattr(records[0], "site_count"):
            add_counts(records)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav_section"] = "inspections"
        context["can_start"] = can_start_inspection(self.request.user)
        return context


inspection_list = InspectionListView.as_view()


# --- step 1: open a draft -----------------------------------------------------------------------


@login_required
def inspection_new(request):
    user = request.user
    if not can_start_inspection(user):
        raise PermissionDenied
    teams = inspection_teams_for(user)
    if request.method == "POST":
        token = token_from(request.POST)
        # A second tap on the button (or a re-sent request) finds the draft the first one made.
        existing = token and Inspection.objects.filter(client_token=token).first()
        if existing and is_inspection_author(user, existing):
            return redirect("inspection_detail", existing.pk)
        form = NewInspectionForm(request.POST, teams=teams, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection, _created = services.create_inspection(
                    by=user,
                    team=data["team"],
                    kind=data["kind"],
                    date=data["date"],
                    street=data["street"],
                    drive=data["drive"],
                    client_token=data["client_token"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("inspection_detail", inspection.pk)
    else:
        # ?date= (the date field's HTMX refresh) offers that day's drives.
        day = day_or_none(request.GET.get("date"))
        form = NewInspectionForm(teams=teams, user=user, initial={"date": day} if day else {})
    context = {"form": form, "has_teams": teams.exists(), "nav_section": "inspections"}
    return render(request, "supervision/inspections/new.html", context)


# --- the draft editor and the record ----------------------------------------------------------


def _inspection_or_403(request, pk) -> Inspection:
    """The inspection if this person may open it; 403 otherwise (404 when it does not exist)."""
    inspection = get_object_or_404(
        Inspection.objects.select_related("team", "street", "created_by", "headquarters", "drive"),
        pk=pk,
    )
    if not can_view_inspection(request.user, inspection):
        raise PermissionDenied
    return inspection


def _problems(inspection: Inspection):
    before = Photo.objects.filter(kind=Photo.Kind.BEFORE).order_by("uploaded_at", "id")
    return (
        inspection.problems.select_related("site__default_unit", "category", "primary_unit")
        .prefetch_related(Prefetch("photos", queryset=before, to_attr="before_photos"))
        .order_by("reported_at", "id")
    )


def _problem_rows(request, inspection: Inspection) -> list[Problem]:
    rows = list(_problems(inspection))
    for problem in rows:
        # 现场交办: the inspector may hand a 待交办 problem to the site's default unit on the spot.
        problem.can_assign_here = (
            problem.status == Problem.Status.REPORTED
            and problem.site.default_unit_id is not None
            and workflow.is_allowed(request.user, problem, workflow.Action.ASSIGN)
        )
    return rows


def _site_results(inspection: Inspection, query: str) -> list[Site]:
    """Up to 10 active sites of the inspection's headquarters: the exact name first, then the
    sites of the inspection's street (where the inspector is), each group by names starting with
    the query, names containing it, addresses; with no query, the inspection's street."""
    sites = Site.objects.filter(headquarters=inspection.headquarters_id, active=True)
    query = query.strip()
    if query:
        street = inspection.street_id
        sites = sites.filter(Q(name__icontains=query) | Q(address__icontains=query)).annotate(
            exact=Case(When(name__iexact=query, then=Value(0)), default=Value(1)),
            elsewhere=Case(When(street=street, then=Value(0)), default=Value(1))
            if street
            else Value(0),
            rank=Case(
                When(name__istartswith=query, then=Value(1)),
                When(name__icontains=query, then=Value(2)),
                default=Value(3),
            ),
        )
        order = ("exact", "elsewhere", "rank", "name")
    elif inspection.street_id:
        sites, order = sites.filter(street=inspection.street_id), ("name",)
    else:
        return []
    return list(sites.select_related("street", "community").order_by(*order)[:SITE_RESULTS])


def _context(request, inspection: Inspection, **extra) -> dict:
    editable = can_edit_inspection(request.user, inspection)
    sites = list(inspection.sites.select_related("street", "type").order_by("name"))
    problems = _problem_rows(request, inspection)
    context = {
        "inspection": inspection,
        "editable": editable,
        "sites": sites,
        "site_ids": {site.pk for site in sites},
        "problems": problems,
        # The 测评 checklist of each site with its 得分率 so far (SPEC §6).
        "sheets": checklist_editor.sheets(inspection, sites, problems) if editable else [],
        "inspectors": list(inspection.inspectors.order_by("id")),
        "nav_section": "inspections",
        "site_limit": SITE_RESULTS,
    }
    if editable:
        context.setdefault("query", "")
        if "problem_form" not in extra:
            # Start where the inspector is: the site of the last problem, or the only site.
            problems = context["problems"]
            site_id = problems[-1].site_id if problems else None
            if site_id is None and len(sites) == 1:
                site_id = sites[0].pk
            extra["problem_form"] = ProblemForm(inspection=inspection, initial={"site": site_id})
    context.update(extra)
    if editable:
        form = context["problem_form"]
        context["selected_site"] = str(form["site"].value() or "")
    return context


@login_required
def inspection_detail(request, pk):
    inspection = _inspection_or_403(request, pk)
    extra = {}
    query = request.GET.get("q", "")
    if query and can_edit_inspection(request.user, inspection):
        # Without JavaScript the site search is a plain GET form back to this page.
        extra = {"query": query, "results": _site_results(inspection, query), "searched": True}
    item_id = parse_id(request.GET.get("for_item"))
    if item_id is not None and can_edit_inspection(request.user, inspection):
        # Without JavaScript, 不合格 comes back here with the problem form set for the item.
        item = ChecklistItem.objects.filter(pk=item_id).prefetch_related("categories").first()
        if item is not None:
            category = next(iter(item.categories.all()), None)
            initial = {
                "site": parse_id(request.GET.get("site")),
                "category": category and category.pk,
            }
            extra["problem_form"] = ProblemForm(inspection=inspection, initial=initial)
            extra["for_item"] = item
    return render(request, TEMPLATE, _context(request, inspection, **extra))


def _editable_or_refusal(request, pk) -> tuple[Inspection, HttpResponse | None]:
    """For the writes: the draft, or a response saying it was submitted already; 403 for others."""
    inspection = _inspection_or_403(request, pk)
    if not is_inspection_author(request.user, inspection):
        raise PermissionDenied
    if not inspection.is_draft:
        return inspection, _back_to_record(request, inspection, services.AlreadySubmitted().message)
    return inspection, None


def _back_to_record(request, inspection, message: str, level=messages.INFO) -> HttpResponse:
    messages.add_message(request, level, message)
    url = reverse("inspection_detail", args=[inspection.pk])
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


@login_required
@require_GET
def site_search(request):
    """Active sites of the inspection's headquarters matching part of a name or address."""
    pk = parse_id(request.GET.get("inspection"))
    if pk is None:
        return HttpResponse(status=400)
    inspection = _inspection_or_403(request, pk)
    if not is_inspection_author(request.user, inspection):
        raise PermissionDenied
    query = request.GET.get("q", "")
    if not wants_partial(request, "site-results"):
        url = reverse("inspection_detail", args=[inspection.pk])
        return redirect(f"{url}?{request.GET.urlencode()}#sites") if query else redirect(url)
    context = {
        "inspection": inspection,
        "editable": inspection.is_draft,
        "query": query,
        "results": _site_results(inspection, query) if inspection.is_draft else [],
        "site_ids": set(inspection.sites.values_list("pk", flat=True)),
        "searched": True,
        "site_limit": SITE_RESULTS,
    }
    return render(request, f"{TEMPLATE}#site_results", context)


def _site_panel_response(request, inspection, *, selected=None, error: str = ""):
    if not wants_partial(request, "site-panel"):
        if error:
            messages.error(request, error)
        return redirect(reverse("inspection_detail", args=[inspection.pk]) + "#sites")
    context = _context(request, inspection, site_error=error)
    if selected is not None:
        context["selected_site"] = str(selected.pk)
    response = render(request, f"{TEMPLATE}#site_changed", context)
    return toast(response, error, "error") if error else response


@login_required
@require_POST
def inspection_add_site(request, pk):
    inspection, refusal = _editable_or_refusal(request, pk)
    if refusal:
        return refusal
    site_id = parse_id(request.POST.get("site"))
    if site_id is None:
        raise Http404
    site = get_object_or_404(
        Site.objects.filter(headquarters=inspection.headquarters_id), pk=site_id
    )
    try:
        services.add_site(inspection=inspection, site=site)
    except services.AlreadySubmitted as error:
        return _back_to_record(request, inspection, error.message)
    except services.InspectionError as error:
        return _site_panel_response(request, inspection, error=error.message)
    return _site_panel_response(request, inspection, selected=site)


@login_required
@require_POST
def inspection_remove_site(request, pk, site_pk):
    inspection, refusal = _editable_or_refusal(request, pk)
    if refusal:
        return refusal
    site = get_object_or_404(inspection.sites.all(), pk=site_pk)
    try:
        services.remove_site(inspection=inspection, site=site)
    except services.AlreadySubmitted as error:
        return _back_to_record(request, inspection, error.message)
    except services.InspectionError as error:
        return _site_panel_response(request, inspection, error=error.message)
    return _site_panel_response(request, inspection)


@login_required
@require_POST
def inspection_add_problem(request, pk):
    """Save one problem now; answer with a fresh form and the updated list."""
    inspection, refusal = _editable_or_refusal(request, pk)
    if refusal:
        return refusal
    partial = wants_partial(request, "problem-form")
    token = token_from(request.POST)
    # A replay of a form that already went through (double tap, resend after a timeout).
    problem = token and Problem.objects.filter(client_token=token).first()
    form = ProblemForm(request.POST, request.FILES, inspection=inspection)
    if not problem and form.is_valid():
        try:
            problem, _created = workflow.report_problem(
                by=request.user, inspection=inspection, **form.report_kwargs()
            )
        except ValidationError as error:
            form.add_error(None, error)
        except workflow.NotAllowed as error:
            form.add_error(None, error.message)
    if not problem:
        if partial:
            context = _context(request, inspection, problem_form=form)
            return render(request, f"{TEMPLATE}#problem_form", context)
        return render(request, TEMPLATE, _context(request, inspection, problem_form=form))

    message = _("已添加问题 %(number)s（%(category)s）。") % {
        "number": problem.number,
        "category": problem.category,
    }
    item_id = parse_id(request.POST.get("checklist_item"))
    if item_id is not None:
        checklist_editor.link_problem(inspection, problem.site_id, item_id, problem.pk)
    if not partial:
        messages.success(request, message)
        return redirect(reverse("inspection_detail", args=[inspection.pk]) + "#problems")
    fresh = ProblemForm(
        inspection=inspection, initial={"site": problem.site_id, "client_token": new_token()}
    )
    context = _context(request, inspection, problem_form=fresh, added=problem)
    return toast(render(request, f"{TEMPLATE}#problem_added", context), message)


@login_required
@require_POST
def inspection_summary(request, pk):
    inspection, refusal = _editable_or_refusal(request, pk)
    if refusal:
        return refusal
    try:
        services.save_summary(inspection=inspection, summary=request.POST.get("summary", ""))
    except services.AlreadySubmitted as error:
        return _back_to_record(request, inspection, error.message)
    if not wants_partial(request, "closing-panel"):
        messages.success(request, _("小结已保存。"))
        return redirect(reverse("inspection_detail", args=[inspection.pk]) + "#closing")
    context = _context(request, inspection, summary_saved=True)
    return toast(render(request, f"{TEMPLATE}#closing_panel", context), _("小结已保存。"))


@login_required
@require_POST
def inspection_submit(request, pk):
    inspection = _inspection_or_403(request, pk)
    if not is_inspection_author(request.user, inspection):
        raise PermissionDenied
    if not inspection.is_draft:
        return _back_to_record(request, inspection, _("该督查已提交，无需重复提交。"))
    summary = request.POST.get("summary")
    try:
        marks = checklist_editor.draft_marks(inspection)
        services.submit_inspection(inspection, request.user, summary=summary, marks=marks)
    except services.AlreadySubmitted:
        return _back_to_record(request, inspection, _("该督查已提交，无需重复提交。"))
    except ValidationError as error:
        message = " ".join(error.messages)
        if not wants_partial(request, "closing-panel"):
            return _back_to_record(request, inspection, message, messages.ERROR)
        if summary is not None:
            inspection.summary = summary
        context = _context(request, inspection, submit_error=message)
        return toast(render(request, f"{TEMPLATE}#closing_panel", context), message, "error")
    count = inspection.problems.count()
    return _back_to_record(
        request,
        inspection,
        ngettext(
            "督查已提交，共记录 %(count)s 个问题。", "督查已提交，共记录 %(count)s 个问题。", count
        )
        % {"count": count},
        messages.SUCCESS,
    )


@login_required
@require_POST
def inspection_mark(request, pk):
    """合格 / 不合格 / 不适用 on one checklist item of one site, kept with the draft; answers
    with the checklist and its 得分率 (and, for 不合格, the problem form set for that item)."""
    inspection, refusal = _editable_or_refusal(request, pk)
    if refusal:
        return refusal
    site = get_object_or_404(inspection.sites.all(), pk=parse_id(request.POST.get("site")) or 0)
    sheet = next(iter(checklist_editor.sheets(inspection, [site], [])), None)
    items = {i.item.pk: i.item for i in sheet.items} if sheet else {}
    item = items.get(parse_id(request.POST.get("item")) or 0)
    result = request.POST.get("result", "")
    error = ""
    if item is None:
        error = _("该测评内容不属于这个点位的测评细则。")
    elif result not in (checklist_editor.PASS, checklist_editor.FAIL, checklist_editor.NA):
        error = _("测评结果只能是合格、不合格或不适用。")
    elif result == checklist_editor.NA and not item.na_allowed:
        error = _("「%(item)s」不能标为不适用。") % {"item": item.text}
    extra = {}
    if not error:
        checklist_editor.set_mark(inspection, site, item, result)
        if result == checklist_editor.FAIL:
            # The problem that shows it, asked for at once: this site, a category of the item.
            category = next(iter(item.categories.all()), None)
            extra["problem_form"] = ProblemForm(
                inspection=inspection,
                initial={"site": site.pk, "category": category and category.pk},
            )
            extra["for_item"] = item
    if not wants_partial(request, "checklist-panel"):
        if error:
            messages.error(request, error)
        anchor = "#add-problem" if extra.get("for_item") else f"#sheet-{site.pk}"
        url = reverse("inspection_detail", args=[inspection.pk])
        if extra.get("for_item"):
            url += f"?for_item={item.pk}&site={site.pk}"
        return redirect(url + anchor)
    context = _context(request, inspection, **extra)
    response = render(request, f"{TEMPLATE}#checklist_changed", context)
    return toast(response, error, "error") if error else response
