"""One whole patient, walked through the app's real pages: the load bench's unit of work.

The walk reads every form from the HTML the app serves (CSRF token, hidden fields, the radio
groups and text boxes that are enabled), answers from an answer profile, follows the app's
redirects itself (so each request is timed on its own) and ends when the answers are deleted.
It knows no URL but `/`: everything else comes from forms, links and `Location` headers, so
a change to the path that would break a real browser breaks the walk too.

It talks to a `Client` (Locust's in `bench/load.py`, Flask's test client in the suite), so it
never imports Locust, whose gevent monkey-patching must not reach the test process.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

import lxml.html

# Answers that reveal follow-ups, as a real answer set does; any other question gets "no" when
# it offers it, else its first option (one box of a set of tick boxes); a text box "none".
PROFILES: dict[str, dict[str, str]] = {
    "clear": {"age_band": "18_64", "indication": "depression"},
    "medicines": {
        "age_band": "18_64",
        "indication": "anxious_depression",
        "medications": "yes",
        "medications.list": "sertraline 100 mg, bupropion 150 mg, alprazolam as needed",
        "medications.recent_change": "no",
        "prior_mri": "yes",
        "prior_mri.problems": "no",
    },
    "seizures": {
        "age_band": "65_plus",
        "indication": "depression",
        "seizure_history": "yes",
        "seizure_history.last": "over_12_months",
        "seizure_history.medication": "yes",
        "syncope": "yes",
        "syncope.details": "fainted once after a blood test",
    },
    "devices": {
        "age_band": "18_64",
        "indication": "other",
        "indication.other": "tinnitus",
        "cardiac_device": "yes",
        "cardiac_device.kind": "pacemaker",
        "metal_in_head": "yes",
        "metal_in_head.details": "titanium plate in the jaw",
        "metal_in_head.mri_safe": "unsure",
        "prior_tms": "yes",
        "prior_tms.problems": "no",
    },
}
TOWNS = ("Plovdiv", "Левски", "Varna", "Sofia", "Ruse", "Stara Zagora", "Pleven", "Бургас")
THINK = "think"
MAX_REQUESTS = 80  # a walk that loops (a page that never lets go) stops here


class WalkError(RuntimeError):
    """The app answered something a browser would not have got through."""


@dataclass
class Reply:
    status: int
    location: str | None
    content_type: str
    text: str


class Client(Protocol):
    def request(self, method: str, path: str, data: list[tuple[str, str]] | None,
                kind: str, headers: dict[str, str], expect: int) -> Reply: ...

    def think(self) -> None: ...


@dataclass
class Walk:
    """What one patient did, in order: (method, request kind), or ("think", "") for a pause
    (what the bare baseline replays)."""

    profile: str
    steps: list[tuple[str, str]] = field(default_factory=list)
    screening_done: bool = False
    pdf: bool = False

    @property
    def requests(self) -> list[tuple[str, str]]:
        return [step for step in self.steps if step[0] != THINK]


def field_name(link_id: str) -> str:
    """As `screener.questionnaire.answer_fields.field_name`; repeated: the bench imports no app."""
    return link_id.replace(".", "__")


class Patient:
    """One person from the start page to "Delete my answers now"."""

    def __init__(self, client: Client, profile: str, *, pdf: bool, town: str,
                 address: str | None = None):
        self.client = client
        self.answers = {field_name(k): v for k, v in PROFILES[profile].items()}
        self.walk = Walk(profile, pdf=pdf)
        self.town = town
        # Behind the proxy the bench configures, each patient has an address of their own, so
        # per-address rate limits count per patient as in production. Never a target.
        self.headers = {"X-Forwarded-For": address} if address else {}

    def _send(self, method: str, path: str, kind: str, expect: int,
              data: list[tuple[str, str]] | None = None) -> Reply:
        if not path.startswith("/") or path.startswith("//"):
            raise WalkError(f"{kind}: {path!r} is not on this app; only its own paths are sent")
        if len(self.walk.requests) >= MAX_REQUESTS:
            raise WalkError(f"more than {MAX_REQUESTS} requests without reaching the end")
        reply = self.client.request(method, path, data, kind, self.headers, expect)
        self.walk.steps.append((method, kind))
        if reply.status != expect:
            raise WalkError(f"{method} {kind}: {reply.status}, expected {expect}")
        return reply

    def _follow(self, reply: Reply, base: str, kind: str) -> tuple[str, Reply]:
        if not reply.location:
            raise WalkError(f"{kind}: a redirect without a Location")
        target = urljoin(base, reply.location)
        if urlsplit(target).netloc not in ("", "localhost", urlsplit(base).netloc):
            raise WalkError(f"{kind}: redirected off the app")
        path = urlsplit(target)._replace(scheme="", netloc="").geturl()
        return path, self._send("GET", path, kind, 200)

    def run(self) -> Walk:
        path = "/"
        page = self._send("GET", path, "start page", 200)
        self._think()
        start = _form(page.text, path, lambda f: _path(f.action) == "/start")
        reply = self._send("POST", start.action, "start", 302, start.values)
        path, page = self._follow(reply, start.action, "step page")
        while True:
            kind = _kind_of(path)
            if kind == "check page":
                break
            self._think()
            form = _form(page.text, path, lambda f: f.element.get("data-step") is not None)
            if 'class="error-message"' in page.text:
                raise WalkError("a step page came back with an error: the walk's answers")
            values = self._fill(form)
            reply = self._send("POST", form.action, "step answer", 302, values)
            path, page = self._follow(reply, form.action, _kind_of_target(reply, form.action))
        self._think()
        confirm = _form(page.text, path, lambda f: _path(f.action) == _path(path))
        reply = self._send("POST", confirm.action, "confirm", 302, confirm.values)
        path, page = self._follow(reply, confirm.action, "results page")
        if "/results" not in path:
            raise WalkError(f"confirm led to {_kind_of(path)}, not the results")
        self.walk.screening_done = True
        self._think()
        if self.walk.pdf:
            summary = _form(page.text, path, lambda f: _path(f.action).endswith("/summary.pdf"))
            values = [(k, v) for k, v in summary.values if k not in ("tz", "copy")]
            values += [("tz", "Europe/Sofia"), ("copy", "mine"), ("name", "Ivana Petrova")]
            pdf = self._send("POST", summary.action, "summary PDF", 200, values)
            if not pdf.content_type.startswith("application/pdf"):
                raise WalkError(f"summary PDF came as {pdf.content_type}")
            self._think()
        providers = _link(page.text, path, "/providers/")
        page = self._send("GET", providers, "providers page", 200)
        self._think()
        search = _form(page.text, providers, lambda f: "dir-search" in f.element.get("class", ""))
        query = [(k, v) for k, v in search.values if k != "q"] + [("q", self.town)]
        path = f"{search.action}?{urlencode(query)}"
        page = self._send("GET", path, "providers search", 200)
        self._think()
        confirm = _link(page.text, path, "/delete")
        page = self._send("GET", confirm, "delete confirmation", 200)
        self._think()
        delete = _form(page.text, confirm, lambda f: _path(f.action).endswith("/delete"))
        reply = self._send("POST", delete.action, "delete", 302, delete.values)
        self._follow(reply, delete.action, "deleted page")
        return self.walk

    def _think(self) -> None:
        self.walk.steps.append((THINK, ""))
        self.client.think()

    def _fill(self, form: _Form) -> list[tuple[str, str]]:
        """The page's hidden fields, an answer for every enabled question, and Continue."""
        values = [(k, v) for k, v in form.values if k == "csrf_token" or k == "return"]
        for name, options in form.radios.items():
            wanted = self.answers.get(name)
            if wanted not in options:
                wanted = "no" if "no" in options else options[0]
            values.append((name, wanted))
        for name, options in form.boxes.items():
            wanted = self.answers.get(name)
            values.append((name, wanted if wanted in options else options[0]))
        for name in form.texts:
            values.append((name, self.answers.get(name, "none")))
        values.append(("action", "continue"))
        return values


