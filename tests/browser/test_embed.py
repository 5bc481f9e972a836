"""The screener inside a clinic's own web page, in a real Chromium, across two origins.

The clinic's page is a plain HTML file served from http://127.0.0.2:<port> holding nothing but
the snippet copied from the share page (plus a listener that records every message the page
receives); the screener is the live server, reached as http://localhost:<port>. The whole path
is completed inside the frame (with a resume through the frame's own form), once as it is and
once with every Set-Cookie removed, and the frame must grow to its content through embed.js.
Posts from another site are refused even with a valid entry token, framed URLs do not open as
pages of their own, other origins cannot frame it, a Bulgarian clinic stays Bulgarian for an
en-GB browser, the framed pages pass axe, and the clinic's page learns nothing but heights.
"""

from __future__ import annotations

import html
import io
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote
from urllib.request import urlopen

import pytest
from pypdf import PdfReader

from .helpers import AXE, BASELINE, SECTIONS, WCAG_TAGS, screenshot_path
from .helpers import field as field_name

pytestmark = pytest.mark.browser

SLUG = "embed-test-clinic"
CLINIC_NAME = "Rila Embed Test Clinic"
BG_SLUG = "embed-test-clinic-bg"
MARKER = "embedmarker7q3x"
MEDICATION = f"Sertraline 50 mg {MARKER}"
FRAME = "iframe[data-tms-screener]"
INITIAL_HEIGHT = 900

# The baseline with a pacemaker (a contraindication flag) and a medicine typed by hand.
ANSWERS: dict[str, dict[str, str | list[str]]] = {
    **BASELINE,
    "devices": {**BASELINE["devices"], "cardiac_device": "yes",
                "cardiac_device.kind": ["pacemaker"]},
    "medicines": {"medications": "yes", "medications.list": MEDICATION,
                  "medications.recent_change": "no", "medications_stopped": "no",
                  "alcohol_use": "no", "alcohol_stopped": "no", "drug_use": "no",
                  "sleep_deprivation": "no"},
}

LISTENER = (
    "<script>window.__messages = []; window.addEventListener('message', function (e) "
    "{ window.__messages.push({origin: e.origin, data: e.data}); });</script>"
)


# -- a stand-in for a clinic's own website --------------------------------------------------------
class Site:
    """A plain web server on one loopback address, serving fixed pages."""

    def __init__(self, host: str) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path.split("?")[0])
                data = (body or "not found").encode()
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.origin = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, body_html: str) -> str:
        self.pages[path] = (
            '<!doctype html><html lang="en"><head><title>Clinic</title>'
            f"{LISTENER}</head><body><h1>Clinic</h1>{body_html}</body></html>"
        )
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@dataclass
class Embed:
    app: object
    screener: str
    """The screener's origin as the clinic's page knows it: http://localhost:<port>."""
    clinic: Site
    stranger: Site
    snippet: str
    clinic_page: str
    stranger_page: str
    bg_page: str
    bg_snippet: str
    """The snippet of a Bulgarian clinic (language "bg"), on the same clinic site."""


