"""The 503 page after a save the database could not take, in a real browser: axe finds nothing,
it shows what was typed, and its Try again button sends it once more.

The fault is real: the live app's SQLite connection is closed under the UPDATE that saves the
page (what a lost connection looks like to SQLAlchemy on SQLite); PostgreSQL's own cuts are in
tests/test_database_faults.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from screener.extensions import db

from .helpers import BASELINE, Person

pytestmark = pytest.mark.browser

TYPED = "Zyx-kept-through-the-fault 19"


@pytest.fixture
def cut_next_save(live):
    with live.app.app_context():
        engine = db.engine
    armed = [False]

    def before(conn, _cursor, statement, *_args) -> None:
        if armed[0] and statement.startswith("UPDATE screenings"):
            armed[0] = False
            conn.connection.dbapi_connection.close()

    event.listen(engine, "before_cursor_execute", before)
    yield armed
    event.remove(engine, "before_cursor_execute", before)


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_a_failed_save_is_an_accessible_page_that_sends_the_answers_again(
    person, live_server, cut_next_save, lang
):
    who: Person = person(width=360, lang=lang)
    who.goto(f"/?lang={lang}")
    who.fast_forward(["about_you", "devices", "metal", "seizures"])
    who.goto("/questions/medicines")
    who.answer_all({**BASELINE["medicines"], "medications": "yes"})
    who.answer("medications.list", TYPED)
    who.answer("medications.recent_change", "no")
    cut_next_save[0] = True
    who.submit()
    assert not cut_next_save[0], "the save was not cut"
    assert who.html_lang() == lang
    assert TYPED in who.page.inner_text("main")
    who.audit("fault-503", screenshot=True)
    expected = f"HTTP 503: {live_server}/questions/medicines"
    assert expected in who._errors  # the one 5xx this test causes on purpose
    who._errors.remove(expected)

    who.follow("main form button")
    assert who.path == "/questions/health"
    who.goto("/questions/medicines")
    assert who.page.input_value("textarea[name=medications__list], "
                                "input[name=medications__list]") == TYPED
