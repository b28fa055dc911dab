"""The reports admin: rules and vetoes are edited there; reports are only looked at.

Report and ReportRead pages are exercised as a superuser: the role groups' permissions on those two
models come from a data migration that has not been added yet (reports/0002_roles ran before
0003_reports created them).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from civility.reports import compile as compiling
from civility.reports.models import Report, ReportRead, ScoringPolicy, Veto

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(march):
    report, _ = compiling.compile_report(march["hq"], "monthly", "2026-03")
    report.narrative = {**report.narrative, "requirements": "限期整改。<b>重点</b>"}
    report.save()
    report = compiling.publish(report, by=march["secretariat"])
    compiling.mark_read(report, march["leader"])
    return report


@pytest.mark.parametrize("model", ["scoringpolicy", "veto"])
def test_reports_admin_rules_and_vetoes_open_for_the_secretariat(client, secretariat, model):
    client.force_login(secretariat)
    response = client.get(reverse(f"admin:reports_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["scoringpolicy", "veto", "report", "reportread"])
def test_reports_admin_changelists_open(client, superuser, published, model):
    client.force_login(superuser)
    response = client.get(reverse(f"admin:reports_{model}_changelist"))
    assert response.status_code == 200


def test_reports_admin_denied_to_non_staff(client, leader):
    client.force_login(leader)
    response = client.get(reverse("admin:reports_report_changelist"))
    assert response.status_code == 302  # to the admin login


def test_reports_admin_veto_records_who_decided(client, secretariat, march):
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:reports_veto_add"),
        {"unit": march["u"]["D1"].pk, "year": 2026, "reason": "发生重大不文明事件"},
    )
    assert response.status_code == 302
    veto = Veto.objects.get()
    assert (veto.decided_by, veto.headquarters, veto.reason) == (
        secretariat,
        march["hq"],
        "发生重大不文明事件",
    )


def test_reports_admin_veto_refuses_duplicates_and_empty_reasons(client, secretariat, march):
    Veto.objects.create(
        headquarters=march["hq"],
        unit=march["u"]["D1"],
        year=2026,
        reason="原因",
        decided_by=march["secretariat"],
    )
    client.force_login(secretariat)
    url = reverse("admin:reports_veto_add")
    duplicate = client.post(url, {"unit": march["u"]["D1"].pk, "year": 2026, "reason": "再否"})
    assert duplicate.status_code == 200
    assert "D12026年已有一票否决记录。" in duplicate.content.decode()
    empty = client.post(url, {"unit": march["u"]["D2"].pk, "year": 2026, "reason": "  "})
    assert "请填写否决理由。" in empty.content.decode()
    assert Veto.objects.count() == 1


def test_reports_admin_veto_unit_autocomplete_finds_units(client, secretariat, march):
    client.force_login(secretariat)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "reports", "model_name": "veto", "field_name": "unit", "term": "D1"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["D1"]


def test_reports_admin_published_report_is_read_only(client, superuser, published):
    client.force_login(superuser)
    url = reverse("admin:reports_report_change", args=[published.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert published.number in html
    # The snapshot's narrative, shown read-only as paragraphs, its text escaped.
    assert "<p>限期整改。&lt;b&gt;重点&lt;/b&gt;</p>" in html
    assert 'name="title"' not in html
    before = (published.title, published.status, published.snapshot)
    response = client.post(url, {"title": "改过的标题", "status": "draft"})
    assert response.status_code == 403
    published.refresh_from_db()
    assert (published.title, published.status, published.snapshot) == before
    delete = client.post(
        reverse("admin:reports_report_delete", args=[published.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Report.objects.filter(pk=published.pk).exists()


def test_reports_admin_draft_edits_title_but_never_status_or_data(client, superuser, march):
    report, _ = compiling.compile_report(march["hq"], "monthly", "2026-03")
    client.force_login(superuser)
    url = reverse("admin:reports_report_change", args=[report.pk])
    html = client.get(url).content.decode()
    assert 'name="title"' in html and 'name="status"' not in html and 'name="data"' not in html
    data = report.data
    response = client.post(
        url,
        {
            "title": "关于2026年3月督查情况的通报（修改）",
            "addressees": "各街道",
            "status": "published",
            "number": "测创指〔2026〕99号",
            "data": "{}",
            "reads-TOTAL_FORMS": "0",
            "reads-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.title, report.addressees) == ("关于2026年3月督查情况的通报（修改）", "各街道")
    assert (report.status, report.number, report.data) == ("draft", "", data)


def test_reports_admin_cannot_add_reports_or_bulk_delete(client, superuser, published):
    client.force_login(superuser)
    assert client.get(reverse("admin:reports_report_add")).status_code == 403
    changelist = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_reports_admin_report_reads_are_read_only(client, superuser, published):
    read = ReportRead.objects.get()
    client.force_login(superuser)
    url = reverse("admin:reports_reportread_change", args=[read.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    assert client.get(reverse("admin:reports_reportread_add")).status_code == 403


def test_reports_admin_scoring_policy_weights_must_add_up(client, secretariat, march):
    client.force_login(secretariat)
    data = {
        "headquarters": march["hq"].pk,
        "year": 2026,
        "field_weight": "0.8",
        "rectification_weight": "0.1",
        "pairing_weight": "0.2",
        "excellent_min": "90",
        "good_min": "80",
        "pass_min": "60",
        "red_list_min": "90",
        "red_list_size": "3",
        "black_list_below": "75",
        "black_list_last_below": "90",
        "black_list_last_min_units": "5",
        "min_site_visits": "3",
        "min_problems_due": "3",
        "on_time_weight": "100",
        "rework_weight": "20",
        "escalation_weight": "30",
        "checklist_version": "",
        "annual_months_weight": "0.7",
        "annual_assignments_weight": "0.3",
        "min_assessed_months": "3",
    }
    url = reverse("admin:reports_scoringpolicy_add")
    response = client.post(url, data)
    assert "现场分权重与整改分权重之和应为 1。" in response.content.decode()
    assert not ScoringPolicy.objects.exists()
    response = client.post(url, {**data, "rectification_weight": "0.2"})
    assert response.status_code == 302
    assert ScoringPolicy.for_year(march["hq"], 2026).field_weight == Decimal("0.80")
