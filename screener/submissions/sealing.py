"""Sealing: what a clinic receives is encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256,
from `cryptography`), so a database dump or a stolen file alone reveals no answer, name or
contact.

Keys come from SCREENER_SUBMISSION_KEYS, comma-separated: the first one seals, every one opens
(MultiFernet), which is how keys are rotated: put a new key first, run
`flask submissions rotate-keys` to re-seal every row with it, then drop the old key. Production
refuses to start without keys (config.check_production); in development a key is generated into
the instance folder once, and the log says so (never the key itself).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

from ..config import ConfigError

log = logging.getLogger(__name__)

DEV_KEY_FILE = "submission-keys.txt"
EXTENSION = "submission_sealer"


class Unsealable(Exception):
    """A sealed value no configured key opens (a key was dropped before rotating)."""


def _fernets(keys: tuple[str, ...]) -> list[Fernet]:
    fernets = []
    for number, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise ConfigError(
                f"SCREENER_SUBMISSION_KEYS: key {number} is not a Fernet key (32 url-safe "
                "base64-encoded bytes)"
            ) from None
    return fernets


def development_keys(instance_path: str) -> tuple[str, ...]:
    """The instance folder's generated key, made on first use (development only)."""
    path = Path(instance_path) / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(Fernet.generate_key().decode("ascii") + "\n")
        log.warning("generated a development key for clinic submissions in %s; set "
                    "SCREENER_SUBMISSION_KEYS in production", path)
    return tuple(line.strip() for line in path.read_text().splitlines() if line.strip())


class Sealer:
    """Seals and opens JSON values with the configured keys."""

    def __init__(self, keys: tuple[str, ...]):
        if not keys:
            raise ConfigError("no key to seal clinic submissions with")
        self._multi = MultiFernet(_fernets(keys))

    def seal(self, value: Any) -> str:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._multi.encrypt(data).decode("ascii")

    def open(self, sealed: str) -> Any:
        try:
            return json.loads(self._multi.decrypt(sealed.encode("ascii")))
        except InvalidToken:
            raise Unsealable("no configured key opens this value") from None

    def reseal(self, sealed: str) -> str:
        """The same value sealed with the first key (MultiFernet.rotate)."""
        try:
            return self._multi.rotate(sealed.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise Unsealable("no configured key opens this value") from None


def sealer() -> Sealer:
    return current_app.extensions[EXTENSION]


def init_app(app: Flask) -> None:
    keys = tuple(app.config.get("SUBMISSION_KEYS") or ())
    if not keys:
        if app.config.get("SCREENER_ENV") == "production":
            raise ConfigError("SCREENER_SUBMISSION_KEYS is required in production")
        keys = development_keys(app.instance_path)
    app.extensions[EXTENSION] = Sealer(keys)
