"""The supervision admin: every page opens, the admin actions go through the workflow, and
nothing the workflow keeps (status, audit trail) can be written from here."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator

from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.inspections.models import Inspection, InspectionPlan, InspectionTeam
from civility.supervision.notifications import services as notifications
from civility.supervision.notifications.models import Notification
from civility.supervision.problems.models import (
    Action,
    Drive,
    ExtensionRequest,
    Photo,
    Problem,
    ProblemEvent,
    Sequence,
)
from tests.conftest import client_for
from tests.factories import new_problem, problem_in

S = Problem.Status
SUPERVISION_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "supervision"),
    key=lambda model: model._meta.label,
)
MODEL_IDS = [model._meta.label for model in SUPERVISION_MODELS]
ASSIGNED_ONCE = {"assigned", "pending_extension", "submitted", "closed"}  # to the liaison's street


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def rows(hq, site, secretariat, leader, inspector, liaison, superuser):
    """A problem in every state (through the workflow), an inspection, a drive, a commentary
    with a receipt, and a notification."""
    team = InspectionTeam.objects.filter(headquarters=hq).first() or InspectionTeam.objects.create(
        headquarters=hq, name="创建办督查组", kind=InspectionTeam.Kind.OFFICE
    )
    team.members.add(inspector)
    inspection = Inspection.objects.create(
        headquarters=hq,
        team=team,
        street=site.street,
        created_by=inspector,
        status=Inspection.Status.SUBMITTED,
        submitted_at=timezone.now(),
        summary="例行督查",
    )
    inspection.sites.add(site)
    people = dict(secretariat=secretariat, liaison=liaison, inspector=inspector, site=site)
    problems = {
        state: problem_in(state, **people)
        for state in ("reported", "assigned", "pending_extension", "submitted", "closed", "void")
    }
    Problem.objects.filter(pk=problems["reported"].pk).update(inspection=inspection)
    today = timezone.localdate()
    Drive.objects.create(
        headquarters=hq, name="百日大会战", start_date=today, end_date=today + timedelta(days=100)
    )
    plan = InspectionPlan.objects.create(
        headquarters=hq, team=team, date=today + timedelta(days=7), street=site.street
    )
    plan.sites.add(site)
    commentary = Commentary.objects.create(
        headquarters=hq,
        kind=Commentary.Kind.WRITTEN,
        tone=Commentary.Tone.CRITICISM,
        author=leader,
        title="占道经营问题整改不力",
        text="请于5日内回复整改措施。",
        inspection=inspection,
    )
    CommentaryReceipt.objects.create(commentary=commentary, unit=liaison.unit)
    notifications.notify([liaison], Notification.Kind.ASSIGNED, "新交办问题", url="/problems/")
    return problems


@pytest.mark.parametrize("model", SUPERVISION_MODELS, ids=MODEL_IDS)
def test_supervision_changelist_opens_for_superuser(client, superuser, rows, model):
    client_for(client, superuser)
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"no {model._meta.label} row to show"
    assert admin_url(model, "change", obj.pk) in response.text
    response = client.get(admin_url(model, "change", obj.pk))
    assert f"<h2>{escape(Truncator(str(obj)).words(18))}</h2>" in response.text


def test_supervision_changelists_registered():
    assert set(SUPERVISION_MODELS) == {
        Commentary,
        Drive,
        ExtensionRequest,
        Inspection,
        InspectionPlan,
        InspectionTeam,
        Notification,
        Photo,
        Problem,
        ProblemEvent,
        Sequence,
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status__exact=reported", {"reported"}),
        ("due_state=overdue", {"assigned"}),
        ("due_state=closed_late", {"closed"}),
        (
            "primary_unit__kind__exact=street",
            {"assigned", "pending_extension", "submitted", "closed"},
        ),
        ("q=HL-", {"reported", "assigned", "pending_extension", "submitted", "closed", "void"}),
    ],
)
def test_problem_changelist_filters_select_those_problems(client, superuser, rows, query, expected):
    # 待整改 made overdue and 已销号 closed after its deadline.
    now = timezone.now()
    Problem.objects.filter(pk=rows["assigned"].pk).update(deadline=now - timedelta(hours=1))
    closed = rows["closed"]
    Problem.objects.filter(pk=closed.pk).update(deadline=closed.closed_at - timedelta(hours=1))
    client_for(client, superuser)
    response = client.get(admin_url(Problem, "changelist") + "?" + query)
    shown = {problem.number for problem in response.context["cl"].result_list}
    assert shown == {rows[state].number for state in expected}
    for number in shown:
        assert number in response.text


def test_problem_changelist_filters_by_status(client, superuser, rows):
    client_for(client, superuser)
    response = client.get(admin_url(Problem, "changelist") + "?status__exact=reported")
    assert rows["reported"].number in response.text
    assert rows["closed"].number not in response.text


def test_problem_changelist_bad_due_state_is_refused(client, superuser, rows):
    client_for(client, superuser)
    response = client.get(admin_url(Problem, "changelist") + "?due_state=nonsense")
    # The admin turns IncorrectLookupParameters into a redirect with ?e=1.
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_problem_change_form_shows_events_and_photos(client, superuser, rows):
    problem = rows["closed"]
    client_for(client, superuser)
    response = client.get(admin_url(Problem, "change", problem.pk))
    assert "流转记录" in response.text
    assert "复查通过" in response.text
    for photo in problem.photos.all():
        assert reverse("photo_thumb", args=[photo.pk]) in response.text


def test_problem_admin_assign_action_moves_reported_to_assigned(client, superuser, rows, site):
    reported, closed = rows["reported"], rows["closed"]
    client_for(client, superuser)
    response = client.post(
        admin_url(Problem, "changelist"),
        {"action": "assign_to_default_unit", "_selected_action": [reported.pk, closed.pk]},
        follow=True,
    )
    assert response.status_code == 200
    reported.refresh_from_db()
    assert reported.status == S.ASSIGNED
    assert reported.primary_unit == site.default_unit
    assert reported.deadline is not None
    event = reported.events.get(action=Action.ASSIGN)
    assert event.actor == superuser
    assert (event.from_status, event.to_status) == (S.REPORTED, S.ASSIGNED)
    closed.refresh_from_db()
    assert closed.status == S.CLOSED
    assert not closed.events.filter(action=Action.ASSIGN, actor=superuser).exists()
    text = response.text
    assert f"已交办 1 个问题：{reported.number}" in text
    assert "1 个问题未能交办" in text and closed.number in text


def test_problem_admin_escalate_action_goes_through_the_workflow(client, secretariat, rows):
    assigned, reported = rows["assigned"], rows["reported"]
    client_for(client, secretariat)
    response = client.post(
        admin_url(Problem, "changelist"),
        {"action": "escalate", "_selected_action": [assigned.pk, reported.pk]},
        follow=True,
    )
    assigned.refresh_from_db()
    assert assigned.escalation_level == 1
    assert assigned.status == S.ASSIGNED
    assert assigned.events.filter(action=Action.ESCALATE, actor=secretariat).count() == 1
    assert Problem.objects.get(pk=reported.pk).escalation_level == 0
    assert "已督办 1 个问题" in response.text
    assert "1 个问题未能督办" in response.text


def test_problem_admin_never_writes_status(client, superuser, rows):
    problem = rows["assigned"]
    client_for(client, superuser)
    url = admin_url(Problem, "change", problem.pk)
    form = client.get(url).context["adminform"].form
    assert "status" not in form.fields
    assert "deadline" not in form.fields and "primary_unit" not in form.fields
    data = {
        "source": problem.source,
        "description": "更正后的描述",
        "status": S.CLOSED,
        "deadline_0": "2000-01-01",
        "escalation_level": "9",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    after = Problem.objects.get(pk=problem.pk)
    assert after.description == "更正后的描述"
    assert (after.status, after.deadline, after.escalation_level) == (
        S.ASSIGNED,
        problem.deadline,
        0,
    )


def test_problem_admin_classification_editable_only_before_assignment(rf, superuser, rows):
    model_admin = admin.site._registry[Problem]
    request = rf.get("/")
    request.user = superuser
    assert "category" not in model_admin.get_readonly_fields(request, rows["reported"])
    assert "category" in model_admin.get_readonly_fields(request, rows["assigned"])


def test_problem_admin_cannot_add_or_delete(client, superuser, rows):
    client_for(client, superuser)
    assert client.get(admin_url(Problem, "add")).status_code == 403
    problem = rows["void"]
    assert client.get(admin_url(Problem, "delete", problem.pk)).status_code == 403
    assert Problem.objects.filter(pk=problem.pk).exists()


@pytest.mark.parametrize("model", [ProblemEvent, Photo, Sequence, ExtensionRequest])
def test_record_admin_has_no_add_change_or_delete(superuser, rows, model):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = superuser
    obj = model.objects.first()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert model_admin.has_view_permission(request, obj)


def test_problem_event_admin_refuses_add_and_delete_pages(client, superuser, rows):
    client_for(client, superuser)
    event = ProblemEvent.objects.first()
    assert client.get(admin_url(ProblemEvent, "add")).status_code == 403
    assert (
        client.post(admin_url(ProblemEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    )
    response = client.post(
        admin_url(ProblemEvent, "changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert ProblemEvent.objects.filter(pk=event.pk).exists()
    # No delete action is offered, so the post just shows the list again.
    assert response.status_code == 200
    assert "delete_selected" not in response.text


def test_photo_admin_shows_thumbnails(client, superuser, rows):
    client_for(client, superuser)
    response = client.get(admin_url(Photo, "changelist"))
    photo = Photo.objects.first()
    assert reverse("photo_thumb", args=[photo.pk]) in response.text


def test_commentary_admin_shows_receipts_inline(client, superuser, rows):
    commentary = Commentary.objects.get()
    client_for(client, superuser)
    response = client.get(admin_url(Commentary, "change", commentary.pk))
    assert "点评签收" in response.text
    assert commentary.receipts.get().unit.name in response.text
    listing = client.get(admin_url(Commentary, "changelist"))
    assert "0/1" in listing.text


def test_supervision_admin_secretariat_may_view(client, secretariat, rows):
    client_for(client, secretariat)
    problems = client.get(admin_url(Problem, "changelist")).text
    events = client.get(admin_url(ProblemEvent, "changelist")).text
    for problem in rows.values():
        assert problem.number in problems
    assert admin_url(ProblemEvent, "change", ProblemEvent.objects.first().pk) in events


def test_supervision_admin_refuses_non_staff(client, liaison, rows):
    client_for(client, liaison)
    response = client.get(admin_url(Problem, "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("model", [Problem, ProblemEvent, Inspection, Photo])
def test_supervision_changelist_queries_constant(client, superuser, rows, inspector, site, model):
    client_for(client, superuser)
    url = admin_url(model, "changelist")
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(3):
        new_problem(inspector, site)
    first = Inspection.objects.first()
    for _ in range(3):
        Inspection.objects.create(
            headquarters=first.headquarters,
            team=first.team,
            created_by=inspector,
            street=first.street,
        ).sites.add(site)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_problem_event_changelist_filters_by_action_in_chinese(client, superuser, rows):
    client_for(client, superuser)
    response = client.get(admin_url(ProblemEvent, "changelist") + "?action=void")
    assert response.status_code == 200
    assert "复查通过" in response.text  # the filter's choices are labelled, not codes
    assert response.context["cl"].result_count == 1
    assert rows["void"].number in response.text


def test_commentary_admin_keeps_signed_commentary(client, superuser, rows, liaison):
    commentary = Commentary.objects.get()
    client_for(client, superuser)
    confirm = client.get(admin_url(Commentary, "delete", commentary.pk)).text
    assert f'你确认想要删除 点评 "{commentary.title}"吗？' in confirm
    commentary.receipts.update(acknowledged_by=liaison, acknowledged_at=timezone.now())
    assert client.get(admin_url(Commentary, "delete", commentary.pk)).status_code == 403
