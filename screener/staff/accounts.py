"""Staff accounts: created by an operator (`flask clinics add-user`), enrolled through a
one-time link (password + TOTP + recovery codes), signed in with both factors, locked for a
while after repeated failures. Every sign-in and failure is audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from .. import audit
from ..clinics.service import get_clinic
from ..extensions import db
from ..patient.resume_codes import ALPHABET as RESUME_ALPHABET
from ..submissions.sealing import sealer
from ..timestamps import utcnow
from . import passwords, totp
from .models import ROLES, StaffUser

ENROL_HOURS = 24
MAX_FAILURES = 5
LOCK_MINUTES = 15
RECOVERY_CODES = 10
RECOVERY_LENGTH = 12
"""12 Crockford characters: 60 bits per code, so SHA-256 without a salt is enough."""
MAX_EMAIL = 254
MAX_NAME = 200


class AccountError(Exception):
    """An account rule said no; `message` is translatable, `code` names the rule."""

    messages: ClassVar[dict[str, Any]] = {
        "unknown_clinic": _l("There is no clinic with this slug."),
        "bad_role": _l("The role must be clinician or admin."),
        "bad_email": _l("Enter an e-mail address."),
        "email_taken": _l("There is already an account with this e-mail address."),
        "link_invalid": _l("This enrolment link is not valid: it has been used, it has "
                           "expired, or it was mistyped. Ask your clinic's administrator for "
                           "a new one."),
        "name_missing": _l("Enter your name as it should appear on a sign-off."),
        "name_long": _l("The name is too long."),
        "password_short": _l("The password must be at least %(n)s characters long.",
                             n=passwords.MIN_LENGTH),
        "password_long": _l("The password must be at most %(n)s characters long.",
                            n=passwords.MAX_LENGTH),
        "password_common": _l("This password is too common or too easy to guess: choose a "
                              "longer one, for example several unrelated words."),
        "password_mismatch": _l("The two passwords are not the same."),
        "code_wrong": _l("The code from the authenticator app is not right, or it has "
                         "already been used: wait for the next one."),
        "sign_in_failed": _l("The e-mail address, password or code is not right, or the "
                             "account is paused after too many tries. Check them, or wait "
                             "%(minutes)s minutes and try again.", minutes=LOCK_MINUTES),
    }

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
        self.message = self.messages[code]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


@dataclass(frozen=True)
class Invitation:
    user: StaffUser
    token: str
    expires_at: datetime


def add_user(clinic_slug: str, email: str, role: str, name: str = "") -> Invitation:
    """A new account waiting for its enrolment; the token goes into the link, once."""
    if get_clinic(clinic_slug) is None:
        raise AccountError("unknown_clinic")
    if role not in ROLES:
        raise AccountError("bad_role")
    address = normalise_email(email)
    if "@" not in address or len(address) > MAX_EMAIL:
        raise AccountError("bad_email")
    if db.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == address)):
        raise AccountError("email_taken")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    user = StaffUser(
        clinic_slug=clinic_slug, email=address, name=name[:MAX_NAME], role=role,
        enrol_hash=_digest(token), enrol_expires_at=now + timedelta(hours=ENROL_HOURS),
        created_at=now, recovery_hashes=[], failed_count=0, totp_last_step=0, session_epoch=0,
    )
    db.session.add(user)
    db.session.commit()
    return Invitation(user, token, now + timedelta(hours=ENROL_HOURS))


def invitation(token: str) -> StaffUser:
    """The account a live enrolment link names; `link_invalid` for any other token."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise AccountError("link_invalid")
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.enrol_hash == _digest(token)))
    if user is None or user.enrol_expires_at is None or user.enrol_expires_at <= utcnow():
        raise AccountError("link_invalid")
    return user


def pending_secret(user: StaffUser) -> str:
    """The TOTP secret shown while enrolling: made once, kept sealed until the code checks."""
    if user.totp_sealed is None:
        user.totp_sealed = sealer().seal(totp.new_secret())
        db.session.commit()
    return sealer().open(user.totp_sealed)


