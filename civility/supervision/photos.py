"""Photo uploads: accept only real images, re-encode them, and never keep what came in.

Every upload is decoded with Pillow (the file name and declared type are not trusted), its
orientation applied, EXIF and other metadata dropped, resized so the long side is at most 1600 px
and saved as JPEG with a small thumbnail for lists.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civility.supervision.problems.models import Photo

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
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


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


def attach_photos(photos, *, kind, by, problem=None, commentary=None, event=None) -> list:
    """Store processed photos for a problem (optionally one event) or a commentary."""

    saved = []
    for processed in photos:
        photo = Photo(
            kind=kind, problem=problem, commentary=commentary, event=event, uploaded_by=by
        )
        photo.image.save("photo.jpg", ContentFile(processed.image), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(processed.thumbnail), save=False)
        photo.width, photo.height = processed.width, processed.height
        photo.save()
        saved.append(photo)
    return saved
