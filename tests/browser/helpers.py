"""A person at a keyboard: Tab, Shift+Tab, Space, arrow keys and Enter, nothing else.

Every helper moves focus the way someone without a mouse would (Tab until the wanted control
has focus) and fails, listing what focus passed through, when the control cannot be reached.
Pages are driven only through the keyboard; `goto` is for a deliberate address (a 404, an
old bookmark, a second visit to verify what was stored) and `fast_forward` posts pages over
HTTP only to set up a scenario whose subject comes later in the path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from axe_playwright_python.sync_playwright import Axe

from tests.flow import BASELINE

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE = Axe()

# Answers that raise no flag: the baseline each scenario changes a little.
SECTIONS = list(BASELINE)

# The path the brief asks for: a pacemaker, a seizure in the last year, bupropion, no self-harm.
FLAGGED: dict[str, dict[str, str | list[str]]] = {
    **BASELINE,
    "devices": {"cochlear_implant": "no", "neurostimulator": "no", "cardiac_device": "yes",
                "cardiac_device.kind": ["pacemaker"], "medication_pump": "no"},
    "seizures": {"seizure_history": "yes", "seizure_history.last": "within_12_months",
                 "seizure_history.medication": "yes", "family_epilepsy": "no", "syncope": "no",
                 "head_injury": "no", "brain_condition": "no"},
    "medicines": {"medications": "yes", "medications.list": "Bupropion 150 mg\nSertraline 50 mg",
                  "medications.recent_change": "no", "medications_stopped": "no",
                  "alcohol_use": "no", "alcohol_stopped": "no", "drug_use": "no",
                  "sleep_deprivation": "no"},
}

_ACTIVE = """() => {
  const a = document.activeElement;
  if (!a || a === document.body) return {tag: 'BODY'};
  return {tag: a.tagName, id: a.id, name: a.name || '', type: a.type || '', value: a.value || '',
          checked: !!a.checked, href: a.getAttribute('href') || '',
          text: (a.innerText || a.value || '').trim().replace(/\\s+/g, ' ').slice(0, 60)};
}"""


def field(link_id: str) -> str:
    return link_id.replace(".", "__")


def describe(info: dict[str, Any]) -> str:
    bits = [info["tag"].lower()]
    for key in ("id", "name", "value", "href"):
        if info.get(key):
            bits.append(f"{key}={info[key]!r}")
    if info.get("text"):
        bits.append(repr(info["text"]))
    return " ".join(bits)


class Person:
    """One browser context with one page, driven from the keyboard."""

    def __init__(self, context, base: str, *, width: int, js: bool, lang: str) -> None:
        self.context = context
        self.base = base
        self.width = width
        self.js = js
        self.lang = lang
        self.page = context.new_page()
        self._outside: list[str] = []
        self._errors: list[str] = []
        self.page.on("request", self._on_request)
        self.page.on("response", self._on_response)
        self._downloads: set[str] = set()
        self.page.on("download", lambda d: self._downloads.add(d.url))
        self.page.on("requestfailed", lambda r: self._errors.append(f"failed: {r.url}"))
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda e: self._errors.append(f"page error: {e}"))

    # -- guards -------------------------------------------------------------------------------
    def _on_request(self, request) -> None:
        url = request.url
        if not (url.startswith((self.base + "/", "data:", "about:"))):
            self._outside.append(url)

    def _on_response(self, response) -> None:
        if response.status >= 500 or (
            response.status >= 400 and response.request.resource_type != "document"
        ):
            self._errors.append(f"HTTP {response.status}: {response.url}")

    def _on_console(self, message) -> None:
        # A 400/404 page itself is logged as "Failed to load resource"; sub-resources are
        # checked through their responses above.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self._errors.append(f"console: {message.text}")

    def problems(self) -> list[str]:
        # A download ends its navigation early: Chromium reports that request as aborted.
        errors = [e for e in self._errors if e.removeprefix("failed: ") not in self._downloads]
        return [f"request left 127.0.0.1: {u}" for u in self._outside] + errors

    # -- reading ------------------------------------------------------------------------------
    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base).split("#")[0]

    def active(self) -> dict[str, Any]:
        return self.page.evaluate(_ACTIVE)

    def focused(self, selector: str) -> bool:
        return self.page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        )

    def settles_on(self, selector: str, *, seconds: float = 2.0) -> bool:
        """Whether focus is, or soon gets, on `selector`: without a script, `autofocus` is
        applied at the browser's next rendering update, a moment after the page loads."""
        for _ in range(int(seconds / 0.05)):
            if self.focused(selector):
                return True
            self.page.wait_for_timeout(50)
        return self.focused(selector)

    def html_lang(self) -> str:
        return self.page.evaluate("() => document.documentElement.lang")

    def checked(self, link_id: str) -> list[str]:
        """Values currently ticked or typed in a question (read only, for assertions)."""
        return self.page.evaluate(
            """n => Array.from(document.getElementsByName(n))
                  .filter(e => (e.type === 'radio' || e.type === 'checkbox') ? e.checked
                                                                             : e.value !== '')
                  .map(e => e.value)""",
            field(link_id),
        )

    def visible(self, selector: str) -> bool:
        return self.page.locator(selector).first.is_visible()

    def resume_code(self) -> str:
        return self.page.locator("main .code").first.inner_text().strip()

    # -- moving -------------------------------------------------------------------------------
    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def tab_to(self, selector: str, *, backwards: bool = False, limit: int = 150) -> None:
        """Press Tab (or Shift+Tab) until the focused element matches `selector`."""
        key = "Shift+Tab" if backwards else "Tab"
        seen = []
        for _ in range(limit):
            if self.focused(selector):
                return
            self.page.keyboard.press(key)
            if self.focused(selector):
                return
            seen.append(describe(self.active()))
        trail = "\n  ".join(seen[:60])
        raise AssertionError(
            f"{key} never reached {selector} on {self.path}; focus went:\n  {trail}"
        )

    def skip_to_main(self) -> None:
        """From the top of a fresh page: Tab to the skip link and follow it."""
        self.tab_to("a.skip-link")
        self.page.keyboard.press("Enter")
        assert self.focused("main"), describe(self.active())

    def press_and_load(self, key: str = "Enter") -> None:
        """Press a key that must load a new page (a link or a submit button) and wait for it."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def follow(self, selector: str, **kwargs) -> None:
        """Tab to a link or button and press Enter on it."""
        self.tab_to(selector, **kwargs)
        self.press_and_load("Enter")

    def jump(self, selector: str) -> None:
        """Tab to an in-page link (#fragment) and press Enter on it: no new page loads."""
        self.tab_to(selector)
        self.page.keyboard.press("Enter")

    def choose(self, link_id: str, code: str) -> None:
        """Tab into a radio group, then arrow keys (or Space) until `code` is picked."""
        name = field(link_id)
        self.tab_to(f"input[type=radio][name='{name}']")
        count = self.page.locator(f"input[name='{name}']").count()
        for _ in range(count + 1):
            now = self.active()
            if now["value"] == code:
                if not now["checked"]:
                    self.page.keyboard.press("Space")
                assert self.active()["checked"], f"{link_id}={code} not picked"
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"{link_id} has no option {code!r} reachable with arrow keys")

    def tick(self, link_id: str, codes: list[str]) -> None:
        """Tab to each wanted checkbox and Space it on; untick the others on the way."""
        name = field(link_id)
        boxes = self.page.locator(f"input[type=checkbox][name='{name}']")
        values = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
        for value in values:
            self.tab_to(f"input[name='{name}'][value='{value}']")
            if self.active()["checked"] != (value in codes):
                self.page.keyboard.press("Space")
            assert self.active()["checked"] == (value in codes), (link_id, value)

    def write(self, link_id: str, text: str) -> None:
        self.tab_to(f"textarea[name='{field(link_id)}'], input[name='{field(link_id)}']")
        self.page.keyboard.press("ControlOrMeta+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def answer(self, link_id: str, value: str | list[str]) -> None:
        kind = self.page.evaluate(
            "n => { const e = document.getElementsByName(n)[0]; return e ? e.type : null; }",
            field(link_id),
        )
        assert kind, f"{link_id} is not on {self.path}"
        if kind == "checkbox":
            self.tick(link_id, list(value) if isinstance(value, list) else [value])
        elif kind == "radio":
            self.choose(link_id, value)  # type: ignore[arg-type]
        else:
            self.write(link_id, value)  # type: ignore[arg-type]

    def answer_all(self, answers: dict[str, str | list[str]]) -> None:
        for link_id, value in answers.items():
            self.answer(link_id, value)

    def submit(self, button: str = "#continue") -> None:
        self.follow(button)

    # -- shortcuts for setting up a scenario (not the subject under test) -------------------
    def fast_forward(self, sections: list[str], answers=None, *, start: bool = True) -> None:
        """Post whole pages over HTTP with real CSRF tokens (after starting a new screening).

        Shares the context's cookies, so the browser carries on where this stops. Only for
        getting to the page a test is about; the keyboard path itself is covered elsewhere.
        """
        answers = answers or BASELINE
        request = self.context.request
        if start:
            home = request.get(self.base + "/")
            begun = request.post(self.base + "/start", form={"csrf_token": _token(home.text())})
            assert begun.ok, begun.status
        for section in sections:
            page = request.get(f"{self.base}/questions/{section}")
            body = [("csrf_token", _token(page.text())), ("action", "continue")]
            for link_id, value in answers[section].items():
                for one in value if isinstance(value, list) else [value]:
                    body.append((field(link_id), one))
            response = request.post(
                f"{self.base}/questions/{section}",
                data=urlencode(body),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                max_redirects=0,
            )
            assert response.status == 302, (section, response.status)

    def flags(self) -> dict[str, list[str]]:
        """On the results page: level -> texts of the questions flagged at that level."""
        return self.page.evaluate(
            """() => {
              const out = {};
              for (const text of document.querySelectorAll('main .flag-list .question-text')) {
                const level = text.closest('.flag-list').dataset.level;
                if (level) (out[level] = out[level] || []).push(text.innerText.trim());
              }
              return out;
            }"""
        )

    # -- checking a page ----------------------------------------------------------------------
    def audit(self, name: str, *, screenshot: bool = False) -> None:
        """axe (WCAG 2.2 A/AA) with 0 violations, no sideways scroll at 360 px, a screenshot."""
        results = AXE.run(
            self.page,
            options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                     "resultTypes": ["violations"]},
        )
        where = f"{name} ({self.html_lang()}, {self.width} px, js={'on' if self.js else 'off'})"
        assert results.violations_count == 0, f"{where}: {results.generate_report()}"
        if self.width <= 360:
            wide = self.page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= self.width, f"{where}: scrolls sideways ({wide} px wide)"
        if screenshot and self.width == 360:
            _fresh_screenshot_folder()
            self.page.screenshot(
                path=str(SCREENSHOTS / f"{self.html_lang()}-{name}.png"), full_page=True
            )


_cleared: list[bool] = []


def _fresh_screenshot_folder() -> None:
    """Before this run's first screenshot, drop the last run's: a stale one would pass for a
    page that no longer looks like that."""
    if not _cleared:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()
        _cleared.append(True)


def screenshot_path(name: str) -> Path:
    """Where this run saves the screenshot `name` (the folder emptied before its first one)."""
    _fresh_screenshot_folder()
    return SCREENSHOTS / f"{name}.png"


def screenshots_written() -> bool:
    return bool(_cleared)


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)
