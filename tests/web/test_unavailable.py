"""Broken questionnaire files: the app still starts (so `flask questions check` can report
them) and answers every page with 503 in the person's language, and the API with a problem,
never a half-working questionnaire."""

from __future__ import annotations

import shutil

import pytest

from screener import paths
from tests.conftest import make_app


@pytest.fixture
def broken_app(tmp_path):
    questions = tmp_path / "questions"
    shutil.copytree(paths.QUESTIONS, questions)
    current = questions / "tms-safety-1.1.0.yaml"
    current.write_text(current.read_text(encoding="utf-8").replace("linkId:", "linkid:", 1),
                       encoding="utf-8")
    return make_app(f"sqlite:///{tmp_path / 'broken.sqlite3'}", QUESTIONS_DIR=str(questions))


def test_the_app_starts_without_questionnaires(broken_app):
    assert broken_app.extensions["questionnaires"] is None


@pytest.mark.parametrize(("path", "lang", "words"), [
    ("/", "en", "unavailable"),
    ("/questions/devices", "en", "unavailable"),
    ("/?lang=bg", "bg", 'lang="bg"'),
])
def test_pages_are_503_in_the_persons_language(broken_app, path, lang, words):
    response = broken_app.test_client().get(path, headers={"Accept-Language": lang})
    assert response.status_code == 503
    assert words in response.get_data(as_text=True).lower() or words in response.get_data(
        as_text=True)


def test_the_api_answers_with_a_problem(broken_app):
    response = broken_app.test_client().get("/api/v1/questionnaire")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "questionnaire files are invalid" in response.get_json()["detail"]


def test_nothing_is_started_while_broken(broken_app):
    client = broken_app.test_client()
    assert client.post("/start").status_code == 503
    assert client.get("/healthz").status_code == 200  # the process answers; /readyz tells more
