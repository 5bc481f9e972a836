"""The patient-path service on a real database (SQLite and PostgreSQL): each operation, each
domain error, and that each operation commits all or nothing."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa

from screener.engine import wizard
from screener.extensions import db
from screener.patient import resume_codes, screenings
from screener.patient.model import Screening
from screener.patient.screenings import ScreeningError
from screener.timestamps import utcnow
from tests import factories
from tests.flow import BASELINE

pytestmark = pytest.mark.both_databases


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Screening))


def _posted(section: str) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in BASELINE[section].items()}


def _fresh(screening_id: str) -> Screening | None:
    """The row as the database has it now, not as this session remembers it."""
    db.session.expire_all()
    return db.session.get(Screening, screening_id)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def _start(app, **kwargs) -> screenings.Started:
    return screenings.start(
        app.extensions["questionnaires"].current.version, "en", app.config["RETENTION"],
        app.config["SECRET_KEY"], **kwargs,
    )


def test_start_stores_a_screening_with_only_a_hash_of_its_code(ctx):
    started = _start(ctx, clinic_slug="sofia-tms")
    stored = _fresh(started.screening.id)
    assert stored is not None and stored.clinic_slug == "sofia-tms" and stored.answers == {}
    assert len(started.resume_code) == resume_codes.LENGTH
    assert stored.resume_hash == resume_codes.digest(started.resume_code, ctx.config["SECRET_KEY"])
    assert started.resume_code not in stored.resume_hash
    left = stored.expires_at - utcnow()
    assert ctx.config["RETENTION"] - timedelta(minutes=1) < left <= ctx.config["RETENTION"]


def test_start_again_replaces_the_old_screening_in_the_same_commit(ctx):
    old = _start(ctx).screening
    new = _start(ctx, replacing=old).screening
    assert _fresh(old.id) is None and _fresh(new.id) is not None and _count() == 1


def test_start_again_for_a_clinic_keeps_answers_started_elsewhere(ctx):
    site = _start(ctx).screening
    clinic = _start(ctx, clinic_slug="sofia-tms", replacing=site).screening
    assert _fresh(site.id) is not None and _count() == 2
    _start(ctx, clinic_slug="sofia-tms", replacing=clinic)
    assert _fresh(clinic.id) is None and _count() == 2


def test_start_again_that_fails_keeps_the_old_answers(ctx):
    old = factories.screening({"age_band": ["18_64"]})
    with pytest.raises(sa.exc.IntegrityError):  # NOT NULL: the new row cannot be written
        screenings.start(None, "en", ctx.config["RETENTION"], ctx.config["SECRET_KEY"],
                         replacing=old.screening)
    kept = _fresh(old.screening.id)
    assert kept is not None and kept.answers == {"age_band": ["18_64"]} and _count() == 1


def test_live_deletes_an_expired_screening(ctx):
    made = factories.screening(expired=True)
    assert screenings.live(made.screening.id) is None
    assert _fresh(made.screening.id) is None
    assert screenings.live(None) is None and screenings.live("x" * 65) is None


def test_resume_finds_the_screening_however_the_code_is_typed(ctx):
    made = factories.screening()
    typed = resume_codes.display(made.resume_code).lower().replace("-", " ")
    found = screenings.resume(typed, ctx.config["SECRET_KEY"])
    assert found.screening.id == made.screening.id and found.resume_code == made.resume_code


@pytest.mark.parametrize(
    ("typed", "code"),
    [("", screenings.EMPTY), (" - ", screenings.EMPTY), ("7KQ2-M9XD", screenings.LENGTH),
     ("7KQ2-M9XD-4HRT", screenings.UNKNOWN)],
)
def test_resume_refuses_codes_that_name_nothing(ctx, typed, code):
    factories.screening()
    with pytest.raises(ScreeningError) as refused:
        screenings.resume(typed, ctx.config["SECRET_KEY"])
    assert refused.value.code == code
    assert refused.value.message(24)


def test_resume_refuses_an_expired_screening_and_deletes_it(ctx):
    made = factories.screening(expired=True)
    with pytest.raises(ScreeningError) as refused:
        screenings.resume(made.resume_code, ctx.config["SECRET_KEY"])
    assert refused.value.code == screenings.UNKNOWN and _count() == 0


def test_resume_in_a_clinics_frame_takes_only_that_clinics_screenings(ctx):
    site = factories.screening()
    with pytest.raises(ScreeningError) as refused:
        screenings.resume(site.resume_code, ctx.config["SECRET_KEY"], clinic_slug="sofia-tms")
    assert refused.value.code == screenings.ELSEWHERE
    framed = factories.screening(clinic_slug="sofia-tms")
    found = screenings.resume(
        framed.resume_code, ctx.config["SECRET_KEY"], clinic_slug="sofia-tms", language="bg"
    )
    assert found.screening.id == framed.screening.id
    assert _fresh(framed.screening.id).language == "bg"


def test_submit_step_stores_answers_and_pushes_the_expiry_forward(ctx, questionnaire):
    made = factories.screening()
    record = made.screening
    screenings.change(record, expires_at=utcnow() + timedelta(minutes=5))
    page = wizard.section(questionnaire, "about_you")
    result = screenings.submit_step(
        record, questionnaire, page, _posted("about_you"), ctx.config["RETENTION"]
    )
    assert not result.stay
    stored = _fresh(record.id)
    assert stored.answers["age_band"] == ["18_64"] and stored.pending is None
    assert stored.furthest_step == wizard.position(questionnaire, "about_you")
    assert stored.expires_at - utcnow() > ctx.config["RETENTION"] - timedelta(minutes=1)


def test_a_failed_submit_is_kept_for_the_page_and_reading_it_writes_nothing(ctx, questionnaire):
    record = factories.screening().screening
    page = wizard.section(questionnaire, "devices")
    result = screenings.submit_step(
        record, questionnaire, page, {"cochlear_implant": ["no"]}, ctx.config["RETENTION"]
    )
    assert result.stay and result.errors
    stored = _fresh(record.id)
    written = stored.updated_at
    shown = screenings.shown_state(stored, page)
    errors = screenings.step_errors(questionnaire, shown.errors, "en")
    assert errors and all(errors.values())
    assert screenings.shown_state(stored, wizard.section(questionnaire, "metal")).errors == ()
    db.session.commit()  # nothing to write: the read left the session clean
    again = _fresh(record.id)
    assert again.pending is not None and again.updated_at == written
    # the next save of any page clears it
    screenings.submit_step(
        again, questionnaire, wizard.section(questionnaire, "about_you"), _posted("about_you"),
        ctx.config["RETENTION"],
    )
    assert _fresh(record.id).pending is None


def test_saving_keeps_no_failed_state(ctx, questionnaire):
    record = factories.screening().screening
    page = wizard.section(questionnaire, "devices")
    screenings.submit_step(record, questionnaire, page, {"cochlear_implant": ["no"]},
                           ctx.config["RETENTION"], saving=True)
    stored = _fresh(record.id)
    assert stored.pending is None and stored.answers["cochlear_implant"] == ["no"]


def _all_answers() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for section in BASELINE:
        out.update(_posted(section))
    return out


def test_confirm_refuses_while_a_question_needs_an_answer(ctx, questionnaire):
    record = factories.screening({"age_band": ["18_64"]}).screening
    with pytest.raises(ScreeningError) as refused:
        screenings.confirm(record, questionnaire)
    assert refused.value.code == screenings.MISSING
    assert refused.value.step == wizard.first_unfinished(questionnaire, record.answers)
    assert _fresh(record.id).completed_at is None


def test_confirm_then_a_changed_answer_withdraws_it(ctx, questionnaire):
    record = factories.screening(_all_answers()).screening
    screenings.confirm(record, questionnaire)
    assert _fresh(record.id).completed_at is not None
    posted = {**_posted("about_you"), "age_band": ["65_plus"]}
    screenings.submit_step(record, questionnaire, wizard.section(questionnaire, "about_you"),
                           posted, ctx.config["RETENTION"])
    assert _fresh(record.id).completed_at is None


def test_delete_removes_the_screening(ctx):
    made = factories.screening({"age_band": ["18_64"]})
    screenings.delete(made.screening)
    assert _fresh(made.screening.id) is None and _count() == 0
    with pytest.raises(ScreeningError):
        screenings.resume(made.resume_code, ctx.config["SECRET_KEY"])


def test_change_sets_fields_beside_the_answers(ctx):
    record = factories.screening().screening
    screenings.change(record, language="bg", place={"country": "BG"})
    stored = _fresh(record.id)
    assert stored.language == "bg" and stored.place == {"country": "BG"}


def test_timestamps_come_back_aware_in_utc(ctx):
    record = factories.screening(completed=True).screening
    stored = _fresh(record.id)
    for moment in (stored.created_at, stored.updated_at, stored.expires_at, stored.completed_at):
        assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    assert stored.expires_at > utcnow()
    assert stored.created_at.astimezone(UTC) == stored.created_at


def test_every_error_code_has_its_message(ctx):
    for code in screenings.error_messages:
        assert screenings.message_for(code, 24)
    assert "24 hours" in screenings.message_for(screenings.UNKNOWN, 24)
    assert "1 hour " in screenings.message_for(screenings.UNKNOWN, 1)
    assert screenings.message_for("tampered", 24) is None
    assert screenings.message_for(None, 24) is None
