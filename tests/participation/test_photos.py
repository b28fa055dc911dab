"""Participation photos are stored, guarded, served and swept like a problem's photos: they share
``StoredPhoto``, ``store_photos``, ``photo_files_guard`` and ``serve_photo``."""

import errno
import io
import os
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.urls import reverse

from civility.participation.models import Activity, ParticipationPhoto, Suggestion, SuggestionEvent
from civility.supervision.problems.models import Photo, StoredPhoto
from tests.conftest import client_for
from tests.factories import photo
from tests.participation import helpers

pytestmark = pytest.mark.django_db

FULL_MESSAGE = "照片保存失败：服务器存储空间不足，请稍后再试。已填写的内容已保留。"


def files_under(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_participation_photo_and_problem_photo_share_the_stored_photo_fields():
    shared = ["image", "thumbnail", "width", "height", "uploaded_by", "uploaded_at"]
    for model in (Photo, ParticipationPhoto):
        assert issubclass(model, StoredPhoto)
        assert [f.name for f in model._meta.fields][1:7] == shared
        assert model._meta.ordering == ["uploaded_at", "id"]


def test_sweep_photos_keeps_the_files_of_participation_photos(settings, tmp_path, liaison, street):
    # A media root of its own: the files made old here must not reach other tests' sweeps.
    settings.MEDIA_ROOT = tmp_path / "media"
    activity = helpers.activity(liaison, street, photos=[photo("green")])
    stored = activity.photos.get()
    assert Path(stored.image.path).is_relative_to(tmp_path)
    old = time.time() - 48 * 3600
    for path in (Path(stored.image.path), Path(stored.thumbnail.path)):
        os.utime(path, (old, old))

    out = io.StringIO()
    call_command("sweep_photos", stdout=out)

    assert "已删除 0 个无引用的照片文件。" in out.getvalue()
    assert Path(stored.image.path).exists() and Path(stored.thumbnail.path).exists()


def test_participation_photo_on_a_full_disk_gives_the_chinese_message_and_leaves_nothing(
    settings, liaison, street
):
    before = files_under(settings)
    with (
        mock.patch.object(FileSystemStorage, "_save", side_effect=OSError(errno.ENOSPC, "full")),
        pytest.raises(ValidationError) as error,
    ):
        helpers.activity(liaison, street, photos=[photo("green")])
    assert error.value.messages == [FULL_MESSAGE]
    assert not Activity.objects.exists()
    assert files_under(settings) == before


def test_failed_suggestion_leaves_no_photo_file(settings, representative, hq):
    before = files_under(settings)
    with (
        mock.patch.object(
            SuggestionEvent.objects, "create", side_effect=RuntimeError("worker died")
        ),
        pytest.raises(RuntimeError),
    ):
        helpers.suggestion(representative, hq, photos=[photo("red"), photo("blue")])
    assert not Suggestion.objects.exists()
    assert files_under(settings) == before


def test_participation_photo_whose_file_is_gone_is_not_found(client, liaison, street):
    activity = helpers.activity(liaison, street, photos=[photo("green")])
    stored = activity.photos.get()
    client_for(client, liaison)
    url = reverse("participation_photo", args=[stored.pk])
    assert client.get(url).status_code == 200
    assert client.get(url)["Cache-Control"] == "private, max-age=3600"

    Path(stored.image.path).unlink()

    assert client.get(url).status_code == 404
    assert client.get(reverse("participation_thumb", args=[stored.pk])).status_code == 200
