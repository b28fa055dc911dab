"""Restore what ``manage.py backup`` wrote: ``manage.py restore --yes FILE...``.

  civility-*.sqlite3   copied over the SQLite database with SQLite's backup API
  civility-*.pgdump    loaded with ``pg_restore --clean --if-exists`` into the PostgreSQL database
  civility-media-*.tar.gz  unpacked into MEDIA_ROOT; what was there is first moved aside to
                       MEDIA_ROOT/before-restore-<time>/ (delete it once the restore is checked)

Stop the application servers first. Without --yes nothing is done.
"""

import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from civility.core.management.commands.backup import postgres_command


class Command(BaseCommand):
    help = "从 backup 命令生成的备份文件恢复数据库和照片（会覆盖现有数据，须加 --yes 确认）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", help="备份文件：.sqlite3 或 .pgdump（数据库），.tar.gz（照片）"
        )
        parser.add_argument(
            "--yes", action="store_true", help="确认覆盖当前数据库和照片（不加则不执行）"
        )

    def handle(self, *args, files: list[str], yes: bool, **options):
        paths = [Path(name) for name in files]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"备份文件不存在：{path}")
            if self.kind(path) is None:
                raise CommandError(
                    f"无法识别的备份文件（应为 .sqlite3、.pgdump 或 .tar.gz）：{path}"
                )
        databases = [p for p in paths if self.kind(p) != "media"]
        if len(databases) > 1:
            raise CommandError("一次只能恢复一个数据库备份。")
        if not yes:
            raise CommandError(
                "恢复会覆盖当前的数据库和照片，且不可撤销。"
                "请先停止应用服务，确认后加 --yes 重新运行。"
            )
        for path in paths:
            kind = self.kind(path)
            if kind == "sqlite":
                self.restore_sqlite(path)
            elif kind == "postgresql":
                self.restore_postgresql(path)
            else:
                self.restore_media(path)

    @staticmethod
    def kind(path: Path) -> str | None:
        name = path.name
        if name.endswith(".tar.gz"):
            return "media"
        if name.endswith(".sqlite3"):
            return "sqlite"
        if name.endswith(".pgdump"):
            return "postgresql"
        return None

    def restore_sqlite(self, path: Path) -> None:
        if connection.vendor != "sqlite":
            raise CommandError(f"当前数据库是 {connection.vendor}，不能恢复 SQLite 备份。")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise CommandError(f"备份文件已损坏：{path}")
            connection.close()
            target = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
            try:
                source.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as error:
            raise CommandError(f"恢复 SQLite 数据库失败：{error}") from error
        finally:
            source.close()
        self.stdout.write(f"数据库已恢复：{path}")

    def restore_postgresql(self, path: Path) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(f"当前数据库是 {connection.vendor}，不能恢复 PostgreSQL 备份。")
        if shutil.which("pg_restore") is None:
            raise CommandError("未找到 pg_restore，请安装 PostgreSQL 客户端。")
        db = settings.DATABASES["default"]
        command, env = postgres_command("pg_restore", db)
        command += [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "-d",
            db["NAME"],
            str(path),
        ]
        connection.close()
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"pg_restore 失败：{result.stderr.strip()}")
        self.stdout.write(f"数据库已恢复：{path}")

    def restore_media(self, path: Path) -> None:
        media = Path(settings.MEDIA_ROOT)
        media.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=media, prefix=".restore-") as scratch:
            unpacked = Path(scratch)
            try:
                with tarfile.open(path, "r:gz") as archive:
                    members = []
                    for member in archive.getmembers():
                        parts = PurePosixPath(member.name).parts
                        if not parts or parts[0] != "media":
                            raise CommandError(f"照片备份中有意外的路径：{member.name}")
                        if len(parts) == 1:
                            continue
                        member.name = str(PurePosixPath(*parts[1:]))
                        members.append(member)
                    # filter="data": no absolute paths, no "..", no links out, no devices.
                    archive.extractall(unpacked, members=members, filter="data")
            except (tarfile.TarError, OSError) as error:
                raise CommandError(f"照片备份无法读取：{error}") from error
            entries = sorted(unpacked.iterdir())
            aside = media / f"before-restore-{timezone.localtime():%Y%m%d-%H%M%S}"
            moved = False
            for entry in entries:
                current = media / entry.name
                if current.exists():
                    aside.mkdir(exist_ok=True)
                    current.rename(aside / entry.name)
                    moved = True
                entry.rename(current)
        self.stdout.write(f"照片已恢复：{path}")
        if moved:
            self.stdout.write(f"原有照片已移到 {aside}，核对无误后可删除。")
