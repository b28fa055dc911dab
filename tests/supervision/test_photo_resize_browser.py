"""A phone photo is resized in the browser before it is uploaded (static/civility/photo-resize.js,
issue 11), and the server still checks and re-encodes what arrives: a 12-megapixel JPEG chosen
in a real Chromium reaches the server at 1600 px on its long side, passes every check of
``process_upload`` and is stored re-encoded."""

import io

import pytest
from PIL import Image

from civility.core.roles import Role
from civility.participation.models import Suggestion
from civility.supervision import photos
from tests.conftest import browser_login, make_user

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def phone_jpeg(width=4032, height=3024) -> bytes:
    """A phone-sized JPEG with detail in it (a flat colour would shrink below any re-encoding)."""
    noise = Image.effect_noise((width, height), 48)
    base = Image.linear_gradient("L").resize((width, height))
    buffer = io.BytesIO()
    Image.merge("RGB", (base, noise, base)).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def test_browser_resizes_a_phone_photo_and_the_server_still_reencodes_it(
    live_huli, live_server, browser, monkeypatch, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    received = []
    checked = photos.process_upload

    def recording(upload):
        upload.seek(0)
        with Image.open(upload) as image:
            received.append((image.format, image.size, upload.size))
        upload.seek(0)
        return checked(upload)  # every server-side check and the re-encoding still run

    monkeypatch.setattr(photos, "process_upload", recording)
    original = phone_jpeg()
    make_user("b_rep", Role.REPRESENTATIVE, name="黄代表")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_login(page, live_server, "b_rep")
    page.goto(f"{live_server.url}/suggestions/new/")
    page.get_by_label("类别").select_option(label="市容环境")
    page.get_by_label("建议内容").fill("人行道上堆放建筑垃圾，影响通行。")
    page.get_by_label("照片").set_input_files(
        [{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": original}]
    )
    # The input now holds the browser's resized copy (the form waits while it is made).
    page.wait_for_function(
        "n => { const i = document.querySelector('input[type=file][accept^=image]');"
        " return i.files.length === 1 && i.files[0].name === 'IMG_0001.jpg'"
        " && i.files[0].size < n && !i.form.hasAttribute('aria-busy'); }",
        arg=len(original),
    )
    page.get_by_role("button", name="提交建议").click()
    page.locator("#suggestion-status", has_text="待处理").wait_for()

    assert len(received) == 1
    kind, size, uploaded_bytes = received[0]
    assert kind == "JPEG"
    assert max(size) == photos.LONG_SIDE and size == (1600, 1200)
    assert uploaded_bytes < len(original) / 4
    stored = Suggestion.objects.get().photos.get()
    with stored.image.open("rb") as image_file, Image.open(image_file) as image:
        assert image.format == "JPEG" and image.size == (1600, 1200)
        assert not image.getexif()  # re-encoded by the server: no metadata kept
    context.close()
