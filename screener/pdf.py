"""The consultation summary as a PDF: answers → template → HTML → WeasyPrint.

Three promises live here:
- the PDF is rendered on request and returned as bytes; nothing is written anywhere;
- WeasyPrint may only read the app's own packaged static files: the URL fetcher refuses the
  network, `data:` and every file outside `screener/static/`, and records what it was asked for
  (tests assert an answer like `<img src="http://…">` never reaches it);
- the same answers give the same document in any supported language (`with language(lang)`),
  so the clinic's copy can differ from the patient's.

Fonts come from the system through fontconfig (DejaVu Sans, installed by the set-up); nothing
is fetched at run time.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from blinker import Namespace
from flask import current_app, render_template
from flask_babel import gettext as _
from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import summary
from .i18n import language
from .medications import DrugMatch, find_drugs
from .questionnaire.model import Item, Questionnaire, Source
from .rules import Evaluation, Flag

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATE = "pdf/summary.html"
AUTHOR = "TMS Screener"
ATTACHMENT_NAME = "questionnaire-response.json"
PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF (structure tree, /MarkInfo) so screen readers and reflow work."""

LETTER_COUNTRIES = frozenset(
    {"US", "CA", "MX", "BZ", "CL", "CO", "CR", "GT", "NI", "PA", "PH", "PR", "SV", "VE"}
)
"""Where US Letter is the usual paper (CLDR supplemental data, paperSize); A4 elsewhere."""

TIMEZONES = {"BG": "Europe/Sofia"}
"""Local time for the screening date where we know the country; UTC otherwise (and said so)."""

HISTORY_ITEMS = ("indication", "indication.other", "antidepressant_trials", "psychotherapy")
"""Treatment history, asked for the consultation and never scored: shown together in one block."""

MAX_IDENTITY_LENGTH = 100

_signals = Namespace()
rendered = _signals.signal("pdf-rendered")
"""Sent after every render with `fetcher=` (what WeasyPrint asked for); tests subscribe."""


class RefusedURL(ValueError):
    """WeasyPrint asked for something that is not one of the app's packaged static files."""


class PackagedFilesFetcher(URLFetcher):
    """Serves `file://` URLs inside the static folder and refuses everything else.

    WeasyPrint catches the exception, logs the URL and carries on without the resource, so a
    stray reference costs an image, never a request to the network or a read of /etc/passwd.
    """

    def __init__(self, root: Path = STATIC_DIR):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.root = root.resolve()
        self.asked: list[str] = []
        self.refused: list[str] = []

    @property
    def base_url(self) -> str:
        return self.root.as_uri() + "/"

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        self.asked.append(url)
        path = self.local_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"only the app's static files can be used in a PDF: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    def local_path(self, url: str) -> Path | None:
        """The file a URL names, when it is a regular file inside the root; otherwise None."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(url2pathname(unquote(parts.path))).resolve()
        except (OSError, ValueError):
            return None
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path


def page_size_for(lang: str, country: str | None = None) -> str:
    """"Letter" where the country (or a region in the locale, en_US / en-CA) uses it, else "A4"."""
    region = (country or "").upper()
    if not region:
        for separator in ("_", "-"):
            if separator in lang:
                region = lang.rsplit(separator, 1)[1].upper()
    return "Letter" if region in LETTER_COUNTRIES else "A4"


def timezone_for(country: str | None) -> tzinfo:
    name = TIMEZONES.get((country or "").upper())
    return ZoneInfo(name) if name else UTC


@dataclass(frozen=True)
class FlagDetail:
    """The flags raised by one top-level question, with what the patient answered to it."""

    top: Item
    level: str
    flags: tuple[Flag, ...]
    rows: tuple[summary.Row, ...]
    sources: tuple[str, ...]

    @property
    def drugs(self) -> tuple[DrugMatch, ...]:
        return tuple(m for f in self.flags for m in f.drugs)


@dataclass(frozen=True)
class MedicationLine:
    typed: str
    matches: tuple[DrugMatch, ...]


@dataclass(frozen=True)
class Medications:
    row: summary.Row
    lines: tuple[MedicationLine, ...]


@dataclass(frozen=True)
class ConsultationSummary:
    """Everything the PDF template shows, already in one language."""

    evaluation: Evaluation
    lang: str
    flags: tuple[FlagDetail, ...]
    sections: tuple[summary.SectionRows, ...]
    history: tuple[summary.Row, ...]
    medications: tuple[Medications, ...]
    references: tuple[Source, ...]
    flagged: Mapping[str, str]
    """linkId → level of the flag raised on it, to mark rows in the answer list."""
    generated_at: datetime
    screened_at: datetime | None
    timezone: tzinfo
    clinic: str | None
    name: str
    dob: str
    page_size: str
    response: dict[str, Any] = field(default_factory=dict)
    complete: bool = True
    """False for an in-progress response sent to the API: unanswered items were not flagged."""

    @property
    def questionnaire(self) -> Questionnaire:
        return self.evaluation.questionnaire

    def local(self, moment: datetime) -> datetime:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if aware.utcoffset() and self.timezone is UTC:
            return aware  # an offset given by a clinic's system is kept as sent
        return aware.astimezone(self.timezone)

    def when(self, moment: datetime) -> str:
        """'25 Nov 2026, 14:03 UTC+02:00' in the summary's language, the zone always said."""
        local = self.local(moment)
        offset = local.strftime("%z")
        zone = f"UTC{offset[:3]}:{offset[3:]}" if offset and offset != "+0000" else "UTC"
        date = format_date(local, "medium", locale=self.lang)
        return f"{date}, {format_time(local, 'HH:mm', locale=self.lang)} {zone}"

    @property
    def file_date(self) -> str:
        return self.local(self.screened_at or self.generated_at).date().isoformat()

    @property
    def filename(self) -> str:
        return f"tms-screening-{self.file_date}.pdf"

    @property
    def response_json(self) -> str:
        return json.dumps(self.response, ensure_ascii=False, indent=2)