@dataclass
class _Form:
    element: lxml.html.FormElement
    action: str
    values: list[tuple[str, str]]
    radios: dict[str, list[str]]
    boxes: dict[str, list[str]]
    texts: list[str]


def _path(url: str) -> str:
    return urlsplit(url).path


def _form(html: str, base: str, wanted) -> _Form:
    doc = lxml.html.fromstring(html)
    for element in doc.forms:
        action = urldefrag(urljoin(base, element.get("action") or base)).url
        form = _Form(element, action, [], {}, {}, [])
        if not wanted(form):
            continue
        form.values = [(k, v) for k, v in element.form_values()]
        for control in element.inputs:
            name = control.get("name")
            if not name or control.get("disabled") is not None:
                continue
            if control.tag == "input" and control.get("type") == "radio":
                form.radios.setdefault(name, []).append(control.get("value"))
            elif control.tag == "input" and control.get("type") == "checkbox":
                form.boxes.setdefault(name, []).append(control.get("value"))
            elif control.tag == "textarea":
                form.texts.append(name)
        return form
    raise WalkError(f"no such form on {_kind_of(base)}")


def _link(html: str, base: str, wanted_path: str) -> str:
    doc = lxml.html.fromstring(html)
    for anchor in doc.iter("a"):
        href = urljoin(base, anchor.get("href") or "")
        if _path(href) == wanted_path and not urlsplit(href).netloc:
            return urldefrag(href).url
    raise WalkError(f"no link to {wanted_path} on {_kind_of(base)}")


def _kind_of(path: str) -> str:
    p = _path(path)
    if p.endswith("/check"):
        return "check page"
    if "/questions/" in p:
        return "step page"
    return p


def _kind_of_target(reply: Reply, base: str) -> str:
    return _kind_of(urljoin(base, reply.location or ""))


def choose(rng: random.Random, pdf_share: float) -> tuple[str, bool, str]:
    """A patient: an answer profile, whether they download the PDF, the town they search."""
    return rng.choice(sorted(PROFILES)), rng.random() < pdf_share, rng.choice(TOWNS)