@pytest.fixture(scope="module")
def embed(live, tmp_path_factory) -> Iterator[Embed]:
    from screener.directory import importer

    clinic, stranger = Site("127.0.0.2"), Site("127.0.0.3")
    record = {
        "slug": SLUG, "name": "Dr. Embed", "clinic": CLINIC_NAME, "city": "Samokov",
        "country": "BG", "lat": 42.337, "lon": 23.553, "languages": ["bg", "en"],
        "conditions": ["depression"], "tms_types": ["rtms-10hz"],
        "accepting_new_patients": True, "remote_consultation": False,
        "last_verified": "2026-01-15", "embed_origins": [clinic.origin], "language": "en",
    }
    bg_record = {**record, "slug": BG_SLUG, "clinic": "Витоша Клиника", "language": "bg"}
    path = tmp_path_factory.mktemp("embed") / "clinic.json"
    path.write_text(json.dumps([record, bg_record]), encoding="utf-8")
    with live.app.app_context():
        importer.import_file(path, allow_localhost=True)

    screener = f"http://localhost:{live.port}"
    share = urlopen(f"{screener}/c/{SLUG}/share").read().decode()
    found = re.search(r'<textarea id="snippet"[^>]*>(.*?)</textarea>', share, re.S)
    assert found, "the share page has no snippet"
    snippet = html.unescape(found.group(1))
    assert f'src="{screener}/c/{SLUG}/embed?lang=en"' in snippet, snippet
    assert f'src="{screener}/static/embed.js"' in snippet, snippet
    bg_share = urlopen(f"{screener}/c/{BG_SLUG}/share").read().decode()
    bg_snippet = html.unescape(
        re.search(r'<textarea id="snippet"[^>]*>(.*?)</textarea>', bg_share, re.S).group(1))
    assert f'src="{screener}/c/{BG_SLUG}/embed?lang=bg"' in bg_snippet, bg_snippet
    try:
        yield Embed(
            app=live.app, screener=screener, clinic=clinic, stranger=stranger, snippet=snippet,
            clinic_page=clinic.serve("/screening.html", snippet),
            stranger_page=stranger.serve("/copied.html", snippet),
            bg_page=clinic.serve("/bg.html", bg_snippet), bg_snippet=bg_snippet,
        )
    finally:
        clinic.close()
        stranger.close()


# -- a visitor on the clinic's page ---------------------------------------------------------------
@dataclass
class Visitor:
    page: object
    embed: Embed
    urls: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    set_cookies: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    stripped: int = 0
    """Responses from the screener whose Set-Cookie headers were removed (strip_cookies)."""

    @property
    def frame(self):
        handle = self.page.locator(FRAME).element_handle()
        frame = handle.content_frame()
        assert frame is not None
        return frame

    def messages(self) -> list[dict]:
        return self.page.evaluate("() => window.__messages")


@contextmanager
def visitor(browser, embed: Embed, *, width: int = 360, strip_cookies: bool = False,
            expect_console_errors: bool = False) -> Iterator[Visitor]:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-GB",
                                  accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    who = Visitor(page, embed)
    allowed = (embed.screener + "/", embed.clinic.origin + "/", embed.stranger.origin + "/")

    def on_request(request) -> None:
        who.urls.append(request.url)
        if not request.url.startswith((*allowed, "about:", "data:", "chrome-error:")):
            who.problems.append(f"request left the two origins: {request.url}")

    def on_response(response) -> None:
        if response.status >= 500:
            who.problems.append(f"HTTP {response.status}: {response.url}")
        # response.headers leaves Set-Cookie out; header_value reads the raw headers.
        cookie = response.header_value("set-cookie")
        if cookie and response.url.startswith(embed.screener + "/"):
            who.set_cookies.append(f"{response.url}: {cookie}")

    def on_console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            who.console_errors.append(message.text)

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("framenavigated", lambda frame: who.urls.append(frame.url))
    page.on("pageerror", lambda error: who.problems.append(f"page error: {error}"))
    if strip_cookies:
        def without_cookies(route) -> None:
            response = route.fetch(max_redirects=0)
            headers = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
            route.fulfill(response=response, headers=headers)
            who.stripped += 1
            context.clear_cookies()  # route.fetch keeps cookies in the context's jar: drop them

        page.route(f"{embed.screener}/**", without_cookies)
    try:
        yield who
    finally:
        context.close()
    if not expect_console_errors:
        who.problems.extend(f"console: {text}" for text in who.console_errors)
    assert not who.problems, "\n".join(who.problems)


