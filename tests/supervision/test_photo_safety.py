"""Photo hardening (issue 10): no file outlives a failed transaction, a full disk gives a Chinese
message and keeps the form, no metadata block survives, huge JPEGs are decoded reduced and the
pixels decoded per request are capped; sweep_photos removes old orphans only."""

import errno
import io
import os
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from civility.core.middleware import pixel_budget
from civility.supervision.photos import LONG_SIDE, attach_photos, process_upload
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Photo, Problem, ProblemEvent
from tests.conftest import client_for
from tests.factories import new_problem, photo, street_site

pytestmark = pytest.mark.django_db

FULL_MESSAGE = "照片保存失败：服务器存储空间不足，请稍后再试。已填写的内容已保留。"


def files_under(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def jpeg_upload(name="p.jpg", size=(800, 600), **save) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "olive").save(buffer, format="JPEG", **save)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def assigned(secretariat, inspector, street, liaison):
    problem = new_problem(inspector, street_site(street))
    return workflow.perform(problem, workflow.Action.ASSIGN, by=secretariat, unit=street)


# --- files never outlive a failed transaction ---------------------------------------------------


def test_crash_between_file_write_and_commit_leaves_no_file(settings, assigned, liaison):
    before = files_under(settings)
    with mock.patch.object(Problem, "refresh_from_db", side_effect=RuntimeError("worker died")):
        with pytest.raises(RuntimeError):
            workflow.perform(
                assigned,
                workflow.Action.SUBMIT,
                by=liaison,
                note="已整改",
                photos=[photo("green"), photo("blue")],
            )
    assert files_under(settings) == before
    assert not Photo.objects.filter(problem=assigned).exclude(kind=Photo.Kind.BEFORE).exists()
    assert Problem.objects.get(pk=assigned.pk).status == Problem.Status.ASSIGNED


