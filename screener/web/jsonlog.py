"""Structured logs as an option (SCREENER_LOG_FORMAT=json): one JSON object per line, for a
log shipper to read without parsing text.

The records are the same as in text form (messages the app writes without answers); what a
JSON formatter would usually add is left out on purpose: no traceback and no exception
message, which can quote a value, only the exception's type.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from flask import Flask
from flask.logging import default_handler

from ..config import ConfigError

FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class JsonFormatter(logging.Formatter):
    """time, level, logger, message (and exception type): nothing else of the record."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def _handler_marker(handler: logging.Handler) -> bool:
    return getattr(handler, "screener_json", False)


def install(level: str = "INFO", stream=None) -> logging.Handler:
    """One JSON handler on the root logger (replacing one installed before: tests build many
    apps in one process), so every library's records come out as JSON too."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if _handler_marker(h)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.screener_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def settings(app: Flask) -> tuple[str, str]:
    """(format, level): the app's config (LOG_FORMAT, LOG_LEVEL) or SCREENER_LOG_FORMAT and
    SCREENER_LOG_LEVEL; a typo refuses to start rather than logging in a form nobody expects."""
    kind = str(app.config.get("LOG_FORMAT") or os.environ.get("SCREENER_LOG_FORMAT", "text"))
    level = str(app.config.get("LOG_LEVEL") or os.environ.get("SCREENER_LOG_LEVEL", "INFO"))
    kind, level = kind.strip().lower(), level.strip().upper()
    if kind not in FORMATS:
        raise ConfigError(f"SCREENER_LOG_FORMAT must be one of {', '.join(FORMATS)}")
    if level not in LEVELS:
        raise ConfigError(f"SCREENER_LOG_LEVEL must be one of {', '.join(LEVELS)}")
    return kind, level


def init_app(app: Flask) -> None:
    kind, level = settings(app)
    app.config["LOG_FORMAT"], app.config["LOG_LEVEL"] = kind, level
    if kind == "json":
        install(level)
        app.logger.removeHandler(default_handler)
