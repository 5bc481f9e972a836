"""Fixtures on real parts: a migrated SQLite file per test, and the same on PostgreSQL.

PostgreSQL runs are generated only when TEST_DATABASE_URL names a reachable server; each test
gets its own schema, so parallel runs and leftover tables never interfere. On CI (CI=true) an
unreachable server is an error, never a silent skip.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from screener import create_app
from screener.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _pg_reachable(url: str) -> str | None:
    """None when reachable, else why not."""
    if not url:
        return "TEST_DATABASE_URL is not set"
    try:
        engine = sa.create_engine(_psycopg(url), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: no PostgreSQL runs here
        return f"cannot connect to {url}: {type(exc).__name__}"
    return None


def _psycopg(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


PG_PROBLEM = _pg_reachable(PG_URL)
if PG_PROBLEM and ON_CI:
    raise RuntimeError(f"CI must run the PostgreSQL tests, but {PG_PROBLEM}")
BACKENDS = ["sqlite"] + ([] if PG_PROBLEM else ["postgres"])


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if PG_PROBLEM:
        terminalreporter.write_sep("!", "PostgreSQL runs were NOT made", red=True, bold=True)
        terminalreporter.write_line(f"  {PG_PROBLEM}. Set TEST_DATABASE_URL=postgresql://...")


@pytest.fixture
def database_url(request, tmp_path) -> Iterator[str]:
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    schema = f"t_{secrets.token_hex(6)}"
    admin = sa.create_engine(_psycopg(PG_URL))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{_psycopg(PG_URL)}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(url: str, **extra):
    from flask_migrate import upgrade

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
            **extra,
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


@pytest.fixture
def app(database_url):
    application = make_app(database_url)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def pytest_generate_tests(metafunc):
    """Tests marked `both_databases` run once per reachable backend."""
    if "database_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_databases"
    ):
        metafunc.parametrize("database_url", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def registry():
    from screener.questionnaire.loader import load_registry

    return load_registry(str(ROOT / "questions"))


@pytest.fixture(scope="session")
def questionnaire(registry):
    return registry.current
