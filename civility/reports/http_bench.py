"""``benchmark --http``: the same pages through gunicorn with concurrent clients.

gunicorn is started on a free port of 127.0.0.1 only, with this process's environment (same
database, same SECRET_KEY, so sessions made here are valid there), and stopped at the end. Every
burst is bounded: ``clients`` threads, ``2 × clients`` requests per page, a timeout on each.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
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


def run_http(pages, people, *, workers: int, clients: int, out) -> list:
    workers, clients = max(1, min(workers, 16)), max(1, min(clients, 64))
    port = _free_port()
    cookies = {
        name: f"{settings.SESSION_COOKIE_NAME}={_session(user)}" for name, user in people.items()
    }
    command = [
        sys.executable, "-m", "gunicorn", "civility.wsgi", "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--timeout", str(TIMEOUT), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=Path(settings.BASE_DIR), env=dict(os.environ))
    results = []
    try:
        _wait(port)
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
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return results


def _wait(port: int) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        _ms, status = _get(port, "/healthz", "")
        if status == 200:
            return
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")
