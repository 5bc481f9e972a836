"""The shipped gunicorn.conf.py (issue 12, item 4): a real gunicorn on a free port, a framed
patient's requests, and its access and error logs read back. The framed bearer id, any query
string and any unmatched path appear in neither; the route does."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
import requests

from screener.directory import importer
from screener.extensions import db

from ..conftest import make_app
from .servers import ROOT, app_env, csrf, gunicorn

CLINIC = "sample-sofia-1"
DEMO = ROOT / "data" / "demo-providers.json"
MARKS = ("QUERYMARK", "PATHMARK", "RAWIDMARK", "RAWQUERYMARK", "lang=bg", "m=missing")


@pytest.fixture
def site(tmp_path) -> str:
    """A migrated SQLite file with the demo clinics, as `make run` leaves it."""
    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    app = make_app(url)
    with app.app_context():
        importer.import_file(DEMO, allow_localhost=True)
        db.engine.dispose()
    return url


def framed_walk(base: str) -> str:
    """Start a screening in the clinic's frame and open two of its pages; the framed id."""
    web = requests.Session()
    entry = web.get(f"{base}/c/{CLINIC}/embed?lang=bg", timeout=10)
    assert entry.status_code == 200
    started = web.post(f"{base}/c/{CLINIC}/embed/start?lang=bg",
                       data={"csrf_token": csrf(entry.text)}, allow_redirects=False, timeout=10)
    assert started.status_code == 303, started.status_code
    step = started.headers["Location"]
    framed_id = step.split("/f/")[1].split("/")[0]
    assert len(framed_id) == 43
    assert web.get(f"{base}{step}?lang=bg&m=missing", timeout=10).status_code == 200
    web.get(f"{base}/c/{CLINIC}/f/{framed_id}/check?typed=QUERYMARK", timeout=10)
    assert web.get(f"{base}/no/such/PATHMARK?x=QUERYMARK", timeout=10).status_code == 404
    assert web.get(f"{base}/healthz", timeout=10).status_code == 200
    return framed_id


def invalid_request_line(port: int) -> None:
    """A request line gunicorn refuses; its warning quotes the line unless redacted."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /c/x/f/RAWIDMARK/check?q=RAWQUERYMARK HTTP/1.1 junk\r\n\r\n")
        sock.recv(4096)


def wait_for_lines(path: Path, count: int) -> list[str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) >= count:
            return lines
        time.sleep(0.05)
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_access_log_writes_routes_never_paths_ids_or_queries(tmp_path, site, log_format):
    env = app_env(site, SCREENER_LOG_FORMAT=log_format)
    with gunicorn(tmp_path, env) as node:
        base = f"http://127.0.0.1:{node.port}"
        framed_id = framed_walk(base)
        invalid_request_line(node.port)
        lines = wait_for_lines(node.access_log, 8)
    # After the start-up probes: a slow start answers more than one.
    while lines and '/healthz' in lines[0]:
        lines = lines[1:]
    errors = node.error_log.read_text(encoding="utf-8")
    logged = "\n".join(lines)
    assert "Invalid request" in errors, "the refused request line must still be logged"
    for secret in (framed_id, *MARKS):
        assert secret not in logged, secret
        assert secret not in errors, secret
    if log_format == "json":
        entries = [json.loads(line) for line in lines]
        routes = [(e["method"], e["route"], e["status"]) for e in entries]
    else:
        routes = [tuple(line.split('"')[1].split()[:2]) for line in lines]
    framed = "/c/<slug>/f/<token>"
    expected = [
        ("GET", "/c/<slug>/embed"),
        ("POST", "/c/<slug>/embed/start"),
        ("GET", f"{framed}/questions/<section_id>"),
        ("GET", f"{framed}/check"),
        ("GET", "-"),
        ("GET", "/healthz"),
    ]
    assert [r[:2] for r in routes[:6]] == expected, routes
    if log_format == "json":
        assert [r[2] for r in routes[:6]] == [200, 303, 200, routes[3][2], 404, 200]


def test_redact_cuts_framed_ids_and_queries():
    namespace: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(encoding="utf-8"), namespace)
    redact = namespace["redact"]
    line = "Invalid HTTP request line: 'GET /c/clinic-1/f/abcDEF_-123/check?x=1 HTTP/1.1 j'"
    assert redact(line) == "Invalid HTTP request line: 'GET /c/clinic-1/f/…/check?… HTTP/1.1 j'"
    assert redact("GET /c/a/f/id") == "GET /c/a/f/…"
