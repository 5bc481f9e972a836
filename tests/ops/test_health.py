"""/healthz and /readyz (issue 12, item 10): what each says, on both databases, and that a
probe neither touches a screening nor may be framed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from screener import create_app
from screener.directory import gazetteer
from screener.extensions import db
from screener.patient import active as current
from screener.patient import model
from screener.timestamps import utcnow
from tests.flow import start

pytestmark = pytest.mark.both_databases


def loaded_places(app) -> None:
    with app.app_context():
        gazetteer.store([], "test")


def assert_probe_headers(response) -> None:
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "application/json"
    assert "Set-Cookie" not in response.headers


def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "up"}
    assert_probe_headers(response)


def test_readyz_waits_for_the_places(app, client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not ready",
        "checks": {"database": "ok", "migrations": "ok", "places": "not loaded"},
    }
    assert_probe_headers(response)
    loaded_places(app)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready", "checks": {"database": "ok", "migrations": "ok", "places": "ok"},
    }
    assert_probe_headers(response)


def test_readyz_sees_migrations_behind(app, client):
    loaded_places(app)
    with app.app_context():
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = '0003'"))
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"] == "not current"


def test_readyz_on_an_empty_database(database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "test-secret"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "ok", "migrations": "not current", "places": "not loaded"}
    with app.app_context():
        db.engine.dispose()


def test_probes_with_the_database_down():
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none"})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "unreachable", "migrations": "unknown", "places": "unknown"}


def test_probes_take_get_and_head_only(client):
    head = client.head("/readyz")
    assert head.status_code == 503 and head.data == b""
    for method in ("post", "put", "delete"):
        response = getattr(client, method)("/healthz")
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD"
        assert_probe_headers(response)


def test_a_probe_never_reads_a_screening_nor_purges(app, client):
    start(client)
    with app.app_context():
        record = db.session.scalars(sa.select(model.Screening)).one()
        record.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    current._last_purge[0] = 0.0
    assert client.get("/healthz").status_code == 200
    client.get("/readyz")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model.Screening)) == 1
