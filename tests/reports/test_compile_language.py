"""A report's data is stored: compiled by someone using the English pages, its labels are still
the site's (Chinese) ones."""

import pytest
from django.utils import translation

from civility.reports import compile as reports
from civility.reports.models import Report

pytestmark = pytest.mark.django_db


def test_compile_in_english_stores_chinese_labels(march):
    with translation.override("en"):
        report, _ = reports.compile_report(march["hq"], Report.Kind.MONTHLY, "2026-03")
    data = Report.objects.get(pk=report.pk).data
    assert [r["label"] for r in data["rankings"]] == ["街道", "社区", "区直部门"]
    assert [(r["unit"], r["kind"]) for r in data["red_list"]] == [("B", "街道"), ("A1", "社区")]
    assert {r["status"] for r in data["problems"]} == {"待交办", "待整改", "已销号"}
    assert data["red_list"][0]["reasons"] == ["街道前3名"]
