"""What can happen to a submission: sent by the patient, withdrawn by them until the clinic
first opens it, listed, opened, reviewed and deleted by the clinic, purged when its clinic's
retention ends, re-sealed when keys rotate.

Every function takes the clinic's slug and finds rows only inside it: another clinic's id is
simply not found (a 404 for the views, never a 403 confirming it exists). Every access is
audited in the same commit as the change it describes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from .. import audit
from ..clinics.service import get_clinic
from ..database import scrub
from ..engine.rules import Evaluation, evaluate
from ..extensions import db
from ..patient.resume_codes import ALPHABET as RESUME_ALPHABET
from ..questionnaire.model import Questionnaire
from ..timestamps import utcnow
from .models import STATUSES, InboxSettings, Submission
from .sealing import sealer

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 90
REFERENCE_LENGTH = 8
CONTACT_LIMITS = {"name": 200, "dob": 60, "phone": 40, "email": 254}
"""The contact fields a patient can send, with their longest accepted length."""
DECISIONS = ("proceed", "clarify", "not_suitable")
MAX_NOTE = 2000
ON_TOP = ("urgent", "contraindication")
"""Outcomes listed above everything else in the inbox, however old."""


class SubmissionError(Exception):
    """A domain rule said no; `message` is translatable, `code` names the rule."""

    messages: ClassVar[dict[str, Any]] = {
        "not_found": _l("This submission does not exist, or it has been deleted."),
        "unknown_clinic": _l("This clinic does not accept screenings here."),
        "unknown_questionnaire": _l("This questionnaire version is not known."),
        "contact_invalid": _l("A contact detail is too long or not text."),
        "already_opened": _l("The clinic has already opened your answers, so they can no "
                             "longer be withdrawn here: please call the clinic."),
        "bad_secret": _l("This withdrawal link is not valid."),
        "bad_decision": _l("Choose one of the decisions."),
        "note_too_long": _l("The note is too long: at most %(limit)s characters.",
                            limit=MAX_NOTE),
        "bad_retention": _l("Retention must be from 1 to %(most)s days.",
                            most=MAX_RETENTION_DAYS),
    }

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
        self.message = self.messages[code]


@dataclass(frozen=True)
class Sent:
    """What the patient is shown once: the reference to quote, and the withdrawal secret."""

    submission_id: str
    reference: str
    withdraw_secret: str
    expires_at: datetime


@dataclass(frozen=True)
class Opened:
    """A submission with its content unsealed, judged again by its own questionnaire version
    (released versions never change, so this is the judgement the patient saw)."""

    submission: Submission
    content: dict[str, Any]
    evaluation: Evaluation

    @property
    def contact(self) -> dict[str, str]:
        return self.content.get("contact", {})

    @property
    def review(self) -> dict[str, Any] | None:
        sealed = self.submission.sealed_review
        return sealer().open(sealed) if sealed else None


@dataclass(frozen=True)
class Listed:
    submission: Submission
    outcome: str
    name: str

    @property
    def unread(self) -> bool:
        return self.submission.status == "new"


def _registry():
    return current_app.extensions["questionnaires"]


def _questionnaire(version: str) -> Questionnaire:
    registry = _registry()
    found = registry.get(version) if registry is not None else None
    if found is None:
        raise SubmissionError("unknown_questionnaire")
    return found


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _reference() -> str:
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(REFERENCE_LENGTH))


def format_reference(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:]}"


def retention_days(clinic_slug: str) -> int:
    settings = db.session.get(InboxSettings, clinic_slug)
    if settings is not None:
        return settings.retention_days
    return min(current_app.config.get("SUBMISSION_RETENTION_DAYS", DEFAULT_RETENTION_DAYS),
               MAX_RETENTION_DAYS)


def set_retention(clinic_slug: str, days: int) -> None:
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise SubmissionError("bad_retention")
    if get_clinic(clinic_slug) is None:
        raise SubmissionError("unknown_clinic")
    settings = db.session.get(InboxSettings, clinic_slug)
    if settings is None:
        db.session.add(InboxSettings(clinic_slug=clinic_slug, retention_days=days))
    else:
        settings.retention_days = days
    db.session.commit()


def _clean_contact(contact: dict[str, Any]) -> dict[str, str]:
    cleaned = {}
    for key, value in (contact or {}).items():
        if key not in CONTACT_LIMITS or value is None:
            raise SubmissionError("contact_invalid")
        if not isinstance(value, str) or len(value) > CONTACT_LIMITS[key]:
            raise SubmissionError("contact_invalid")
        text = " ".join(value.split())
        if text:
            cleaned[key] = text
    return cleaned


def send(
    *,
    clinic_slug: str,
    questionnaire_version: str,
    answers: dict[str, list[str]],
    language: str,
    contact: dict[str, str],
    now: datetime | None = None,
) -> Sent:
    """Seal a copy of a confirmed screening for one clinic: the answers as judged now, their
    flags and the contact details the patient typed on the consent page. The patient's own
    screening is not touched; the copy lives by the clinic's retention."""
    if get_clinic(clinic_slug) is None:
        raise SubmissionError("unknown_clinic")
    q = _questionnaire(questionnaire_version)
    evaluation = evaluate(q, answers, complete=True)
    content = {
        "answers": {key: list(values) for key, values in evaluation.answers.items()},
        "flags": [{"linkId": f.link_id, "level": f.level, "kind": f.kind}
                  for f in evaluation.flags],
        "outcome": evaluation.outcome,
        "contact": _clean_contact(contact),
    }
    moment = now or utcnow()
    secret = secrets.token_urlsafe(24)
    submission = Submission(
        id=secrets.token_hex(16),  # FHIR ids allow only letters, digits, - and .
        reference=_reference(),
        clinic_slug=clinic_slug,
        questionnaire_version=q.version,
        language=language,
        sealed=sealer().seal(content),
        status="new",
        received_at=moment,
        expires_at=moment + timedelta(days=retention_days(clinic_slug)),
        withdraw_hash=_digest(secret),
    )
    db.session.add(submission)
    audit.record("received", clinic_slug, "patient", submission.id)
    db.session.commit()
    log.info("submission received for a clinic")
    return Sent(submission.id, format_reference(submission.reference), secret,
                submission.expires_at)


