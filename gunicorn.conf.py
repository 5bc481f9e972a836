"""Gunicorn settings for TMS Screener: `gunicorn -c gunicorn.conf.py` from the checkout (gunicorn
also reads this file by itself when started in this folder).

The access log writes the route Flask matched (`/c/<slug>/f/<token>/check`), never the path:
a framed path carries the screening's bearer id, and a query string what someone typed. That
holds for any `access_log_format`, because the logger below rebuilds the atoms a format can use
(`%(r)s`, `%(U)s`, `%(q)s`, headers and environ), and gunicorn's own error lines (an invalid
request quotes its request line) have framed ids and query strings cut out.

Settings from the environment (see the README, "Running it in production"):
SCREENER_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, default 4),
SCREENER_ACCESS_LOG (a file, or "-" for stderr/journald; unset: no access log) and
SCREENER_LOG_FORMAT=json (access and error lines as JSON objects).
"""

from __future__ import annotations

import json
import logging
import os
import re

from gunicorn.glogging import Logger

wsgi_app = "screener:create_app()"
bind = os.environ.get("SCREENER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
timeout = 30
graceful_timeout = 30
keepalive = 5  # nginx keeps upstream connections open (deploy/nginx/screener-http.conf)
accesslog = os.environ.get("SCREENER_ACCESS_LOG") or None
errorlog = "-"
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = "127.0.0.1"
proc_name = "tms-screener"

ROUTE_KEY = "screener.route"  # set by screener/accesslog.py on every request Flask answers
JSON_LOGS = os.environ.get("SCREENER_LOG_FORMAT", "text").strip().lower() == "json"

_FRAMED_ID = re.compile(r"(/c/[^/\s?#]*/f/)[^/\s?#'\"]*")
_QUERY = re.compile(r"\?[^\s'\"]*")


def redact(text: str) -> str:
    """A framed id becomes `…`, a query string `?…`: for lines that quote a raw request."""
    return _QUERY.sub("?…", _FRAMED_ID.sub(r"\1…", text))


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class _JsonLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                           "level": record.levelname, "logger": record.name,
                           "message": record.getMessage()}, ensure_ascii=False)


class RouteLogger(Logger):
    """Gunicorn's logger with atoms that cannot carry a path, a query or a cookie."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(_Redact())
        if JSON_LOGS:
            for handler in self.error_log.handlers:
                handler.setFormatter(_JsonLine())

    def atoms(self, resp, req, environ, request_time) -> dict:
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        method = environ.get("REQUEST_METHOD", "-")
        route = environ.get(ROUTE_KEY, "-")
        protocol = environ.get("SERVER_PROTOCOL", "-")
        sent = getattr(resp, "sent", None)
        return {
            "h": environ.get("REMOTE_ADDR", "-"),
            "l": "-",
            "u": "-",
            "t": self.now(),
            "r": f"{method} {route} {protocol}",
            "s": status,
            "m": method,
            "U": route,
            "q": "",
            "H": protocol,
            "b": str(sent) if sent is not None else "-",
            "B": sent,
            "f": "-",
            "a": "-",
            "T": request_time.seconds,
            "D": request_time.seconds * 1_000_000 + request_time.microseconds,
            "M": request_time.seconds * 1000 + request_time.microseconds // 1000,
            "L": f"{request_time.seconds}.{request_time.microseconds:06d}",
            "p": f"<{os.getpid()}>",
        }

    def access(self, resp, req, environ, request_time) -> None:
        if not JSON_LOGS:
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(json.dumps({
            "time": atoms["t"].strip("[]"), "method": atoms["m"], "route": atoms["U"],
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"], "ms": atoms["M"],
        }))


logger_class = RouteLogger
