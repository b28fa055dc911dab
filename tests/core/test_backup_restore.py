"""Backups written 0600 and atomically, and restored by ``manage.py restore`` (issue 10):
backup → change data → restore gives identical tables and photos, on SQLite and on PostgreSQL
(the PostgreSQL run of ``make test``)."""

import io
import stat
import tarfile
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from civility.core.roles import Role
from civility.org.models import Unit
from civility.supervision.photos import attach_photos
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Photo, Problem
from tests.conftest import make_user
from tests.factories import new_problem, photo, street_site


def tables() -> dict:
    """Every model's rows, in primary-key order."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def photo_files(media: Path) -> dict:
    return {
        p.relative_to(media).as_posix(): p.read_bytes()
        for p in (media / "photos").rglob("*")
        if p.is_file()
    }


def backup_files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


@pytest.mark.django_db(transaction=True)
def test_backup_change_restore_round_trip(tmp_path, settings, live_huli):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    street = Unit.objects.get(name="湖里街道")
    inspector = make_user("b_inspector", Role.INSPECTOR)
    secretariat = make_user("b_secretariat", Role.SECRETARIAT)
    problem = new_problem(inspector, street_site(street))
    before_tables, before_photos = tables(), photo_files(media)
    assert before_photos  # the problem's photo and thumbnail

    out = tmp_path / "backups"
    call_command("backup", str(out), stdout=io.StringIO())
    written = backup_files(out)
    assert len(written) == 2
    assert not [p for p in written if p.name.startswith(".")]  # no temporary left
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    # Change everything: rows, a workflow step, a new photo, a lost photo.
    Unit.objects.filter(pk=street.pk).update(name="改名后的街道")
    workflow.perform(problem, workflow.Action.ASSIGN, by=secretariat, unit=street)
    attach_photos([photo("blue")], kind=Photo.Kind.BEFORE, by=inspector, problem=problem)
    Path(Photo.objects.filter(problem=problem).first().image.path).unlink()
    assert tables() != before_tables
    assert photo_files(media) != before_photos

    # Without --yes nothing happens.
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", *map(str, written), stdout=io.StringIO())
    assert Unit.objects.get(pk=street.pk).name == "改名后的街道"

    output = io.StringIO()
    call_command("restore", "--yes", *map(str, written), stdout=output)
    assert "数据库已恢复" in output.getvalue() and "照片已恢复" in output.getvalue()
    assert tables() == before_tables
    assert photo_files(media) == before_photos
    assert Problem.objects.get(pk=problem.pk).status == Problem.Status.REPORTED
    # What was there before the restore is kept aside, outside photos/.
    assert any(p.name.startswith("before-restore-") for p in media.iterdir())


@pytest.mark.django_db
def test_a_killed_backup_leaves_nothing_that_looks_complete(tmp_path, settings):
    media = tmp_path / "media"
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "a.jpg").write_bytes(b"jpeg")
    settings.MEDIA_ROOT = media
    out = tmp_path / "backups"

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the backup is stopped while writing the archive

    with mock.patch.object(tarfile, "open", side_effect=killed), pytest.raises(KeyboardInterrupt):
        call_command("backup", str(out), stdout=io.StringIO())
    names = [p.name for p in backup_files(out)]
    assert not [n for n in names if n.endswith(".tar.gz") or n.endswith(".partial")]


@pytest.mark.django_db
def test_restore_refuses_unknown_or_missing_files(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("x")
    with pytest.raises(CommandError, match="无法识别的备份文件"):
        call_command("restore", "--yes", str(junk))
    with pytest.raises(CommandError, match="备份文件不存在"):
        call_command("restore", "--yes", str(tmp_path / "civility-x.sqlite3"))


@pytest.mark.django_db
def test_restore_refuses_a_media_archive_with_unsafe_paths(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "civility-media-evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = b"owned"
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError):
        call_command("restore", "--yes", str(archive), stdout=io.StringIO())
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path.parent / "escaped.txt").exists()
