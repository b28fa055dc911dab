import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from civility.core.periods import MONTH, Period
from tests.factories import new_problem, street_site

pytestmark = pytest.mark.django_db

# A figures line: the label, the median time in ms, the number of queries.
FIGURES = re.compile(r"^(?P<label>.+?)\s+(?P<ms>\d+\.\d)\s+(?P<queries>\d+)$")
PAGES = [
    "首页（仪表盘）",
    "问题列表",
    "问题列表（筛选+翻页）",
    "问题详情",
    "督查列表",
    "点评列表",
    "责任分解",
    "组织架构",
    "考评排名",
    "问题导出 xlsx（全部）",
]


def test_benchmark_prints_time_and_queries_for_every_page_and_computation(
    secretariat, inspector, street
):
    new_problem(inspector, street_site(street))
    out = io.StringIO()
    call_command("benchmark", "--repeat", "1", "--user", secretariat.username, stdout=out)
    header, *lines = out.getvalue().splitlines()
    assert header.split() == ["项目", "中位耗时", "ms", "查询"]
    figures = [FIGURES.match(line) for line in lines]
    assert None not in figures, lines
    last_month = Period.current(MONTH, timezone.localdate()).previous()
    assert [match["label"] for match in figures] == [
        *PAGES,
        "月度考评 monthly_scores（本月至今）",
        f"月度考评 monthly_scores {last_month}",
        "仪表盘数据 dashboard_data",
        f"生成月报 {last_month}",
        "年度考评 annual_assessment",
    ]
    # Every page and computation ran some queries; times are measured, not judged.
    assert all(int(match["queries"]) > 0 for match in figures)
    assert all(float(match["ms"]) >= 0 for match in figures)
