"""Back up the database and the uploaded photos into a folder (for cron; safe to run any time).

SQLite is copied with its online backup API (consistent while the app is running); PostgreSQL
with ``pg_dump -Fc``. MEDIA_ROOT goes into a tar.gz next to it.
"""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = "备份数据库和照片到指定目录。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="备份目录（不存在则创建）")
        parser.add_argument("--no-media", action="store_true", help="不备份照片")

    def handle(self, *args, folder: str, no_media: bool, **options):
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        database = self.backup_database(target, stamp)
        self.stdout.write(f"数据库已备份：{database}")
        if not no_media:
            media = self.backup_media(target, stamp)
            self.stdout.write(f"照片已备份：{media}" if media else "没有需要备份的照片。")

    def backup_database(self, target: Path, stamp: str) -> Path:
        db = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            path = target / f"civility-{stamp}.sqlite3"
            source = sqlite3.connect(db["NAME"])
            copy = sqlite3.connect(path)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
            return path
        if connection.vendor == "postgresql":
            if shutil.which("pg_dump") is None:
                raise CommandError("未找到 pg_dump，请安装 PostgreSQL 客户端。")
            path = target / f"civility-{stamp}.pgdump"
            env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
            command = ["pg_dump", "-Fc", "-f", str(path), "-d", db["NAME"]]
            host = db.get("HOST") or db.get("OPTIONS", {}).get("host")
            for flag, value in (("-h", host), ("-p", db.get("PORT")), ("-U", db.get("USER"))):
                if value:
                    command += [flag, str(value)]
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise CommandError(f"pg_dump 失败：{result.stderr.strip()}")
            return path
        raise CommandError(f"不支持的数据库：{connection.vendor}")

    def backup_media(self, target: Path, stamp: str) -> Path | None:
        media = Path(settings.MEDIA_ROOT)
        if not media.exists():
            return None
        path = target / f"civility-media-{stamp}.tar.gz"
        with tarfile.open(path, "w:gz") as archive:
            archive.add(media, arcname="media")
        return path
