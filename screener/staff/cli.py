"""`flask clinics add-user | add-token | revoke-token | set-retention`: onboarding a clinic's
inbox from the server's shell (there is no sign-up page)."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from ..submissions.service import SubmissionError, set_retention
from .accounts import AccountError, add_user
from .models import ROLES
from .tokens import add_token, revoke_token

clinics = click.Group("clinics", help="Clinic inbox accounts, API tokens and retention.")


def _fail(exc: AccountError | SubmissionError) -> None:
    raise click.ClickException(str(exc.message))


def _external(endpoint: str, **values: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


@clinics.command("add-user")
@click.argument("slug")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="clinician", show_default=True)
@with_appcontext
def add_user_command(slug: str, email: str, role: str) -> None:
    """Create a staff account and print its one-time enrolment link (valid 24 hours)."""
    try:
        invitation = add_user(slug, email, role)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"{invitation.user.email} ({role}) at {slug}: enrolment link, valid until "
               f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC, usable once:")
    click.echo(_external("staff.enrol", token=invitation.token))


@clinics.command("add-token")
@click.argument("slug")
@with_appcontext
def add_token_command(slug: str) -> None:
    """Create an API token for the clinic's own system; it is printed this once only."""
    try:
        row, token = add_token(slug)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"API token for {slug} (revoke with: flask clinics revoke-token {slug} "
               f"{row.prefix}):")
    click.echo(token)


@clinics.command("revoke-token")
@click.argument("slug")
@click.argument("prefix")
@with_appcontext
def revoke_token_command(slug: str, prefix: str) -> None:
    """Revoke the clinic's token that starts with PREFIX (as add-token printed it)."""
    count = revoke_token(slug, prefix)
    if not count:
        raise click.ClickException(f"no live token of {slug} starts with {prefix}")
    click.echo(f"revoked {count} token(s)")


@clinics.command("set-retention")
@click.argument("slug")
@click.argument("days", type=int)
@with_appcontext
def set_retention_command(slug: str, days: int) -> None:
    """How many days the clinic keeps submissions (1 to 90; 30 unless set)."""
    try:
        set_retention(slug, days)
    except SubmissionError as exc:
        _fail(exc)
    click.echo(f"{slug} keeps submissions for {days} days (new submissions from now on)")
