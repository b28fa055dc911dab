"""Compile the periodic reports (SPEC §5), for cron or a systemd timer.

With no options it does what the schedule needs: on Mondays last week's 每周巡报, on the 1st
last month's 每月通报 (``Period.last_ended``); run it daily, e.g.

    30 6 * * *  cd /srv/civility && .venv/bin/python manage.py compile_reports

Running it twice, or on two servers at once, updates the period's one draft
(``compile.compile_report`` is idempotent) and never touches a published report.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from civility.core.periods import MONTH, Period
from civility.org.models import Headquarters
from civility.reports import compile as compiling
from civility.reports import facts
from civility.reports.models import Report

WEEKLY, MONTHLY = Report.Kind.WEEKLY, Report.Kind.MONTHLY


class Command(BaseCommand):
    help = "生成每周巡报、每月通报草稿（周一生成上周巡报，每月1日生成上月通报；已发布的不会改动）"

    def add_arguments(self, parser):
        parser.add_argument("--weekly", action="store_true", help="只处理每周巡报")
        parser.add_argument("--monthly", action="store_true", help="只处理每月通报")
        parser.add_argument(
            "--period", help="指定期间：2026-W47（巡报）或 2026-11（通报），不受日期限制"
        )
        parser.add_argument("--headquarters", help="指挥部的问题编号前缀，例如 HL；默认全部")
        parser.add_argument(
            "--force", action="store_true", help="不论今天是否周一或1日，都生成上一期"
        )
        parser.add_argument(
            "--date", type=date.fromisoformat, help="按这一天计算“上一期”（YYYY-MM-DD，补生成用）"
        )

    def handle(self, *args, **options):
        today = options["date"] or timezone.localdate()
        headquarters = self._headquarters(options["headquarters"])
        jobs = self._jobs(options, today)
        for hq in headquarters:
            for kind, period in jobs:
                self._compile(hq, kind, period)

    def _headquarters(self, code: str | None) -> list[Headquarters]:
        qs = Headquarters.objects.order_by("id")
        if code:
            qs = qs.filter(code=code)
            if not qs.exists():
                raise CommandError(f"没有问题编号前缀为 {code} 的指挥部。")
        return list(qs)

    def _jobs(self, options, today: date) -> list[tuple[str, Period]]:
        """(kind, period) pairs to compile."""
        period = options["period"]
        if period:
            kind = WEEKLY if "W" in period else MONTHLY
            if (kind == WEEKLY and options["monthly"]) or (kind == MONTHLY and options["weekly"]):
                raise CommandError(f"期间 {period} 与 --weekly/--monthly 不一致。")
            try:
                return [(kind, compiling.report_period(kind, period))]
            except ValueError:
                raise CommandError(
                    f"期间格式不正确：{period}（应为 2026-W47 或 2026-11）。"
                ) from None
        kinds = [k for k, flag in ((WEEKLY, "weekly"), (MONTHLY, "monthly")) if options[flag]]
        kinds = kinds or [WEEKLY, MONTHLY]
        jobs = []
        for kind in kinds:
            # Due on the first day of a week or month: Mondays, the 1st.
            current = Period.current(Report.Kind(kind).period_kind, today)
            if current.first == today or options["force"]:
                jobs.append((kind, current.previous()))
            elif options["verbosity"] >= 1:
                when = "周一" if kind == WEEKLY else "每月1日"
                label = Report.Kind(kind).label
                self.stdout.write(f"今天不是{when}，不生成{label}（可用 --force 强制生成）。")
        return jobs

    def _compile(self, hq: Headquarters, kind: str, period: Period) -> None:
        label = Report.Kind(kind).label
        had_draft = Report.objects.filter(
            headquarters=hq, kind=kind, period=str(period), status=Report.Status.DRAFT
        ).exists()
        if period.kind == MONTH:  # the month's stored facts counted again before compiling
            facts.refresh(hq, period)
        try:
            report, changed = compiling.compile_report(hq, kind, period)
        except compiling.ReportError as error:
            self.stderr.write(f"{hq.name} {label} {period}：{error.message}")
            return
        if not changed:
            self.stdout.write(
                f"已发布，未改动：{hq.name} {label} {period} {report.number} {report.title}"
            )
        elif had_draft:
            self.stdout.write(f"已更新草稿：{hq.name} {label} {period} {report.title}")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"已生成草稿：{hq.name} {label} {period} {report.title}")
            )
