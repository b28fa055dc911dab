"""Time the main pages and computations against the current database and print the figures.

Run it on the demo data (``make demo`` first, or ``seed_demo``): ``python manage.py benchmark``.
It measures; it never fails on a number (speed is watched by people reading these figures, not by
timed assertions in tests).
"""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civility.core.models import User
from civility.core.periods import MONTH, Period
from civility.org.models import Headquarters
from civility.reports import annual, scoring
from civility.reports import compile as reports
from civility.reports.dashboard import dashboard_data
from civility.supervision.problems.models import Problem


class Command(BaseCommand):
    help = "测量主要页面和计算的耗时与查询次数。"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="每项重复次数（取中位数）")
        parser.add_argument("--user", default="secretariat", help="以此用户身份访问页面")

    def handle(self, *args, repeat: int, user: str, **options):

        person = User.objects.filter(username=user).first()
        hq = Headquarters.objects.order_by("id").first()
        problem = Problem.objects.order_by("-events__id").first()
        if person is None or hq is None or problem is None:
            raise CommandError("需要演示数据：请先运行 make demo（或 seed_demo）。")
        client = Client(HTTP_HOST="localhost")
        client.force_login(person)
        today = timezone.localdate()
        month = Period.current(MONTH, today)
        last_month = month.previous()
        closed = Problem.objects.filter(status=Problem.Status.CLOSED).count()
        page = max(1, min(3, (closed + 24) // 25))
        pages = [
            ("/", "首页（仪表盘）"),
            ("/problems/", "问题列表"),
            (f"/problems/?status=closed&page={page}", "问题列表（筛选+翻页）"),
            (f"/problems/{problem.number}/", "问题详情"),
            ("/inspections/", "督查列表"),
            ("/commentary/", "点评列表"),
            ("/assignments/", "责任分解"),
            ("/org/", "组织架构"),
            ("/rankings/", "考评排名"),
            ("/problems/?_export=xlsx", "问题导出 xlsx（全部）"),
        ]
        self.stdout.write(f"{pad('项目', 34)}{'中位耗时 ms':>12}{'查询':>8}")
        for url, label in pages:
            self.measure(label, repeat, lambda url=url: self.get(client, url))
        computations = [
            (
                "月度考评 monthly_scores（本月至今）",
                lambda: scoring.monthly_scores(hq, month.year, month.number),
            ),
            (
                f"月度考评 monthly_scores {last_month}",
                lambda: scoring.monthly_scores(hq, last_month.year, last_month.number),
            ),
            ("仪表盘数据 dashboard_data", lambda: dashboard_data(hq, today)),
            (
                f"生成月报 {last_month}",
                lambda: reports.monthly_data(hq, last_month),
            ),
            ("年度考评 annual_assessment", lambda: annual.annual_assessment(hq, today.year)),
        ]
        for label, function in computations:
            self.measure(label, repeat, function)

    def get(self, client, url):
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} 返回 {response.status_code}")

    def measure(self, label: str, repeat: int, function) -> None:
        timings, queries = [], 0
        for _ in range(repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                function()
                timings.append((time.perf_counter() - started) * 1000)
            queries = len(captured.captured_queries)
        self.stdout.write(f"{pad(label, 34)}{statistics.median(timings):>15.1f}{queries:>10}")


def pad(text: str, width: int) -> str:
    """Left-align counting CJK characters as two columns."""
    used = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return text + " " * max(0, width - used)
