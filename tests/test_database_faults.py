"""Database faults answer 503, never 500, on the CI's own PostgreSQL, without restarting it.

The app's connections carry an application_name of this test's own, so terminating them
(pg_terminate_backend, as a server restart or failover would) touches nobody else. "During a
request" is a SQLAlchemy hook that cuts the very connection a statement is about to use.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from html import unescape

import pytest
import sqlalchemy as sa
from flask import request_finished
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from screener.extensions import db
from screener.patient import active as current
from screener.patient import model
from tests.conftest import PG_PROBLEM, PG_URL, _psycopg, make_app
from tests.flow import post_step, start

pytestmark = [
    # CI never skips: conftest fails the run when its PostgreSQL is unreachable.
    pytest.mark.skipif(PG_PROBLEM is not None, reason=f"PostgreSQL: {PG_PROBLEM}"),
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

TYPED = "Zyx-typed-before-the-fault-4711"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


class Cutter:
    """Terminates the app's own backends: all of them, or the one about to run a statement."""

    def __init__(self, admin: sa.Engine, name: str, engine: sa.Engine):
        self.admin, self.name, self.cut = admin, name, 0
        self.armed: str | None = None
        self.times = 0
        event.listen(engine, "before_cursor_execute", self._before)

    def all(self) -> int:
        with self.admin.connect() as conn:
            return conn.execute(
                sa.text("SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                        "WHERE application_name = :name"),
                {"name": self.name},
            ).scalar()

    def on(self, statement_start: str, times: int = 1) -> None:
        self.armed, self.times = statement_start, times

    def _before(self, conn, _cursor, statement, _params, _context, _many) -> None:
        if self.armed and statement.lstrip().startswith(self.armed):
            self.times -= 1
            if not self.times:
                self.armed = None
            pid = conn.connection.dbapi_connection.info.backend_pid
            with self.admin.connect() as admin:
                admin.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
            self.cut += 1


@pytest.fixture
def faulty(database_url):
    name = f"screener-test-{secrets.token_hex(6)}"
    app = make_app(f"{database_url}&application_name={name}")
    admin = sa.create_engine(_psycopg(PG_URL), isolation_level="AUTOCOMMIT")
    with app.app_context():
        cutter = Cutter(admin, name, db.engine)
    current._last_purge[0] = time.monotonic()  # no lazy purge in the middle of a test
    yield app, cutter
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    admin.dispose()


@pytest.fixture
def records():
    """Every log record at DEBUG: a fault may be logged, as a warning without a traceback."""
    seen: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = seen.append
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield seen
    root.removeHandler(handler)
    root.setLevel(old)


def _no_traceback(records) -> None:
    loud = [(r.name, r.levelname, r.getMessage()) for r in records
            if r.exc_info or r.levelno >= logging.ERROR]
    assert loud == []


def _medicines(text: str) -> dict:
    return {"medications": "yes", "medications.list": text, "medications.recent_change": "no",
            "medications_stopped": "no", "alcohol_use": "no", "alcohol_stopped": "no",
            "drug_use": "no", "sleep_deprivation": "no"}


def _saved(app) -> dict:
    with app.app_context():
        return db.session.scalars(sa.select(model.Screening)).one().answers


def test_connections_cut_between_requests_are_replaced(faulty, records):
    app, cutter = faulty
    client = app.test_client()
    start(client)
    assert client.get("/questions/medicines").status_code == 200
    assert cutter.all() >= 1  # the pool's idle connection
    assert post_step(client, "medicines", _medicines(TYPED)).status_code == 302
    assert cutter.all() >= 1
    assert client.get("/questions/medicines").status_code == 200
    assert _saved(app)["medications.list"] == [TYPED]
    _no_traceback(records)


def test_a_read_cut_mid_request_is_read_once_more(faulty, records):
    app, cutter = faulty
    client = app.test_client()
    start(client)
    cutter.on("SELECT screenings.")  # loading the patient's screening
    page = client.get("/questions/medicines")
    assert cutter.cut == 1
    assert page.status_code == 200 and "medications" in page.get_data(as_text=True)
    assert any("reading once more" in r.getMessage() for r in records)
    _no_traceback(records)


def test_a_save_cut_mid_request_is_a_503_that_keeps_what_was_typed(faulty, records):
    app, cutter = faulty
    client = app.test_client()
    start(client)
    assert post_step(client, "medicines", _medicines("first answer")).status_code == 302
    cutter.on("UPDATE screenings")
    page = post_step(client, "medicines", _medicines(TYPED))
    assert cutter.cut == 1
    html = page.get_data(as_text=True)
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "We could not save that just now" in html and "earlier answers are kept" in html
    assert f"<dd>{TYPED}</dd>" in html and "<dd>Yes</dd>" in html  # shown as well as kept
    assert _saved(app)["medications.list"] == ["first answer"]  # nothing half-saved
    fields = [(name, unescape(value)) for name, value in HIDDEN.findall(html)]
    assert ("medications__list", TYPED) in fields and any(n == "csrf_token" for n, _ in fields)
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))
    assert action == "/questions/medicines"
    again = client.post(action, data=MultiDict(fields))  # the button: the same, once more
    assert again.status_code == 302
    assert _saved(app)["medications.list"] == [TYPED]
    _no_traceback(records)


def test_a_connection_cut_after_the_page_ends_the_request_quietly(faulty, records):
    app, cutter = faulty
    client = app.test_client()
    start(client)

    def cut_before_teardown(_sender, **_extra):
        cutter.all()  # the session still holds its connection, in a transaction

    request_finished.connect(cut_before_teardown, app)
    try:
        page = client.get("/questions/medicines")  # main: the teardown's rollback raised here
    finally:
        request_finished.disconnect(cut_before_teardown, app)
    assert page.status_code == 200
    assert client.get("/questions/medicines").status_code == 200
    assert any("lost before the request ended" in r.getMessage() for r in records)
    _no_traceback(records)


def test_a_read_cut_twice_is_a_translated_503(faulty, records):
    app, cutter = faulty
    client = app.test_client()
    start(client)
    cutter.on("SELECT screenings.", times=2)  # the read once more fails as well
    page = client.get("/questions/medicines?lang=bg")
    assert cutter.cut == 2
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    html = page.get_data(as_text=True)
    assert '<html lang="bg">' in html and "<h1>" in html
    assert "We could not open this page just now" not in html  # it is said in Bulgarian
    assert 'href="/questions/medicines?lang=bg"' in html  # try again: the same page
    _no_traceback(records)


def test_the_api_answers_a_fault_with_problem_json(faulty, records):
    app, cutter = faulty
    client = app.test_client()
    cutter.on("SELECT")
    response = client.get("/api/v1/places?q=Sofia")
    assert cutter.cut == 1
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    _no_traceback(records)