def _live(query: sa.Select, now: datetime | None = None) -> sa.Select:
    return query.where(Submission.expires_at > (now or utcnow()))


def get(clinic_slug: str, submission_id: str) -> Submission:
    """A live submission of this clinic, or `not_found` (whatever another clinic holds)."""
    if not isinstance(submission_id, str) or not 0 < len(submission_id) <= 32:
        raise SubmissionError("not_found")
    found = db.session.scalar(_live(sa.select(Submission).where(
        Submission.id == submission_id, Submission.clinic_slug == clinic_slug)))
    if found is None:
        raise SubmissionError("not_found")
    return found


def unseal(submission: Submission) -> Opened:
    content = sealer().open(submission.sealed)
    q = _questionnaire(submission.questionnaire_version)
    return Opened(submission, content, evaluate(q, content["answers"], complete=True))


def withdraw(submission_id: str, secret: str) -> str:
    """Delete the clinic's copy at once, if the clinic has not opened it yet; returns the
    clinic's slug. Only the secret shown to the patient after sending can do this."""
    found = db.session.get(Submission, submission_id) if isinstance(submission_id, str) \
        and 0 < len(submission_id) <= 32 else None
    if found is None or found.expires_at <= utcnow():
        raise SubmissionError("not_found")
    if not isinstance(secret, str) or not hmac.compare_digest(found.withdraw_hash,
                                                              _digest(secret)):
        raise SubmissionError("bad_secret")
    if found.opened_at is not None:
        raise SubmissionError("already_opened")
    slug = found.clinic_slug
    db.session.delete(found)
    audit.record("withdrawn", slug, "patient", submission_id)
    db.session.commit()
    scrub(purge=False)
    return slug


