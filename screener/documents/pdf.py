"""The consultation summary as a PDF: answers → template → HTML → WeasyPrint.

Three promises live here:
- the PDF is rendered on request and returned as bytes; no answer is written anywhere (the
  only file WeasyPrint writes is its per-process copy of the packaged font, see below);
- WeasyPrint may only read the app's own packaged files: the URL fetcher refuses the network,
  `data:` and every file outside `screener/static/`, the print stylesheet and the packaged font
  directory, and records what it was asked for (tests assert an answer like
  `<img src="http://…">` never reaches it, and that the real summary's stylesheet and fonts do);
- the same answers give the same document in any supported language (`with language(lang)`),
  so the clinic's copy can differ from the patient's.

The font is DejaVu Sans as shipped inside the matplotlib wheel (a PyPI dependency, never
imported here: only its files are read), loaded with @font-face through the fetcher, so the
Cyrillic copy looks the same on any machine whatever fonts the system has. Nothing is fetched
at run time.
"""

from __future__ import annotations

import importlib.util
import json
import mimetypes
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.core import get_global
from babel.dates import format_date, format_time
from blinker import Namespace
from flask import current_app, render_template
from flask_babel import gettext as _
from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .. import paths
from ..engine.medications import DrugMatch, find_drugs
from ..engine.rules import Evaluation, Flag
from ..i18n import language
from ..questionnaire.model import EngineSettings, Item, Questionnaire, Source
from . import answer_rows as summary
from .deadline import Overrun, run_within

STATIC_DIR = paths.STATIC
PDF_ASSETS_DIR = paths.TEMPLATES / "pdf"
STYLESHEET = PDF_ASSETS_DIR / "pdf.css"
"""The print stylesheet, linked (not inlined) so that every render reads it through the
fetcher; `templates/pdf/` is open to the fetcher for `.css` files only."""
TEMPLATE = "pdf/summary.html"
AUTHOR = "TMS Screener"
ATTACHMENT_NAME = "questionnaire-response.json"
RENDER_SECONDS = 10.0
"""The hard bound on one render (app config `PDF_RENDER_SECONDS`): a summary at every limit of
the questionnaire takes about one second (bench/pdf.py), a worker's timeout is 30 s."""
PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF (structure tree, /MarkInfo) so screen readers and reflow work."""

LETTER_COUNTRIES = frozenset(
    {"US", "CA", "MX", "BZ", "CL", "CO", "CR", "GT", "NI", "PA", "PH", "PR", "SV", "VE"}
)
"""Where US Letter is the usual paper (CLDR supplemental data, paperSize); A4 elsewhere."""

MAX_ZONE_NAME = 64

HISTORY_ITEMS = EngineSettings().history_items
"""Treatment history of the files released before 1.1.0 (asked, never scored); each file's own
list is `questionnaire.settings.history_items`, shown together in one block."""

MAX_IDENTITY_LENGTH = 200
"""A typed name is cut (with an ellipsis) only far beyond any real one; the PDF wraps it."""
MAX_CLINIC_LENGTH = 300
MAX_DOB_LENGTH = 60

COPY_NAMES = {"mine": "my-copy", "clinic": "clinic-copy", "other": "copy"}
"""Which copy a PDF is, as it appears in the file name: a patient downloading both must be able
to tell them apart (tms-screening-2026-12-01-my-copy-bg.pdf, …-clinic-copy-en.pdf)."""


def _packaged_font_dir() -> Path | None:
    """DejaVu Sans inside the installed matplotlib package, found without importing it."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "mpl-data" / "fonts" / "ttf"
        if (folder / "DejaVuSans.ttf").is_file():
            return folder.resolve()
    return None


FONT_DIR = _packaged_font_dir()
FONT_FAMILY = "Screener Sans"
FONT_FILES = (
    ("normal", "normal", "DejaVuSans.ttf"),
    ("bold", "normal", "DejaVuSans-Bold.ttf"),
    ("normal", "italic", "DejaVuSans-Oblique.ttf"),
    ("bold", "italic", "DejaVuSans-BoldOblique.ttf"),
)
"""(weight, style, file) of every face the stylesheet uses."""

