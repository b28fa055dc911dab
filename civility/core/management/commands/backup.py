"""Back up the database and the uploaded photos into a folder (for cron; safe to run any time).

SQLite is copied with its online backup API (consistent while the app is running); PostgreSQL
with ``pg_dump -Fc``. MEDIA_ROOT goes into a tar.gz next to it. ``manage.py restore`` puts them
back.

Every file is written under a temporary name (``.name.partial``) in the same folder, readable by
its owner only (0600), and renamed into place when complete: a killed backup never leaves a file
that looks like a finished one.
"""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


def postgres_command(program: str, db: dict) -> tuple[list[str], dict]:
    """``program`` with the connection options of ``db`` and the environment to run it in."""
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    command = [program]
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host")
    for flag, value in (("-h", host), ("-p", db.get("PORT")), ("-U", db.get("USER"))):
        if value:
            command += [flag, str(value)]
    return command, env


@contextmanager
def atomic_file(path: Path):
    """Yield a temporary path next to ``path`` (created empty, mode 0600); on success it is
    fsynced and renamed to ``path``, on failure removed."""
    temporary = path.with_name(f".{path.name}.partial")
    temporary.unlink(missing_ok=True)
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield temporary
        os.chmod(temporary, 0o600)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:  # pragma: no cover - not every platform can fsync a directory
        pass


class Command(BaseCommand):
    help = "备份数据库和照片到指定目录。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="备份目录（不存在则创建）")
        parser.add_argument("--no-media", action="store_true", help="不备份照片")

    def handle(self, *args, folder: str, no_media: bool, **options):
        target = Path(folder)
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
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
            with atomic_file(path) as temporary:
                source = sqlite3.connect(db["NAME"])
                copy = sqlite3.connect(temporary)
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
            command, env = postgres_command("pg_dump", db)
            with atomic_file(path) as temporary:
                command += ["-Fc", "-f", str(temporary), "-d", db["NAME"]]
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
        with atomic_file(path) as temporary:
            with tarfile.open(temporary, "w:gz") as archive:
                archive.add(media, arcname="media")
        return path
