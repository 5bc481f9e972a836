"""/providers/ in a real Chromium, from the keyboard only: in English and Bulgarian, at 360 and
1280 px, with JavaScript on and off.

Every state of the page (the empty form, an error, a place that is not found, results that had
to widen, "did you mean another place?", plain results, results from "Use my location") is
reached with Tab, Shift+Tab and Enter; with JavaScript on, each gets axe-core (the WCAG tags of
helpers.WCAG_TAGS) with 0 violations, no sideways scrolling at 360 px and a screenshot at 360 px
(test-artifacts/screenshots/, beside the other browser tests'). After every search the results
must be on screen and the next Tab must land in them, not at the top of the form.
"""

from __future__ import annotations

import re

import pytest

from .helpers import Person, describe

pytestmark = pytest.mark.browser

COUNTRIES = ("BG", "RS")
"""Bulgaria, and Serbia for the other Novi Pazar."""

SWEEP = [
    pytest.param(lang, width, js, id=f"{lang}-{width}-js-{'on' if js else 'off'}")
    for lang in ("en", "bg") for width in (360, 1280) for js in (True, False)
]

LEVSKI = {"en": "Levski, Pleven, Bulgaria", "bg": "Левски, Плевен, България"}
WIDENED = {"en": "No providers within 25 km of Levski; the nearest are within 50 km.",
           "bg": "км от Левски; най-близките са в радиус 50 км."}
NOT_FOUND = {"en": "No place called “Qwxzqwxz” was found.",
             "bg": "Не е намерено място с име „Qwxzqwxz“."}
ALTERNATIVES = {"en": "Did you mean another place?", "bg": "Имахте ли предвид друго място?"}


@pytest.fixture(scope="module")
def directory(live):
    """The live app with the places of COUNTRIES and the demo directory."""
    from screener.directory import gazetteer, importer
    from screener.extensions import db
    from tests.directory.conftest import DEMO

    with live.app.app_context():
        gazetteer.store(gazetteer.read_places(gazetteer.geonames_file(), COUNTRIES), "browser")
        importer.import_file(DEMO)
        db.session.remove()
    return live


def route(who: Person) -> str:
    return who.path.split("?")[0]


def open_directory(who: Person, lang: str) -> None:
    who.goto("/providers/")
    if lang != "en":
        who.follow(f".lang-switch a[hreflang={lang}]")
    assert who.html_lang() == lang
    assert route(who) == "/providers/"


def search_for(who: Person, text: str) -> None:
    """From wherever focus is: Tab (or Shift+Tab, from the results) to the place box, replace
    its text, Tab on to Search and press Enter."""
    backwards = who.page.locator("#results").count() > 0
    who.tab_to("#q", backwards=backwards)
    who.page.keyboard.press("ControlOrMeta+A")
    who.page.keyboard.press("Delete")
    who.page.keyboard.type(text)
    who.follow("#search")


def assert_results_in_reach(who: Person) -> None:
    """The results heading is on screen after the search, and the next Tab goes into the
    results: focused by the script, or the fragment's starting point without one."""
    assert who.page.url.endswith("#results"), who.page.url
    box = who.page.locator("#results").bounding_box()
    assert box is not None and -2 <= box["y"] < 400, f"results heading at {box}"
    if who.js:
        assert who.settles_on("#results"), describe(who.active())
    who.page.keyboard.press("Tab")
    inside = who.page.evaluate(
        "() => !!document.activeElement.closest('.dir-results')"
        " || (document.activeElement.compareDocumentPosition("
        "       document.getElementById('results')) & Node.DOCUMENT_POSITION_PRECEDING) !== 0")
    assert inside, f"Tab after a search went to {describe(who.active())}"


def status_text(who: Person) -> str:
    return who.page.locator(".dir-results [role=status]").inner_text()


@pytest.mark.parametrize(("lang", "width", "js"), SWEEP)
def test_keyboard_search_through_every_state(directory, person, lang, width, js):
    who: Person = person(width=width, js=js, lang=lang)

    def audit(name: str) -> None:
        if js:  # axe needs script; without it the page is the same server-rendered HTML
            who.audit(f"providers-{name}", screenshot=True)

    open_directory(who, lang)
    assert who.page.locator("#use-location").is_visible() == js
    audit("01-form")

    who.skip_to_main()
    who.follow("#search")  # nothing typed
    assert route(who) == "/providers/" and who.visible(".error-summary")
    if js:
        assert who.settles_on(".error-summary")
    audit("02-error")
    who.jump(".error-summary a[href='#q']")
    assert who.focused("#q"), describe(who.active())

    search_for(who, "Qwxzqwxz")
    assert NOT_FOUND[lang] in who.page.locator(".error-summary").inner_text()
    audit("03-no-match")

    search_for(who, "Levski")
    assert_results_in_reach(who)
    assert LEVSKI[lang] in who.page.locator("#results").inner_text()
    assert WIDENED[lang] in status_text(who)
    count = who.page.locator(".dir-result").count()
    assert count and re.search(rf"\b{count}\b", status_text(who))
    audit("04-widened")

    search_for(who, "Novi Pazar")
    assert_results_in_reach(who)
    assert ALTERNATIVES[lang] in who.page.locator(".dir-alternatives").inner_text()
    audit("05-alternatives")
    first = who.page.locator("#results").inner_text()
    who.follow(".dir-alternatives a")
    assert_results_in_reach(who)
    assert who.page.locator("#results").inner_text() != first
    assert not who.page.locator(".dir-alternatives").count() or "Novi Pazar" not in first

    search_for(who, "Sofia")
    assert_results_in_reach(who)
    assert who.page.locator(".dir-result").count() > 0
    audit("06-results")


@pytest.mark.parametrize(("lang", "width"), [("en", 360), ("bg", 1280)])
def test_use_my_location(directory, person, live_server, lang, width):
    who: Person = person(width=width, lang=lang)
    who.context.grant_permissions(["geolocation"], origin=live_server)
    who.context.set_geolocation({"latitude": 43.37, "longitude": 25.13})
    open_directory(who, lang)
    who.skip_to_main()
    who.tab_to("#use-location")
    who.press_and_load("Enter")
    assert who.page.locator("#q").input_value() == "43.3700, 25.1300"
    assert_results_in_reach(who)
    point = {"en": "(43.37, 25.13)", "bg": "(43,37; 25,13)"}[lang]  # the language's decimals
    assert point in who.page.locator("#results").inner_text()
    assert who.page.locator(".dir-result").count() > 0
    who.audit("providers-07-my-location", screenshot=True)


def test_use_my_location_when_refused_says_so_and_returns_to_the_box(directory, person):
    who: Person = person(width=360)  # no permission granted: the browser refuses
    open_directory(who, "en")
    who.skip_to_main()
    who.tab_to("#use-location")
    who.page.keyboard.press("Enter")
    who.page.wait_for_function(
        "() => document.getElementById('location-status').textContent.length > 0")
    assert "could not be found" in who.page.locator("#location-status").inner_text()
    assert who.settles_on("#q")
    assert route(who) == "/providers/"


@pytest.mark.parametrize("width", [360, 1280])
def test_no_location_button_without_javascript(directory, person, width):
    who: Person = person(width=width, js=False)
    open_directory(who, "en")
    button = who.page.locator("#use-location")
    assert button.count() == 1 and not button.is_visible()
    who.skip_to_main()
    seen = []  # Tab through the whole form: the button is never met
    for _ in range(30):
        who.page.keyboard.press("Tab")
        seen.append(who.active().get("id"))
        if who.focused("#search"):
            break
    assert "use-location" not in seen and seen[-1] == "search", seen
