"""The second factor: RFC 6238 TOTP (pyotp), 6 digits every 30 seconds, a step either side
allowed for clock drift, and each step accepted once (a code seen on a shoulder or replayed
from a proxy log is already spent)."""

from __future__ import annotations

import hmac
import io
from datetime import datetime

import pyotp
import segno

ISSUER = "TMS Screener"
WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=4, xmldecl=False,
                                     title="QR", dark="#000")
    return out.getvalue().decode("utf-8")


def matching_step(secret: str, code: str, last_step: int, now: datetime) -> int | None:
    """The time step `code` belongs to, when it is valid now and later than `last_step`."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
