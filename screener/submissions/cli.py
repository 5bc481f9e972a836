"""`flask submissions rotate-keys`: after putting a new key first in SCREENER_SUBMISSION_KEYS,
re-seal every stored value with it, so the old key can then be dropped."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..staff.accounts import reseal_secrets
from .sealing import Unsealable
from .service import rotate_keys

submissions = click.Group("submissions", help="Sealed clinic submissions.")


@submissions.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-seal every submission, review and TOTP secret with the first configured key."""
    try:
        rows = rotate_keys()
        secrets = reseal_secrets()
    except Unsealable:
        raise click.ClickException(
            "a stored value opens with none of the configured keys: keep the old key in "
            "SCREENER_SUBMISSION_KEYS (after the new one) until rotation has run") from None
    click.echo(f"re-sealed {rows} submission(s) and {secrets} second-factor secret(s) with "
               "the first key; older keys can now be removed")
