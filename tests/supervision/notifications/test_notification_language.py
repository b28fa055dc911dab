"""Notifications are stored: one sent by someone using the English pages is still written in the
site's language (its reader may use the Chinese pages), and the kind badge follows the reader."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from civility.supervision.notifications.models import Notification
from civility.supervision.problems import workflow
from tests.factories import problem_in, street_site

pytestmark = pytest.mark.django_db


def test_workflow_notice_sent_in_english_is_stored_in_chinese(
    secretariat, liaison, inspector, street, django_capture_on_commit_callbacks
):
    problem = problem_in(
        "pending_extension",
        secretariat=secretariat,
        liaison=liaison,
        inspector=inspector,
        site=street_site(street),
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        workflow.perform(problem, workflow.Action.APPROVE_EXTENSION, by=secretariat)
    notice = Notification.objects.get(user=liaison, kind=Notification.Kind.DECISION)
    assert notice.text == f"问题 {problem.number}（{problem.site}·{problem.category}）：批准延期。"


def test_notification_kind_badge_follows_the_readers_language(client, liaison):
    Notification.objects.create(
        user=liaison, kind=Notification.Kind.DECISION, text="问题：批准延期。"
    )
    client.force_login(liaison)
    chinese = client.get(reverse("notification_list")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("notification_list")).content.decode()
    assert '<span class="badge notice-decision">审批结果</span>' in chinese
    assert '<span class="badge notice-decision">Decision</span>' in english
    assert "问题：批准延期。" in english
