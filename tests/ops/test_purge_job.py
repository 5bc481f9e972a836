"""Purge as one scheduled job (issue 12, item 10): SCREENER_PURGE=job stops the per-request
purge, `flask purge` does it, and on PostgreSQL two jobs at once purge once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from screener import create_app, purging
from screener.config import ConfigError
from screener.extensions import db
from screener.patient import active as current
from screener.patient import model
from screener.timestamps import utcnow
from tests.conftest import PG_PROBLEM, make_app
from tests.flow import start


def expire_all(app) -> None:
    with app.app_context():
        for record in db.session.scalars(sa.select(model.Screening)):
            record.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model.Screening))


@pytest.mark.both_databases
@pytest.mark.parametrize(("mode", "left"), [("job", 1), ("lazy", 0)])
def test_requests_purge_only_where_no_job_runs(database_url, mode, left):
    app = make_app(database_url, PURGE=mode)
    client = app.test_client()
    start(client)
    expire_all(app)
    current._last_purge[0] = 0.0
    app.test_client().get("/")  # someone else's request
    assert stored(app) == left
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert result.output == f"purged {left} expired screening(s)\n"
    assert stored(app) == 0


def test_the_default_is_lazy(monkeypatch, tmp_path):
    monkeypatch.delenv("SCREENER_PURGE", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["PURGE"] == "lazy"
    monkeypatch.setenv("SCREENER_PURGE", "job")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["PURGE"] == "job"


@pytest.mark.parametrize("value", ["cron", "JOB", "off"])
def test_an_unknown_purge_mode_refuses_to_start(monkeypatch, tmp_path, value):
    monkeypatch.setenv("SCREENER_PURGE", value)
    with pytest.raises(ConfigError, match="SCREENER_PURGE must be lazy"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})


@pytest.mark.skipif(bool(PG_PROBLEM), reason=f"{PG_PROBLEM} (an error on CI: conftest)")
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_second_job_at_the_same_time_does_nothing(database_url):
    app = make_app(database_url, PURGE="job")
    start(app.test_client())
    expire_all(app)
    runner = app.test_cli_runner()
    with app.app_context(), db.engine.connect() as other:
        assert other.scalar(sa.select(sa.func.pg_try_advisory_lock(purging.LOCK_KEY)))
        result = runner.invoke(args=["purge"])
        assert result.output == "purge: another purge is running on this database; nothing done\n"
        assert stored(app) == 1
        other.scalar(sa.select(sa.func.pg_advisory_unlock(purging.LOCK_KEY)))
        other.commit()
    result = runner.invoke(args=["purge"])
    assert result.output == "purged 1 expired screening(s)\n"
    assert stored(app) == 0
