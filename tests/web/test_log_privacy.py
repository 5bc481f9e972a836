"""No answer text in any log record at any level (issue 12, item 2): the whole path on the site
and inside a clinic's frame, both PDF copies included, with a marker in every free-text field in
Latin, Cyrillic, CJK and emoji, every logger at DEBUG and warnings captured through logging."""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager

import pytest

from tests.conftest import make_app
from tests.flow import BASELINE, csrf, field, post_step, start
from tests.views.test_clinics import CLINIC, _framed_start, _framed_step, _import, _in_frame

pytestmark = pytest.mark.both_databases

LATIN = "Qzlogmarker"
CYRILLIC = "Жлогмаркер"
CJK = "氟標記漢字"
EMOJI = "🦄🧪"
MARKERS = (LATIN, CYRILLIC, CJK, EMOJI, *CJK, *EMOJI)
"""Each script whole, and every CJK and emoji character alone (WeasyPrint quoted the glyphs its
font lacks one run at a time)."""
TYPED = f"{LATIN} {CYRILLIC} {CJK} {EMOJI}"

CHANGES = {
    "about_you": {"indication": "other", "indication.other": TYPED},
    "metal": {"metal_in_head": "yes", "metal_in_head.mri_safe": "unsure",
              "metal_in_head.details": TYPED},
    "seizures": {"syncope": "yes", "syncope.details": TYPED},
    "medicines": {"medications": "yes",
                  "medications.list": f"bupropion 150 mg {TYPED}\nsertraline {TYPED}",
                  "medications.recent_change": "no", "medications_stopped": "yes",
                  "medications_stopped.list": f"diazepam {TYPED}"},
}


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []
        self.formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        # Everything a handler could write: the message, the traceback, any extra attribute.
        self.texts.append(self.format(record) + " " + repr(vars(record)))


@contextmanager
def everything_at_debug():
    handler = Captured()
    root = logging.getLogger()
    loggers = [root, *(
        logger for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    )]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    root.addHandler(handler)
    logging.disable(logging.NOTSET)
    logging.captureWarnings(True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            yield handler
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled


def _assert_clean(handler: Captured) -> None:
    assert handler.records, "nothing was logged at DEBUG: the test would prove nothing"
    names = {record.name.split(".")[0] for record in handler.records}
    assert "weasyprint" in names, names  # the renderer did log: its records were looked at
    for text in handler.texts:
        for marker in MARKERS:
            assert marker not in text, (marker, text[:500])


def _site_path(client) -> None:
    start(client)
    too_long = post_step(client, "about_you", {"age_band": "18_64", "indication": "other",
                                               "indication.other": TYPED * 40})
    client.get(too_long.headers["Location"])  # the error page shows it back
    for section, answers in BASELINE.items():
        response = post_step(client, section, {**answers, **CHANGES.get(section, {})})
        assert response.status_code == 302, (section, response.get_data(as_text=True)[:500])
    check = client.get("/check")
    client.post("/check", data={"csrf_token": csrf(check.get_data(as_text=True))})
    results = client.get("/results").get_data(as_text=True)
    for copy in ("mine", "other"):
        pdf = client.post("/summary.pdf", data={
            "csrf_token": csrf(results), "copy": copy, "name": TYPED, "dob": TYPED,
            "tz": "Europe/Sofia",
        })
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-"), copy
    assert client.get("/summary.json").status_code == 200
    client.get(f"/providers?q={LATIN}")


def _framed_path(client, clinic: str) -> None:
    base = _framed_start(client, clinic, lang="en")
    for section, answers in BASELINE.items():
        response = _framed_step(client, base, section, {**answers, **CHANGES.get(section, {})})
        assert response.status_code in (302, 303), section
    check = client.get(f"{base}/check")
    client.post(f"{base}/check", data={"csrf_token": csrf(check.get_data(as_text=True))})
    results = client.get(f"{base}/results").get_data(as_text=True)
    for copy in ("mine", "clinic"):
        pdf = client.post(f"{base}/summary.pdf", data={
            "csrf_token": csrf(results), "copy": copy, "name": TYPED, "dob": TYPED,
        })
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-"), copy


def test_the_whole_path_at_debug_logs_no_typed_text(app, client, tmp_path):
    _import(app, tmp_path, CLINIC)
    with everything_at_debug() as handler:
        _site_path(client)
        _framed_path(_in_frame(app), CLINIC["slug"])
    _assert_clean(handler)


def test_the_api_summary_at_debug_logs_no_typed_text(app):
    body = {
        "resourceType": "QuestionnaireResponse", "status": "completed",
        "item": [{"linkId": "indication", "answer": [{"valueCoding": {"code": "other"}}]},
                 {"linkId": "indication.other", "answer": [{"valueString": TYPED}]}],
    }
    with everything_at_debug() as handler:
        for lang in ("en", "bg"):
            response = app.test_client().post(
                f"/api/v1/summary?lang={lang}", json=body,
            )
            assert response.status_code == 200
    _assert_clean(handler)


def test_the_rate_limiter_logs_no_client_address(database_url):
    app = make_app(database_url, RATELIMIT_ENABLED=True)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    with everything_at_debug() as handler:
        page = client.get("/resume").get_data(as_text=True)
        statuses = [
            client.post("/resume", data={"csrf_token": csrf(page), "code": "0000-0000-0000"})
            .status_code for _ in range(12)
        ]
    assert 429 in statuses
    assert any(r.name == "flask-limiter" for r in handler.records)  # the breach was logged
    for text in handler.texts:
        assert "203.0.113.77" not in text, text[:500]


def test_an_exception_a_library_logs_is_named_by_type_only():
    with everything_at_debug() as handler:
        try:
            raise ValueError(f"could not read {TYPED}")
        except ValueError:
            logging.getLogger("weasyprint").exception("Failed to load %s", TYPED)
    record = next(r for r in handler.records if r.name == "weasyprint")
    assert record.getMessage() == "Failed to load %s [ValueError]"
    _assert_clean_texts(handler)


def _assert_clean_texts(handler: Captured) -> None:
    for text in handler.texts:
        for marker in MARKERS:
            assert marker not in text, (marker, text[:500])


def test_field_names_match_the_questionnaire(questionnaire):
    """The markers go into every free-text field there is."""
    texts = {item.link_id for item in questionnaire.walk() if item.type == "text"}
    typed = {link_id for answers in CHANGES.values() for link_id in answers
             if TYPED in str(answers[link_id])}
    assert texts <= typed, texts - typed
    assert field("indication.other") == "indication__other"
