import sqlite3
import tarfile

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_backup_copies_database_and_media(tmp_path, settings, live_huli):
    media = tmp_path / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "a.jpg").write_bytes(b"jpeg")
    settings.MEDIA_ROOT = media
    call_command("backup", str(tmp_path / "out"))
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    archive = next(p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tar.gz"))
    with tarfile.open(archive) as tar:
        assert "media/photos/a.jpg" in tar.getnames()
    if connection.vendor == "sqlite":
        copy = next(p for p in (tmp_path / "out").iterdir() if p.suffix == ".sqlite3")
        rows = sqlite3.connect(copy).execute("select count(*) from org_unit").fetchone()[0]
        assert rows > 90
    else:
        assert any(name.endswith(".pgdump") for name in files)
