"""The resume code a framed screening's saved page shows, the same on every view."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app

from ..patient import resume_codes, screenings


def framed_resume_code(screening: Any) -> str:
    """Inside a frame no cookie remembers the code issued at the start, and only its HMAC is
    stored, so the page used to issue a new one each time, and a reload or Back killed the code
    the patient had just copied. This one is derived from the screening's id with the secret
    (anyone holding the id can read the answers anyway), so every view shows the same code;
    the first view stores its hash in place of the start's, which was never shown."""
    secret = current_app.config["SECRET_KEY"]
    digest = hmac.new(secret.encode(), b"frame-resume:" + screening.id.encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest()[:8], "big")
    code = resume_codes.from_number(number)
    hashed = resume_codes.digest(code, secret)
    if screening.resume_hash != hashed:
        screenings.change(screening, resume_hash=hashed)
    return resume_codes.display(code)
