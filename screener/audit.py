"""The audit log of clinic access: who did what, when, from where, to which submission.

An entry never holds an answer or a contact detail: only the action's name, the actor (a staff
account, an API token or the patient), the address and the submission's id. The app only ever
adds entries (updates are refused at flush); the purge job deletes those older than
AUDIT_RETENTION_DAYS (a year by default), which outlives every submission they name.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import Mapped, Session, mapped_column

from .extensions import Model, db
from .timestamps import UTCDateTime, utcnow

ACTIONS = frozenset({
    "received", "withdrawn", "sign_in", "sign_in_failed", "sign_in_locked", "sign_out",
    "enrolled", "view", "download_pdf", "download_fhir", "review", "delete", "expired",
    "api_list", "api_ack", "api_denied", "recovery_code_used",
})
MAX_ADDRESS = 64
MAX_ACTOR = 120


class AuditEntry(Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    clinic_slug: Mapped[str] = mapped_column(sa.String(100), index=True)
    actor: Mapped[str] = mapped_column(sa.String(MAX_ACTOR))
    """"staff:<id> <e-mail>", "token:<prefix>" or "patient": never a patient's name."""
    address: Mapped[str | None] = mapped_column(sa.String(MAX_ADDRESS), nullable=True)
    action: Mapped[str] = mapped_column(sa.String(32))
    submission_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    """No foreign key: the entry outlives the submission it names."""


@sa.event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context, _instances) -> None:
    """The app adds entries; changing or deleting one through the ORM is a bug."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise RuntimeError("audit entries are append-only")


def _address() -> str | None:
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:MAX_ADDRESS] or None


def record(action: str, clinic_slug: str, actor: str, submission_id: str | None = None) -> None:
    """Add an entry to the current transaction (committed with the change it describes)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    db.session.add(AuditEntry(
        at=utcnow(), clinic_slug=clinic_slug, actor=actor[:MAX_ACTOR], address=_address(),
        action=action, submission_id=submission_id,
    ))


def for_clinic(clinic_slug: str, limit: int = 500) -> list[AuditEntry]:
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.clinic_slug == clinic_slug)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ))


def purge_expired(keep: timedelta, now: datetime | None = None) -> int:
    """Entries older than `keep` go (a bulk delete: the append-only hook guards the ORM)."""
    cutoff = (now or utcnow()) - keep
    result = db.session.execute(sa.delete(AuditEntry).where(AuditEntry.at < cutoff))
    db.session.commit()
    return getattr(result, "rowcount", 0) or 0  # a CursorResult, typed as a plain Result
