"""Every error becomes a clear answer: problem+json under /api, a page elsewhere. Never a 500
with a stack trace, and never the request body in a log line (it may hold health data)."""

from __future__ import annotations

import logging

from flask import Flask, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .problems import problem

log = logging.getLogger(__name__)


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def handle_http(exc: HTTPException):
    if _wants_problem():
        return problem(exc.code or 500, exc.name, exc.description)
    return exc


def handle_unexpected(exc: Exception):
    # The type only: messages and tracebacks can quote answers.
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.endpoint)
    if _wants_problem():
        return problem(500, "Internal error", "the error was logged without request data")
    return InternalServerError()


def unavailable(reason: str):
    if _wants_problem():
        return problem(503, "Service unavailable", reason)
    return reason, 503


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
