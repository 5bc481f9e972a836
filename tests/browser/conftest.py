"""Browser fixtures: the real app on a live port, one Debian Chromium per session, and a fresh
context per person with guards that fail a test when a page calls out, breaks or logs an error.

Playwright's own browser download is not used: Debian's Chromium is. Without it, browser tests
are deselected with a loud message, except on CI (CI=true), where that is an error.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import ON_CI, ROOT, make_app

from .helpers import SCREENSHOTS, Person, screenshots_written

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

CHROMIUM_PROBLEM = None if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK) else (
    f"{CHROMIUM} is missing (apt-get install chromium)"
)
if CHROMIUM_PROBLEM and ON_CI:
    raise RuntimeError(f"CI must run the browser tests, but {CHROMIUM_PROBLEM}")

_deselected: list[str] = []


def pytest_collection_modifyitems(config, items):
    if not CHROMIUM_PROBLEM:
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("browser") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
        _deselected.extend(item.nodeid for item in drop)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _deselected:
        terminalreporter.write_sep("!", "BROWSER TESTS WERE NOT RUN", red=True, bold=True)
        terminalreporter.write_line(
            f"  {CHROMIUM_PROBLEM}: {len(_deselected)} browser tests deselected. "
            "Set CHROMIUM=/path/to/chromium or install Debian's chromium."
        )
        return
    shots = sorted(SCREENSHOTS.glob("*.png")) if SCREENSHOTS.is_dir() else []
    if shots:
        when = "this run" if screenshots_written() else "an earlier run"
        terminalreporter.write_sep("-", "screenshots at 360 px")
        terminalreporter.write_line(
            f"  {len(shots)} pages from {when} in {SCREENSHOTS.relative_to(ROOT)}/"
        )


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # one line per request drowns failures
        pass


@dataclass(frozen=True)
class Live:
    app: Flask
    port: int


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> Iterator[Live]:
    """The real app on a migrated SQLite file, on 127.0.0.1 and a free port."""
    from screener.extensions import db

    folder = tmp_path_factory.mktemp("live")
    app = make_app(
        f"sqlite:///{folder / 'browser.sqlite3'}",
        RATELIMIT_ENABLED=False,
        SESSION_COOKIE_SECURE=False,
    )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield Live(app, server.server_port)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live) -> str:
    return f"http://127.0.0.1:{live.port}"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def person(browser, live_server) -> Iterator[Callable[..., Person]]:
    """`person(width=360, js=True)`: a new browser context (no cookies) with one page.

    Every request must stay on the live server; no page may log an error, throw, or get a
    5xx. Checked when the test ends, so each person in a test is covered.
    """
    people: list[Person] = []

    def open_person(*, width: int = 360, js: bool = True, lang: str = "en",
                    timezone: str | None = None) -> Person:
        context = browser.new_context(
            viewport={"width": width, "height": 800},
            java_script_enabled=js,
            locale="en-GB",
            timezone_id=timezone,
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        who = Person(context, live_server, width=width, js=js, lang=lang)
        people.append(who)
        return who

    yield open_person
    problems = []
    for who in people:
        problems.extend(who.problems())
        who.context.close()
    assert not problems, "\n".join(problems)
