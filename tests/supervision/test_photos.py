"""Uploads: only real images are accepted, and what is stored is re-encoded and cleaned."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civility.supervision.photos import process_upload
from tests.factories import jpeg_bytes


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def error_of(data: bytes, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        process_upload(upload(data, **kwargs))
    return error.value


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def test_photo_truncated_jpeg_is_rejected():
    data = jpeg_bytes(size=(1200, 900))
    assert error_of(data[: len(data) // 2]).code in {"corrupt", "not_image"}


def test_photo_text_renamed_jpg_is_rejected():
    error = error_of(b"this is not an image at all\n" * 10)
    assert (error.code, error.message) == ("not_image", "文件不是有效的图片。")


def test_photo_svg_is_rejected():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>1</script></svg>'
    assert error_of(svg, name="a.svg", content_type="image/svg+xml").code == "not_image"


def test_photo_over_15_megabytes_is_rejected():
    error = error_of(b"\xff\xd8" + b"\x00" * (20 * 1024 * 1024))
    assert (error.code, error.message) == ("too_large", "照片不能超过 15 MB。")


def test_photo_empty_file_is_rejected():
    assert error_of(b"").code == "empty"


def test_photo_absurd_dimensions_are_rejected():
    error = error_of(png_claiming(50_000, 50_000), name="huge.png", content_type="image/png")
    assert error.code == "dimensions"
    assert "尺寸异常" in error.message


def test_photo_gif_is_rejected_as_wrong_type():
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "blue").save(buffer, format="GIF")
    assert error_of(buffer.getvalue(), name="a.gif").code == "format"


def test_photo_is_resized_reencoded_and_stripped_of_exif():
    image = Image.new("RGB", (4000, 3000), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    processed = process_upload(upload(buffer.getvalue()))
    stored = Image.open(io.BytesIO(processed.image))
    assert stored.format == "JPEG"
    # orientation applied: the 4000×3000 landscape is shown as a portrait, long side 1600
    assert stored.size == (1200, 1600) == (processed.width, processed.height)
    assert not stored.getexif()
    thumb = Image.open(io.BytesIO(processed.thumbnail))
    assert max(thumb.size) == 320


def test_photo_png_with_transparency_and_webp_are_accepted():
    for fmt, mode in [("PNG", "RGBA"), ("WEBP", "RGB")]:
        buffer = io.BytesIO()
        Image.new(mode, (640, 480), (0, 128, 0, 128) if mode == "RGBA" else "green").save(
            buffer, format=fmt
        )
        processed = process_upload(upload(buffer.getvalue(), name=f"a.{fmt.lower()}"))
        assert Image.open(io.BytesIO(processed.image)).mode == "RGB"


@pytest.mark.django_db
def test_photo_rejected_upload_saves_nothing(inspector, street):
    from civility.supervision.problems.models import Photo, Problem

    with pytest.raises(ValidationError):
        process_upload(upload(b"not an image"))
    assert Photo.objects.count() == 0
    assert Problem.objects.count() == 0