def clean_identity(value: str | None) -> str:
    """A typed name or date of birth, printed as text: one line, no control characters."""
    if not value:
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in value)
    return " ".join(text.split())[:MAX_IDENTITY_LENGTH]


def build_summary(
    evaluation: Evaluation,
    *,
    lang: str,
    response: dict[str, Any],
    screened_at: datetime | None = None,
    clinic: str | None = None,
    country: str | None = None,
    name: str | None = None,
    dob: str | None = None,
    now: datetime | None = None,
    complete: bool = True,
) -> ConsultationSummary:
    q = evaluation.questionnaire
    with language(lang):
        sections = _compact_reasons(
            q, tuple(summary.build(q, evaluation.answers, lang, include_skipped=True))
        )
    rows = {row.item.link_id: row for block in sections for row in block.rows}
    return ConsultationSummary(
        evaluation=evaluation,
        lang=lang,
        flags=_flag_details(q, evaluation.flags, rows),
        sections=sections,
        history=tuple(rows[i] for i in HISTORY_ITEMS if i in rows),
        medications=_medications(q, evaluation.answers, rows),
        references=_references(q, evaluation.flags),
        flagged={f.link_id: f.level for f in evaluation.flags},
        generated_at=now or datetime.now(UTC),
        screened_at=screened_at,
        timezone=timezone_for(country),
        clinic=clean_identity(clinic) or None,
        name=clean_identity(name),
        dob=clean_identity(dob),
        page_size=page_size_for(lang, country),
        response=response,
        complete=complete,
    )


def _compact_reasons(
    q: Questionnaire, sections: tuple[summary.SectionRows, ...]
) -> tuple[summary.SectionRows, ...]:
    """A follow-up skipped because of its own main question (printed just above it) says so
    in a few words instead of repeating that question: it keeps the summary to three pages."""
    out = []
    for block in sections:
        answers = {row.item.link_id: row.answer for row in block.rows}
        rows = []
        for row in block.rows:
            parent = row.item.parent
            own = parent and all(c.question == parent for c in row.item.enable_when)
            if not row.asked and own and answers.get(parent):
                reason = _("the main answer was “%(answer)s”", answer=answers[parent])
                row = replace(row, skipped_because=reason)
            rows.append(row)
        out.append(replace(block, rows=tuple(rows)))
    return tuple(out)