# -- inside the frame -----------------------------------------------------------------------------
def answer(frame, answers: dict[str, str | list[str]]) -> None:
    for link_id, value in answers.items():
        name = field_name(link_id)
        kind = frame.evaluate(
            "n => { const e = document.getElementsByName(n)[0]; return e ? e.type : null; }", name
        )
        assert kind, f"{link_id} is not on {frame.url}"
        if kind == "radio":
            frame.locator(f"input[name='{name}'][value='{value}']").check()
        elif kind == "checkbox":
            for one in value if isinstance(value, list) else [value]:
                frame.locator(f"input[name='{name}'][value='{one}']").check()
        else:
            frame.locator(f"[name='{name}']").fill(str(value))


def press(frame, selector: str) -> None:
    """Click a button or link in the frame and wait for the frame's next page."""
    with frame.expect_navigation():
        frame.locator(selector).first.click()


CONTENT_HEIGHT = "() => Math.ceil(document.documentElement.getBoundingClientRect().height)"


def wait_for_height(who: Visitor) -> int:
    """The frame's height once embed.js has applied the last height the frame posted."""
    frame = who.frame
    frame.wait_for_load_state("load")
    who.page.wait_for_function(
        """([selector, wanted]) => {
             const el = document.querySelector(selector);
             return Math.abs(el.getBoundingClientRect().height - Math.max(300, wanted)) <= 1;
           }""",
        arg=[FRAME, frame.evaluate(CONTENT_HEIGHT)],
    )
    return round(who.page.locator(FRAME).bounding_box()["height"])


def shot(who: Visitor, name: str) -> None:
    """The clinic's whole page. Chromium paints only the visible part of a cross-origin frame
    in a full-page screenshot, so the window is made as tall as the page for a moment."""
    page = who.page
    size = page.viewport_size
    tall = page.evaluate("() => Math.ceil(document.documentElement.getBoundingClientRect().height)")
    page.set_viewport_size({"width": size["width"], "height": max(tall, size["height"])})
    page.wait_for_timeout(150)
    page.screenshot(path=str(screenshot_path(f"embed-{name}")))
    page.set_viewport_size(size)


