"""Structured logs as an option (issue 12, item 10): SCREENER_LOG_FORMAT=json gives one JSON
object per line, still with nothing of an answer, and no traceback or exception message."""

from __future__ import annotations

import io
import json
import logging

import pytest

from screener import create_app
from screener.config import ConfigError
from screener.web import jsonlog
from tests.conftest import make_app
from tests.flow import complete

SECRETS = {
    "medications.list": "Jsonquil-5517 and bupropion 150mg",
    "syncope.details": "json-faints-8181",
}


@pytest.fixture
def json_handler():
    """The handler the app installs, its stream swapped for one the test reads."""
    stream = io.StringIO()
    yield stream
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "screener_json", False)]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def installed() -> logging.StreamHandler:
    (handler,) = [h for h in logging.getLogger().handlers if getattr(h, "screener_json", False)]
    return handler


@pytest.mark.both_databases
def test_json_lines_carry_no_answer(database_url, json_handler):
    make_app(database_url)  # migrating configures logging from alembic.ini; the app comes after
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False,
                      "LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"})
    installed().setStream(json_handler)
    complete(app.test_client(), {
        "seizures": {"syncope": "yes", "syncope.details": SECRETS["syncope.details"]},
        "medicines": {"medications": "yes", "medications.list": SECRETS["medications.list"],
                      "medications.recent_change": "no"},
    })
    lines = json_handler.getvalue().splitlines()
    assert len(lines) > 10, "nothing was logged at DEBUG: the test would prove nothing"
    entries = [json.loads(line) for line in lines]
    assert all(set(e) <= {"time", "level", "logger", "message", "exception"} for e in entries)
    assert any(e["logger"] == "screener.requests" for e in entries)
    for text in (*SECRETS.values(), "Jsonquil"):
        assert text not in json_handler.getvalue()


def test_an_exception_is_named_never_quoted(json_handler):
    jsonlog.install("INFO", json_handler)
    try:
        raise ValueError("the patient typed Secretol-77")
    except ValueError:
        logging.getLogger("screener.test").exception("could not render")
    (entry,) = [json.loads(line) for line in json_handler.getvalue().splitlines()]
    assert entry["message"] == "could not render"
    assert entry["exception"] == "ValueError"
    assert entry["level"] == "ERROR" and entry["logger"] == "screener.test"
    assert "Secretol" not in json_handler.getvalue()
    assert "Traceback" not in json_handler.getvalue()


def test_text_stays_the_default(monkeypatch, tmp_path):
    monkeypatch.delenv("SCREENER_LOG_FORMAT", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["LOG_FORMAT"] == "text"
    assert not any(getattr(h, "screener_json", False) for h in logging.getLogger().handlers)


@pytest.mark.parametrize(("name", "value"), [("SCREENER_LOG_FORMAT", "jsonl"),
                                             ("SCREENER_LOG_LEVEL", "LOUD")])
def test_a_typo_refuses_to_start(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
