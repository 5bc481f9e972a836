"""axe-core (WCAG 2.2 A and AA rules) on every distinct page state, in English and Bulgarian, at
360 and 1280 px: 0 violations, no sideways scrolling at 360 px, nothing loaded from elsewhere.

Each run is one tour from the keyboard: the start page, every step (empty submit with its
errors, follow-ups shown in place and after a submit), crisis help, check answers, results with
and without flags, a second screening saved and deleted, an old link after that, a resume code
that no longer works, and a missing page. At 360 px each state is also saved as a screenshot
in test-artifacts/screenshots/.

axe runs in script-enabled pages only (it cannot run where JavaScript is off); the pages
without JavaScript are the same server-rendered HTML, covered in test_patient_path.py.
"""

from __future__ import annotations

import pytest

from .helpers import BASELINE, FLAGGED, SECTIONS, Person

pytestmark = pytest.mark.browser

SWEEP = [
    pytest.param("en", 360, id="en-360"),
    pytest.param("bg", 360, id="bg-360"),
    pytest.param("en", 1280, id="en-1280"),
    pytest.param("bg", 1280, id="bg-1280"),
]


def _answer_page(who: Person, answers: dict) -> None:
    who.skip_to_main()
    who.answer_all(answers)
    who.submit()


@pytest.mark.parametrize(("lang", "width"), SWEEP)
def test_every_page_state_has_no_axe_violations(person, lang, width):
    who: Person = person(width=width, lang=lang)
    seen: list[str] = []

    def audit(name: str) -> None:
        who.audit(name, screenshot=True)
        seen.append(name)

    who.goto("/")
    if lang != "en":
        who.follow(f".lang-switch a[hreflang={lang}]")
    assert who.html_lang() == lang
    audit("01-start")

    who.follow("form[action$='/start'] button")
    assert who.path == "/questions/about_you"
    audit("02-about_you")
    who.skip_to_main()
    who.submit()
    assert who.settles_on(".error-summary")
    audit("03-about_you-errors")
    _answer_page(who, BASELINE["about_you"])

    assert who.path == "/questions/devices"
    audit("04-devices")
    who.skip_to_main()
    who.answer("cochlear_implant", "no")
    who.answer("neurostimulator", "no")
    who.answer("cardiac_device", "yes")
    assert who.visible("[data-field=cardiac_device__kind]")
    audit("05-devices-followup-in-place")
    who.answer("medication_pump", "no")
    who.submit()  # the follow-up was seen in place and left empty: an error for it
    assert who.path == "/questions/devices"
    assert who.settles_on(".error-summary")
    audit("06-devices-followup-error")
    who.follow(".error-summary a")
    assert who.focused("input[name=cardiac_device__kind]")
    who.answer("cardiac_device.kind", ["pacemaker"])
    who.submit()

    for number, section in enumerate(SECTIONS[2:], start=7):
        assert who.path == f"/questions/{section}"
        audit(f"{number:02d}-{section}")
        answers = dict(FLAGGED[section])
        if section == "treatment":
            answers["self_harm"] = "yes"
        _answer_page(who, answers)

    assert who.path == "/check"  # crisis help first, at the address everybody sees next
    assert who.visible("main .crisis")
    audit("13-check-with-crisis-help")
    who.follow("footer a[href='/support']")
    assert who.path == "/support" and who.visible("main .crisis")
    audit("14-support")
    who.goto("/check")
    who.follow("form[action$='/check'] button")
    assert who.path == "/results"
    assert who.visible("main .crisis") and who.visible(".flag-list")
    audit("15-results-flags")

    who.follow("a.site-name")
    assert who.visible("main .notice a.button")  # "continue where you left off"
    audit("16-start-returning")

    who.follow("form[action$='/start'] button")  # start again, answering nothing of concern
    who.fast_forward(SECTIONS, start=False)  # (the keyboard path is test_patient_path's)
    who.follow("a.site-name")
    who.follow("main .notice a.button")
    assert who.path == "/check"
    who.follow("form[action$='/check'] button")
    assert who.path == "/results"
    assert not who.page.locator(".flag-list, main .crisis").count()
    audit("17-results-no-flags")

    who.follow("a.site-name")
    who.follow("form[action$='/start'] button")
    who.skip_to_main()
    who.answer_all(BASELINE["about_you"])
    who.submit("button[value=save]")
    assert who.path == "/saved"
    code = who.resume_code()
    audit("18-saved")

    who.follow(".privacy-actions a[href*='/delete?back=']")
    assert who.path == "/delete?back=/saved"
    audit("18b-delete-confirm")
    who.follow("form[action$='/delete'] #confirm-delete")
    assert who.path == "/deleted"
    audit("19-deleted")

    who.goto("/questions/devices")  # an old bookmark: back to the start, with a message
    assert who.path == "/" and who.visible(".flash")
    audit("20-start-answers-gone")

    who.write("code", code)
    who.press_and_load("Enter")
    assert who.path == "/resume?error=unknown" and who.settles_on(".error-summary")
    audit("21-resume-error")

    response = who.goto("/no-such-page")
    assert response.status == 404
    audit("22-not-found")
    assert len(seen) == 23
