"""seed_demo's bulletins: every ended week's 巡报 and month's 通报 of the history, compiled and
published through the product's functions, numbered in order, read and signed, one 更正."""

import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from civility.core.periods import MONTH, WEEK, Period
from civility.core.roles import Role
from civility.org.models import Headquarters
from civility.reports.models import Report, ReportRead
from civility.supervision.inspections.models import Inspection
from civility.supervision.notifications.models import Notification
from tests.conftest import make_user

MONTHS = 5


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.getbasetemp() / "media"
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            call_command("demo_users", "--force", stdout=io.StringIO())
            out = io.StringIO()
            call_command(
                "seed_demo", "--force", "--problems", "80", "--months", str(MONTHS), stdout=out
            )
            yield out.getvalue()
            transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    return Headquarters.objects.get(code="HL")


def ended(kind: str, first) -> list[str]:
    now = timezone.now()
    period, periods = Period.of(first, kind), []
    while period.end <= now:
        periods.append(str(period))
        period = period.next()
    return periods


def test_every_ended_week_and_month_has_its_bulletin(seeded):
    first = Inspection.objects.filter(headquarters=seeded).order_by("date").first().date
    for kind, period_kind in ((Report.Kind.WEEKLY, WEEK), (Report.Kind.MONTHLY, MONTH)):
        have = set(
            Report.objects.filter(headquarters=seeded, kind=kind).values_list("period", flat=True)
        )
        assert have == set(ended(period_kind, first)), kind
    drafts = Report.objects.filter(headquarters=seeded, status=Report.Status.DRAFT)
    for draft in drafts:  # only a period whose publishing day has not come yet
        later = Report.objects.filter(
            headquarters=seeded, kind=draft.kind, period_start__gt=draft.period_start
        )
        assert not later.exists()


def test_document_numbers_run_in_order(seeded):
    by_year = defaultdict(list)
    for report in (
        Report.objects.filter(headquarters=seeded).exclude(sequence=None).order_by("published_at")
    ):
        by_year[(report.kind, report.year)].append(report.sequence)
    assert by_year
    for key, numbers in by_year.items():
        assert numbers == list(range(1, len(numbers) + 1)), key
    monthly = Report.objects.filter(headquarters=seeded, kind="monthly").exclude(number="").first()
    assert monthly.number.startswith(f"{seeded.doc_prefix}〔")


def test_one_monthly_bulletin_is_corrected(seeded):
    correction = Report.objects.get(headquarters=seeded, corrects__isnull=False)
    assert correction.kind == Report.Kind.MONTHLY
    assert correction.status == Report.Status.PUBLISHED
    assert correction.corrects.status == Report.Status.SUPERSEDED
    assert correction.snapshot["corrects"] == correction.corrects.number
    # Figures are taken at the month's end: the 更正 changes the text, not the numbers.
    assert (
        correction.snapshot["data"]["overview"] == correction.corrects.snapshot["data"]["overview"]
    )
    assert "更正" in correction.snapshot["narrative"]["overview"]


def test_bulletins_are_read_and_signed_older_ones_more(seeded):
    published = list(
        Report.objects.filter(headquarters=seeded, status=Report.Status.PUBLISHED).order_by(
            "published_at"
        )
    )
    reads = [ReportRead.objects.filter(report=r).count() for r in published]
    signed = ReportRead.objects.filter(report__in=published, signed_at__isnull=False)
    assert signed.exists() and signed.exclude(remark="").exists()
    assert reads[0] > reads[-1]
    for row in ReportRead.objects.filter(report__in=published).select_related("report")[:200]:
        assert row.read_at >= row.report.published_at
        assert row.signed_at is None or row.signed_at >= row.read_at
        assert row.read_at <= timezone.now()


def test_publishing_notices_are_stamped_when_published(seeded):
    notices = Notification.objects.filter(kind="report")
    assert notices.exists()
    assert notices.filter(created_at__lt=timezone.now() - timezone.timedelta(days=7)).exists()
    latest = notices.order_by("-created_at").first()
    assert latest.created_at <= timezone.now()


def test_a_leaders_first_visit_shows_the_bulletins(seeded, client):
    leader = make_user("z_leader", Role.LEADER)
    client.force_login(leader)
    response = client.get("/reports/monthly/")
    text = response.content.decode()
    published = Report.objects.filter(headquarters=seeded, kind="monthly", status="published")
    assert published.count() >= MONTHS - 2
    for report in published:
        assert report.number in text
    last = published.order_by("-period_start").first()
    page = client.get(f"/reports/monthly/{last.period}/")
    assert page.status_code == 200
    assert last.snapshot["title"] in page.content.decode()
