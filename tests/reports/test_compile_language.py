"""A report's data is stored: compiled by someone using the English pages, its labels are still
the site's (Chinese) ones."""

import re

import pytest
from django.utils import translation

from civility.reports import compile as reports
from civility.reports.models import Report

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_compile_in_english_stores_chinese_labels(march):
    with translation.override("en"):
        report, _ = reports.compile_report(march["hq"], Report.Kind.MONTHLY, "2026-03")
    data = Report.objects.get(pk=report.pk).data
    assert [r["label"] for r in data["rankings"]] == ["街道", "社区", "区直部门"]
    listed = data["red_list"] + data["black_list"]
    assert listed, "the fixture month lists some units"
    assert {r["kind"] for r in listed} <= {"街道", "社区", "区直部门"}
    assert {r["status"] for r in data["problems"]} == {"待交办", "待整改", "已销号"}
    # Reasons are composed in the site's language too (总分…、按期办结率…、…第N名).
    reasons = [reason for r in listed for reason in r["reasons"]]
    assert reasons and all(CJK.search(reason) for reason in reasons)
    assert not any(word in reason for reason in reasons for word in ("Street", "rank", "Total"))
