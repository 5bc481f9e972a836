"""Library log records carry their message template, never their arguments.

Libraries log what they work on: WeasyPrint one WARNING per glyph its font lacks, quoting the
text (`.notdef glyph rendered for Unicode string unsupported by fonts: "氟"`), so CJK, emoji or
control characters a patient typed could be read back from a log; flask-limiter logs the
client's address (and its key) at INFO; SQLAlchemy logs result rows at DEBUG. A level set on
their loggers is undone by any deployment that turns logging up, so instead every record made
under these names keeps its template ("…unsupported by fonts: "%s"") and loses the values,
whatever the level and handler. An exception attached to such a record is named by type only:
its message can quote the document too.

This is done where records are made (`logging.setLogRecordFactory`), so it also holds for
loggers a library creates later (fontTools makes one per module as it imports them).
"""

from __future__ import annotations

import logging
from typing import Any

GUARDED = (
    "weasyprint",
    "fontTools",
    "pydyf",
    "PIL",
    "tinycss2",
    "cssselect2",
    "html5lib",
    "flask-limiter",
    "flask_limiter",
    "limits",
    "sqlalchemy",
)
"""Logger names (and their children) whose records may quote a document, a row or a client."""

_installed: list[Any] = []


def guarded(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in GUARDED)


def _scrub(record: logging.LogRecord) -> logging.LogRecord:
    if not isinstance(record.msg, str):
        record.msg = f"<{type(record.msg).__name__}>"
    record.args = None
    if record.exc_info:
        kind = record.exc_info[0].__name__ if record.exc_info[0] else "exception"
        record.msg = f"{record.msg} [{kind}]"
        record.exc_info = None
        record.exc_text = None
    record.stack_info = None
    return record


def install() -> None:
    """Wrap the current record factory once per process."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(name: str, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(name, *args, **kwargs)
        return _scrub(record) if guarded(name) else record

    _installed.append(factory)
    logging.setLogRecordFactory(factory)
