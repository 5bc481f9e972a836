"""Reading and writing screenings inside the caller's transaction: nothing here commits.

The patient-path service (screenings.py) and the purge (purging.py) each own one transaction
per operation, so that "start again" deletes and creates in one commit, and a failure leaves
nothing half-written. Expired rows are treated as gone even before the purge removes them.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from .. import database
from ..extensions import db
from ..timestamps import utcnow
from .model import Screening

ID_MAX = 64


def add(
    questionnaire_version: str,
    language: str,
    retention: timedelta,
    resume_hash: str,
    clinic_slug: str | None = None,
) -> Screening:
    now = utcnow()
    screening = Screening(
        id=secrets.token_urlsafe(32),
        questionnaire_version=questionnaire_version,
        answers={},
        language=language,
        clinic_slug=clinic_slug,
        resume_hash=resume_hash,
        furthest_step=0,
        created_at=now,
        updated_at=now,
        expires_at=now + retention,
    )
    db.session.add(screening)
    return screening


@database.retry_read
def get_any(screening_id: str | None) -> Screening | None:
    """The row, expired or not (the caller decides what an expired one means)."""
    if not screening_id or len(screening_id) > ID_MAX:
        return None
    return db.session.get(Screening, screening_id)


def expired(screening: Screening, now: datetime | None = None) -> bool:
    return screening.expires_at <= (now or utcnow())


@database.retry_read
def find_by_resume_hash(digest: str) -> Screening | None:
    return db.session.scalar(sa.select(Screening).where(Screening.resume_hash == digest))


def touch(screening: Screening, retention: timedelta) -> None:
    """Every change pushes the expiry forward: answers go a fixed time after the last one."""
    now = utcnow()
    screening.updated_at = now
    screening.expires_at = now + retention


def delete(screening: Screening) -> None:
    """Deleted means gone from disk too: after the commit, call database.scrub."""
    db.session.delete(screening)


def delete_expired(moment: datetime) -> int:
    result = db.session.execute(sa.delete(Screening).where(Screening.expires_at <= moment))
    return result.rowcount or 0
