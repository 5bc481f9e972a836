"""The screening as stored: one row per person's answers, with its expiry.

Answers are health data: every screening has an expiry, the resume code is kept only as a
keyed hash (resume_codes.py), and `storage.py` treats an expired row as gone even before the
purge removes it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp that always comes back aware, in UTC, on every backend.

    SQLite has no time-zone type and hands back naive datetimes even for timezone=True
    columns; PostgreSQL hands back the session's zone. Converting here, once, means no caller
    ever compares a naive value with `utcnow()` (a TypeError) or formats one as local time."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Screening(db.Model):
    __tablename__ = "screenings"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    questionnaire_version: Mapped[str] = mapped_column(sa.String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    clinic_slug: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    place: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    resume_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, unique=True)
    furthest_step: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pending: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    """What a failed submit showed (posted values, errors, newly revealed questions), kept for
    the page views that follow the redirect, so that Back never meets a POST result. Cleared by
    the next save, never by a read (see screenings.shown_state)."""
