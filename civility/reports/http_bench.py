"""``benchmark --http``: the same pages through gunicorn with concurrent clients.

gunicorn is started on a free port of 127.0.0.1 only, with this process's environment (same
database, same SECRET_KEY, so sessions made here are valid there), and stopped at the end. Every
burst is bounded: ``clients`` threads, ``2 × clients`` requests per page, a timeout on each.
"""

from __future__ import annotations

import http.client
import math
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from civility.reports import benchmarking as bench

HOST = "127.0.0.1"
TIMEOUT = 60  # seconds per request
STARTUP = 30  # seconds for gunicorn to answer /healthz


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _session(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _get(port: int, url: str, cookie: str) -> tuple[float, int]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        connection.request(
            "GET", quote(url, safe="/?&=%:"), headers={"Cookie": cookie, "Host": "localhost"}
        )
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000, status


def _burst(port: int, url: str, cookie: str, clients: int) -> tuple[bench.Timing, int]:
    with ThreadPoolExecutor(max_workers=clients) as pool:
        done = list(pool.map(lambda _: _get(port, url, cookie), range(2 * clients)))
    errors = sum(1 for _, status in done if status != 200)
    return bench.Timing.of([ms for ms, _ in done]), errors


@contextmanager
def _gunicorn(workers: int, **env):
    """A gunicorn of ``workers`` processes on a free loopback port (yields the port), stopped
    when the block ends."""
    port = _free_port()
    command = [
        sys.executable, "-m", "gunicorn", "civility.wsgi", "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--timeout", str(TIMEOUT), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=Path(settings.BASE_DIR), env={**os.environ, **env})
    try:
        _wait(port)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def run_http(pages, people, *, workers: int, clients: int, out) -> list:
    workers, clients = max(1, min(workers, 16)), max(1, min(clients, 64))
    cookies = {
        name: f"{settings.SESSION_COOKIE_NAME}={_session(user)}" for name, user in people.items()
    }
    results = []
    with _gunicorn(workers) as port:
        out.write(f"gunicorn {workers} 个进程，{clients} 个并发客户端，每页 {2 * clients} 次请求")
        bare, _ = _burst(port, "/healthz", cookies["secretariat"], clients)
        for label, persona, url, goal in pages:
            timing, errors = _burst(port, url, cookies[persona], clients)
            result = bench.page_result(f"{label}（HTTP）", timing, bare, goal)
            if errors:
                result.met = False
                result.goal += f" 错误{errors}"
            results.append(result)
            out.write(bench.line(result))
            out.flush()
    return results


# --- concurrent submits with a photo -------------------------------------------------------------

SUBMIT_TIMEOUT = 300  # seconds: the last of 200 queued uploads waits for all the others


def _multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = f"----civility-bench-{secrets.token_hex(8)}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="IMG.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _post(port: int, url: str, headers: dict, body: bytes) -> tuple[float, int]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=SUBMIT_TIMEOUT)
    try:
        connection.request("POST", quote(url, safe="/?&=%:"), body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000, status


def run_submits(label: str, forms: list, probes: list, user, photo: bytes, *, workers: int):
    """Every one of ``forms`` ((url, fields) of a problem's 提交整改) posted at once with
    ``photo``, through a gunicorn of ``workers`` processes; ``probes`` (more of the same) are
    posted one at a time first: their median is one submit's service time. What the CPU allows
    is the p95 of an ideal queue of these submits on min(workers, CPUs) servers; the goal is p95
    within HTTP_CPU_GOAL_RATIO of it, with no error (a submit that worked answers 302, back to
    the problem). The caller counts what was stored: a submit answered but not kept is lost."""
    workers = max(1, min(workers, 16))
    token = secrets.token_hex(16)  # a CSRF token in its cookie and in the header
    session = _session(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={token}"
    bodies = [(url, *_multipart(fields, photo)) for url, fields in [*probes, *forms]]

    def submit(item) -> tuple[float, int]:
        url, body, content_type = item
        headers = {
            "Cookie": cookie, "Host": "localhost", "X-CSRFToken": token,
            "Content-Type": content_type, "Content-Length": str(len(body)),
        }  # fmt: skip
        return _post(port, url, headers, body)

    media = tempfile.mkdtemp(prefix="civility-bench-media-")
    try:
        with _gunicorn(workers, MEDIA_ROOT=media) as port:
            alone = [submit(item) for item in bodies[: len(probes)]]
            with ThreadPoolExecutor(max_workers=len(forms)) as pool:
                done = list(pool.map(submit, bodies[len(probes) :]))
    finally:
        shutil.rmtree(media, ignore_errors=True)
    errors = sum(1 for _, status in alone + done if status != 302)
    service = statistics.median(ms for ms, _ in alone)
    servers = max(1, min(workers, os.cpu_count() or 1))
    queue = [math.ceil((i + 1) / servers) * service for i in range(len(forms))]
    limit = bench.Timing.of(queue)
    timing = bench.Timing.of([ms for ms, _ in done])
    result = bench.ratio_result(label, timing, limit, bench.HTTP_CPU_GOAL_RATIO)
    if errors:
        result.met = False
        result.goal += f" 错误{errors}"
    return result


def _wait(port: int) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        _ms, status = _get(port, "/healthz", "")
        if status == 200:
            return
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")