def test_failure_inside_attach_photos_removes_what_it_wrote(settings, assigned, liaison):
    before = files_under(settings)
    original, calls = Photo.save, []

    def second_fails(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return original(self, *args, **kwargs)

    with mock.patch.object(Photo, "save", second_fails), pytest.raises(RuntimeError):
        attach_photos(
            [photo("green"), photo("blue")], kind=Photo.Kind.AFTER, by=liaison, problem=assigned
        )
    assert files_under(settings) == before
    assert not Photo.objects.filter(problem=assigned, kind=Photo.Kind.AFTER).exists()


def test_full_storage_gives_the_chinese_message_and_keeps_the_form(
    client, settings, assigned, liaison
):
    before = files_under(settings)
    client_for(client, liaison)
    with mock.patch.object(FileSystemStorage, "_save", side_effect=OSError(errno.ENOSPC, "full")):
        response = client.post(
            reverse("problem_act", args=[assigned.number, "submit"]),
            {"version": assigned.version, "note": "已清理占道杂物", "photos": [jpeg_upload()]},
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert FULL_MESSAGE in body
    assert "已清理占道杂物" in body  # what the person typed is still in the form
    assert Problem.objects.get(pk=assigned.pk).status == Problem.Status.ASSIGNED
    assert not ProblemEvent.objects.filter(problem=assigned, action="submit").exists()
    assert files_under(settings) == before


def test_full_storage_keeps_a_commentary_draft(client, settings, leader, street):
    import uuid

    client_for(client, leader)
    data = {
        "kind": "written",
        "tone": "criticism",
        "date": "2026-01-05",
        "title": "占道经营点评",
        "text": "湖里街道多处占道经营，请限期整改。",
        "units": [street.pk],
        "reply_days": "5",
        "client_token": str(uuid.uuid4()),
        "photos": [jpeg_upload()],
    }
    with mock.patch.object(FileSystemStorage, "_save", side_effect=OSError(errno.ENOSPC, "full")):
        response = client.post(reverse("commentary_new"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert FULL_MESSAGE in body
    assert "湖里街道多处占道经营，请限期整改。" in body


# --- metadata -----------------------------------------------------------------------------------


def _markers(data: bytes) -> set[bytes]:
    """JPEG markers in the header part (before the first scan)."""
    found, i = set(), 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i : i + 2]
        found.add(marker)
        if marker == b"\xff\xda":
            break
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return found


def test_reencoded_jpeg_carries_no_metadata_block():
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera"  # Make
    icc = b"\x00" * 128 + b"ICCPROFILE-SECRET"
    upload = jpeg_upload(comment=b"secret comment 0xFFFE", exif=exif, icc_profile=icc)
    raw = upload.read()
    upload.seek(0)
    assert b"\xff\xfe" in raw and b"secret comment" in raw  # the input really has them
    processed = process_upload(upload)
    for output in (processed.image, processed.thumbnail):
        assert b"\xff\xfe" not in output  # COM
        assert b"\xff\xe1" not in output  # APP1: EXIF, XMP
        assert b"\xff\xe2" not in output  # APP2: ICC, MPF
        assert b"secret" not in output and b"Secret" not in output
        assert not (
            _markers(output)
            - {
                b"\xff\xd8",
                b"\xff\xe0",
                b"\xff\xdb",
                b"\xff\xc4",
                b"\xff\xc2",
                b"\xff\xc0",
                b"\xff\xda",
            }
        )


# --- large images -------------------------------------------------------------------------------


def test_huge_jpeg_is_decoded_reduced_within_the_pixel_cap():
    upload = jpeg_upload("huge.jpg", size=(7000, 7000), quality=30)
    # 49 megapixels decoded in full would exceed a 10-megapixel budget; drafted it is 1750².
    with pixel_budget(10_000_000):
        started = time.process_time()
        processed = process_upload(upload)
        elapsed = time.process_time() - started
    assert (processed.width, processed.height) == (LONG_SIDE, LONG_SIDE)
    assert Image.open(io.BytesIO(processed.image)).size == (LONG_SIDE, LONG_SIDE)
    assert elapsed < 2.5


def test_pixels_per_request_are_capped_with_a_chinese_message():
    def png(size=(2000, 1500)):
        buffer = io.BytesIO()
        Image.new("RGB", size, "teal").save(buffer, format="PNG")
        return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")

    from django.core.exceptions import ValidationError

    with pixel_budget(5_000_000):
        process_upload(png())  # 3 MP
        with pytest.raises(ValidationError) as refused:
            process_upload(png())  # 3 more: over the cap
    assert "本次上传的照片像素总量过大" in refused.value.messages[0]


def test_pixel_cap_reaches_the_form(client, settings, assigned, liaison):
    settings.PHOTO_MAX_PIXELS_PER_REQUEST = 1_000_000
    client_for(client, liaison)
    response = client.post(
        reverse("problem_act", args=[assigned.number, "submit"]),
        {
            "version": assigned.version,
            "note": "已整改",
            "photos": [jpeg_upload("a.jpg"), jpeg_upload("b.jpg"), jpeg_upload("c.jpg")],
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "第 3 张照片（c.jpg）：本次上传的照片像素总量过大" in body
    assert Problem.objects.get(pk=assigned.pk).status == Problem.Status.ASSIGNED


# --- sweep_photos -------------------------------------------------------------------------------


def test_sweep_photos_removes_only_old_unreferenced_files(settings, assigned, liaison):
    kept = attach_photos([photo("green")], kind=Photo.Kind.AFTER, by=liaison, problem=assigned)[0]
    root = Path(settings.MEDIA_ROOT)
    orphan_old = root / "photos/2020/01/orphan.jpg"
    orphan_new = root / "photos/2020/01/uploading.jpg"
    outside = root / "other/old.jpg"
    for path in (orphan_old, orphan_new, outside):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    old = time.time() - 48 * 3600
    for path in (orphan_old, outside, Path(kept.image.path), Path(kept.thumbnail.path)):
        os.utime(path, (old, old))

    out = io.StringIO()
    call_command("sweep_photos", "--dry-run", stdout=out)
    assert "将删除：photos/2020/01/orphan.jpg" in out.getvalue()
    assert orphan_old.exists()

    out = io.StringIO()
    call_command("sweep_photos", stdout=out)
    assert "已删除 1 个无引用的照片文件。" in out.getvalue()
    assert not orphan_old.exists()
    assert orphan_new.exists() and outside.exists()
    assert Path(kept.image.path).exists() and Path(kept.thumbnail.path).exists()

    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("sweep_photos", "--older-than", "0.5", stdout=io.StringIO())