_signals = Namespace()
rendered = _signals.signal("pdf-rendered")
"""Sent after every render with `fetcher=` (what WeasyPrint asked for); tests subscribe."""


class RenderOverrun(Exception):
    """A render took longer than `PDF_RENDER_SECONDS` and was stopped."""


class RefusedURL(ValueError):
    """WeasyPrint asked for something that is not one of the app's packaged static files."""


class PackagedFilesFetcher(URLFetcher):
    """Serves `file://` URLs inside the static folder and refuses everything else.

    WeasyPrint catches the exception, logs the URL and carries on without the resource, so a
    stray reference costs an image, never a request to the network or a read of /etc/passwd.
    """

    def __init__(
        self,
        root: Path = STATIC_DIR,
        only: Sequence[tuple[Path, str]] | None = None,
    ):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.root = root.resolve()
        if only is None:
            only = [(PDF_ASSETS_DIR, ".css")]
            if FONT_DIR is not None:
                only.append((FONT_DIR, ".ttf"))
        self.only = tuple((folder.resolve(), suffix) for folder, suffix in only)
        """Folders opened for one kind of file, directly inside them (no subfolders)."""
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
        inside = path.is_relative_to(self.root) or any(
            path.parent == folder and path.suffix == suffix for folder, suffix in self.only
        )
        if not inside or not path.is_file():
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


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def browser_timezone(name: object) -> ZoneInfo | None:
    """The IANA zone a browser reported (Intl.DateTimeFormat().resolvedOptions().timeZone),
    when it is one this machine knows; anything else is ignored."""
    if not isinstance(name, str) or not name or len(name) > MAX_ZONE_NAME:
        return None
    if name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def country_timezone(country: str | None, at: datetime | None = None) -> ZoneInfo | None:
    """The zone of a country (CLDR's territory→zones data, through Babel) when the whole
    country keeps one clock at `at`; None for a country spanning several offsets (US, RU…),
    where guessing one would print a wrong local time."""
    names = get_global("territory_zones").get((country or "").upper(), ())
    zones = []
    for name in names:
        try:
            zones.append(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            continue
    if not zones:
        return None
    moment = at or datetime.now(UTC)
    if len({moment.astimezone(zone).utcoffset() for zone in zones}) != 1:
        return None
    return zones[0]


def timezone_for(
    country: str | None = None, browser: object = None, at: datetime | None = None
) -> tzinfo:
    """The browser's zone, else the country's (one clock only), else UTC, which the dates
    then name as such."""
    return browser_timezone(browser) or country_timezone(country, at) or UTC


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
    copy: str | None = None
    """"mine", "clinic" or "other" for a patient's download; None for a clinic's API call."""
    in_app: bool = False
    """Answered in this app, which showed crisis contacts on screen for an urgent answer; an
    uploaded QuestionnaireResponse says nothing about what its patient was shown."""
    review: Mapping[str, Any] | None = None
    """A clinic inbox's sign-off (decision, note, name, at): printed in the review block."""

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
        """tms-screening-2026-12-01-my-copy-bg.pdf: the date, which copy, its language."""
        kind = COPY_NAMES.get(self.copy or "")
        middle = f"-{kind}" if kind else ""
        return f"tms-screening-{self.file_date}{middle}-{self.lang}.pdf"

    @property
    def json_filename(self) -> str:
        return f"tms-screening-{self.file_date}-{self.lang}.json"

    @property
    def response_json(self) -> str:
        return json.dumps(self.response, ensure_ascii=False, indent=2)


def clean_identity(value: str | None, limit: int = MAX_IDENTITY_LENGTH) -> str:
    """A typed name, date of birth or clinic name, printed as text: one line, no control
    characters; the PDF wraps long ones, and only text far beyond any real name is cut, with
    an ellipsis so the cut shows."""
    if not value:
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in value)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


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
    browser_zone: object = None,
    copy: str | None = None,
    in_app: bool = False,
) -> ConsultationSummary:
    """Everything one copy of the summary shows. `country` (the clinic's, else the patient's
    place's) picks the paper and, with `browser_zone`, the time zone of the dates."""
    q = evaluation.questionnaire
    with language(lang):
        built = tuple(summary.build(q, evaluation.answers, lang, include_skipped=True))
    rows = {row.item.link_id: row for block in built for row in block.rows}
    generated = now or datetime.now(UTC)
    return ConsultationSummary(
        evaluation=evaluation,
        lang=lang,
        flags=_flag_details(q, evaluation.flags, rows),
        sections=_without_history(built, q.settings.history_items),
        history=tuple(rows[i] for i in q.settings.history_items if i in rows),
        medications=_medications(q, evaluation.answers, rows),
        references=_references(q, evaluation.flags),
        flagged={f.link_id: f.level for f in evaluation.flags},
        generated_at=generated,
        screened_at=screened_at,
        timezone=timezone_for(country, browser_zone, screened_at or generated),
        clinic=clean_identity(clinic, MAX_CLINIC_LENGTH) or None,
        name=clean_identity(name),
        dob=clean_identity(dob, MAX_DOB_LENGTH),
        page_size=page_size_for(lang, country),
        response=response,
        complete=complete,
        copy=copy if copy in COPY_NAMES else None,
        in_app=in_app,
    )


