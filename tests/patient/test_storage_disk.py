"""Deleted means gone from disk: the raw database files hold no byte of a deleted answer.

SQLite is read file by file (main, `-wal`, `-shm`). PostgreSQL's files belong to the server, so
its pages are read through pageinspect's get_raw_page: the very bytes each page holds (shared
buffers first, else the file), dead tuples and free space included, which is what reaches the
relation file at the next checkpoint. It runs in a database of the test's own (the extension
is per database; the shared one is left as it is). Every check first sees the marker, so none
can pass by looking in the wrong place.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from screener.extensions import db
from screener.patient import active as current
from screener.patient import model
from screener.timestamps import utcnow
from tests.conftest import PG_PROBLEM, PG_URL, _psycopg, make_app
from tests.flow import csrf, post_step, start

MARKERS = ("Qx7-deleted-marker-5150", "Qx7-deleted-marker-edited", "Qx7-deleted-marker-final")
KEEP = "Kv2-still-answering-8080"


def _answer(client, texts) -> None:
    """One screening whose medicine list was typed, then changed: every version must go."""
    start(client)
    for text in texts:
        response = post_step(client, "medicines", {
            "medications": "yes", "medications.list": text, "medications.recent_change": "no",
            "substance_use": "no", "sleep_deprivation": "no",
        })
        assert response.status_code == 302


def _delete_now(client) -> None:
    page = client.get("/questions/medicines")
    response = client.post("/delete", data={"csrf_token": csrf(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"].endswith("/deleted")


def _expire_all_but(app, keep_text: str) -> None:
    with app.app_context():
        for record in db.session.scalars(sa.select(model.Screening)):
            if keep_text not in str(record.answers):
                record.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()


def _no_lazy_purge() -> None:
    """Requests purge at most once a minute; this test says when the purge runs."""
    current._last_purge[0] = time.monotonic()


def _file_hits(path: Path, marker: str) -> dict[str, int]:
    return {
        f.name: f.read_bytes().count(marker.encode())
        for f in sorted(path.parent.glob(path.name + "*"))
    }


def _sqlite_hits(path: Path) -> int:
    return sum(sum(_file_hits(path, marker).values()) for marker in MARKERS)


def test_sqlite_connections_zero_deleted_content(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'pragma.sqlite3'}")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_sqlite_files_forget_deleted_answers(tmp_path):
    path = tmp_path / "disk.sqlite3"
    app = make_app(f"sqlite:///{path}")
    _no_lazy_purge()
    patient = app.test_client()
    _answer(patient, MARKERS)
    assert _file_hits(path, MARKERS[0])[path.name + "-wal"] > 0  # where main left six copies
    assert _sqlite_hits(path) > 0

    _delete_now(patient)
    assert _sqlite_hits(path) == 0, {m: _file_hits(path, m) for m in MARKERS}

    still = app.test_client()
    _answer(still, [KEEP])
    expiring = app.test_client()
    _answer(expiring, MARKERS)
    _expire_all_but(app, KEEP)
    assert _sqlite_hits(path) > 0
    assert app.test_cli_runner().invoke(args=["purge"]).output.startswith("purged 1 ")
    assert _sqlite_hits(path) == 0, {m: _file_hits(path, m) for m in MARKERS}
    assert sum(_file_hits(path, KEEP).values()) > 0  # live answers are still there to read


@pytest.fixture
def own_database():
    """A database of this test's own, with pageinspect, dropped afterwards."""
    name = f"t_disk_{secrets.token_hex(5)}"
    admin = sa.create_engine(_psycopg(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(_psycopg(PG_URL)).set(database=name)
    try:
        inspect = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with inspect.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION pageinspect")
        yield url.render_as_string(hide_password=False), inspect
        inspect.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def _page_hits(engine, marker: str) -> int:
    """Pages of the screenings table and of its TOAST table whose raw bytes hold `marker`."""
    with engine.connect() as conn:
        toast = conn.exec_driver_sql(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'screenings'"
        ).scalar()
        hits = 0
        for relation in ("screenings", toast):
            hits += conn.execute(
                sa.text(
                    "SELECT count(*) FROM generate_series(0, pg_relation_size(CAST(:rel AS "
                    "regclass)) / current_setting('block_size')::int - 1) AS block "
                    "WHERE position(convert_to(:marker, 'UTF8') IN "
                    "get_raw_page(CAST(:rel AS text), 'main', block)) > 0"
                ),
                {"rel": relation, "marker": marker},
            ).scalar()
    return hits


def _no_other_snapshot(engine, seconds: float = 20.0) -> None:
    """Wait until no other session of this database holds a snapshot (autovacuum's ANALYZE
    does, now and then): VACUUM FULL must keep a deleted row such a snapshot can still see,
    and the next purge removes it. The test asserts the purge's own guarantee, not the luck of
    its timing."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            others = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND (backend_xmin IS NOT NULL "
                "OR backend_type = 'autovacuum worker')"
            ).scalar()
        if not others:
            return
        time.sleep(0.05)


def _pg_hits(engine) -> int:
    return sum(_page_hits(engine, marker) for marker in MARKERS)


@pytest.mark.skipif(PG_PROBLEM is not None, reason=f"PostgreSQL: {PG_PROBLEM}")  # CI: never
def test_postgres_pages_forget_deleted_answers_at_the_purge(own_database):
    url, inspect = own_database
    app = make_app(url)
    _no_lazy_purge()
    still = app.test_client()
    _answer(still, [KEEP])
    patient = app.test_client()
    _answer(patient, MARKERS)
    assert _pg_hits(inspect) > 0

    _delete_now(patient)
    # Gone from every query at once; the dead tuples wait for the purge's VACUUM FULL.
    assert _pg_hits(inspect) > 0
    expiring = app.test_client()
    _answer(expiring, MARKERS)
    _expire_all_but(app, KEEP)

    _no_other_snapshot(inspect)
    assert app.test_cli_runner().invoke(args=["purge"]).output.startswith("purged 1 ")
    assert _pg_hits(inspect) == 0
    assert _page_hits(inspect, KEEP) > 0  # the scan reads the rewritten table, live rows in it
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
