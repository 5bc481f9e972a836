"""Configuration: safe defaults for a laptop, everything overridable from the environment.

The defaults must let `make run` work on a fresh machine with no services, so storage is a
SQLite file in the instance folder and rate limits live in memory.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

DEV_SECRET_KEY = "dev-only-not-secret"

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(
            os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}")
        ),
        # Parameters and rows are answers: never let SQL logging print them.
        # pool_recycle rather than pre_ping: a ping is a round trip on every request.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 300, "hide_parameters": True},
        "SCREENER_ENV": os.environ.get("SCREENER_ENV", "development"),
        "RETENTION": timedelta(hours=retention_hours),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": os.environ.get("SESSION_COOKIE_SAMESITE", "Lax"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "QUESTIONS_DIR": os.environ.get("SCREENER_QUESTIONS_DIR", str(PROJECT_ROOT / "questions")),
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ("en", "bg"),
        "WTF_CSRF_TIME_LIMIT": None,
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL"),
        "PROXY_COUNT": _count("SCREENER_PROXY_COUNT"),
    }


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


def check_production(config: dict) -> None:
    """Refuse to serve real patients with a development or guessable secret: it signs the
    cookie and keys the resume-code hashes and the framed forms' tokens."""
    if config.get("SCREENER_ENV") != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET_KEY or len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"SECRET_KEY must be a random value of at least {MIN_SECRET_LENGTH} characters "
            "when SCREENER_ENV=production"
        )
