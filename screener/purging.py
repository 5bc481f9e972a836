"""Deleting expired answers: one scheduled job (`flask purge`, SCREENER_PURGE=job), or, where
no job runs, now and then on requests (SCREENER_PURGE=lazy, the default, so that `make run`
needs nothing else).

With a job, web workers never purge: on several nodes the lazy purge would run once a minute
per worker per node. The job holds a PostgreSQL advisory lock while it runs, so timers on
every app host still purge one at a time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import audit, database
from .config import ConfigError
from .extensions import db
from .patient import storage
from .submissions import service
from .timestamps import utcnow

log = logging.getLogger(__name__)

MODES = ("lazy", "job")
LOCK_KEY = 0x5C12_0001
"""The advisory lock's number: any constant, the same on every node."""


def lazy() -> bool:
    """True where requests purge (no scheduled job)."""
    return current_app.config.get("PURGE", "lazy") == "lazy"


@contextmanager
def one_at_a_time() -> Iterator[bool]:
    """Yields False when another purge holds the lock (PostgreSQL); SQLite has one host."""
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    with db.engine.connect() as connection:
        got = connection.scalar(sa.select(sa.func.pg_try_advisory_lock(LOCK_KEY)))
        # The lock is the session's, not the transaction's: end the transaction at once, or
        # its snapshot keeps the deleted rows visible and VACUUM FULL copies them over.
        connection.commit()
        try:
            yield bool(got)
        finally:
            if got:
                connection.scalar(sa.select(sa.func.pg_advisory_unlock(LOCK_KEY)))
            connection.rollback()


def purge_expired() -> int:
    """Delete every expired screening in one commit, then scrub the files (also of rows
    deleted by patients since the last purge); returns how many went."""
    try:
        removed = storage.delete_expired(utcnow())
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    database.scrub(purge=True)
    if removed:
        log.info("purged %d expired screening(s)", removed)
    return removed


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete every screening past its retention time (the scheduled job: a systemd timer or
    cron, with SCREENER_PURGE=job)."""
    with one_at_a_time() as mine:
        if not mine:
            click.echo("purge: another purge is running on this database; nothing done")
            return
        removed = purge_expired()
        sent, entries = purge_clinic_copies()
    click.echo(f"purged {removed} expired screening(s)")
    if sent or entries:
        click.echo(f"purged {sent} expired clinic submission(s) and {entries} old audit "
                   "entries")


def purge_clinic_copies() -> tuple[int, int]:
    """Submissions past their clinic's retention, then audit entries past theirs."""
    sent = service.purge_expired()
    entries = audit.purge_expired(timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"]))
    return sent, entries


def init_app(app: Flask) -> None:
    mode = str(app.config.get("PURGE") or os.environ.get("SCREENER_PURGE", "lazy")).strip()
    if mode not in MODES:
        raise ConfigError("SCREENER_PURGE must be lazy (requests purge) or job (flask purge "
                          "runs from a timer)")
    app.config["PURGE"] = mode
    app.cli.add_command(purge_command)