def walk_the_path(who: Visitor, *, screenshots: bool = False) -> dict:
    """Start to delete inside the frame; returns what the test wants to look at afterwards."""
    e = who.embed
    page = who.page
    page.goto(e.clinic_page)
    frame = who.frame
    frame.wait_for_load_state("load")
    assert frame.url == f"{e.screener}/c/{SLUG}/embed?lang=en"
    assert frame.locator(".frame-clinic").inner_text() == f"Safety screening for {CLINIC_NAME}"
    assert frame.locator(".site-header, .site-footer").count() == 0
    start_height = wait_for_height(who)
    assert start_height != INITIAL_HEIGHT
    if screenshots:
        shot(who, "01-start")

    press(frame, f"form[action^='/c/{SLUG}/embed/start'] button")
    found = re.fullmatch(
        rf"{re.escape(e.screener)}/c/{SLUG}/f/([A-Za-z0-9_-]+)/questions/about_you", frame.url
    )
    assert found, frame.url
    screening_id = found.group(1)
    base = f"{e.screener}/c/{SLUG}/f/{screening_id}"

    # Save on the first page: with no session in a frame, saving issues a fresh resume code.
    answer(frame, ANSWERS["about_you"])
    press(frame, "button[value=save]")
    assert frame.url == f"{base}/saved"
    saved = {
        "heading": frame.locator("h1").inner_text(),
        "code_shown": frame.locator("main .code").count() > 0,
        "code": frame.locator("main .code").first.inner_text()
        if frame.locator("main .code").count()
        else "",
        "text": frame.locator("main").inner_text(),
    }
    if screenshots:
        wait_for_height(who)
        shot(who, "02-saved")

    # Come back later through the clinic's page: the resume form inside the frame.
    page.goto(e.clinic_page)
    frame = who.frame
    frame.wait_for_load_state("load")
    frame.locator("#code").fill(saved["code"])
    press(frame, f"form[action^='/c/{SLUG}/embed/resume'] button")
    assert frame.url == f"{base}/questions/devices"

    for section in SECTIONS[1:]:
        assert frame.url == f"{base}/questions/{section}"
        answer(frame, ANSWERS[section])
        if screenshots and section == "devices":
            assert frame.locator("input[name=cardiac_device__kind]").first.is_visible()
            wait_for_height(who)
            shot(who, "03-devices-pacemaker")
        press(frame, "#continue")

    assert frame.url == f"{base}/check"
    assert MEDICATION in frame.locator("main").inner_text()
    if screenshots:
        wait_for_height(who)
        shot(who, "04-check")
    press(frame, f"form[action='/c/{SLUG}/f/{screening_id}/check'] button")

    assert frame.url == f"{base}/results"
    assert frame.locator(".flag-list").count() > 0
    headings = frame.locator("main h2").all_inner_texts()
    assert any(h.startswith("Possible contraindication") for h in headings), headings
    assert f"Your clinic: {CLINIC_NAME}" in frame.locator("#clinic-title").inner_text()
    results_height = wait_for_height(who)
    if screenshots:
        shot(who, "05-results")

    with page.expect_download() as download:
        frame.locator("form[action$='/summary.pdf'] button:not(.secondary)").click()
    pdf = download.value.path().read_bytes()
    assert frame.url == f"{base}/results"  # a download does not navigate the frame

    with e.app.app_context():
        from screener.patient import screenings

        assert screenings.live(screening_id) is not None
    press(frame, ".privacy-actions a[href*='/delete?back=']")
    assert frame.url.startswith(f"{base}/delete?back=")
    press(frame, f"form[action='/c/{SLUG}/f/{screening_id}/delete'] #confirm-delete")
    assert frame.url == f"{base}/deleted"
    deleted_height = wait_for_height(who)
    if screenshots:
        shot(who, "06-deleted")
    with e.app.app_context():
        from screener.patient import screenings

        assert screenings.live(screening_id) is None
    return {
        "id": screening_id, "pdf": pdf, "saved": saved, "start_height": start_height,
        "results_height": results_height, "deleted_height": deleted_height,
    }


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def assert_only_heights(who: Visitor) -> None:
    messages = who.messages()
    assert messages, "the clinic's page received no height at all"
    for message in messages:
        assert message["origin"] == who.embed.screener, message
        data = message["data"]
        if isinstance(data, dict) and data.get("type") == "tms-screener:page":
            # a new page loaded: where its start is inside the frame, nothing else
            assert set(data) == {"type", "top"}, message
            assert isinstance(data["top"], int | float) and data["top"] >= 0, message
            continue
        assert isinstance(data, dict) and set(data) == {"type", "height"}, message
        assert data["type"] == "tms-screener:height", message
        assert isinstance(data["height"], int | float) and data["height"] > 0, message


# -- the tests ------------------------------------------------------------------------------------
def test_whole_path_inside_the_clinics_frame(browser, embed):
    """Start, every step (a pacemaker), save, check, results, the PDF addressed to the clinic,
    delete; the frame follows its content's height; the clinic's page learns only heights."""
    with visitor(browser, embed) as who:
        seen = walk_the_path(who, screenshots=True)

        text = pdf_text(seen["pdf"])
        assert seen["pdf"].startswith(b"%PDF")
        assert CLINIC_NAME in text, f"the PDF is not addressed to the clinic: {text[:400]}"

        assert seen["saved"]["heading"] == "Your answers are saved"
        assert seen["saved"]["code_shown"]  # issued fresh: no session holds the first one
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", seen["saved"]["code"])

        # The frame grew from 900 px to its content and shrinks again on a short page.
        assert seen["start_height"] > INITIAL_HEIGHT
        assert seen["results_height"] > INITIAL_HEIGHT
        assert seen["deleted_height"] < seen["results_height"]

        assert_only_heights(who)
        assert who.page.evaluate(f"() => document.querySelector('{FRAME}').contentDocument") \
            is None
        leaked = [u for u in who.urls if MARKER in unquote(u).lower() or "sertraline" in
                  unquote(u).lower() or "pacemaker" in unquote(u).lower()]
        assert not leaked, leaked
        assert not who.set_cookies, who.set_cookies


