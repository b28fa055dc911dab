"""Cold and warm response times of pages, each measured on a fresh production-style server.

For every URL a new gunicorn (one sync worker, DEBUG=0, as `make serve` runs it) is started; the
script waits until it accepts connections, then times the first request (cold) and the next ones
(warm, the median of --warm). The person is signed in through a session made directly in the
database, so no other request warms the server first.

    DATABASE_URL=sqlite:////path/demo.sqlite3 .venv/bin/python scripts/cold_start.py \\
        --user leader / /rankings/annual/2026/ /reports/monthly/2026-11.docx

Times are wall-clock seconds seen by the client on this machine (no network); "ready" is from
starting gunicorn until its worker has loaded the application. Static files are collected once
into a temporary STATIC_ROOT.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session_cookie(env: dict, username: str) -> str:
    """A signed-in session for ``username``, written straight into the database."""
    code = (
        "import django; django.setup()\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from civility.core.models import User\n"
        f"user = User.objects.get(username={username!r})\n"
        "s = SessionStore()\n"
        "s[SESSION_KEY] = str(user.pk)\n"
        "s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "s[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "s.create()\n"
        "print(s.session_key)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


HOOK = """
def post_worker_init(worker):
    open({flag!r}, "w").close()
"""


def wait_ready(flag: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    """Until the worker has loaded the application (gunicorn's post_worker_init hook)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode})")
        if flag.exists():
            return
        time.sleep(0.01)
    raise SystemExit("gunicorn did not start")


def fetch(url: str, cookie: str) -> tuple[float, int, int]:
    request = urllib.request.Request(
        url,
        headers={
            "Cookie": f"sessionid={cookie}",
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "zh-CN",
        },
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return time.perf_counter() - start, status, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="paths to request, e.g. / or /rankings/")
    parser.add_argument("--user", default="leader")
    parser.add_argument("--warm", type=int, default=3, help="warm requests after the first")
    parser.add_argument("--runs", type=int, default=1, help="fresh servers per path")
    args = parser.parse_args()

    static_root = tempfile.mkdtemp(prefix="civility-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "civility.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    cookie = session_cookie(env, args.user)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    print(f"{'path':42} {'ready':>7} {'cold':>7} {'warm':>7} status bytes")
    for path in args.paths:
        for _run in range(args.runs):
            port = free_port()
            flag = Path(tempfile.mkdtemp(prefix="civility-cold-")) / "ready"
            config = flag.with_name("gunicorn.conf.py")
            config.write_text(HOOK.format(flag=str(flag)))
            command = [
                str(gunicorn),
                "civility.wsgi",
                "-c",
                str(config),
                "-b",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ]
            start = time.perf_counter()
            process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                wait_ready(flag, process)
                ready = time.perf_counter() - start
                url = f"http://127.0.0.1:{port}{path}"
                cold, status, size = fetch(url, cookie)
                warm = statistics.median(fetch(url, cookie)[0] for _ in range(args.warm))
            finally:
                process.terminate()
                process.wait()
            print(f"{path:42} {ready:7.2f} {cold:7.2f} {warm:7.2f} {status:>6} {size}")


if __name__ == "__main__":
    main()
