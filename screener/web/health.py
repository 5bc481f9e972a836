"""`/healthz` (the process answers) and `/readyz` (it can serve patients: the database answers,
its schema is at the newest migration, the places are loaded), for a load balancer or systemd.

They are answered in front of the Flask app, as WSGI middleware: no session, no language, no
lazy purge and no rate limit runs for a probe, so `/healthz` never touches the database and a
probe every second costs nothing. Neither says anything about a screening, and neither may be
framed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask

from ..directory import gazetteer
from ..extensions import db
from .accesslog import ROUTE_KEY

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
HEADERS = [
    ("Content-Type", "application/json"),
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
]


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]

    @property
    def ready(self) -> bool:
        return all(value == "ok" for value in self.checks.values())


def migration_heads(migrations_dir: str) -> frozenset[str]:
    config = Config()
    config.set_main_option("script_location", migrations_dir)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def readiness(heads: frozenset[str]) -> Readiness:
    """Each check as "ok" or a short reason; inside an app context."""
    checks = {"database": "ok", "migrations": "ok", "places": "ok"}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return Readiness({**checks, "database": "unreachable", "migrations": "unknown",
                          "places": "unknown"})
    try:
        current = frozenset(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        current = frozenset()
    if current != heads:
        checks["migrations"] = "not current"
    try:
        if gazetteer.current_stamp() is None:
            checks["places"] = "not loaded"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        checks["places"] = "not loaded"
    return Readiness(checks)


class HealthChecks:
    """WSGI middleware answering the two probe paths; everything else goes to `wsgi_app`."""

    def __init__(self, app: Flask, wsgi_app: Callable, migrations_dir: str) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.migrations_dir = migrations_dir

    @cached_property
    def heads(self) -> frozenset[str]:
        return migration_heads(self.migrations_dir)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path not in (HEALTH_PATH, READY_PATH):
            return self.wsgi_app(environ, start_response)
        environ[ROUTE_KEY] = path
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self._answer(environ, start_response, "405 Method Not Allowed",
                                {"status": "method not allowed"}, [("Allow", "GET, HEAD")])
        if path == HEALTH_PATH:
            return self._answer(environ, start_response, "200 OK", {"status": "up"})
        with self.app.app_context():
            result = readiness(self.heads)
        status = "200 OK" if result.ready else "503 Service Unavailable"
        body = {"status": "ready" if result.ready else "not ready", "checks": result.checks}
        return self._answer(environ, start_response, status, body)

    @staticmethod
    def _answer(environ: dict, start_response: Callable, status: str, body: dict,
                extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
        payload = json.dumps(body).encode()
        start_response(status, [*HEADERS, *(extra or []),
                                ("Content-Length", str(len(payload)))])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [payload]


def init_app(app: Flask, migrations_dir: Path | str) -> None:
    app.wsgi_app = HealthChecks(app, app.wsgi_app, str(migrations_dir))  # type: ignore[method-assign]