def test_whole_path_with_every_cookie_stripped(browser, embed):
    """The same path when no Set-Cookie ever reaches the browser (as with third-party cookies
    blocked): nothing depends on a cookie."""
    with visitor(browser, embed, strip_cookies=True) as who:
        seen = walk_the_path(who)
        assert CLINIC_NAME in pdf_text(seen["pdf"])
        assert who.stripped > 20  # every page, script and form post went through the filter
        assert who.page.context.cookies() == []
        assert_only_heights(who)


def forge(who: Visitor, action: str, fields: dict[str, str]):
    """Submit a form from the clinic's page (another origin); the response the page ends on."""
    page = who.page
    page.goto(who.embed.clinic_page)
    with page.expect_navigation() as navigation:
        page.evaluate(
            """([action, fields]) => {
                 const form = document.createElement('form');
                 form.method = 'post';
                 form.action = action;
                 for (const [name, value] of Object.entries(fields)) {
                   const input = document.createElement('input');
                   input.type = 'hidden'; input.name = name; input.value = value;
                   form.appendChild(input);
                 }
                 document.body.appendChild(form);
                 form.submit();
               }""",
            [action, fields],
        )
    return navigation.value


def _count(embed: Embed) -> int:
    from screener.extensions import db
    from screener.patient import model

    with embed.app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model.Screening))


def _entry_token(embed: Embed) -> str:
    """What an attacker gets with one GET of the framed entry."""
    page = urlopen(f"{embed.screener}/c/{SLUG}/embed?lang=en").read().decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("strip_cookies", [False, True], ids=["cookies", "no-cookies"])
def test_posts_from_another_site_are_refused(browser, embed, strip_cookies):
    """Login CSRF: from the clinic's page (another origin) the attacker posts a valid entry
    token with their own resume code, or answers into a screening whose id they know. The
    browser says where the post came from, and the screener refuses it, with or without
    cookies; a step's answers and the screening count do not change."""
    from screener.patient import screenings

    with visitor(browser, embed, strip_cookies=strip_cookies,
                 expect_console_errors=True) as who:
        who.page.goto(embed.clinic_page)
        frame = who.frame
        frame.wait_for_load_state("load")
        press(frame, f"form[action^='/c/{SLUG}/embed/start'] button")
        screening_id = frame.url.split("/f/")[1].split("/")[0]
        base = f"{embed.screener}/c/{SLUG}/f/{screening_id}"
        answer(frame, ANSWERS["about_you"])
        press(frame, "button[value=save]")
        code = frame.locator("main .code").first.inner_text()
        press(frame, "main a.button")  # on to the next page, whose form holds the token
        page_token = frame.locator("input[name=csrf_token]").first.input_value()

        before = _count(embed)
        attacks = [
            (f"{base}/questions/devices", {"csrf_token": page_token, "cochlear_implant": "yes",
                                           "action": "continue"}),
            (f"{embed.screener}/c/{SLUG}/embed/resume?lang=en",
             {"csrf_token": _entry_token(embed), "code": code}),
            (f"{embed.screener}/c/{SLUG}/embed/start", {"csrf_token": _entry_token(embed)}),
            (f"{embed.screener}/c/{SLUG}/embed/start", {"csrf_token": "forged"}),
        ]
        for action, fields in attacks:
            response = forge(who, action, fields)
            assert response.request.method == "POST", action
            assert response.status == 403, (action, response.status)
        with embed.app.app_context():
            assert "cochlear_implant" not in screenings.live(screening_id).answers
        assert _count(embed) == before
        if strip_cookies:
            assert who.page.context.cookies() == []


