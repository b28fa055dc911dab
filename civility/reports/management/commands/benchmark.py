"""Measure the pages and operations that matter at city scale against limits measured in the same
run, and say for each whether its goal (issue 11) is met.

    python manage.py seed_city            # once: 500,000 problems (or make demo for a small run)
    python manage.py benchmark            # in-process, one request at a time
    python manage.py benchmark --http     # through gunicorn with concurrent clients (loopback)

Each line: median and p95 in ms, the query count, the limit (a bare Django view for pages; for
compiling a month, the raw SQL of the whole document — the problems it can mention replayed as at
the month's end with their names and 回潮 links, the month's events and visits, the running drives
with their sub-drives, targets and figures replayed as at the end, the month's 建议意见 and
activities as at the end: see ``document_queries``; the raw SQL of the same aggregate for
scoring (``civility.reports.raw_limits``); the same rows through the same sheet writer for the
export, Pillow's bare decode+encode for the photo, an ideal queue of the measured service time
for the concurrent submits of ``--http``), the ratio p95/limit, the goal, and ``ok``
or ``SHORT``. The last line is ``goals met N/M``. It measures; it never fails on a number.
"""

import itertools
import os
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from civility.core import keyset, xlsx_stream
from civility.core.models import User
from civility.core.periods import MONTH, Period, local_midnight
from civility.core.warmup import freeze_heap, warm_up
from civility.org.models import Headquarters, ProblemCategory, Site, Unit
from civility.reports import annual, scoring
from civility.reports import benchmarking as bench
from civility.reports import compile as reports
from civility.reports.http_bench import run_http, run_submits
from civility.reports.raw_limits import raw_document, raw_month
from civility.supervision.drives.models import Drive
from civility.supervision.notifications.models import Notification
from civility.supervision.photos import process_upload
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Photo, Problem, ProblemEvent

PERSONAS = ("secretariat", "leader", "inspector", "liaison", "liaison2", "representative")
EXPORT_ROWS = 10_000
SUBMITS = 200  # concurrent 提交整改 with a photo (--http)
SUBMIT_PROBES = 5  # submitted one at a time first: one submit's service time
SUBMITS_LABEL = f"{SUBMITS} 个并发提交整改（带照片）"
SUBMITS_MARK = "【基准测试】"  # the problems made for it (deleted afterwards)


def deep_url(hq, page: int, per_page: int = 25) -> str:
    """A deep page as people reach it, by 下一页 from the page before: its link carries the
    keyset cursor of that page's last row (see civility.core.keyset)."""
    problems = Problem.objects.order_by("-reported_at", "-id")
    keys = keyset.keys_for(problems)
    before = (page - 1) * per_page
    last = problems.select_related(None)[before - 1 : before].first()
    if last is None:  # a list too short to have that page: the page by number
        return f"/problems/?page={page}"
    cursor = keyset.cursor_for(keys, last, keyset.AFTER)
    return f"/problems/?page={page}&cursor={cursor}"


