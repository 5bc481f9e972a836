"""Staff accounts and clinic API tokens. Secrets are never stored as given: passwords as argon2
hashes, recovery codes, enrolment links and API tokens as SHA-256 digests (each is a random
value of 60 bits or more, so a fast hash is enough), the TOTP secret sealed with the
submission keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..timestamps import UTCDateTime

ROLES = ("clinician", "admin")


class StaffUser(Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    clinic_slug: Mapped[str] = mapped_column(sa.String(100), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[str] = mapped_column(sa.String(12))
    password_hash: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    totp_sealed: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    totp_last_step: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    """The last 30-second step a code was accepted for: a code is good once."""
    recovery_hashes: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    failed_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime,
                                                          nullable=True)
    enrol_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, unique=True)
    enrol_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime,
                                                              nullable=True)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime,
                                                         nullable=True)
    session_epoch: Mapped[int] = mapped_column(sa.Integer, default=0)
    """Part of the session's user id: raising it ends every session of the account."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # Flask-Login's user protocol
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.enrolled_at is not None

    def get_id(self) -> str:
        return f"{self.id}.{self.session_epoch}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> str:
        return f"staff:{self.id} {self.email}"


class ApiToken(Model):
    __tablename__ = "clinic_api_tokens"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    clinic_slug: Mapped[str] = mapped_column(sa.String(100), index=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    """The token's first characters, to tell tokens apart in the audit log and revoke one."""
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def actor(self) -> str:
        return f"token:{self.prefix}"
