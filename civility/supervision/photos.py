"""Photo uploads: accept only real images, re-encode them, and never keep what came in.

``PhotosField`` is the one form field for several photos (problems, inspections, commentary).
Every upload is decoded with Pillow (the file name and declared type are not trusted), its
orientation applied, every metadata block dropped (EXIF, GPS, ICC, XMP, JPEG comments), resized so
the long side is at most 1600 px and saved as JPEG with a small thumbnail for lists.

JPEGs are decoded already reduced (Pillow's ``draft``), and the pixels decoded in one request are
capped (settings.PHOTO_MAX_PIXELS_PER_REQUEST) so a handful of huge images cannot hold a worker.

Files are written before the surrounding transaction commits. ``attach_photos`` deletes what it
wrote when it fails, and ``photo_files_guard`` (around the callers' transactions) deletes them
when the transaction rolls back; ``manage.py sweep_photos`` removes what a killed worker left.
"""

from __future__ import annotations

import errno
import io
import logging
import math
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image, ImageOps, UnidentifiedImageError

from civility.core.middleware import take_pixels
from civility.supervision.problems.models import Photo

logger = logging.getLogger(__name__)

MAX_PHOTOS = 9  # in one form
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 60_000_000  # about 60 megapixels: more than any phone camera, far below a bomb
MAX_SIDE = 20_000
LONG_SIDE = 1600
THUMB_SIDE = 320
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: multi-picture JPEG from some phones


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _encode(image: Image.Image, quality: int) -> bytes:
    # Pillow writes image.info["comment"] (a JPEG COM segment) back out; with an empty info and no
    # exif/icc_profile arguments the output has no metadata block at all.
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _draft(image: Image.Image) -> None:
    """Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while keeping the long side at least
    LONG_SIDE (a 7000 px photo decodes at 1750 px: a sixteenth of the work and memory)."""
    if image.format not in ("JPEG", "MPO"):
        return
    width, height = image.size
    long_side = max(width, height)
    if long_side <= LONG_SIDE * 2:
        return
    ratio = LONG_SIDE / long_side
    image.draft("RGB", (math.ceil(width * ratio), math.ceil(height * ratio)))


def process_upload(upload) -> ProcessedPhoto:
    """Validate and re-encode one uploaded file; ValidationError (Chinese) when it is unusable."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size == 0:
        raise ValidationError(_("照片文件是空的。"), code="empty")
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("照片不能超过 15 MB。"), code="too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
    except Image.DecompressionBombError:
        raise ValidationError(_("图片尺寸异常，无法处理。"), code="dimensions") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError(_("文件不是有效的图片。"), code="not_image") from None
    if kind not in ACCEPTED_FORMATS:
        raise ValidationError(_("只接受 JPEG、PNG 或 WebP 格式的照片。"), code="format")
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE or min(width, height) < 1:
        raise ValidationError(
            _("图片尺寸异常（%(width)s×%(height)s），无法处理。")
            % {"width": width, "height": height},
            code="dimensions",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            _draft(image)
            decoded = image.size[0] * image.size[1]
            if not take_pixels(decoded):
                raise ValidationError(
                    _(
                        "本次上传的照片像素总量过大，服务器无法一次处理；"
                        "请分几次上传，或先在手机上缩小照片。"
                    ),
                    code="request_pixels",
                )
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, "white")
                background.paste(image, mask=image.getchannel("A"))
                image = background
            else:
                image = image.convert("RGB")
            image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
            full = _encode(image, quality=85)
            width, height = image.size
            image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
            thumb = _encode(image, quality=80)
    except (OSError, ValueError, SyntaxError):
        raise ValidationError(_("图片文件已损坏或不完整。"), code="corrupt") from None
    return ProcessedPhoto(image=full, thumbnail=thumb, width=width, height=height)


STORAGE_FULL = gettext_noop("照片保存失败：服务器存储空间不足，请稍后再试。已填写的内容已保留。")
STORAGE_FAILED = gettext_noop("照片保存失败：服务器存储出错，请稍后再试。已填写的内容已保留。")


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """One or more photos; cleans to a list of ProcessedPhoto, an unusable file named by its
    position. No ``capture`` attribute: with ``multiple`` Android would open the camera and hide
    the gallery; without it the phone offers both."""

    def __init__(self, *, max_count: int = MAX_PHOTOS, **kwargs):
        self.max_count = max_count
        attrs = {"accept": "image/*", "multiple": True}
        kwargs.setdefault("widget", MultiplePhotoInput(attrs=attrs))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_count:
            raise ValidationError(
                _("一次最多上传 %(n)s 张照片。") % {"n": self.max_count}, code="too_many"
            )
        processed, errors = [], []
        for number, upload in enumerate(files, start=1):
            try:
                processed.append(process_upload(upload))
            except ValidationError as error:
                name = getattr(upload, "name", "") or "?"
                errors.extend(
                    _("第 %(number)s 张照片（%(name)s）：%(message)s")
                    % {"number": number, "name": name, "message": message}
                    for message in error.messages
                )
        if errors:
            raise ValidationError(errors)
        return processed


_guarded: ContextVar[list | None] = ContextVar("photo_files_guard", default=None)


def _delete_files(storage_names) -> None:
    for storage, name in storage_names:
        try:
            storage.delete(name)
        except OSError:  # pragma: no cover - nothing more can be done; sweep_photos will
            logger.warning("could not delete photo file %s", name, exc_info=True)


@contextmanager
def photo_files_guard():
    """Delete the photo files written inside the block if the block raises.

    Put it outside ``transaction.atomic()``: an exception rolls the rows back and then removes
    their files. A guard nested in another hands its files to the outer one on success.
    """
    written: list = []
    token = _guarded.set(written)
    try:
        yield
    except BaseException:
        _delete_files(written)
        raise
    finally:
        _guarded.reset(token)
    outer = _guarded.get()
    if outer is not None:
        outer.extend(written)


def attach_photos(photos, *, kind, by, problem=None, commentary=None, event=None) -> list:
    """Store processed photos for a problem (optionally one event) or a commentary."""
    return store_photos(
        photos,
        lambda: Photo(
            kind=kind, problem=problem, commentary=commentary, event=event, uploaded_by=by
        ),
    )


def store_photos(photos, new_photo) -> list:
    """Save each processed photo as a row made by ``new_photo()`` (an unsaved StoredPhoto).

    The rows are saved in a savepoint; on any failure they are rolled back and the files written
    here deleted. A storage error (disk full, ...) becomes a Chinese ValidationError so the
    person's form comes back with what they typed.
    """

    saved, written = [], []
    try:
        with transaction.atomic():
            for processed in photos:
                photo = new_photo()
                for field, name, content in (
                    (photo.image, "photo.jpg", processed.image),
                    (photo.thumbnail, "thumb.jpg", processed.thumbnail),
                ):
                    field.save(name, ContentFile(content), save=False)
                    written.append((field.storage, field.name))
                photo.width, photo.height = processed.width, processed.height
                photo.save()
                saved.append(photo)
    except OSError as error:
        _delete_files(written)
        logger.error("storing a photo failed: %s", error)
        message = STORAGE_FULL if error.errno in (errno.ENOSPC, errno.EDQUOT) else STORAGE_FAILED
        raise ValidationError(_(message), code="storage") from error
    except BaseException:
        _delete_files(written)
        raise
    guarded = _guarded.get()
    if guarded is not None:
        guarded.extend(written)
    return saved