class Command(BaseCommand):
    help = "测量主要页面和操作的耗时，并与同一次运行中测得的极限比较（问题 11 的目标）。"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=10, help="每项重复次数（默认 10）")
        parser.add_argument(
            "--http", action="store_true", help="通过 gunicorn 和并发客户端测量（仅本机回环地址）"
        )
        parser.add_argument("--workers", type=int, default=2, help="--http：gunicorn 进程数")
        parser.add_argument("--clients", type=int, default=8, help="--http：并发客户端数")
        parser.add_argument(
            "--only", default="", help="只测量标签中含有此文字的项目（逗号分隔多个）"
        )

    def handle(self, *args, repeat: int, http: bool, workers: int, clients: int, only, **kw):
        self.repeat = max(1, repeat)
        self.only = [w for w in only.split(",") if w]
        people = {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
        hq = Headquarters.objects.order_by("id").first()
        problem = Problem.objects.order_by("-id").first()
        if len(people) < len(PERSONAS) or hq is None or problem is None:
            raise CommandError("需要数据：请先运行 seed_city（或 make demo）。")
        self.write_context(hq)
        pages = self.pages(hq, problem)
        if http:
            wanted = [page for page in pages if self.wanted(page[0])]
            results = (
                run_http(wanted, people, workers=workers, clients=clients, out=self.stdout)
                if wanted
                else []
            )
            if self.wanted(SUBMITS_LABEL):
                results.append(self.http_submits(hq, people, workers))
                self.stdout.write(bench.line(results[-1]))
        else:
            with override_settings(ROOT_URLCONF="civility.reports.benchmarking"):
                results = self.in_process(pages, people, hq)
        self.stdout.write(bench.summary(results))

    def wanted(self, label: str) -> bool:
        return not self.only or any(word in label for word in self.only)

    def write_context(self, hq) -> None:
        total = Problem.objects.count()
        vendor = connection.vendor
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        self.stdout.write(f"{vendor}：问题 {total:,} 个；负载 {load}；每项 {self.repeat} 次")
        self.stdout.write(bench.HEADER)

    def pages(self, hq, problem) -> list[tuple]:
        street = Unit.objects.filter(headquarters=hq, kind=Unit.Kind.STREET).order_by("id").first()
        count = Problem.objects.filter(headquarters=hq).count()
        deep = max(2, min(2000, count // 25 - 1))
        site = problem.site.name
        list_goal, page_goal = bench.PROBLEM_LIST_GOAL_MS, bench.PAGE_GOAL_MS
        filtered = f"/problems/?street={street.pk}&status=assigned&sort=deadline&per_page=50"
        year = timezone.localdate().year
        drive = Drive.objects.filter(headquarters=hq, parent=None).order_by("-start_date").first()
        more = [
            ("专项行动列表", "secretariat", "/drives/", page_goal),
            *([("专项行动进度", "leader", f"/drives/{drive.pk}/", page_goal)] if drive else []),
            ("问责列表", "secretariat", "/accountability/", page_goal),
            ("荣誉列表", "secretariat", "/honours/", page_goal),
            ("建议列表（创建办）", "secretariat", "/suggestions/", page_goal),
            ("首页（代表）", "representative", "/", page_goal),
            ("活动列表", "secretariat", "/activities/", page_goal),
            ("预算", "secretariat", f"/budget/{year}/", page_goal),
            (f"年度考评页 {year - 1}", "leader", f"/rankings/annual/{year - 1}/", page_goal),
            ("单位页（街道）", "leader", f"/units/{street.pk}/", page_goal),
        ]
        return [
            ("首页（领导：仪表盘）", "leader", "/", page_goal),
            ("首页（联络员：待办）", "liaison", "/", page_goal),
            ("首页（督查员）", "inspector", "/", page_goal),
            ("督查列表", "secretariat", "/inspections/", page_goal),
            ("问题列表", "secretariat", "/problems/", list_goal),
            ("问题列表 街道+状态+排序 50/页", "secretariat", filtered, list_goal),
            (f"问题列表 深页（第{deep}页）", "secretariat", deep_url(hq, deep), list_goal),
            ("问题列表 联络员（街道）", "liaison", "/problems/", list_goal),
            ("问题列表 联络员（部门）", "liaison2", "/problems/", list_goal),
            ("问题列表 关键词搜索", "secretariat", f"/problems/?q={site}", list_goal),
            ("问题详情", "secretariat", f"/problems/{problem.number}/", page_goal),
            ("点评列表", "secretariat", "/commentary/", page_goal),
            ("责任分解", "secretariat", "/assignments/", page_goal),
            ("组织架构", "secretariat", "/org/", page_goal),
            ("考评排名", "leader", "/rankings/", page_goal),
            *more,
        ]

    def in_process(self, pages, people, hq) -> list:
        clients = {}
        for name, user in people.items():
            clients[name] = Client(HTTP_HOST="localhost")
            clients[name].force_login(user)
        # Measured as a server worker runs (wsgi.py): warmed up, its start-up heap frozen.
        warm_up()
        freeze_heap()
        results = []

        def emit(result) -> None:
            results.append(result)
            self.stdout.write(bench.line(result))
            self.stdout.flush()

        bare = bench.measure(lambda: self.get(clients["secretariat"], bench.BARE_URL), self.repeat)
        for label, persona, url, goal in pages:
            if self.wanted(label):
                timing = bench.measure(
                    lambda c=clients[persona], u=url: self.get(c, u), self.repeat
                )
                emit(bench.page_result(label, timing, bare, goal))
        for result in self.operations(hq, clients["secretariat"]):
            emit(result)
        return results

    def operations(self, hq, client):
        today = timezone.localdate()
        month = Period.current(MONTH, today).previous()
        year = Period.current(MONTH, today).previous().year
        year_start, year_end = local_midnight(today.replace(month=1, day=1)), month.end
        raw = bench.measure(lambda: raw_month(hq, month.start, month.end), self.repeat)
        raw_year = bench.measure(lambda: raw_month(hq, year_start, year_end), self.repeat)
        label = f"生成月报 {month}"
        document = (
            bench.measure(lambda: raw_document(hq, month), max(3, self.repeat // 3))
            if self.wanted(label)
            else raw
        )
        operations = [
            (label, lambda: reports.monthly_data(hq, month), document),
            (
                f"月度考评 {month}",
                lambda: scoring.monthly_scores(hq, month.year, month.number),
                raw,
            ),
            (f"年度考评 {year}", lambda: annual.annual_assessment(hq, year), raw_year),
        ]
        for label, function, limit in operations:
            if self.wanted(label):
                timing = bench.measure(function, max(3, self.repeat // 3))
                yield bench.ratio_result(label, timing, limit, bench.COMPILE_GOAL_RATIO)
        label = f"导出 xlsx {EXPORT_ROWS:,} 个问题"
        if self.wanted(label):
            yield self.export(client, label)
        label = "手机照片上传处理（12MP）"
        if self.wanted(label):
            data = bench.phone_photo()
            limit = bench.measure(lambda: bench.pillow_limit(data), self.repeat)
            timing = bench.measure(
                lambda: process_upload(SimpleUploadedFile("p.jpg", data, "image/jpeg")),
                self.repeat,
            )
            yield bench.ratio_result(label, timing, limit, bench.PHOTO_GOAL_RATIO)

    def export(self, client, label):
        """The problem list's xlsx of the newest EXPORT_ROWS problems (a date filter), against
        the same rows read with one query and written by the same sheet writer: as many
        columns, the times as local wall-clock time, nothing of the table's Python per cell."""
        newest = Problem.objects.order_by("-reported_at").values_list("reported_at", flat=True)
        first = newest[EXPORT_ROWS - 1 : EXPORT_ROWS].first() or newest.last()
        day = timezone.localtime(first).date()
        rows = Problem.objects.filter(reported_at__gte=local_midnight(day))
        fields = (
            "number", "site__name", "category__name", "primary_unit__name", "status",
            "deadline", "reported_at", "status", "site__street__name", "description", "source",
            "deduction", "escalation_level", "rework_count", "closed_at",
        )  # fmt: skip

        def limit() -> None:
            values = rows.values_list(*fields).iterator(chunk_size=2000)
            for _chunk in xlsx_stream.xlsx_chunks("limit", itertools.chain([fields], values)):
                pass

        url = f"/problems/?date_from={day:%Y-%m-%d}&_export=xlsx"
        repeat = max(2, self.repeat // 5)
        floor = bench.measure(limit, repeat)
        timing = bench.measure(lambda: self.get(client, url, stream=True), repeat)
        return bench.absolute_result(label, timing, floor, bench.EXPORT_GOAL_MS)

    def http_submits(self, hq, people, workers: int):
        """200 liaisons' 提交整改 at once, each with a phone photo as the browser sends it
        (photo-resize.js: 1600 px, JPEG 0.85), on problems made for it and deleted after."""
        liaison = people["liaison"]
        site = (
            Site.objects.filter(headquarters=hq, default_unit=liaison.unit).first()
            or Site.objects.filter(headquarters=hq).first()
        )
        category = ProblemCategory.objects.order_by("id").first()
        deadline = timezone.now() + timedelta(days=7)
        made = []
        try:
            for n in range(SUBMITS + SUBMIT_PROBES):
                problem, _ = workflow.report_problem(
                    by=people["secretariat"],
                    site=site,
                    category=category,
                    description=f"{SUBMITS_MARK} {n + 1}",
                    source=Problem.Source.INSPECTION,
                )
                made.append(problem.pk)
                workflow.perform(
                    problem,
                    workflow.Action.ASSIGN,
                    by=people["secretariat"],
                    unit=liaison.unit,
                    deadline=deadline,
                    notify=False,
                )
            forms = [
                (
                    f"/problems/{number}/act/submit/",
                    {"note": "已整改（基准测试）", "version": version},
                )
                for number, version in Problem.objects.filter(pk__in=made)
                .order_by("pk")
                .values_list("number", "version")
            ]
            result = run_submits(
                SUBMITS_LABEL,
                forms[SUBMIT_PROBES:],
                forms[:SUBMIT_PROBES],
                liaison,
                bench.browser_photo(bench.phone_photo()),
                workers=workers,
            )
            stored = (
                Problem.objects.filter(
                    pk__in=made, status=Problem.Status.SUBMITTED, photos__kind=Photo.Kind.AFTER
                )
                .distinct()
                .count()
            )
            lost = len(made) - stored
            if lost:
                result.met = False
                result.goal += f" 丢失{lost}"
            return result
        finally:
            # The rows made for it go again (events are append-only for the app, not here).
            urls = [
                reverse("problem_detail", args=[n])
                for n in Problem.objects.filter(pk__in=made).values_list("number", flat=True)
            ]
            Notification.objects.filter(url__in=urls).delete()
            Photo.objects.filter(problem__in=made).delete()
            ProblemEvent.objects.filter(problem__in=made).delete()
            Problem.objects.filter(pk__in=made).delete()

    def get(self, client, url: str, *, stream: bool = False) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} 返回 {response.status_code}")
        if getattr(response, "streaming", False):
            for _chunk in response.streaming_content:
                pass
