"""Fill a headquarters with five years of a city-sized district (issue 11): ~593 units, ~3,455
sites, and by default 500,000 problems with their events, photo rows, inspections, commentary and
assignments, for measuring (``manage.py benchmark``). Deterministic for a seed and an end date.

Runs against any DATABASE_URL. Refuses a headquarters that already has problems, and refuses to
run with DEBUG off unless --force (it is test data).
"""

import random
import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from civility.demo.city import CityHistory, past_timestamps
from civility.demo.city_levers import seed_city_levers
from civility.demo.city_org import build_org
from civility.org.models import Headquarters
from civility.supervision.problems.models import Problem


class Command(BaseCommand):
    help = "生成城市规模的测试数据（默认 50 万个问题，五年），用于性能测量。"

    def add_arguments(self, parser):
        parser.add_argument("--problems", type=int, default=500_000, help="问题数量（默认 500000）")
        parser.add_argument("--seed", type=int, default=2008, help="随机种子（默认 2008）")
        parser.add_argument(
            "--until", type=date.fromisoformat, default=None, help="数据截止日期（默认今天）"
        )
        parser.add_argument(
            "--headquarters", default="HL", metavar="CODE", help="指挥部编号前缀（默认 HL）"
        )
        parser.add_argument(
            "--levers-only",
            action="store_true",
            help="只为已生成的指挥部补充专项行动、问责、荣誉和全民参与数据",
        )
        parser.add_argument(
            "--force", action="store_true", help="即使 DEBUG 关闭也生成（切勿用于生产环境）"
        )

    def handle(self, *args, problems, seed, until, headquarters, force, levers_only, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG 已关闭：seed_city 只用于测试环境（确需生成请加 --force）。")
        if problems < 1:
            raise CommandError("--problems 必须大于 0。")
        hq = Headquarters.objects.filter(code=headquarters).first()
        if hq is None:
            raise CommandError(f"找不到编号前缀为 {headquarters} 的指挥部：请先导入 fixtures。")
        started = time.monotonic()

        def say(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:7.1f}s] {message}")
            self.stdout.flush()

        if levers_only:
            seed_city_levers(hq, say)
            return
        if Problem.objects.filter(headquarters=hq).exists():
            raise CommandError(f"{hq} 已有问题数据：seed_city 只填充空的指挥部。")

        rng = random.Random(seed)
        org = build_org(hq, rng, say)
        if not org.inspectors or not org.secretariat:
            raise CommandError("需要督查员和创建办账号：请先运行 demo_users。")
        history = CityHistory(
            org, problems=problems, until=until or timezone.localdate(), seed=seed, say=say
        )
        with past_timestamps():
            history.run()
        written = "，".join(f"{name} {count:,}" for name, count in history.rows.written.items())
        say(f"完成：{written}")
        say("状态：" + "，".join(f"{s} {n:,}" for s, n in sorted(history.statuses.items())))
        seed_city_levers(hq, say)
