"""Encrypted at rest: after the patient's own screening is gone, neither the SQLite file (with
its WAL) nor a pg_dump of the schema holds any answer text, name or contact of a submission
that is still in the inbox; a rotated key still opens old submissions, and production refuses
to start without keys."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from screener import create_app, purging
from screener.config import ConfigError
from screener.extensions import db
from screener.patient import storage
from screener.submissions import service
from screener.submissions.models import Submission
from tests.conftest import PG_URL, make_app
from tests.inbox_support import CONTACT, URGENT, enrolled, send

TYPED = {
    "medications.list": "Zyxquil-9931 and bupropion 150mg",
    "syncope.details": "faints-when-standing-4242",
}
CHANGES = {
    **URGENT,
    "medicines": {"medications": "yes", "medications.list": TYPED["medications.list"],
                  "medications.recent_change": "unsure"},
    "seizures": {"syncope": "yes", "syncope.details": TYPED["syncope.details"]},
}
SECRETS = [*TYPED.values(), *CONTACT.values(), "Zornitsa", "Quillfeather"]


def _sqlite_bytes(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def _pg_dump(url: str) -> bytes:
    schema = parse_qs(urlsplit(url).query)["options"][0].split("=", 1)[1]
    plain = PG_URL.split("?", 1)[0]
    return subprocess.run(["pg_dump", "--no-owner", "-n", unquote(schema), plain],
                          check=True, capture_output=True, timeout=120).stdout


@pytest.mark.both_databases
def test_a_dump_reveals_no_answer_name_or_contact(app, clinics, database_url):
    slug, _other = clinics
    sent = send(app, slug, changes=CHANGES)
    enrolled(app, slug, "mira@sofia-mind.example")
    with app.app_context():
        service.review(slug, sent.submission_id, reviewer_id=1, reviewer_name="Dr. M",
                       decision="clarify", note="Ask about Zyxquil-9931", actor="staff:1 a@b")
        assert TYPED["medications.list"] in str(
            service.unseal(db.session.get(Submission, sent.submission_id)).content)
        for screening in db.session.scalars(sa.select(storage.Screening)).all():
            storage.delete(screening)
        purging.purge_expired()
        dump = _sqlite_bytes(database_url) if database_url.startswith("sqlite") \
            else _pg_dump(database_url)
        assert sent.submission_id.encode() in dump  # the row is there: the search is real
    for secret in SECRETS:
        assert secret.encode() not in dump, secret
    assert b"self_harm" not in dump and b"syncope" not in dump


@pytest.mark.both_databases
def test_a_rotated_key_still_opens_old_submissions(app, clinics, database_url):
    slug, _other = clinics
    sent = send(app, slug)
    secret = enrolled(app, slug, "mira@sofia-mind.example")
    old = app.config["SUBMISSION_KEYS"][0]
    new = Fernet.generate_key().decode()
    rotated = make_app(database_url, SUBMISSION_KEYS=(new, old))
    with rotated.app_context():
        before = db.session.get(Submission, sent.submission_id).sealed
        assert service.unseal(db.session.get(Submission, sent.submission_id)).contact == CONTACT
    result = rotated.test_cli_runner().invoke(args=["submissions", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "re-sealed 1 submission(s) and 1 second-factor" in result.output
    only_new = make_app(database_url, SUBMISSION_KEYS=(new,))
    with only_new.app_context():
        row = db.session.get(Submission, sent.submission_id)
        assert row.sealed != before
        assert service.unseal(row).contact == CONTACT
    from tests.inbox_support import sign_in

    assert sign_in(only_new.test_client(), "mira@sofia-mind.example", secret).status_code == 302
    stranger = make_app(database_url, SUBMISSION_KEYS=(Fernet.generate_key().decode(),))
    refused = stranger.test_cli_runner().invoke(args=["submissions", "rotate-keys"])
    assert refused.exit_code != 0 and "keep the old key" in refused.output


def test_production_refuses_to_start_without_keys(monkeypatch, tmp_path):
    monkeypatch.setenv("SCREENER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "kU3v9QzR1mXw7bLp2sYd8TgN4hJc6fAe0oWi5")
    monkeypatch.setenv("SCREENER_SINGLE_PROCESS", "1")
    monkeypatch.delenv("SCREENER_SUBMISSION_KEYS", raising=False)
    with pytest.raises(ConfigError, match="SCREENER_SUBMISSION_KEYS"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    monkeypatch.setenv("SCREENER_SUBMISSION_KEYS", "not-a-fernet-key")
    with pytest.raises(ConfigError, match="key 1 is not a Fernet key"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"})


def test_development_generates_a_key_once_and_says_so(tmp_path, caplog):
    from screener.submissions import sealing

    with caplog.at_level("WARNING"):
        first = sealing.development_keys(str(tmp_path))
    assert "generated a development key" in caplog.text
    assert first[0] not in caplog.text
    assert (tmp_path / sealing.DEV_KEY_FILE).stat().st_mode & 0o077 == 0
    caplog.clear()
    assert sealing.development_keys(str(tmp_path)) == first
    assert "generated" not in caplog.text
