"""Per-clinic API tokens for clinics' systems: shown once, stored as a SHA-256 digest (a
256-bit random value needs no slow hash), revocable."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa

from ..clinics.service import get_clinic
from ..extensions import db
from ..timestamps import utcnow
from .accounts import AccountError
from .models import ApiToken

PREFIX = "tmsc_"
MAX_TOKEN = 100


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_token(clinic_slug: str) -> tuple[ApiToken, str]:
    if get_clinic(clinic_slug) is None:
        raise AccountError("unknown_clinic")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(clinic_slug=clinic_slug, prefix=token[:12], token_hash=_digest(token),
                   created_at=utcnow())
    db.session.add(row)
    db.session.commit()
    return row, token


def revoke_token(clinic_slug: str, prefix: str) -> int:
    """Revoke the clinic's live tokens starting with `prefix` (as the CLI printed it)."""
    rows = db.session.scalars(sa.select(ApiToken).where(
        ApiToken.clinic_slug == clinic_slug, ApiToken.prefix == prefix[:12],
        ApiToken.revoked_at.is_(None)))
    count = 0
    for row in rows:
        row.revoked_at = utcnow()
        count += 1
    db.session.commit()
    return count


def authenticate(header: str | None) -> ApiToken | None:
    """The live token an `Authorization: Bearer …` header carries, or None."""
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN:
        return None
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row
