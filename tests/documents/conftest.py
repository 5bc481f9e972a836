"""One migrated app per module (a PDF takes ~0.5 s to render, so each scenario renders once) and
completed screenings created through tests/factories.py, adopted by the test client's cookie."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pdfplumber
import pytest
from pypdf import PdfReader

from screener.documents import pdf
from screener.extensions import db
from screener.questionnaire.loader import load_registry
from tests import factories
from tests.conftest import ROOT, make_app
from tests.flow import BASELINE

VERSION = load_registry(str(ROOT / "questions")).current.version
"""The version the baseline answers are written for (the current one)."""

MEDICINE_LINES = ("Bupropion XL 150mg", "Sertraline 50 mg", "Ибупрофен 400")
"""A realistic list: two drugs from the seizure-threshold table and one that is not in it."""

PACEMAKER_SEIZURE_BUPROPION: dict[str, list[str]] = {
    "cardiac_device": ["yes"],
    "cardiac_device.kind": ["pacemaker"],
    "seizure_history": ["yes"],
    "seizure_history.last": ["within_12_months"],
    "seizure_history.medication": ["no"],
    "medications": ["yes"],
    "medications.list": ["\n".join(MEDICINE_LINES)],
    "medications.recent_change": ["no"],
}


def answers(changes: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The baseline screening (nothing of concern) with `changes` on top."""
    out: dict[str, list[str]] = {}
    for page in BASELINE.values():
        for link_id, value in page.items():
            out[link_id] = [value] if isinstance(value, str) else list(value)
    out.update(changes or {})
    return out


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "test.sqlite3"
    application = make_app(f"sqlite:///{path}")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def create_screening(app, given: dict[str, list[str]], *, lang: str = "en", completed=True):
    with app.app_context():
        made = factories.screening(given, version=VERSION, language=lang, completed=completed)
        return made.screening.id


def client_for(app, screening_id: str | None):
    client = app.test_client()
    if screening_id:
        with client.session_transaction() as session:
            session["sid"] = screening_id
    return client


@dataclass
class Fetches:
    asked: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    renders: int = 0


@contextmanager
def recording_fetches() -> Iterator[Fetches]:
    """Everything WeasyPrint asked the URL fetcher for, across the renders in the block."""
    seen = Fetches()

    def record(sender, fetcher, **extra):
        seen.asked.extend(fetcher.asked)
        seen.refused.extend(fetcher.refused)
        seen.renders += 1

    pdf.rendered.connect(record)
    try:
        yield seen
    finally:
        pdf.rendered.disconnect(record)


@dataclass
class OpenedPdf:
    data: bytes
    pages: list[str]
    reader: PdfReader

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def attachment(self) -> dict:
        files = self.reader.attachments
        assert list(files) == [pdf.ATTACHMENT_NAME]
        return json.loads(files[pdf.ATTACHMENT_NAME][0].decode("utf-8"))


def open_pdf(data: bytes) -> OpenedPdf:
    assert data.startswith(b"%PDF-"), data[:200]
    with pdfplumber.open(io.BytesIO(data)) as document:
        pages = [page.extract_text() or "" for page in document.pages]
    return OpenedPdf(data, pages, PdfReader(io.BytesIO(data)))


def squash(text: str) -> str:
    """Extracted text with line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


def font_names(reader: PdfReader) -> set[str]:
    """The base names of every font embedded in the PDF, without the subset prefix."""
    names = set()
    for page in reader.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for font in fonts.values():
            name = str(font.get_object().get("/BaseFont", ""))
            names.add(name.split("+", 1)[-1].lstrip("/"))
    return names