def list_for_clinic(clinic_slug: str, status: str | None = None,
                    limit: int = 500) -> list[Listed]:
    """Urgent and contraindication ones first, then newest first; unsealed to show a name."""
    query = _live(sa.select(Submission).where(Submission.clinic_slug == clinic_slug))
    if status is not None:
        if status not in STATUSES:
            raise SubmissionError("not_found")
        query = query.where(Submission.status == status)
    rows = db.session.scalars(query.order_by(Submission.received_at.desc()).limit(limit))
    listed = []
    for row in rows:
        content = sealer().open(row.sealed)
        listed.append(Listed(row, content.get("outcome", "none"),
                             content.get("contact", {}).get("name", "")))
    listed.sort(key=lambda item: item.outcome not in ON_TOP)  # stable: newest first within
    return listed


def open_submission(clinic_slug: str, submission_id: str, actor: str,
                    action: str = "view") -> Opened:
    """The content, for a page, a download or the API: the first one marks it opened (no
    withdrawal after that) and every one is audited."""
    submission = get(clinic_slug, submission_id)
    _mark_opened(submission, status=action == "view")
    audit.record(action, clinic_slug, actor, submission.id)
    db.session.commit()
    return unseal(submission)


def _mark_opened(submission: Submission, *, status: bool) -> None:
    if submission.opened_at is None:
        submission.opened_at = utcnow()
    if status and submission.status == "new":
        submission.status = "opened"


def for_api(clinic_slug: str, status: str | None, actor: str, limit: int = 100) -> list[Opened]:
    """What a clinic's system pulls: each one counts as opened (its content left us)."""
    listed = list_for_clinic(clinic_slug, status, limit)
    opened = []
    for item in listed:
        _mark_opened(item.submission, status=False)
        audit.record("api_list", clinic_slug, actor, item.submission.id)
        opened.append(unseal(item.submission))
    db.session.commit()
    return opened


def acknowledge(clinic_slug: str, submission_id: str, actor: str) -> Submission:
    """The clinic's system has stored it: it leaves the `status=new` list."""
    submission = get(clinic_slug, submission_id)
    _mark_opened(submission, status=True)
    submission.acknowledged_at = submission.acknowledged_at or utcnow()
    audit.record("api_ack", clinic_slug, actor, submission.id)
    db.session.commit()
    return submission


def review(clinic_slug: str, submission_id: str, *, reviewer_id: int, reviewer_name: str,
           decision: str, note: str, actor: str) -> Submission:
    """The clinician's sign-off: decision, note, their name from the account and the time,
    printed in the PDF's review block from then on. A later sign-off replaces it."""
    if decision not in DECISIONS:
        raise SubmissionError("bad_decision")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise SubmissionError("note_too_long")
    submission = get(clinic_slug, submission_id)
    moment = utcnow()
    submission.sealed_review = sealer().seal({
        "decision": decision, "note": note.strip(), "name": reviewer_name,
        "at": moment.isoformat(),
    })
    submission.reviewed_at = moment
    submission.reviewer_id = reviewer_id
    submission.status = "reviewed"
    _mark_opened(submission, status=False)
    audit.record("review", clinic_slug, actor, submission.id)
    db.session.commit()
    return submission


def delete_now(clinic_slug: str, submission_id: str, actor: str) -> None:
    submission = get(clinic_slug, submission_id)
    db.session.delete(submission)
    audit.record("delete", clinic_slug, actor, submission_id)
    db.session.commit()
    scrub(purge=False)


def purge_expired(now: datetime | None = None) -> int:
    """Submissions past their clinic's retention go; an audit entry says each one did."""
    moment = now or utcnow()
    expired = list(db.session.execute(
        sa.select(Submission.id, Submission.clinic_slug).where(Submission.expires_at <= moment)))
    if not expired:
        return 0
    db.session.execute(sa.delete(Submission).where(Submission.expires_at <= moment))
    for submission_id, slug in expired:
        audit.record("expired", slug, "purge", submission_id)
    db.session.commit()
    scrub(purge=False)
    log.info("purged %d expired submission(s)", len(expired))
    return len(expired)


def rotate_keys() -> int:
    """Re-seal every sealed value with the first key; returns how many rows changed."""
    seal = sealer()
    count = 0
    for submission in db.session.scalars(sa.select(Submission)):
        submission.sealed = seal.reseal(submission.sealed)
        if submission.sealed_review:
            submission.sealed_review = seal.reseal(submission.sealed_review)
        count += 1
    db.session.commit()
    return count
