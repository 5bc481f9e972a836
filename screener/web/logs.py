"""Operational logging that is safe for health data: endpoints, status codes and counts only.

Paths and query strings are left out on purpose (a query can carry a typed name), and so are
form fields, bodies and SQL parameters; libraries' records lose their arguments (`logguard`).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from . import logguard

log = logging.getLogger("screener.requests")


def _log_request(response: Response) -> Response:
    log.debug("%s %s -> %s", request.method, request.endpoint or "-", response.status_code)
    return response


def init_app(app: Flask) -> None:
    logguard.install()
    app.after_request(_log_request)
