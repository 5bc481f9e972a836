"""The screening as stored: one row per person's answers, with its expiry.

Answers are health data: every screening has an expiry, the resume code is kept only as a
keyed hash (resume_codes.py), and `storage.py` treats an expired row as gone even before the
purge removes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..timestamps import UTCDateTime


class Screening(Model):
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
