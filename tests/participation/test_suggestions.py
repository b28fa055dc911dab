"""The suggestion state machine (participation/suggestions.py): a suggestion's whole life with
the events and notifications each step writes, refusals that change nothing, and races."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civility.core.errors import NotAllowed
from civility.org.models import ProblemCategory
from civility.participation import suggestions
from civility.participation.models import Suggestion, SuggestionEvent
from civility.participation.suggestions import Action, ProblemDraft
from civility.supervision.notifications.models import Notification
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Photo, Problem
from tests.factories import photo

pytestmark = pytest.mark.django_db
S = Suggestion.Status
W = workflow.Action


def notes_of(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, kind="suggestion")
        .order_by("id")
        .values_list("text", flat=True)
    )


def close_problem(problem, *, secretariat, liaison, inspector, unit=None):
    if problem.status == Problem.Status.REPORTED:
        problem = workflow.perform(problem, W.ASSIGN, by=secretariat, unit=unit or liaison.unit)
    problem = workflow.perform(problem, W.SUBMIT, by=liaison, note="已整改", photos=[photo()])
    return workflow.perform(problem, W.APPROVE, by=inspector)


@pytest.fixture
def submitted(hq, representative, secretariat, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        suggestion, created = suggestions.submit(
            by=representative,
            headquarters=hq,
            category=Suggestion.Category.ENVIRONMENT,
            text="湖里大道公交站旁垃圾桶满溢，建议增加清运频次。",
            site=site,
            photos=[photo("red")],
        )
    assert created
    return suggestion


def test_suggestion_full_life_writes_events_and_notifications(
    submitted,
    site,
    street,
    department,
    secretariat,
    representative,
    liaison,
    other_liaison,
    inspector,
    django_capture_on_commit_callbacks,
):
    suggestion = submitted
    assert suggestion.number.startswith("HL-JY-")
    assert suggestion.status == S.PENDING
    assert suggestion.photos.count() == 1
    assert notes_of(secretariat) == [
        f"收到代表建议 {suggestion.number}（t_representative）："
        "湖里大道公交站旁垃圾桶满溢，建议增加清运频次。"
    ]

    # 转为问题: two problems, one handed to the street at once, one left 待交办.
    category = ProblemCategory.objects.get(name="暴露垃圾")
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = suggestions.convert(
            suggestion,
            [
                ProblemDraft(site, category, "公交站旁垃圾桶满溢", unit=street),
                ProblemDraft(site, category, "站台周边卫生死角", with_photos=False),
            ],
            by=secretariat,
        )
    assert suggestion.status == S.CONVERTED
    first, second = suggestion.problems.order_by("id")
    assert (first.status, second.status) == (Problem.Status.ASSIGNED, Problem.Status.REPORTED)
    assert {first.source, second.source} == {Problem.Source.SUGGESTION}
    assert Photo.objects.filter(problem=first, kind=Photo.Kind.BEFORE).count() == 1
    assert Photo.objects.filter(problem=second).count() == 0
    label = f"{suggestion.number}（湖里大道公交站旁垃圾桶满溢，建议增加清运频次。）"
    assert notes_of(representative) == [
        f"您的建议 {label} 已转为问题交办：{first.number}、{second.number}，可随时查看整改进展。"
    ]

    # The first problem closed: the suggestion still waits for the second.
    with django_capture_on_commit_callbacks(execute=True):
        close_problem(first, secretariat=secretariat, liaison=liaison, inspector=inspector)
    suggestion.refresh_from_db()
    assert suggestion.status == S.CONVERTED
    # The second closed too: 已办结, by the system, in the same moment as the problem.
    with django_capture_on_commit_callbacks(execute=True):
        second = close_problem(
            second, secretariat=secretariat, liaison=liaison, inspector=inspector
        )
    suggestion.refresh_from_db()
    assert suggestion.status == S.CLOSED
    assert suggestion.closed_at == second.closed_at
    close = suggestion.events.get(action=Action.CLOSE)
    assert (close.actor, close.from_status, close.to_status) == (None, S.CONVERTED, S.CLOSED)
    assert notes_of(representative)[-1] == (
        f"您的建议 {label} 转办的问题已全部办结，请评价办理结果。"
    )

    # 不满意: back to the secretariat, who is told why.
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = suggestions.perform(
            suggestion, Action.RATE_UNSATISFIED, by=representative, note="垃圾桶仍然不够"
        )
    assert (suggestion.status, suggestion.rating, suggestion.returned_count) == (
        S.PENDING,
        Suggestion.Rating.UNSATISFIED,
        1,
    )
    assert notes_of(secretariat)[-1] == (
        f"代表对建议 {label} 的办理不满意，已退回重新办理：垃圾桶仍然不够"
    )

    # 交办答复 to the department, with a deadline.
    deadline = timezone.localdate() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = suggestions.perform(
            suggestion, Action.ASSIGN, by=secretariat, unit=department, deadline=deadline
        )
    assert (suggestion.status, suggestion.unit, suggestion.reply_deadline, suggestion.rating) == (
        S.ASSIGNED,
        department,
        deadline,
        "",
    )
    assert notes_of(other_liaison) == [
        f"代表建议 {label} 交由贵单位答复，请于 {deadline:%Y-%m-%d} 前答复。"
    ]
    assert notes_of(representative)[-1] == f"您的建议 {label} 已交 {department.name} 办理答复。"
    assert notes_of(liaison) == []  # the street's liaison has nothing to answer

    # The department's liaison replies.
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = suggestions.perform(
            suggestion, Action.REPLY, by=other_liaison, note="已增设两个垃圾桶，每日清运三次。"
        )
    assert (suggestion.status, suggestion.reply, suggestion.replied_by) == (
        S.REPLIED,
        "已增设两个垃圾桶，每日清运三次。",
        other_liaison,
    )
    reply = suggestion.events.get(action=Action.REPLY)
    assert reply.data == {"deadline": deadline.isoformat(), "on_time": True}
    assert notes_of(representative)[-1] == (
        f"您的建议 {label} 已由 {department.name} 答复，请评价办理结果。"
    )
    assert notes_of(secretariat)[-1] == f"建议 {label} 已由 {department.name} 答复。"

    # 满意: final.
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = suggestions.perform(suggestion, Action.RATE_SATISFIED, by=representative)
    assert (suggestion.status, suggestion.rating) == (S.REPLIED, Suggestion.Rating.SATISFIED)
    assert suggestions.available_actions(representative, suggestion) == []
    assert notes_of(other_liaison)[-1] == f"代表对建议 {label} 的办理评价：满意。"

    trail = list(suggestion.events.values_list("action", "from_status", "to_status", "actor"))
    assert trail == [
        (Action.SUBMIT, "", S.PENDING, representative.pk),
        (Action.CONVERT, S.PENDING, S.CONVERTED, secretariat.pk),
        (Action.CLOSE, S.CONVERTED, S.CLOSED, None),
        (Action.RATE_UNSATISFIED, S.CLOSED, S.PENDING, representative.pk),
        (Action.ASSIGN, S.PENDING, S.ASSIGNED, secretariat.pk),
        (Action.REPLY, S.ASSIGNED, S.REPLIED, other_liaison.pk),
        (Action.RATE_SATISFIED, S.REPLIED, S.REPLIED, representative.pk),
    ]


def test_suggestion_actions_refuse_the_wrong_person_and_change_nothing(
    submitted, secretariat, leader, liaison, representative, department
):
    deadline = timezone.localdate() + timedelta(days=5)
    for person in (leader, liaison, representative):
        with pytest.raises(NotAllowed):
            suggestions.perform(
                submitted, Action.ASSIGN, by=person, unit=department, deadline=deadline
            )
    with pytest.raises(NotAllowed):  # only the system closes
        suggestions.perform(submitted, Action.CLOSE, by=secretariat)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.version) == (S.PENDING, 0)
    assert SuggestionEvent.objects.filter(suggestion=submitted).count() == 1


def test_suggestion_bad_input_is_refused_in_chinese(submitted, secretariat, department):
    with pytest.raises(ValidationError) as error:
        suggestions.perform(
            submitted,
            Action.ASSIGN,
            by=secretariat,
            unit=department,
            deadline=timezone.localdate() - timedelta(days=1),
        )
    assert error.value.message_dict == {"deadline": ["答复期限不能早于今天。"]}
    with pytest.raises(ValidationError) as error:
        suggestions.perform(submitted, Action.ANSWER, by=secretariat, note="  ")
    assert error.value.message_dict == {"note": ["请填写答复内容。"]}
    submitted.refresh_from_db()
    assert submitted.status == S.PENDING


def test_suggestion_two_secretaries_at_once_one_wins(submitted, secretariat, department):
    stale = Suggestion.objects.get(pk=submitted.pk)
    suggestions.perform(submitted, Action.ANSWER, by=secretariat, note="已纳入年度计划。")
    with pytest.raises(suggestions.Conflict) as error:
        suggestions.perform(
            stale,
            Action.ASSIGN,
            by=secretariat,
            unit=department,
            deadline=timezone.localdate() + timedelta(days=3),
        )
    assert error.value.message == "已被他人处理：该建议当前状态为「已答复」。"
    assert submitted.events.count() == 2


def test_suggestion_submitted_twice_with_one_token_is_one(hq, representative):
    token = "6b1f0c5e-3c3a-4d1e-9a57-9f8d1f2a0b11"
    kwargs = dict(by=representative, headquarters=hq, category="traffic", text="路口缺少斑马线")
    first, created = suggestions.submit(client_token=token, **kwargs)
    again, created_again = suggestions.submit(client_token=token, **kwargs)
    assert (created, created_again, again.pk) == (True, False, first.pk)


def test_suggestion_only_representatives_submit(hq, secretariat):
    with pytest.raises(NotAllowed):
        suggestions.submit(by=secretariat, headquarters=hq, category="traffic", text="x")
    assert Suggestion.objects.count() == 0


def test_convert_rolls_back_the_problems_when_the_suggestion_moved(submitted, site, secretariat):
    stale = Suggestion.objects.get(pk=submitted.pk)
    suggestions.perform(submitted, Action.ANSWER, by=secretariat, note="已答复")
    before = Problem.objects.count()
    category = ProblemCategory.objects.get(name="暴露垃圾")
    with pytest.raises(suggestions.Conflict):
        suggestions.convert(stale, [ProblemDraft(site, category, "垃圾")], by=secretariat)
    assert Problem.objects.count() == before


def test_voided_problem_counts_as_finished(
    submitted, site, secretariat, django_capture_on_commit_callbacks
):
    category = ProblemCategory.objects.get(name="暴露垃圾")
    suggestion = suggestions.convert(
        submitted, [ProblemDraft(site, category, "垃圾")], by=secretariat
    )
    problem = suggestion.problems.get()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(problem, W.VOID, by=secretariat, note="与已有问题重复")
    suggestion.refresh_from_db()
    assert suggestion.status == S.CLOSED


def test_the_suggestion_follows_its_problems_only_after_the_commit(
    submitted, site, secretariat, liaison, inspector, representative,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    category = ProblemCategory.objects.get(name="暴露垃圾")
    suggestion = suggestions.convert(
        submitted, [ProblemDraft(site, category, "垃圾", unit=liaison.unit)], by=secretariat
    )
    problem = suggestion.problems.get()
    problem = workflow.perform(problem, W.SUBMIT, by=liaison, note="已整改", photos=[photo()])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        closed = workflow.perform(problem, W.APPROVE, by=inspector)
    # Closed problem committed first; the suggestion is still 办理中 until the callback runs.
    assert Suggestion.objects.get(pk=suggestion.pk).status == S.CONVERTED
    follow = [c for c in callbacks if getattr(c, "__qualname__", "").startswith("problem_event")]
    assert len(follow) == 1
    follow[0]()
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.closed_at) == (S.CLOSED, closed.closed_at)
    assert notes_of(representative)[-1].endswith("转办的问题已全部办结，请评价办理结果。")
    # Running it again (a repair after a failure) changes nothing.
    assert suggestions.follow_problem(problem.pk) == []
    assert suggestion.events.filter(action=Action.CLOSE).count() == 1


def test_only_finishing_events_of_suggestion_problems_are_followed(
    submitted, site, secretariat, liaison, inspector, django_capture_on_commit_callbacks
):
    category = ProblemCategory.objects.get(name="暴露垃圾")
    suggestion = suggestions.convert(
        submitted, [ProblemDraft(site, category, "垃圾", unit=liaison.unit)], by=secretariat
    )
    problem = suggestion.problems.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        problem = workflow.perform(problem, W.SUBMIT, by=liaison, note="已整改", photos=[photo()])
    assert not [c for c in callbacks if "problem_event" in getattr(c, "__qualname__", "")]
    other, _ = workflow.report_problem(by=inspector, site=site, category=category, description="x")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.perform(other, W.VOID, by=secretariat, note="重复")
    assert not [c for c in callbacks if "problem_event" in getattr(c, "__qualname__", "")]
