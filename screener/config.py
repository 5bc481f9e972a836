"""Configuration: safe defaults for a laptop, everything overridable from the environment.

The defaults must let `make run` work on a fresh machine with no services, so storage is a
SQLite file in the instance folder and rate limits live in memory.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from datetime import timedelta
from pathlib import Path

from . import paths
from .i18n.languages import SUPPORTED

DEV_SECRET_KEY = "dev-only-not-secret"
ENVIRONMENTS = ("development", "production")
HSTS_MAX_AGE = 365 * 24 * 3600
"""One year, the usual value; without includeSubDomains, since the clinic's or host's other
subdomains are not ours to pin to HTTPS."""



class ConfigError(RuntimeError):
    """Raised at start-up when the configuration would be unsafe to serve with."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Read settings from the environment, falling back to development defaults."""
    sqlite_path = Path(instance_path) / "screener.sqlite3"
    try:
        retention_hours = float(os.environ.get("SCREENER_RETENTION_HOURS", "24"))
    except ValueError:
        raise ConfigError("SCREENER_RETENTION_HOURS must be a number of hours") from None
    if not 0 < retention_hours <= 24 * 365:
        raise ConfigError("SCREENER_RETENTION_HOURS must be more than 0 and at most a year")
    env = os.environ.get("SCREENER_ENV", "development")
    if env not in ENVIRONMENTS:
        # A typo such as `prod` must not quietly serve patients with development defaults.
        raise ConfigError(
            f"SCREENER_ENV must be 'development' or 'production', not {env!r}: refusing to start"
        )
    production = env == "production"
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(
            os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}")
        ),
        # Parameters and rows are answers: never let SQL logging print them. pre_ping: a
        # connection the server dropped (restart, failover, idle timeout) is replaced when a
        # request checks it out, instead of failing that request; it costs one round trip per
        # checkout (bench/db_faults.py measures it), pool_recycle still retires old ones.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_recycle": 300,
            "pool_pre_ping": True,
            "hide_parameters": True,
        },
        "SCREENER_ENV": env,
        "RETENTION": timedelta(hours=retention_hours),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "HSTS_MAX_AGE": HSTS_MAX_AGE if production else 0,
        "SINGLE_PROCESS": _bool("SCREENER_SINGLE_PROCESS", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": os.environ.get("SESSION_COOKIE_SAMESITE", "Lax"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "QUESTIONS_DIR": os.environ.get("SCREENER_QUESTIONS_DIR", str(paths.QUESTIONS)),
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": SUPPORTED,
        "WTF_CSRF_TIME_LIMIT": None,
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL"),
        "PROXY_COUNT": _count("SCREENER_PROXY_COUNT"),
        "SUBMISSION_KEYS": _keys(os.environ.get("SCREENER_SUBMISSION_KEYS", "")),
        "SUBMISSION_RETENTION_DAYS": _days("SCREENER_SUBMISSION_RETENTION_DAYS", 30, 90),
        "AUDIT_RETENTION_DAYS": _days("SCREENER_AUDIT_RETENTION_DAYS", 365, 3650),
    }


def _keys(value: str) -> tuple[str, ...]:
    """Comma-separated Fernet keys, the first one encrypting (see submissions/sealing.py)."""
    return tuple(key.strip() for key in value.split(",") if key.strip())


def _days(name: str, default: int, most: int) -> int:
    value = os.environ.get(name, str(default)).strip()
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise ConfigError(f"{name} must be a whole number of days from 1 to {most}")
    return int(value)


def _count(name: str) -> int:
    value = os.environ.get(name, "0").strip()
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number (how many proxies sit in front)")
    return int(value)


def _normalise_db_url(url: str) -> str:
    """Accept the `postgres://` and `postgresql://` spellings hosts hand out; use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 80
MIN_DISTINCT_TRIGRAMS = 0.75


def estimated_bits(secret: str) -> float:
    """Length times the Shannon entropy of the value's own character frequencies.

    Only a screen for the obvious (32 x `a` is 0 bits, `abcd` x 8 is 64): it cannot prove a
    value random. `secrets.token_hex(16)` never scored under 93 in 100,000 draws,
    `secrets.token_urlsafe(32)` never under 180."""
    counts = Counter(secret)
    total = len(secret)
    return -total * sum(n / total * math.log2(n / total) for n in counts.values())


def distinct_trigrams(secret: str) -> float:
    """The share of the value's three-character pieces that occur once: repeated runs such as
    `password` x 4 (0.27) or a doubled alphabet (0.53) have high character entropy but are
    guessable; random values score 0.85 and more."""
    pieces = [secret[i : i + 3] for i in range(len(secret) - 2)]
    return len(set(pieces)) / len(pieces) if pieces else 0.0


def check_production(config: dict) -> None:
    """Refuse to serve real patients with settings that would be unsafe: a development or
    guessable secret (it signs the cookie and keys the resume-code hashes and the framed
    forms' tokens), or per-process rate limits in a deployment that runs several processes."""
    if config.get("SCREENER_ENV") != "production":
        return
    _check_secret(config.get("SECRET_KEY") or "")
    _check_rate_limit_storage(config)
    if not config.get("SUBMISSION_KEYS"):
        raise ConfigError(
            "SCREENER_SUBMISSION_KEYS must hold at least one Fernet key when SCREENER_ENV="
            "production (submissions to clinics are sealed with it): python3 -c 'from "
            "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )


def _check_secret(secret: str) -> None:
    if secret == DEV_SECRET_KEY or len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"SECRET_KEY must be a random value of at least {MIN_SECRET_LENGTH} characters "
            "when SCREENER_ENV=production"
        )
    if (
        estimated_bits(secret) < MIN_SECRET_BITS
        or distinct_trigrams(secret) < MIN_DISTINCT_TRIGRAMS
    ):
        raise ConfigError(
            "SECRET_KEY looks guessable (too few different characters, or repeated runs): "
            "use a random value, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )


def _check_rate_limit_storage(config: dict) -> None:
    """`memory://` counts per process: with four workers a guesser gets four times the limit
    (19 of 25 resume guesses went through a 10/min limit). The app cannot see how many
    processes gunicorn will fork, so the operator says so: SCREENER_SINGLE_PROCESS=1."""
    if not str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        return
    workers = os.environ.get("WEB_CONCURRENCY", "").strip()
    if workers.isdigit() and int(workers) > 1:
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI=memory:// counts per process, but WEB_CONCURRENCY={workers}"
            " runs several: set RATELIMIT_STORAGE_URI=redis://... so that limits hold"
        )
    if not config.get("SINGLE_PROCESS"):
        raise ConfigError(
            "RATELIMIT_STORAGE_URI=memory:// counts per process, so several workers multiply "
            "every limit (resume-code guessing included): set RATELIMIT_STORAGE_URI=redis://..."
            ", or SCREENER_SINGLE_PROCESS=1 if this deployment runs exactly one process"
        )