def _without_history(
    sections: tuple[summary.SectionRows, ...], history: Sequence[str] = HISTORY_ITEMS
) -> tuple[summary.SectionRows, ...]:
    """The answer list leaves out the treatment-history rows: they have their own block, and
    printing them twice cost the summary its third page."""
    return tuple(
        replace(block, rows=tuple(r for r in block.rows if r.item.link_id not in history))
        for block in sections
    )


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
    grew by about 0.2 MB a PDF. Our @font-face rules never change, so WeasyPrint fetches each
    face once per configuration and keeps a copy in its temporary folder; Pango font maps are
    not shared between threads, hence one per thread.
    """
    fonts = getattr(_per_thread, "fonts", None)
    if fonts is None:
        fonts = _per_thread.fonts = FontConfiguration()
    return fonts


@dataclass(frozen=True)
class FontFace:
    family: str
    weight: str
    style: str
    url: str


def font_faces() -> tuple[FontFace, ...]:
    """The @font-face rules of the summary: the packaged DejaVu Sans files, by file URL."""
    if FONT_DIR is None:
        return ()
    return tuple(
        FontFace(FONT_FAMILY, weight, style, (FONT_DIR / name).as_uri())
        for weight, style, name in FONT_FILES
        if (FONT_DIR / name).is_file()
    )


def render_html(document: ConsultationSummary) -> str:
    """The summary as one HTML string in its language; its stylesheet and fonts are absolute
    `file:` URLs that only `PackagedFilesFetcher` (or a plain WeasyPrint, in the bench) reads."""
    with language(document.lang):
        return render_template(
            TEMPLATE,
            doc=document,
            q=document.questionnaire,
            evaluation=document.evaluation,
            lang=document.lang,
            author=AUTHOR,
            stylesheet=STYLESHEET.as_uri(),
            font_faces=font_faces(),
            font_family=FONT_FAMILY,
        )


def render_pdf(
    html: str,
    *,
    attachments: Sequence[tuple[str, str, str]] = (),
    fetcher: PackagedFilesFetcher | None = None,
    variant: str | None = PDF_VARIANT,
) -> bytes:
    """HTML → PDF bytes. `attachments` are (file name, text, description) triples. Stopped with
    `RenderOverrun` after `PDF_RENDER_SECONDS` (screener/deadline.py)."""
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
    document = HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher)
    seconds = current_app.config.get("PDF_RENDER_SECONDS", RENDER_SECONDS)
    try:
        pdf = run_within(
            seconds,
            lambda: document.write_pdf(
                font_config=font_configuration(), pdf_variant=variant, attachments=files
            ),
        )
    except Overrun:
        _per_thread.fonts = None  # stopped half-way: the next render starts a clean one
        raise RenderOverrun(f"the render took longer than {seconds} s") from None
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