def test_framed_urls_do_not_open_as_pages_of_their_own(browser, embed):
    """A framed URL sent as a link (or "open frame in new tab") lands on the clinic's start
    page, without the screening's id and without its answers."""
    with visitor(browser, embed) as who:
        who.page.goto(embed.clinic_page)
        frame = who.frame
        frame.wait_for_load_state("load")
        press(frame, f"form[action^='/c/{SLUG}/embed/start'] button")
        framed = frame.url
        base = framed.rsplit("/questions/", 1)[0]
        alone = who.page.context.new_page()
        for url in (framed, f"{base}/check", f"{embed.screener}/c/{SLUG}/embed?lang=en"):
            alone.goto(url)
            assert alone.url == f"{embed.screener}/c/{SLUG}?lang=en", url
            assert "/f/" not in alone.url
            assert alone.locator(".site-header").count() == 1
        alone.close()


def test_a_bulgarian_clinic_stays_bulgarian_for_an_en_gb_browser(browser, embed):
    """The snippet opens embed?lang=bg; Start and the pages after it stay Bulgarian although
    the browser asks for en-GB and no cookie remembers the choice."""
    with visitor(browser, embed, strip_cookies=True) as who:
        who.page.goto(embed.bg_page)
        frame = who.frame
        frame.wait_for_load_state("load")
        assert frame.locator("html").get_attribute("lang") == "bg"
        press(frame, f"form[action^='/c/{BG_SLUG}/embed/start'] button")
        assert "/questions/about_you" in frame.url
        assert frame.locator("html").get_attribute("lang") == "bg"
        answer(frame, ANSWERS["about_you"])
        press(frame, "#continue")
        assert frame.url.endswith("/questions/devices")
        assert frame.locator("html").get_attribute("lang") == "bg"


def test_only_the_clinics_origin_can_frame_the_screener(browser, embed):
    """A copy of the snippet on another origin shows no screener; no origin may frame a page
    that is not the clinic's embed, not even the clinic's own."""
    home = embed.clinic.serve(
        "/home-framed.html",
        f'<iframe src="{embed.screener}/" title="Home" width="100%" height="900"></iframe>',
    )
    for url in (embed.stranger_page, home):
        with visitor(browser, embed, expect_console_errors=True) as who:
            who.page.goto(url)
            frame = who.page.locator("iframe").element_handle().content_frame()
            who.page.wait_for_timeout(300)
            assert frame.locator("main, .frame-clinic, form").count() == 0, url
            assert not frame.url.startswith(embed.screener), frame.url
            assert who.messages() == []
            assert any("frame-ancestors" in text for text in who.console_errors), \
                who.console_errors


@pytest.mark.parametrize("width", [360, 1280])
def test_framed_pages_have_no_axe_violations(browser, embed, width):
    """axe (WCAG 2.2 A/AA) inside the frame: the start page, the resume page with an error
    (focus on its summary), a step with a follow-up shown, saved, check answers, results and
    deleted."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

    with visitor(browser, embed, width=width) as who:
        def audit(name: str) -> None:
            frame = who.frame
            frame.wait_for_load_state("load")
            results = AXE.run(frame, options=options)
            assert results.violations_count == 0, (
                f"{name} at {width} px: {results.generate_report()}"
            )

        who.page.goto(embed.clinic_page)
        frame = who.frame
        audit("start")
        frame.locator("#code").fill("NOPE-NOPE-NOPE")
        press(frame, f"form[action^='/c/{SLUG}/embed/resume'] button")
        assert frame.evaluate("() => document.activeElement.className") == "error-summary"
        audit("resume with an error")
        press(frame, "a.back-link")
        press(frame, f"form[action^='/c/{SLUG}/embed/start'] button")
        for section in SECTIONS:
            answer(frame, ANSWERS[section])
            if section == "about_you":
                press(frame, "button[value=save]")
                audit("saved")
                press(frame, "main a.button")
                continue
            if section == "devices":
                audit("devices with the follow-up shown")
            press(frame, "#continue")
        audit("check")
        press(frame, "form[action$='/check'] button")
        audit("results")
        press(frame, ".privacy-actions a[href*='/delete?back=']")
        audit("delete confirmation")
        press(frame, "form[action$='/delete'] #confirm-delete")
        audit("deleted")


# -- every new page opens at its top ----------------------------------------------------------
SPACER = '<div style="height:2400px">The clinic\'s own long page: about TMS, the team…</div>'


def _start_in_view(who: Visitor) -> float:
    """Where the framed page's start (crisis help, else its first heading) sits in the clinic
    page's window, once the page inside the frame has settled."""
    frame = who.frame
    frame.wait_for_load_state("load")
    target = frame.locator("main .crisis").first
    if not target.count():
        target = frame.locator("main h1").first
    for _ in range(40):  # embed.js, or frame.js a moment later, scrolls the clinic's page
        box = target.bounding_box()
        if box is not None and -2 <= box["y"] < 400:
            break
        who.page.wait_for_timeout(50)
    box = target.bounding_box()
    assert box is not None
    return box["y"]


