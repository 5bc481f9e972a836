"""Real servers for the operations tests: gunicorn with the shipped gunicorn.conf.py, and nginx
(Debian's package) with its own prefix, config and ports. Only 127.0.0.1 is used; every
process is stopped by the test that started it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
FLASK = str(Path(sys.executable).parent / "flask")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def csrf(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def wait_until_up(port: int, process: subprocess.Popen, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except requests.RequestException:  # refused, or the worker is still loading
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer on port {port}")


@dataclass
class Node:
    port: int
    access_log: Path
    error_log: Path
    process: subprocess.Popen

    def access_lines(self) -> list[str]:
        return self.access_log.read_text(encoding="utf-8").splitlines()


SUBMISSION_KEY = Fernet.generate_key().decode()


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCREENER_", "RATELIMIT_"))}
    env.update({"DATABASE_URL": database_url, "SECRET_KEY": "ops-test-" + "k7Qz" * 12,
                # Every node of a run shares one key, as production's nodes do.
                "SCREENER_SUBMISSION_KEYS": SUBMISSION_KEY, **extra})
    return env


@contextmanager
def gunicorn(folder: Path, env: dict[str, str], name: str = "node", workers: int = 1,
             app: str | None = None) -> Iterator[Node]:
    """gunicorn -c gunicorn.conf.py on a free port, its access and error logs in `folder`."""
    port = free_port()
    access_log, error_log = folder / f"{name}-access.log", folder / f"{name}-error.log"
    access_log.touch()
    args = [GUNICORN, "-c", str(ROOT / "gunicorn.conf.py")] + ([app] if app else [])
    with error_log.open("w") as errors:
        process = subprocess.Popen(
            args, cwd=ROOT, stdout=errors, stderr=subprocess.STDOUT,
            env={**env, "SCREENER_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
                 "SCREENER_ACCESS_LOG": str(access_log)},
        )
    try:
        wait_until_up(port, process, f"gunicorn {name}")
        yield Node(port, access_log, error_log, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


@contextmanager
def nginx(folder: Path, config_text: str, port: int) -> Iterator[subprocess.Popen]:
    """nginx in the foreground with `config_text` as its whole configuration, prefix `folder`."""
    binary = nginx_binary()
    assert binary, "nginx is not installed (.ci/run installs Debian's package)"
    conf = folder / "nginx.conf"
    conf.write_text(config_text, encoding="utf-8")
    check = subprocess.run([binary, "-t", "-p", str(folder), "-c", str(conf)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(conf)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, process, "nginx")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def flask_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([FLASK, "--app", "screener", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
