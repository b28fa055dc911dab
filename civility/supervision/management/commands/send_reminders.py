"""``manage.py send_reminders``: 明日到期 and 逾期 reminders, once per person and problem.

Run it from cron/systemd (e.g. every 15 minutes), or keep it running with ``--loop``. Running it
twice, or on two servers at once, sends nothing twice.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from civility.supervision.problems.reminders import send_due_reminders, summary


class Command(BaseCommand):
    help = "发送整改到期提醒（24 小时内到期）和逾期提醒；重复运行不会重复提醒。"

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="运行一次后退出（默认）")
        mode.add_argument("--loop", action="store_true", help="持续运行，每 --interval 秒检查一次")
        parser.add_argument(
            "--interval",
            type=int,
            default=900,
            metavar="SECONDS",
            help="--loop 时两次检查的间隔秒数（默认 900）",
        )

    def handle(self, *args, once: bool, loop: bool, interval: int, **options):
        if interval < 1:
            raise CommandError("--interval 必须是正整数。")
        if not loop:
            self.stdout.write(summary(send_due_reminders()))
            return
        try:
            while True:
                # A long-running loop must not keep a connection the server has dropped, and one
                # failed round (database restarting) must not end the loop.
                close_old_connections()
                try:
                    self.stdout.write(summary(send_due_reminders()))
                except DatabaseError as error:
                    self.stderr.write(f"本轮提醒失败，{interval} 秒后重试：{error}")
                self.stdout.flush()
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("已停止。")