def _flag_details(
    q: Questionnaire, flags: Sequence[Flag], rows: Mapping[str, summary.Row]
) -> tuple[FlagDetail, ...]:
    """Flags in the engine's order (most serious first), those of one question kept together."""
    groups: dict[tuple[str, str], list[Flag]] = {}
    for flag in flags:
        groups.setdefault((q.items[flag.link_id].top, flag.level), []).append(flag)
    details = []
    for (top_id, level), grouped in groups.items():
        top = q.items[top_id]
        asked = tuple(
            row for item in _subtree(top) if (row := rows.get(item.link_id)) and row.asked
        )
        sources = tuple(dict.fromkeys(s for f in grouped for s in f.sources))
        details.append(FlagDetail(top, level, tuple(grouped), asked, sources))
    return tuple(details)


def _subtree(item: Item):
    yield item
    for child in item.followups:
        yield from _subtree(child)


def _medications(
    q: Questionnaire, answers: Mapping[str, Sequence[str]], rows: Mapping[str, summary.Row]
) -> tuple[Medications, ...]:
    """Each typed line of every drug-matched item, with the drugs found in it."""
    if q.drugs is None:
        return ()
    found = []
    for item in q.walk():
        row = rows.get(item.link_id)
        if row is None or not any(rule.match for rule in item.flags):
            continue
        values = answers.get(item.link_id, [])
        lines = [line.strip() for value in values for line in value.splitlines() if line.strip()]
        found.append(
            Medications(
                row, tuple(MedicationLine(line, tuple(find_drugs(q.drugs, line))) for line in lines)
            )
        )
    return tuple(found)


def _references(q: Questionnaire, flags: Sequence[Flag]) -> tuple[Source, ...]:
    cited = {s for f in flags for s in f.sources}
    if q.drugs is not None and any(f.drugs for f in flags):
        cited.update(q.drugs.sources)
    return tuple(source for sid, source in q.sources.items() if sid in cited)


_per_thread = threading.local()


def font_configuration() -> FontConfiguration:
    """One font configuration per thread, reused for every render.

    WeasyPrint builds a new one per document unless given one: that reloads the whole
    fontconfig set-up (tens of milliseconds) and leaves Pango/FreeType caches behind, so a worker
    grew by about 0.2 MB a PDF. Ours never changes it (no @font-face), and Pango font maps are
    not shared between threads, hence one per thread.
    """
    fonts = getattr(_per_thread, "fonts", None)
    if fonts is None:
        fonts = _per_thread.fonts = FontConfiguration()
    return fonts


def render_html(document: ConsultationSummary) -> str:
    """The summary as one self-contained HTML string (print CSS inlined), in its language."""
    with language(document.lang):
        return render_template(
            TEMPLATE,
            doc=document,
            q=document.questionnaire,
            evaluation=document.evaluation,
            lang=document.lang,
            author=AUTHOR,
        )


def render_pdf(
    html: str,
    *,
    attachments: Sequence[tuple[str, str, str]] = (),
    fetcher: PackagedFilesFetcher | None = None,
    variant: str | None = PDF_VARIANT,
) -> bytes:
    """HTML → PDF bytes. `attachments` are (file name, text, description) triples."""
    fetcher = fetcher or PackagedFilesFetcher()
    files = [
        Attachment(
            string=text,
            name=name,
            description=description,
            relationship="Data",
            url_fetcher=fetcher,
        )
        for name, text, description in attachments
    ]
    pdf = HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher).write_pdf(
        font_config=font_configuration(), pdf_variant=variant, attachments=files
    )
    rendered.send(current_app._get_current_object(), fetcher=fetcher)
    return pdf


def summary_pdf(document: ConsultationSummary) -> bytes:
    """The consultation summary with its QuestionnaireResponse attached."""
    with language(document.lang):
        description = _("The answers as a FHIR R4 QuestionnaireResponse (JSON)")
    return render_pdf(
        render_html(document),
        attachments=[(ATTACHMENT_NAME, document.response_json, description)],
    )

