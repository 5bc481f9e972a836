"""The patient's path in a real Chromium, from the keyboard only (Tab, Shift+Tab, Space, arrow
keys, Enter), with JavaScript on and off, in English and Bulgarian, at 360 and 1280 px.

Texts are compared with the questionnaire's own (both languages), not with interface strings,
so a new translation of the interface does not break these tests.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from .helpers import BASELINE, FLAGGED, SECTIONS, Person, field

pytestmark = pytest.mark.browser

START = "form[action$='/start'] button"
CONFIRM = "form[action$='/check'] button"
DELETE = ".privacy-actions a[href*='/delete?back=']"
CONFIRM_DELETE = "form[action$='/delete'] #confirm-delete"
SAVE = "button[value=save]"


def text(q, link_id: str, lang: str) -> str:
    return q.items[link_id].text.get_text(lang)


def label(q, link_id: str, code: str, lang: str) -> str:
    return q.items[link_id].option(code).label.get_text(lang)


def title(q, section_id: str, lang: str) -> str:
    return next(s for s in q.sections if s.id == section_id).title.get_text(lang)


def begin(who: Person, lang: str) -> None:
    """From the start page: pick the language, then Start now."""
    who.goto("/")
    if lang != "en":
        who.follow(f".lang-switch a[hreflang={lang}]")
    assert who.html_lang() == lang
    who.follow(START)
    assert who.path == "/questions/about_you"


def top_level(answers: dict) -> dict:
    return {k: v for k, v in answers.items() if "." not in k}


def follow_ups(answers: dict) -> dict:
    return {k: v for k, v in answers.items() if "." in k}


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_whole_path_from_the_keyboard(person, questionnaire, lang):
    """Start to results with a pacemaker, a seizure this year and bupropion, follow-ups shown
    in place by the script; one answer changed from check-answers."""
    q = questionnaire
    who: Person = person(width=360, lang=lang)
    begin(who, lang)

    for section in SECTIONS:
        assert who.path == f"/questions/{section}"
        assert who.page.locator("h1").inner_text() == title(q, section, lang)
        assert who.page.locator(".followup:visible").count() == 0
        who.skip_to_main()
        for link_id, value in FLAGGED[section].items():
            if "." in link_id:  # shown in place once its parent is answered
                assert who.visible(f"[data-field={field(link_id)}]"), link_id
            who.answer(link_id, value)
        who.submit()

    assert who.path == "/check"
    main = who.page.locator("main").inner_text()
    assert "Bupropion 150 mg" in main and "Sertraline 50 mg" in main
    assert label(q, "cardiac_device.kind", "pacemaker", lang) in main
    assert label(q, "seizure_history.last", "within_12_months", lang) in main

    # Change one answer and come back to the check page.
    who.follow("main a[href*='/questions/health?return=check'][href$='#headaches-question']")
    assert who.path == "/questions/health?return=check"
    # the link's #fragment lands on the whole question (its text in view), answers next
    assert who.focused("#headaches-question")
    who.page.keyboard.press("Tab")
    assert who.focused("#headaches-question summary")  # its "why we ask", then the answers
    who.page.keyboard.press("Tab")
    assert who.focused("input[name=headaches]")
    assert who.page.locator(".back-link").get_attribute("href") == "/check"
    who.choose("headaches", "yes")
    who.submit()
    assert who.path == "/check"
    row = who.page.locator("main .summary-list .row").filter(
        has=who.page.get_by_text(text(q, "headaches", lang), exact=True)
    )
    assert row.locator("dd").first.inner_text() == label(q, "headaches", "yes", lang)

    who.follow(CONFIRM)
    assert who.path == "/results"
    flags = who.flags()
    assert text(q, "cardiac_device", lang) in flags["contraindication"]
    assert text(q, "seizure_history", lang) in flags["contraindication"]
    assert text(q, "medications", lang) in flags["caution"]  # bupropion lowers the threshold
    assert any(text(q, "headaches", lang) in texts for texts in flags.values())
    assert "urgent" not in flags
    assert who.page.locator("main .crisis").count() == 0


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_self_harm_yes_shows_crisis_help_then_lets_the_person_go_on(person, lang):
    who: Person = person(width=360, lang=lang)
    who.goto("/")
    if lang != "en":
        who.follow(f".lang-switch a[hreflang={lang}]")
    who.fast_forward(SECTIONS[:-1])
    who.goto("/")
    who.follow("main .notice a.button")  # continue where you left off
    assert who.path == "/questions/treatment"
    who.skip_to_main()
    who.answer_all({"antidepressant_trials": "1", "psychotherapy": "no", "self_harm": "yes"})
    who.submit()

    # Crisis help comes first on the very next page, at the address everybody gets next.
    assert who.path == "/check"
    assert who.html_lang() == lang
    first = who.page.evaluate("() => document.querySelector('main').firstElementChild.className")
    assert "crisis" in first
    assert who.page.locator("main .crisis a[href^='tel:']").count() >= 1
    # Switching language here keeps both the help and the way on.
    other = "bg" if lang == "en" else "en"
    who.follow(f".lang-switch a[hreflang={other}]")
    assert who.html_lang() == other and who.visible("main .crisis")
    who.follow(f".lang-switch a[hreflang={lang}]")

    assert who.path == f"/check?lang={lang}"
    who.follow(CONFIRM)
    assert who.path == "/results"
    first = who.page.evaluate("() => document.querySelector('main').firstElementChild.className")
    assert "crisis" in first  # crisis help comes before anything else on the results page


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_errors_are_summarised_focused_and_keep_other_answers(person, questionnaire, js):
    q = questionnaire
    who: Person = person(width=360, js=js)
    begin(who, "en")

    who.skip_to_main()
    who.submit()  # nothing answered
    assert who.path == "/questions/about_you"
    assert who.page.title().startswith("Error:")
    assert who.settles_on(".error-summary")
    links = who.page.locator(".error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#age_band", "#indication",
    ]
    who.jump(".error-summary a[href='#indication']")
    assert who.focused("input[name=indication]")
    who.choose("indication", "depression")
    who.submit()  # age still missing

    assert who.settles_on(".error-summary")
    assert who.checked("indication") == ["depression"]  # the other answer is kept
    assert who.page.locator(".error-summary a").count() == 1
    who.page.keyboard.press("Tab")
    assert who.focused(".error-summary a[href='#age_band']")
    who.page.keyboard.press("Enter")
    assert who.focused("input[name=age_band]")
    who.choose("age_band", "18_64")
    who.submit()
    assert who.path == "/questions/devices"

    # Without JavaScript a follow-up that appears after submit is a question, not an error;
    # left empty a second time (or, with JavaScript, once it was seen in place), it is.
    who.skip_to_main()
    who.answer_all({**top_level(BASELINE["devices"]), "cardiac_device": "yes"})
    who.submit()
    assert who.path == "/questions/devices"
    assert who.visible("[data-field=cardiac_device__kind]")
    assert who.checked("cochlear_implant") == ["no"] and who.checked("cardiac_device") == ["yes"]
    if not who.js:
        assert who.page.locator(".error-summary").count() == 0
        who.submit()
    assert who.settles_on(".error-summary")
    who.page.keyboard.press("Tab")
    assert who.focused(".error-summary a[href='#cardiac_device__kind']")
    who.page.keyboard.press("Enter")
    assert who.focused("input[name=cardiac_device__kind]")
    who.tick("cardiac_device.kind", ["icd"])
    who.submit()
    assert who.path == "/questions/metal"
    assert text(q, "metal_in_head", "en") in who.page.locator("main").inner_text()


# Answers of every kind, with follow-ups and free text, to come back after a resume.
SAVED = {
    "about_you": {"age_band": "65_plus", "indication": "other",
                  "indication.other": "Ringing in the ears"},
    "devices": {"cochlear_implant": "unsure", "neurostimulator": "yes",
                "neurostimulator.kind": ["vns", "scs"], "cardiac_device": "no",
                "medication_pump": "no"},
    "metal": {"metal_in_head": "yes", "metal_in_head.details": "Aneurysm clip, left side",
              "metal_in_head.mri_safe": "unsure", "metal_in_body": "yes",
              "metal_in_body.where": ["upper_body", "elsewhere"], "shunt": "no",
              "magnetic_dental_or_tattoo": "yes",
              "magnetic_dental_or_tattoo.kind": ["metallic_ink"]},
    "seizures": {"seizure_history": "yes", "seizure_history.last": "over_12_months",
                 "seizure_history.medication": "no", "family_epilepsy": "unsure",
                 "syncope": "yes", "syncope.details": "When I see blood", "head_injury": "no",
                 "brain_condition": "no"},
}
# The page the person saves on is only half answered: saving must not demand the rest.
HALF = {"medications": "yes", "medications.list": "Bupropion 150 mg"}


def test_save_and_resume_on_another_device_restores_every_answer(person):
    who: Person = person(width=360)
    begin(who, "en")
    for answers in SAVED.values():
        who.skip_to_main()
        who.answer_all(answers)
        who.submit()
    assert who.path == "/questions/medicines"
    who.skip_to_main()
    who.answer_all(HALF)
    who.submit(SAVE)
    assert who.path == "/saved"
    code = who.resume_code()
    assert len(code.replace("-", "")) == 12

    later: Person = person(width=1280)  # a new browser: no cookie, only the code
    later.goto("/")
    later.write("code", code.lower().replace("-", " "))
    later.press_and_load("Enter")
    assert later.path == "/questions/medicines"  # where the gaps start
    for link_id, value in HALF.items():
        assert later.checked(link_id) == [value]
    for section, answers in SAVED.items():
        later.goto(f"/questions/{section}")
        for link_id, value in answers.items():
            expected = value if isinstance(value, list) else [value]
            assert later.checked(link_id) == expected, (section, link_id)
            assert later.visible(f"[data-field={field(link_id)}]"), link_id


@pytest.mark.parametrize("lang", ["en", "bg"])
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_delete_my_answers_confirms_and_the_code_stops_working(person, lang, js):
    who: Person = person(width=360, js=js)
    begin(who, lang)
    who.skip_to_main()
    who.answer_all(BASELINE["about_you"])
    who.submit(SAVE)
    code = who.resume_code()
    # a link at the foot of the page, not a red button under "Save"
    assert who.page.locator("main button.warning").count() == 0

    who.follow(DELETE)
    assert who.path == "/delete?back=/saved", who.path
    assert who.page.locator("main button.warning#confirm-delete").count() == 1
    if js:  # axe runs as a script: the page is the same without one
        who.audit("delete-confirm", screenshot=True)
    who.follow("#keep-answers")  # nothing deleted: back where they were, code still shown
    assert who.path == "/saved" and who.resume_code() == code

    who.follow(DELETE)
    who.follow(CONFIRM_DELETE)
    assert who.path == "/deleted"
    who.follow("main a.button")
    assert who.path == "/"
    assert who.page.locator("main .notice").count() == 0  # nothing to continue
    assert who.page.locator(DELETE).count() == 0

    stranger: Person = person(width=360)
    stranger.goto("/")
    stranger.write("code", code)
    stranger.press_and_load("Enter")
    assert stranger.path == "/resume?error=unknown"  # through a redirect: Back stays safe
    assert stranger.settles_on(".error-summary")
    assert stranger.page.input_value("#code") == code  # kept to correct, not retyped
    stranger.page.keyboard.press("Tab")
    stranger.page.keyboard.press("Enter")
    assert stranger.focused("#code")


def test_switching_language_mid_path_keeps_progress(person, questionnaire):
    q = questionnaire
    who: Person = person(width=360)
    begin(who, "en")
    for section in ("about_you", "devices"):
        who.skip_to_main()
        who.answer_all(FLAGGED[section])
        who.submit()
    assert who.path == "/questions/metal"

    who.follow(".lang-switch a[hreflang=bg]")
    assert who.path == "/questions/metal?lang=bg"
    assert who.html_lang() == "bg"
    assert who.page.locator("h1").inner_text() == title(q, "metal", "bg")
    who.follow(".back-link")
    assert who.path == "/questions/devices"
    assert text(q, "cardiac_device", "bg") in who.page.locator("main").inner_text()
    assert who.checked("cardiac_device") == ["yes"]
    assert who.checked("cardiac_device.kind") == ["pacemaker"]
    who.submit()
    who.skip_to_main()
    who.answer_all(BASELINE["metal"])
    who.submit()
    assert who.path == "/questions/seizures" and who.html_lang() == "bg"

    # Finish over HTTP, then switch language on a "change" page: it still returns to check.
    who.fast_forward(SECTIONS[3:], start=False)
    who.follow("a.site-name")
    who.follow("main .notice a.button")
    assert who.path == "/check"
    who.follow("main a[href*='/questions/devices?return=check'][href$='#cardiac_device-question']")
    who.follow(".lang-switch a[hreflang=en]")
    assert who.html_lang() == "en"
    assert who.page.locator(".back-link").get_attribute("href") == "/check"
    assert who.checked("cardiac_device.kind") == ["pacemaker"]
    who.submit()
    assert who.path == "/check"
    pacemaker = label(q, "cardiac_device.kind", "pacemaker", "en")
    assert pacemaker in who.page.locator("main").inner_text()


def test_without_javascript_follow_ups_appear_after_submit(person, questionnaire):
    """No script, Bulgarian, 1280 px: each new follow-up arrives with the next page load."""
    q = questionnaire
    lang = "bg"
    who: Person = person(width=1280, js=False, lang=lang)
    begin(who, lang)
    for section in SECTIONS:
        answers = FLAGGED[section]
        assert who.path == f"/questions/{section}"
        who.skip_to_main()
        who.answer_all(top_level(answers))
        assert who.page.locator(".followup:visible").count() == 0  # no script, no change
        who.submit()
        required = [k for k in follow_ups(answers) if q.items[k].required]
        if required:
            assert who.path == f"/questions/{section}"
            assert who.page.locator(".error-summary").count() == 0
            notice = who.page.locator("main .notice a")
            assert [notice.nth(i).get_attribute("href") for i in range(notice.count())] == [
                f"#{field(k)}" for k in required
            ]
            who.jump(f"main .notice a[href='#{field(required[0])}']")
            assert who.focused(f"[name={field(required[0])}]")
            # the link moved focus to the new question; answer from there
            for link_id, value in follow_ups(answers).items():
                who.answer(link_id, value)
            who.submit()
    assert who.path == "/check"
    # Back, page by page, through pages that came back with a new question: each is an
    # ordinary page again (the browser never has to re-send a form), answers in place.
    for section in ["treatment", "past_tests", "health", "medicines"]:  # medicines: revealed
        before = who.path
        for _ in range(6):  # skip the same page's #fragment entries (skip link, jumps)
            who.page.go_back()
            if who.path != before:
                break
        assert who.path == f"/questions/{section}"
        assert who.page.locator("main h1").count() == 1, who.page.content()[:500]
    who.goto("/check")
    who.follow(CONFIRM)
    flags = who.flags()
    assert text(q, "cardiac_device", lang) in flags["contraindication"]
    assert text(q, "seizure_history", lang) in flags["contraindication"]
    assert text(q, "medications", lang) in flags["caution"]


@pytest.mark.parametrize(("js", "zone"), [(True, "UTC-05:00"), (False, "UTC")],
                         ids=["js", "no-js"])
def test_the_summary_gives_times_on_the_patients_own_clock(person, js, zone):
    """With JavaScript the download form says the browser's time zone (New York here); without
    it, a patient with no clinic or place gets UTC, said as such."""
    who: Person = person(width=1280, js=js, timezone="America/New_York")
    who.fast_forward(SECTIONS)
    who.goto("/check")
    who.follow(CONFIRM)
    assert who.path == "/results"
    who.tab_to("button[name=copy][value=mine]")
    with who.page.expect_download() as download:
        who.page.keyboard.press("Enter")  # a download, not a new page
    text = PdfReader(io.BytesIO(download.value.path().read_bytes())).pages[0].extract_text()
    shown = re.search(r"Date of screening\s+\S+ \d+, \d{4}, \d\d:\d\d\s+(UTC\S*)", text)
    assert shown and shown.group(1) == zone, text[:400]


@pytest.mark.parametrize("lang", ["en", "bg"])
@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_crisis_help_as_soon_as_the_self_harm_answer_is_given(person, lang, js):
    """With a script, "not sure" shows crisis help right below the question at once (an
    alert region, the box focusable); without one, the next page starts with it."""
    who: Person = person(width=360, js=js)
    begin(who, lang)
    who.fast_forward(SECTIONS[:-1], start=False)
    who.goto("/questions/treatment")
    assert who.page.locator("main .crisis").count() == 0
    who.skip_to_main()
    who.answer_all({k: v for k, v in BASELINE["treatment"].items() if k != "self_harm"})
    who.choose("self_harm", "unsure")
    if js:
        box = who.page.locator("[role=alert].crisis-now .crisis")
        box.wait_for(state="visible", timeout=2000)
        assert box.get_attribute("tabindex") == "-1"
        assert box.locator("a[href^='tel:']").count() >= 1
        # right below the question, where the patient is looking
        question = who.page.locator("[data-field=self_harm]").bounding_box()
        assert 0 <= box.bounding_box()["y"] - (question["y"] + question["height"]) < 40
        who.audit("self-harm-help-at-once", screenshot=True)
    else:
        assert who.page.locator("main .crisis").count() == 0
    who.submit()
    assert who.path == "/check"
    assert who.page.evaluate(
        "() => document.querySelector('main').firstElementChild.classList.contains('crisis')"
    )
    first = who.page.locator("main .crisis").first.bounding_box()
    assert first is not None and first["y"] < 400
