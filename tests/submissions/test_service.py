"""Submissions through the service: sent from a real screening's answers, sealed, listed per
clinic, opened (audited), withdrawn only until opened, reviewed, deleted, expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from screener import audit
from screener.extensions import db
from screener.submissions import service
from screener.submissions.models import Submission
from screener.submissions.service import SubmissionError
from screener.timestamps import utcnow
from tests.inbox_support import CONTACT, send

pytestmark = pytest.mark.both_databases


def _actions(slug):
    return [e.action for e in reversed(audit.for_clinic(slug))]


def test_send_seals_the_answers_flags_and_contact(app, clinics):
    slug, _other = clinics
    sent = send(app, slug)
    assert len(sent.reference) == 9 and sent.reference[4] == "-"
    with app.app_context():
        row = db.session.get(Submission, sent.submission_id)
        assert row.status == "new" and row.opened_at is None
        assert CONTACT["name"] not in row.sealed and "self_harm" not in row.sealed
        opened = service.unseal(row)
        assert opened.contact == CONTACT
        assert opened.content["outcome"] == "urgent"
        assert {f["level"] for f in opened.content["flags"]} >= {"urgent", "contraindication"}
        assert opened.content["answers"]["self_harm"] == ["yes"]
        days = (row.expires_at - row.received_at).days
        assert days == service.DEFAULT_RETENTION_DAYS
        assert _actions(slug) == ["received"]


def test_send_refuses_an_unknown_clinic_and_oversized_contact(app, clinics):
    slug, _other = clinics
    with pytest.raises(SubmissionError) as unknown:
        send(app, "no-such-clinic")
    assert unknown.value.code == "unknown_clinic"
    with pytest.raises(SubmissionError) as long:
        send(app, slug, contact={"name": "x" * 201})
    assert long.value.code == "contact_invalid"
    with pytest.raises(SubmissionError):
        send(app, slug, contact={"address": "12 Main St"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0


def test_urgent_and_contraindication_ones_come_first(app, clinics):
    slug, _other = clinics
    urgent = send(app, slug)
    calm = send(app, slug, changes={})
    with app.app_context():
        listed = service.list_for_clinic(slug)
        assert [item.submission.id for item in listed] == [urgent.submission_id,
                                                           calm.submission_id]
        assert listed[0].outcome == "urgent" and listed[0].unread
        assert listed[1].outcome == "none"


def test_another_clinic_sees_nothing_of_it(app, clinics):
    slug, other = clinics
    sent = send(app, slug)
    with app.app_context():
        assert service.list_for_clinic(other) == []
        for call in (
            lambda: service.open_submission(other, sent.submission_id, "staff:9 x@y"),
            lambda: service.acknowledge(other, sent.submission_id, "token:x"),
            lambda: service.delete_now(other, sent.submission_id, "staff:9 x@y"),
            lambda: service.review(other, sent.submission_id, reviewer_id=9, reviewer_name="X",
                                   decision="proceed", note="", actor="staff:9 x@y"),
        ):
            with pytest.raises(SubmissionError) as err:
                call()
            assert err.value.code == "not_found"
        row = db.session.get(Submission, sent.submission_id)
        assert row.status == "new" and row.opened_at is None and row.sealed_review is None


def test_withdrawn_before_opening_is_gone(app, clinics):
    slug, _other = clinics
    sent = send(app, slug)
    with app.app_context():
        with pytest.raises(SubmissionError) as wrong:
            service.withdraw(sent.submission_id, "not-the-secret")
        assert wrong.value.code == "bad_secret"
        assert service.withdraw(sent.submission_id, sent.withdraw_secret) == slug
        assert db.session.get(Submission, sent.submission_id) is None
        assert _actions(slug) == ["received", "withdrawn"]
        with pytest.raises(SubmissionError):
            service.withdraw(sent.submission_id, sent.withdraw_secret)


def test_no_withdrawal_once_the_clinic_opened_it(app, clinics):
    slug, _other = clinics
    sent = send(app, slug)
    with app.app_context():
        service.open_submission(slug, sent.submission_id, "staff:1 a@b")
        with pytest.raises(SubmissionError) as late:
            service.withdraw(sent.submission_id, sent.withdraw_secret)
        assert late.value.code == "already_opened"
        assert db.session.get(Submission, sent.submission_id).status == "opened"


def test_review_is_sealed_and_validated(app, clinics):
    slug, _other = clinics
    sent = send(app, slug)
    with app.app_context():
        with pytest.raises(SubmissionError) as bad:
            service.review(slug, sent.submission_id, reviewer_id=1, reviewer_name="Dr. M",
                           decision="maybe", note="", actor="staff:1 a@b")
        assert bad.value.code == "bad_decision"
        with pytest.raises(SubmissionError) as long:
            service.review(slug, sent.submission_id, reviewer_id=1, reviewer_name="Dr. M",
                           decision="clarify", note="n" * 2001, actor="staff:1 a@b")
        assert long.value.code == "note_too_long"
        assert db.session.get(Submission, sent.submission_id).sealed_review is None
        service.review(slug, sent.submission_id, reviewer_id=1, reviewer_name="Dr. M",
                       decision="clarify", note="Ask about the pacemaker model",
                       actor="staff:1 a@b")
        row = db.session.get(Submission, sent.submission_id)
        assert row.status == "reviewed" and "pacemaker" not in row.sealed_review
        review = service.unseal(row).review
        assert review["decision"] == "clarify" and review["name"] == "Dr. M"


def test_expired_ones_are_not_found_then_purged(app, clinics):
    slug, _other = clinics
    sent = send(app, slug)
    with app.app_context():
        later = utcnow() + timedelta(days=service.DEFAULT_RETENTION_DAYS, minutes=1)
        db.session.execute(sa.update(Submission).values(expires_at=utcnow()))
        db.session.commit()
        with pytest.raises(SubmissionError):
            service.open_submission(slug, sent.submission_id, "staff:1 a@b")
        assert service.list_for_clinic(slug) == []
        assert service.purge_expired(later) == 1
        assert db.session.get(Submission, sent.submission_id) is None
        assert "expired" in _actions(slug)


def test_per_clinic_retention_is_bounded(app, clinics):
    slug, _other = clinics
    with app.app_context():
        for days in (0, 91, -1):
            with pytest.raises(SubmissionError):
                service.set_retention(slug, days)
        service.set_retention(slug, 7)
    sent = send(app, slug)
    with app.app_context():
        row = db.session.get(Submission, sent.submission_id)
        assert (row.expires_at - row.received_at) == timedelta(days=7)
