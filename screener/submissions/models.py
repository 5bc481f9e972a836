"""The stored submission: what travels in clear (to sort, expire and isolate by clinic) and the
one sealed column holding everything a patient sent."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..timestamps import UTCDateTime

STATUSES = ("new", "opened", "reviewed")


class Submission(Model):
    __tablename__ = "submissions"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    """What the patient quotes on the phone (Crockford base 32, 8 characters)."""
    clinic_slug: Mapped[str] = mapped_column(sa.String(100), index=True)
    questionnaire_version: Mapped[str] = mapped_column(sa.String(20))
    language: Mapped[str] = mapped_column(sa.String(8))
    sealed: Mapped[str] = mapped_column(sa.Text)
    """Answers as judged then, flags, outcome and contact details, sealed (sealing.py)."""
    status: Mapped[str] = mapped_column(sa.String(12), default="new")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """The first time the clinic saw the content (page, download or API): no withdrawal after."""
    acknowledged_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True)
    withdraw_hash: Mapped[str] = mapped_column(sa.String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reviewer_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    sealed_review: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    """Decision, note and the clinician's name, sealed: a note is about the patient."""


class InboxSettings(Model):
    """Per clinic: how long submissions are kept (default 30 days, at most 90)."""

    __tablename__ = "clinic_inbox_settings"

    clinic_slug: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    retention_days: Mapped[int] = mapped_column(sa.Integer)