def scroll_to(who: Visitor, target) -> None:
    """Scroll the clinic's page as a thumb would, to the foot of the frame where `target` is
    (the frame's bottom halfway up the window), and the frame itself if it scrolls."""
    who.page.evaluate(
        """s => { const r = document.querySelector(s).getBoundingClientRect();
                  window.scrollBy(0, r.bottom - window.innerHeight / 2); }""", FRAME)
    target.evaluate("e => e.scrollIntoView({block: 'nearest'})")
    who.page.wait_for_timeout(50)
    top = who.page.evaluate(f"() => document.querySelector('{FRAME}').getBoundingClientRect().top")
    assert top < 0, f"the frame's top ({top} px) should be out of sight above"


@pytest.mark.parametrize("with_script", [True, False], ids=["embed-js", "no-embed-js"])
@pytest.mark.parametrize("lang", ["en", "bg"])
def test_every_framed_page_opens_at_its_top_on_a_long_clinic_page(browser, embed, lang,
                                                                      with_script):
    """A clinic page far taller than the phone, the frame below the fold: after each Continue
    the new page's start (and, after a self-harm answer, the crisis box) is in view, with the
    resize script and without it (then the frame is 900 px and scrolls inside itself)."""
    snippet = embed.bg_snippet if lang == "bg" else embed.snippet
    if not with_script:
        snippet = re.sub(r"<script[^>]*></script>", "", snippet)
        assert "embed.js" not in snippet
    page_url = embed.clinic.serve(f"/long-{lang}-{with_script}.html", SPACER + snippet + SPACER)
    answers = {**BASELINE, "treatment": {**BASELINE["treatment"], "self_harm": "unsure"}}
    with visitor(browser, embed, width=360) as who:
        who.page.goto(page_url)
        frame = who.frame
        frame.wait_for_load_state("load")
        assert who.page.evaluate("() => window.scrollY") == 0  # arriving never jumps the page
        scroll_to(who, frame.locator("form[action*='/embed/start'] button"))
        press(frame, "form[action*='/embed/start'] button")
        for section in SECTIONS:
            assert frame.url.split("?")[0].endswith(f"/questions/{section}"), frame.url
            y = _start_in_view(who)
            assert -2 <= y < 400, f"{section}: the page starts at {y} px in the window"
            answer(frame, answers[section])
            scroll_to(who, frame.locator("#continue"))  # the patient scrolls down to it
            press(frame, "#continue")
        assert frame.url.split("?")[0].endswith("/check"), frame.url
        assert frame.locator("main .crisis").count() == 1
        y = _start_in_view(who)
        assert -2 <= y < 400, f"check page: crisis help at {y} px in the window"
        assert frame.locator("main > .crisis, main > :first-child.crisis").count() == 1
