"""Screenings made for tests, through the patient-path service itself (no row is built by
hand, so what the service guarantees holds for them too). Call inside an app context."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from screener.patient import screenings
from screener.timestamps import utcnow


def screening(
    answers: dict[str, list[str]] | None = None,
    *,
    version: str | None = None,
    language: str = "en",
    clinic_slug: str | None = None,
    completed: bool = False,
    expired: bool = False,
) -> screenings.Started:
    """A stored screening: on the current questionnaire unless `version` says otherwise, with
    these answers, confirmed if `completed`, past its retention time if `expired`."""
    app = current_app
    started = screenings.start(
        version or app.extensions["questionnaires"].current.version,
        language,
        app.config["RETENTION"],
        app.config["SECRET_KEY"],
        clinic_slug=clinic_slug,
    )
    fields: dict = {}
    if answers:
        fields["answers"] = dict(answers)
    if completed:
        fields["completed_at"] = utcnow()
    if fields:
        screenings.change(started.screening, **fields)
    if expired:
        screenings.change(started.screening, expires_at=utcnow() - timedelta(seconds=1))
    return started
