"""The measuring instrument behind ``manage.py benchmark`` (issue 11).

Every item is timed together with its limit, measured in the same run on the same data: a bare
Django view for pages, the raw SQL of the same aggregate for compilation and scoring, the same
rows read with one query and written by the same sheet writer for exports, Pillow's bare
decode+encode of the same photo for uploads, an ideal queue of the measured service time for
concurrent submits (``--http``).
Each line ends ``ok`` or ``SHORT`` against its goal; the last line says ``goals met N/M``.
"""

from __future__ import annotations

import io
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, reset_queries
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from PIL import Image

# Goals of issue 11, at 500k problems on both databases.
PAGE_GOAL_MS = 300
PROBLEM_LIST_GOAL_MS = 100
COMPILE_GOAL_RATIO = 2.0
EXPORT_GOAL_MS = 3000
PHOTO_GOAL_RATIO = 3.0
HTTP_CPU_GOAL_RATIO = 1.5


@dataclass
class Timing:
    median: float
    p95: float
    queries: int

    @classmethod
    def of(cls, samples: list[float], queries: int = 0) -> Timing:
        ordered = sorted(samples)
        index = max(0, math.ceil(0.95 * len(ordered)) - 1)
        return cls(statistics.median(ordered), ordered[index], queries)


def measure(function: Callable, repeat: int, *, warm: int = 1) -> Timing:
    """Median and p95 in ms over ``repeat`` runs (after ``warm`` unmeasured ones), with the
    number of queries of the last run."""
    for _ in range(warm):
        function()
    samples, queries = [], 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            samples.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return Timing.of(samples, queries)


@dataclass
class Result:
    label: str
    timing: Timing
    limit: float  # ms, the same-run floor
    goal: str  # as printed
    met: bool

    @property
    def ratio(self) -> float:
        return self.timing.p95 / self.limit if self.limit else 0.0


def page_result(label: str, timing: Timing, limit: Timing, goal_ms: float) -> Result:
    return Result(label, timing, limit.p95, f"p95≤{goal_ms:.0f}ms", timing.p95 <= goal_ms)


def ratio_result(label: str, timing: Timing, limit: Timing, goal_ratio: float) -> Result:
    met = timing.p95 <= goal_ratio * limit.p95
    return Result(label, timing, limit.p95, f"≤{goal_ratio:g}×极限", met)


def absolute_result(label: str, timing: Timing, limit: Timing, goal_ms: float) -> Result:
    return Result(label, timing, limit.p95, f"p95≤{goal_ms:.0f}ms", timing.p95 <= goal_ms)


def pad(text: str, width: int) -> str:
    """Left-align counting CJK characters as two columns."""
    used = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return text + " " * max(0, width - used)


HEADER = f"{pad('项目', 40)}{'中位ms':>9}{'p95ms':>9}{'查询':>6}{'极限ms':>9}{'倍数':>7}  目标"


def line(result: Result) -> str:
    t = result.timing
    verdict = "ok" if result.met else "SHORT"
    return (
        f"{pad(result.label, 40)}{t.median:>9.1f}{t.p95:>9.1f}{t.queries:>6}"
        f"{result.limit:>9.1f}{result.ratio:>8.1f}  {pad(result.goal, 14)}{verdict}"
    )


def summary(results: list[Result]) -> str:
    return f"goals met {sum(r.met for r in results)}/{len(results)}"


# --- limits ---------------------------------------------------------------------------------

BARE_URL = "/__benchmark__/bare/"


def bare_view(request):
    """A bare Django view: the whole middleware stack, the session and the signed-in user, and
    nothing of the app. What any page costs before it does its own work."""
    return HttpResponse(f"ok {request.user.pk}")


# Used as ROOT_URLCONF while measuring in-process: the site's URLs plus the bare view.
urlpatterns = [
    path(BARE_URL.strip("/") + "/", bare_view),
    path("", include(settings.ROOT_URLCONF)),
]


def phone_photo() -> bytes:
    """A 12-megapixel phone-like JPEG (4032×3024, quality 92) with detail in it, made here so the
    measurement needs no file."""
    width, height = 4032, 3024
    base = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 48)
    image = Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def pillow_limit(data: bytes) -> None:
    """Pillow's bare decode and encode of the same photo: what any re-encoding costs."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        image.save(io.BytesIO(), format="JPEG", quality=85)


def browser_photo(data: bytes) -> bytes:
    """``data`` as photo-resize.js uploads it: the long side at 1600 px, JPEG quality 0.85."""
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((1600, 1600), Image.Resampling.BILINEAR)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
