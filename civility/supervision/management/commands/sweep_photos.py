"""Remove photo files that no photo row refers to (left by a killed worker or a failed upload).

Every concrete model built on ``StoredPhoto`` counts (a problem's ``Photo``, participation's
``ParticipationPhoto``, ...): they all store their files under MEDIA_ROOT/photos.

Only files under MEDIA_ROOT/photos are considered, and only when they are older than
--older-than hours (default 24), so an upload whose transaction has not committed yet is never
touched. --dry-run lists what would be removed. Safe to run from cron, on any server.
"""

import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from civility.supervision.problems.models import StoredPhoto


class Command(BaseCommand):
    help = "删除没有任何照片记录引用、且早于指定时长的照片文件（MEDIA_ROOT/photos 下）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=24,
            metavar="HOURS",
            help="只删除早于这么多小时的文件（默认 24）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除")

    def handle(self, *args, older_than: float, dry_run: bool, **options):
        if older_than < 1:
            raise CommandError("--older-than 至少为 1 小时，以免删除正在上传的照片。")
        root = Path(settings.MEDIA_ROOT)
        folder = root / "photos"
        if not folder.is_dir():
            self.stdout.write("没有照片目录，无需清理。")
            return
        cutoff = time.time() - older_than * 3600
        candidates = []
        for path in folder.rglob("*"):
            if path.is_symlink() or not path.is_file():
                continue
            if path.stat().st_mtime < cutoff:
                candidates.append(path)
        # Read the references after listing the files: a row committed meanwhile still counts.
        referenced = set()
        for model in apps.get_models():
            if not issubclass(model, StoredPhoto):
                continue
            for image, thumbnail in model.objects.values_list("image", "thumbnail").iterator():
                referenced.update(name for name in (image, thumbnail) if name)
        removed = 0
        for path in candidates:
            name = path.relative_to(root).as_posix()
            if name in referenced:
                continue
            removed += 1
            if dry_run:
                self.stdout.write(f"将删除：{name}")
            else:
                path.unlink(missing_ok=True)
                if options["verbosity"] > 1:
                    self.stdout.write(f"已删除：{name}")
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb} {removed} 个无引用的照片文件。")