def _new_recovery_codes() -> list[str]:
    return ["".join(secrets.choice(RESUME_ALPHABET) for _ in range(RECOVERY_LENGTH))
            for _ in range(RECOVERY_CODES)]


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isascii() and ch.isalnum())


def enrol(token: str, *, name: str, password: str, confirm: str, code: str,
          now: datetime | None = None) -> list[str]:
    """Set the password and the second factor; the link dies. Returns the recovery codes,
    shown once."""
    user = invitation(token)
    name = " ".join((name or "").split())
    if not name:
        raise AccountError("name_missing")
    if len(name) > MAX_NAME:
        raise AccountError("name_long")
    refused = passwords.problem(password, context=(user.email, name))
    if refused:
        raise AccountError(refused)
    if password != confirm:
        raise AccountError("password_mismatch")
    step = totp.matching_step(pending_secret(user), code or "", user.totp_last_step,
                              now or utcnow())
    if step is None:
        raise AccountError("code_wrong")
    codes = _new_recovery_codes()
    user.name = name
    user.password_hash = passwords.hash_password(password)
    user.totp_last_step = step
    user.recovery_hashes = [_digest(c) for c in codes]
    user.enrol_hash = None
    user.enrol_expires_at = None
    user.enrolled_at = utcnow()
    user.session_epoch += 1
    audit.record("enrolled", user.clinic_slug, user.actor)
    db.session.commit()
    return [format_code(c) for c in codes]


def _locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _fail(user: StaffUser | None, now: datetime, email: str) -> None:
    if user is None:
        return
    user.failed_count += 1
    if user.failed_count >= MAX_FAILURES:
        user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        user.failed_count = 0
    audit.record("sign_in_failed", user.clinic_slug, user.actor)
    db.session.commit()


def sign_in(email: str, password: str, code: str, now: datetime | None = None) -> StaffUser:
    """Both factors, or `sign_in_failed` with the same words whatever was wrong (an unknown
    e-mail address, a paused account and a wrong code read alike)."""
    moment = now or utcnow()
    address = normalise_email(email)
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == address)) \
        if 0 < len(address) <= MAX_EMAIL else None
    password_ok = passwords.verify(user.password_hash if user else None, password or "")
    if user is None or not user.is_active:
        raise AccountError("sign_in_failed")
    if _locked(user, moment):
        audit.record("sign_in_locked", user.clinic_slug, user.actor)
        db.session.commit()
        raise AccountError("sign_in_failed")
    if not password_ok or not _second_factor(user, code or "", moment):
        _fail(user, moment, address)
        raise AccountError("sign_in_failed")
    user.failed_count = 0
    user.locked_until = None
    audit.record("sign_in", user.clinic_slug, user.actor)
    db.session.commit()
    return user


def _second_factor(user: StaffUser, code: str, now: datetime) -> bool:
    secret = sealer().open(user.totp_sealed) if user.totp_sealed else None
    step = totp.matching_step(secret, code, user.totp_last_step, now) if secret else None
    if step is not None:
        user.totp_last_step = step
        return True
    typed = _normalise_code(code)
    if len(typed) != RECOVERY_LENGTH:
        return False
    digest = _digest(typed)
    kept = [h for h in user.recovery_hashes or [] if not hmac.compare_digest(h, digest)]
    if len(kept) == len(user.recovery_hashes or []):
        return False
    user.recovery_hashes = kept
    audit.record("recovery_code_used", user.clinic_slug, user.actor)
    return True


def load(user_id: str) -> StaffUser | None:
    """Flask-Login's user loader: "<id>.<epoch>", the epoch still current."""
    number, _, epoch = (user_id or "").partition(".")
    if not number.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(StaffUser, int(number))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    return user


def reseal_secrets() -> int:
    """Key rotation: every TOTP secret sealed again with the first key."""
    count = 0
    for user in db.session.scalars(sa.select(StaffUser).where(StaffUser.totp_sealed.isnot(None))):
        if user.totp_sealed is not None:
            user.totp_sealed = sealer().reseal(user.totp_sealed)
        count += 1
    db.session.commit()
    return count
