"""Screenings on disk: save, load, delete, purge. SQLite by default, PostgreSQL the same way.

Answers are health data, so this module is also where privacy is enforced: every screening has
an expiry, expired rows are treated as gone even before the purge removes them, resume codes
are stored only as a keyed hash, and deleting is immediate and complete.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .. import database
from ..extensions import db

log = logging.getLogger(__name__)

RESUME_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so what people misread or mistype (O for 0, I or L
for 1) can be mapped back; codes are read off a screen and typed back on a phone."""

_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})

RESUME_LENGTH = 12
"""32**12 = 1.2e18 codes: at the rate limit, guessing one live code takes longer than the
universe has left."""


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    pending: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    """What a failed submit showed (posted values, errors, newly revealed questions), kept for
    the one page view that follows the redirect, so that Back never meets a POST result."""


@dataclass(frozen=True)
class NewScreening:
    screening: Screening
    resume_code: str


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes even for timezone=True columns; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def hash_resume_code(code: str, secret_key: str) -> str:
    normalised = normalise_resume_code(code)
    return hmac.new(secret_key.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def normalise_resume_code(code: str) -> str:
    """Forgive how people type codes back: case, spaces, dashes, and O/0, I/L/1 confusions."""
    cleaned = "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())
    return cleaned.translate(_MISREAD)


def format_resume_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def new_resume_code() -> str:
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))


def create(
    questionnaire_version: str,
    language: str,
    retention: timedelta,
    secret_key: str,
    clinic_slug: str | None = None,
) -> NewScreening:
    now = utcnow()
    code = new_resume_code()
    screening = Screening(
        id=secrets.token_urlsafe(32),
        questionnaire_version=questionnaire_version,
        answers={},
        language=language,
        clinic_slug=clinic_slug,
        resume_hash=hash_resume_code(code, secret_key),
        furthest_step=0,
        created_at=now,
        updated_at=now,
        expires_at=now + retention,
    )
    db.session.add(screening)
    db.session.commit()
    log.info("screening created (questionnaire %s)", questionnaire_version)
    return NewScreening(screening, code)


@database.retry_read
def get(screening_id: str | None) -> Screening | None:
    """A live screening, or None; an expired one is deleted on the spot."""
    if not screening_id or len(screening_id) > 64:
        return None
    screening = db.session.get(Screening, screening_id)
    if screening is None:
        return None
    if aware(screening.expires_at) <= utcnow():
        delete(screening)
        return None
    return screening


@database.retry_read
def find_by_resume_code(code: str, secret_key: str) -> Screening | None:
    digest = hash_resume_code(code, secret_key)
    screening = db.session.scalar(sa.select(Screening).where(Screening.resume_hash == digest))
    if screening is None:
        return None
    return get(screening.id)


def rotate_resume_code(screening: Screening, secret_key: str) -> str:
    """A new code for the same screening; the previous one stops working."""
    code = new_resume_code()
    screening.resume_hash = hash_resume_code(code, secret_key)
    db.session.commit()
    return code


def save_answers(
    screening: Screening,
    answers: dict[str, list[str]],
    retention: timedelta,
    *,
    pending: dict[str, Any] | None = None,
    furthest_step: int = 0,
) -> None:
    """Replace the stored answers in one commit; every save also pushes the expiry forward.

    Changed answers withdraw an earlier confirmation: the results are only shown for answers
    the patient has checked as a whole."""
    now = utcnow()
    if screening.completed_at is not None and dict(answers) != screening.answers:
        screening.completed_at = None
    screening.answers = dict(answers)
    screening.pending = pending
    screening.furthest_step = max(screening.furthest_step or 0, furthest_step)
    screening.updated_at = now
    screening.expires_at = now + retention
    db.session.commit()


def take_pending(screening: Screening, section_id: str) -> dict[str, Any] | None:
    """The state a failed submit of this page left for the view after the redirect, once."""
    pending = screening.pending
    if not pending:
        return None
    screening.pending = None
    db.session.commit()
    return pending if pending.get("section") == section_id else None


def update(screening: Screening, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(screening, name, value)
    screening.updated_at = utcnow()
    db.session.commit()


def delete(screening: Screening) -> None:
    """Deleted means gone from disk too (see database.scrub), not only from queries."""
    db.session.delete(screening)
    db.session.commit()
    database.scrub(purge=False)
    log.info("screening deleted")


def purge_expired(now: datetime | None = None) -> int:
    """Delete every expired screening, then scrub the files (also of rows deleted by patients
    since the last purge); returns how many went."""
    moment = now or utcnow()
    result = db.session.execute(sa.delete(Screening).where(Screening.expires_at <= moment))
    db.session.commit()
    database.scrub(purge=True)
    removed = result.rowcount or 0
    if removed:
        log.info("purged %d expired screening(s)", removed)
    return removed

