"""Shared bench plumbing: a gunicorn server on loopback and a bounded client loop.

Only 127.0.0.1 is ever targeted; every loop is bounded in count and time and stops by itself.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str] | None = None, workers: int = WORKERS) -> Iterator[int]:
    """Serve `app` ('module:factory()') with the same settings for every bench; yields the port."""
    with serve(app, env, workers) as (port, _):
        yield port


@contextmanager
def serve(app: str, env: dict[str, str] | None = None,
          workers: int = WORKERS) -> Iterator[tuple[int, subprocess.Popen]]:
    """As `gunicorn`, yielding the master process too (to read its and its workers' CPU)."""
    port = free_port()
    process = subprocess.Popen(
        [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn for {app} did not start")
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def worker_pids(port: int) -> list[int]:
    """PIDs of gunicorn workers listening on `port` (children of the master)."""
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
    masters = [line.split()[0] for line in out.splitlines() if f"127.0.0.1:{port}" in line
               and "gunicorn" in line]
    return [int(line.split()[0]) for line in out.splitlines()
            if len(line.split()) > 1 and line.split()[1] in masters]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load(make_session: Callable[[], Callable[[], None]], threads: int = 4,
         seconds: float = 5.0, max_ops: int = 50_000) -> tuple[float, list[float]]:
    """Run sessions in threads for `seconds`; returns (ops per second, per-op latencies)."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    lock = threading.Lock()
    count = [0]

    def run() -> None:
        op = make_session()
        while time.monotonic() < stop and count[0] < max_ops:
            t0 = time.perf_counter()
            op()
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                count[0] += 1

    started = time.monotonic()
    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return count[0] / (time.monotonic() - started), latencies


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


class Client:
    """A keep-alive HTTP client with a cookie jar of one cookie per name (enough here)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text
