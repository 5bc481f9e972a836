"""Onboarding from the shell: `flask clinics add-user` prints a one-time enrolment link that
works in the browser, `add-token` prints a token once (stored hashed), `revoke-token` ends it,
`set-retention` bounds the clinic's retention."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from screener.extensions import db
from screener.staff.models import ApiToken, StaffUser
from screener.submissions.models import InboxSettings

pytestmark = pytest.mark.both_databases


def test_add_user_prints_a_working_one_time_link(app, clinics):
    slug, _other = clinics
    runner = app.test_cli_runner()
    result = runner.invoke(args=["clinics", "add-user", slug, "Mira@Sofia-Mind.example",
                                 "--role", "admin"])
    assert result.exit_code == 0, result.output
    link = re.search(r"https?://\S+/clinic/enrol/(\S+)", result.output)
    assert link, result.output
    assert app.test_client().get(f"/clinic/enrol/{link.group(1)}").status_code == 200
    with app.app_context():
        user = db.session.scalars(sa.select(StaffUser)).one()
        assert user.email == "mira@sofia-mind.example" and user.role == "admin"
        assert link.group(1) not in (user.enrol_hash or "")
    again = runner.invoke(args=["clinics", "add-user", slug, "mira@sofia-mind.example"])
    assert again.exit_code != 0 and "already an account" in again.output


@pytest.mark.parametrize("args", [
    ["no-such-clinic", "a@b.example"],
    ["{slug}", "not-an-email"],
    ["{slug}", "a@b.example", "--role", "owner"],
])
def test_add_user_refuses_bad_input(app, clinics, args):
    slug, _other = clinics
    result = app.test_cli_runner().invoke(
        args=["clinics", "add-user", *[a.format(slug=slug) for a in args]])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StaffUser.id))) == 0


def test_tokens_are_printed_once_stored_hashed_and_revocable(app, clinics):
    slug, _other = clinics
    runner = app.test_cli_runner()
    result = runner.invoke(args=["clinics", "add-token", slug])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("tmsc_")
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    assert client.get("/api/v1/clinic/submissions", headers=headers).status_code == 200
    with app.app_context():
        row = db.session.scalars(sa.select(ApiToken)).one()
        assert token not in (row.token_hash, row.prefix)
    revoked = runner.invoke(args=["clinics", "revoke-token", slug, token[:12]])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/clinic/submissions", headers=headers).status_code == 401
    assert runner.invoke(args=["clinics", "revoke-token", slug, token[:12]]).exit_code != 0


def test_set_retention_is_bounded(app, clinics):
    slug, _other = clinics
    runner = app.test_cli_runner()
    assert runner.invoke(args=["clinics", "set-retention", slug, "91"]).exit_code != 0
    assert runner.invoke(args=["clinics", "set-retention", slug, "0"]).exit_code != 0
    assert runner.invoke(args=["clinics", "set-retention", slug, "60"]).exit_code == 0
    with app.app_context():
        assert db.session.get(InboxSettings, slug).retention_days == 60
