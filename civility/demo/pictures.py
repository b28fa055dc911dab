"""Street-scene photos for the demo history, drawn with Pillow (no external files)."""

import functools
import io
import random

from PIL import Image, ImageDraw, ImageFont

from civility.supervision.photos import ProcessedPhoto, process_upload

POOL_SIZE = 24  # photos are drawn once per pool slot and reused


# A small pool of street scenes drawn with Pillow (no files shipped): "before" has a coloured mess
# on the pavement, "after" the same street tidied. Reused, so seeding stays fast.

BLOB_COLOURS = (
    (150, 95, 40),
    (200, 60, 50),
    (230, 140, 30),
    (120, 120, 60),
    (90, 70, 110),
    (60, 130, 160),
)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def render_scene(index: int, *, after: bool, size=(800, 600)) -> bytes:
    """One street-scene-like JPEG, the same bytes for the same arguments."""
    rng = random.Random(index * 2 + after)
    w, h = size
    image = Image.new("RGB", size, (170, 205, 235))
    draw = ImageDraw.Draw(image)
    horizon = int(h * 0.45)
    x = 0
    while x < w:  # buildings with windows
        bw, bh = rng.randint(80, 160), rng.randint(120, horizon - 20)
        tone = rng.randint(150, 210)
        draw.rectangle((x, horizon - bh, x + bw, horizon), fill=(tone, tone - 10, tone - 25))
        for wy in range(horizon - bh + 12, horizon - 16, 24):
            for wx in range(x + 10, x + bw - 14, 22):
                draw.rectangle((wx, wy, wx + 10, wy + 12), fill=(95, 120, 150))
        x += bw + rng.randint(4, 12)
    draw.rectangle((0, horizon, w, h), fill=(185, 180, 170))  # pavement
    road_top = horizon + int(h * 0.12)
    draw.polygon(((0, h), (w, h), (w * 0.62, road_top), (w * 0.38, road_top)), fill=(80, 82, 86))
    for step in range(6):  # lane markings
        y0 = road_top + 12 + step * (h - road_top) // 6
        draw.rectangle(
            (w // 2 - 3 - step, y0, w // 2 + 3 + step, y0 + 18 + step * 3), fill=(235, 235, 225)
        )
    for tx in (60, w - 90):  # street trees
        draw.rectangle((tx + 12, horizon - 10, tx + 20, horizon + 60), fill=(110, 80, 50))
        draw.ellipse((tx - 20, horizon - 70, tx + 52, horizon + 5), fill=(70, 140, 70))
    if after:
        draw.rectangle((w * 0.12, h * 0.72, w * 0.3, h * 0.8), fill=(90, 160, 90))  # planter
        draw.line(((w - 120, 90), (w - 95, 120), (w - 50, 55)), fill=(40, 160, 60), width=12)
    else:
        colour = BLOB_COLOURS[index % len(BLOB_COLOURS)]
        cx, cy = rng.randint(120, w - 220), rng.randint(road_top + 20, h - 120)
        for _ in range(7):
            r = rng.randint(25, 70)
            ox, oy = rng.randint(-60, 60), rng.randint(-30, 30)
            shade = tuple(max(0, min(255, c + rng.randint(-25, 25))) for c in colour)
            draw.ellipse(
                (cx + ox - r, cy + oy - r * 0.6, cx + ox + r, cy + oy + r * 0.6), fill=shade
            )
        draw.ellipse((cx - 110, cy - 80, cx + 110, cy + 80), outline=(220, 30, 30), width=6)
    label = f"{'after' if after else 'before'}  #{index + 1:02d}"
    draw.rectangle((0, 0, w, 44), fill=(30, 30, 30))
    draw.text((14, 8), f"civility demo  {label}", fill=(255, 255, 255), font=_font(26))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


@functools.cache
def photo_pool(*, after: bool, size: int = POOL_SIZE) -> tuple[ProcessedPhoto, ...]:
    """Pre-rendered photos, through the same validation and re-encoding as an upload."""
    return tuple(process_upload(io.BytesIO(render_scene(i, after=after))) for i in range(size))
