"""Connection set-up per backend, what a lost connection costs, and what makes deleted
answers leave the disk.

SQLite gets WAL with synchronous=NORMAL (no fsync per commit, still crash-safe for the
database) and a busy timeout, so several gunicorn workers can share the file, and
secure_delete, so that freed space is zeroed. PostgreSQL needs nothing at connect time.

Deleted rows outlive their DELETE on both backends unless something is done about it: in
SQLite's `-wal` file (every page version a commit wrote stays there until the log wraps) and in
PostgreSQL's dead tuples. `scrub` is that something, called by storage after each delete.

A connection the server dropped is replaced at checkout (pool_pre_ping, see config); one lost
in the middle of a request fails that statement: a read that nothing was written before is
tried once more on a fresh connection (`retry_read`), anything else becomes the translated
503 page (errors.py), and the request's end never raises on the dead connection.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
WROTE = "screener_wrote"
"""Session.info key: this transaction has sent a write, so repeating a read after the
connection died would build on a write that was rolled back with it."""

SCRUBBED_TABLE = "screenings"
VACUUM_LOCK_TIMEOUT = "500ms"
"""VACUUM FULL needs the table to itself; waiting longer would stall every patient queued
behind it. Not getting the lock is harmless: the next purge tries again."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL stays (readers never block the writer, and synchronous=NORMAL is safe under it);
    # what a WAL keeps of deleted rows is handled by checkpointing after deletes, see scrub().
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Zero deleted content instead of leaving it in free pages: Debian builds SQLite with this
    # on, other builds (and Python wheels on other systems) need not.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def scrub(*, purge: bool) -> None:
    """After answers were deleted and committed, make the deleted bytes leave the files.

    SQLite: checkpoint the WAL into the main file (where secure_delete has zeroed the rows)
    and truncate it to nothing. TRUNCATE waits (up to the busy timeout) for readers, which hold
    the file only for one statement here. Keeping WAL and checkpointing after a delete was
    chosen over journal_mode=DELETE, which leaves no log behind but makes every write block
    every reader.

    PostgreSQL, after a purge only: VACUUM FULL rewrites the table into a new file holding
    live rows alone. Plain VACUUM is not enough: it frees the dead tuples (the deleted rows and
    every earlier version of each saved row) but leaves their bytes in the page's free space
    until new rows overwrite them. The rewrite takes an exclusive lock for as long as copying
    the live rows takes (milliseconds for a day of screenings); a "delete my answers now"
    waits for the next purge, the job or the lazy once-a-minute one. PostgreSQL's own WAL and
    any backups are outside this: see the README ("Deleted means gone from disk").

    Failures are logged, never raised: the delete itself has been committed, and the next
    delete or purge scrubs again."""
    engine: Engine = db.engine
    try:
        if engine.dialect.name == "sqlite":
            _checkpoint(engine)
        elif engine.dialect.name == "postgresql" and purge:
            _vacuum_full(engine)
    except sa.exc.SQLAlchemyError as exc:
        log.warning("deleted rows not scrubbed from disk yet (%s); the next delete or purge "
                    "tries again", type(exc).__name__)


def _checkpoint(engine: Engine) -> None:
    with engine.connect() as conn:
        busy, _log_frames, _moved = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        log.warning("WAL checkpoint after a delete was blocked by a reader; the next one "
                    "truncates the WAL")


def _vacuum_full(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"SET lock_timeout = '{VACUUM_LOCK_TIMEOUT}'")
        try:
            conn.exec_driver_sql(f"VACUUM (FULL) {SCRUBBED_TABLE}")
        finally:
            conn.exec_driver_sql("RESET lock_timeout")


def is_fault(exc: BaseException) -> bool:
    """The database could not answer (down, restarting, connection cut, locked, pool empty):
    worth trying again later, unlike a bad statement or a broken constraint."""
    if isinstance(exc, sa.exc.DBAPIError):
        return exc.connection_invalidated or isinstance(
            exc, sa.exc.OperationalError | sa.exc.InterfaceError
        )
    return isinstance(exc, sa.exc.TimeoutError | sa.exc.PendingRollbackError)


def retry_read(read: Callable[P, T]) -> Callable[P, T]:
    """Run a read once more when its connection was lost under it (a server restart, a
    failover, an administrator's pg_terminate_backend), unless this transaction has written:
    then the write is lost with the connection and only the 503 page is honest."""

    @functools.wraps(read)
    def once_more(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return read(*args, **kwargs)
        except sa.exc.DBAPIError as exc:
            if not exc.connection_invalidated or db.session.info.get(WROTE):
                raise
            log.warning("database connection lost during a read (%s); reading once more",
                        type(exc).__name__)
            db.session.rollback()
            return read(*args, **kwargs)

    return once_more


def _note_flush(session: Session, _context) -> None:
    session.info[WROTE] = True


def _note_statement(state) -> None:
    if not state.is_select:
        state.session.info[WROTE] = True


def _forget_writes(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def _end_session_quietly(_exc: BaseException | None) -> None:
    """Close the request's session before Flask-SQLAlchemy does: on a connection the server
    has dropped, closing rolls back and fails, and failing inside the teardown would be a
    traceback after the answer (and, in tests, an exception in the client). close(), not
    rollback(): loaded rows stay readable, detached, as after Flask-SQLAlchemy's own close."""
    if not db.session.registry.has():
        return
    try:
        db.session.close()
    except sa.exc.SQLAlchemyError as exc:
        log.warning("database connection lost before the request ended (%s)",
                    type(exc).__name__)


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
    for name, listener in (
        ("after_flush", _note_flush),
        ("do_orm_execute", _note_statement),
        ("after_transaction_end", _forget_writes),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    # Teardown functions run last-registered first: this one before Flask-SQLAlchemy's.
    app.teardown_appcontext(_end_session_quietly)
