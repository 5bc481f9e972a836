"""The patient's path through real forms, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from screener.extensions import db
from screener.patient import model, resume_codes
from screener.timestamps import utcnow
from tests.flow import BASELINE, complete, csrf, field, post_step, shown_after, start

pytestmark = pytest.mark.both_databases


def test_start_page_explains_and_offers_both_languages(client):
    html = client.get("/").get_data(as_text=True)
    assert "not a diagnosis" in html
    assert 'lang="en"' in html and "?lang=bg" in html
    assert "resume code" in html.lower()


def test_full_path_with_no_concerns(client):
    results = complete(client)
    html = results.get_data(as_text=True)
    assert results.status_code == 200
    assert "No safety concerns reported" in html
    assert "not a clearance" in html


def test_full_path_flags_grouped_by_level(client):
    results = complete(
        client,
        {
            "devices": {"cardiac_device": "yes", "cardiac_device.kind": ["pacemaker"]},
            "seizures": {"seizure_history": "yes", "seizure_history.last": "within_12_months",
                         "seizure_history.medication": "no"},
            "medicines": {"medications": "yes", "medications.list": "Bupropion XL 150mg",
                          "medications.recent_change": "no"},
        },
    )
    html = results.get_data(as_text=True)
    assert html.index("Possible contraindication") < html.index("Discuss with the clinician")
    assert "pacemaker" in html.lower()


def test_follow_up_revealed_without_javascript_then_required(client):
    start(client)
    post_step(client, "about_you", BASELINE["about_you"])
    answers = {**BASELINE["devices"], "neurostimulator": "yes"}
    posted = post_step(client, "devices", answers)
    assert posted.headers["Location"].endswith("/questions/devices")
    revealed = shown_after(client, posted)
    html = revealed.get_data(as_text=True)
    assert revealed.status_code == 200
    assert "we need a little more detail" in html
    assert "<title>More detail needed:" in html
    assert 'href="#neurostimulator__kind"' in html
    # the follow-up is now shown: submitting without it is an error, other answers kept
    again = shown_after(client, post_step(client, "devices", answers))
    html = again.get_data(as_text=True)
    assert "There is a problem" in html and "Select at least one answer" in html
    assert "<title>Error:" in html
    assert 'id="cardiac_device-2" name="cardiac_device" value="no" checked' in html
    # a GET writes nothing: a reload shows the page the redirect showed, error and answers
    later = client.get("/questions/devices").get_data(as_text=True)
    assert "There is a problem" in later
    assert 'id="cardiac_device-2" name="cardiac_device" value="no" checked' in later
    # the next save of any page clears it: back on this page, the answers without the error
    post_step(client, "about_you", BASELINE["about_you"])
    after = client.get("/questions/devices").get_data(as_text=True)
    assert "There is a problem" not in after
    assert 'id="cardiac_device-2" name="cardiac_device" value="no" checked' in after
    done = post_step(client, "devices", {**answers, "neurostimulator.kind": ["scs"]})
    assert done.status_code == 302 and done.headers["Location"].endswith("/questions/metal")


def test_an_optional_follow_up_does_not_send_a_patient_without_javascript_back(client):
    start(client)
    for section in ("about_you", "devices", "metal"):
        post_step(client, section, BASELINE[section])
    # A plain form post, as a browser without JavaScript sends it: no "seen in place" marker.
    answers = {**BASELINE["seizures"], "syncope": "yes"}
    posted = post_step(client, "seizures", answers)
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/questions/medicines")
    back = client.get("/questions/seizures").get_data(as_text=True)
    assert "we need a little more detail" not in back and "There is a problem" not in back
    assert 'id="syncope__details"' in back  # still there to add to, if they want
    assert 'name="syncope" value="yes" checked' in back


def test_a_required_follow_up_beside_an_optional_one_is_still_asked_for(client):
    start(client)
    for section in ("about_you", "devices"):
        post_step(client, section, BASELINE[section])
    posted = post_step(client, "metal", {**BASELINE["metal"], "metal_in_head": "yes"})
    assert posted.headers["Location"].endswith("/questions/metal")
    html = shown_after(client, posted).get_data(as_text=True)
    assert "we need a little more detail" in html
    assert 'href="#metal_in_head__mri_safe"' in html
    assert 'href="#metal_in_head__details"' not in html


def test_form_error_keeps_every_other_answer(client):
    start(client)
    post_step(client, "about_you", BASELINE["about_you"])
    response = shown_after(client, post_step(
        client, "medicines",
        {"medications": "yes", "medications.list": "x" * 2001, "alcohol_use": "unsure"},
    ))
    html = response.get_data(as_text=True)
    assert "Use 2,000 characters or fewer" in html
    assert 'value="unsure" checked' in html
    assert "x" * 2001 in html  # what was typed is shown again, not lost
    client.get("/questions/medicines?lang=bg")
    bg = shown_after(client, post_step(
        client, "medicines", {"medications": "yes", "medications.list": "x" * 2001}
    )).get_data(as_text=True)
    assert "Използвайте до 2\u00a0000 знака" in bg  # Bulgarian groups digits with a space


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cochlear_implant": "maybe"}, "Select one of the answers shown"),
        ({"cochlear_implant": ["yes", "no"]}, "Select only one answer"),
    ],
)
def test_tampered_answers_get_a_clear_page(client, data, message):
    start(client)
    page = shown_after(client, post_step(client, "devices", data))
    html = page.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert 'href="#cochlear_implant"' in html


def test_tampered_field_names_are_ignored(client, app):
    start(client)
    response = post_step(client, "devices", {**BASELINE["devices"], "not_a_field": "yes",
                                             "self_harm": "yes"})
    assert response.headers["Location"].endswith("/questions/metal")
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        assert set(record.answers) == set(BASELINE["devices"])


def test_unknown_step_is_404_page(client):
    start(client)
    response = client.get("/questions/../../etc")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_answers_to_hidden_questions_are_dropped(client, app):
    start(client)
    post_step(client, "devices", {**BASELINE["devices"], "neurostimulator.kind": ["dbs"]})
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        assert "neurostimulator.kind" not in record.answers
        assert record.answers["neurostimulator"] == ["no"]


def test_change_link_returns_to_check(client):
    complete(client)
    check = client.get("/check").get_data(as_text=True)
    assert "/questions/devices?return=check" in check
    page = client.get("/questions/devices?return=check")
    data = {"csrf_token": csrf(page.get_data(as_text=True)), "return": "check"}
    data.update({field(k): v for k, v in BASELINE["devices"].items()})
    response = client.post("/questions/devices", data=data)
    assert response.headers["Location"].endswith("/check")


def test_self_harm_shows_crisis_help_next_and_lets_person_continue(client):
    start(client)
    response = post_step(client, "treatment", {**BASELINE["treatment"], "self_harm": "unsure"})
    # the same address as for everyone: an access log must not tell who answered yes
    assert response.status_code == 302 and response.headers["Location"].endswith("/check")
    check = client.get("/check").get_data(as_text=True)
    assert check.index("Help is available now") < check.index("<h1>Check your answers")
    assert "tel:112" in check and "tel:988" in check
    assert "Confirm and see results" in check  # and the person can go on


def test_no_crisis_box_without_an_urgent_answer(client):
    start(client)
    post_step(client, "treatment", BASELINE["treatment"])
    assert "Help is available now" not in client.get("/check").get_data(as_text=True)


def test_crisis_numbers_follow_the_country(client):
    start(client, lang="bg")
    post_step(client, "treatment", {**BASELINE["treatment"], "self_harm": "yes"})
    check = client.get("/check").get_data(as_text=True)
    assert "tel:112" in check
    assert "tel:988" not in check  # a US number does not work in Bulgaria


def test_help_page_is_open_to_everyone_from_every_page(client):
    assert 'href="/support"' in client.get("/").get_data(as_text=True)
    page = client.get("/support").get_data(as_text=True)
    assert "Help is available now" in page and "tel:112" in page


def test_results_start_with_crisis_help_when_urgent(client):
    results = complete(client, {"treatment": {"self_harm": "yes"}}).get_data(as_text=True)
    assert results.index("Help is available now") < results.index("<h1>Your results")


def test_save_and_resume_restores_every_answer(client, app):
    start(client)
    post_step(client, "about_you", BASELINE["about_you"])
    saved = post_step(client, "devices", {**BASELINE["devices"], "cochlear_implant": "unsure"},
                      action="save")
    assert saved.headers["Location"].endswith("/saved")
    page = client.get("/saved").get_data(as_text=True)

    code = re.search(r'class="code">([A-Z0-9-]+)<', page).group(1)
    fresh = app.test_client()
    resume_page = fresh.get("/").get_data(as_text=True)
    response = fresh.post("/resume", data={"csrf_token": csrf(resume_page),
                                           "code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/questions/metal")
    devices = fresh.get("/questions/devices").get_data(as_text=True)
    assert 'value="unsure" checked' in devices


@pytest.mark.parametrize(
    ("code", "problem", "words"),
    [("AAAA-BBBB-CCCC", "unknown", "We could not find answers for that code"),
     ("abc", "length", "A resume code has 12 characters"),
     ("  - ", "empty", "Enter your resume code")],
)
def test_wrong_resume_code_is_a_clear_error(client, code, problem, words):
    page = client.get("/").get_data(as_text=True)
    response = client.post("/resume", data={"csrf_token": csrf(page), "code": code})
    # through a redirect, so that Back after the next try never meets a POST result
    assert response.status_code == 302
    assert response.headers["Location"] == f"/resume?error={problem}"
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 400 and words in shown.get_data(as_text=True)
    assert 'href="#code"' in shown.get_data(as_text=True)


def test_a_tampered_resume_error_shows_the_plain_form(client):
    page = client.get("/resume?error=%3Cscript%3E")
    assert page.status_code == 200 and "There is a problem" not in page.get_data(as_text=True)


def test_delete_removes_everything_at_once(client, app):
    start(client)
    post_step(client, "devices", BASELINE["devices"])
    page = client.get("/questions/metal").get_data(as_text=True)
    response = client.post("/delete", data={"csrf_token": csrf(page)})
    assert response.headers["Location"].endswith("/deleted")
    assert "have been deleted" in client.get("/deleted").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(model.Screening)) == 0
    gone = client.get("/questions/metal")
    assert gone.status_code == 302 and gone.headers["Location"].endswith("/")


def test_delete_link_opens_a_confirmation_and_only_its_post_deletes(client, app):
    start(client)
    post_step(client, "devices", BASELINE["devices"])
    page = client.get("/questions/metal?lang=bg").get_data(as_text=True)
    # on the path: a link, not a red button under "Save"
    assert 'href="/delete?back=/questions/metal?lang%3Dbg"' in page
    assert 'class="warning"' not in page
    confirm = client.get("/delete?back=/questions/metal?lang%3Dbg")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Сигурни ли сте, че искате да изтриете отговорите си?" in html
    assert 'class="warning" id="confirm-delete"' in html and 'action="/delete"' in html
    assert 'href="/questions/metal?lang=bg" id="keep-answers"' in html
    with app.app_context():  # looking at the confirmation deletes nothing
        assert db.session.scalar(db.select(db.func.count()).select_from(model.Screening)) == 1
    response = client.post("/delete", data={"csrf_token": csrf(html)})
    assert response.headers["Location"].endswith("/deleted")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(model.Screening)) == 0


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                  "/delete?back=/", "javascript:alert(1)", "/" + "a" * 600])
def test_keep_my_answers_never_leads_off_the_site(client, back):
    start(client)
    html = client.get("/delete", query_string={"back": back}).get_data(as_text=True)
    assert 'href="/" id="keep-answers"' in html


def test_delete_confirmation_without_answers_goes_to_the_start(client):
    response = client.get("/delete")
    assert response.status_code == 302 and "/delete" not in response.headers["Location"]


def test_language_switch_keeps_progress(client):
    start(client)
    post_step(client, "about_you", BASELINE["about_you"])
    bg = client.get("/questions/about_you?lang=bg").get_data(as_text=True)
    assert '<html lang="bg">' in bg
    assert 'value="depression" checked' in bg
    later = client.get("/questions/devices").get_data(as_text=True)
    assert '<html lang="bg">' in later


def test_accept_language_picks_first_language(client):
    html = client.get("/", headers={"Accept-Language": "bg-BG,bg;q=0.9,en;q=0.5"})
    assert '<html lang="bg">' in html.get_data(as_text=True)


def test_every_post_refuses_a_missing_csrf_token(app, client):
    start(client)
    with app.app_context():
        before = db.session.scalars(db.select(model.Screening)).one()
        answers_before = dict(before.answers)
    posts = [
        rule.rule for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.rule.startswith("/api/")
        and "<token>" not in rule.rule and "<slug>" not in rule.rule  # framed: test_clinics
    ]
    assert "/questions/<section_id>" in posts and "/delete" in posts and "/start" in posts
    for url in posts:
        url = url.replace("<section_id>", "devices")
        response = client.post(url, data={"cochlear_implant": "yes", "code": "AAAA"})
        assert response.status_code in (302, 400), url
        if response.status_code == 302:
            # refused: redirected back with a message, nothing started or deleted
            assert "/deleted" not in response.headers["Location"], url
            assert not response.headers["Location"].endswith("/results"), url
    with app.app_context():
        after = db.session.scalars(db.select(model.Screening)).one()
        assert after.id == before.id and after.answers == answers_before


def test_results_before_confirming_goes_to_check(client):
    start(client)
    response = client.get("/results")
    assert response.headers["Location"].endswith("/check")


def test_expired_screening_gets_a_clear_page(client, app):
    start(client)
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        record.expires_at = utcnow()
        db.session.commit()
    response = client.get("/questions/devices")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no longer stored" in page


def test_with_javascript_follow_ups_seen_in_place_are_not_shown_again(client):
    start(client)
    answers = {**BASELINE["seizures"], "syncope": "yes"}
    response = post_step(client, "seizures", answers, _js="1")
    assert response.status_code == 302
    required = shown_after(client, post_step(
        client, "devices", {**BASELINE["devices"], "neurostimulator": "yes"}, _js="1"
    ))
    assert "Select at least one answer" in required.get_data(as_text=True)


def test_saving_with_self_harm_still_shows_crisis_help_first(client):
    start(client)
    response = post_step(client, "treatment", {**BASELINE["treatment"], "self_harm": "yes"},
                         action="save")
    assert response.headers["Location"].endswith("/saved")
    saved = client.get("/saved").get_data(as_text=True)
    assert saved.index("Help is available now") < saved.index("<h1>Your answers are saved")


def test_option_hints_are_shown(client):
    start(client)
    post_step(client, "about_you", BASELINE["about_you"])
    page = shown_after(client, post_step(
        client, "metal", {**BASELINE["metal"], "magnetic_dental_or_tattoo": "yes"}
    ))
    html = page.get_data(as_text=True)
    assert 'class="hint option-hint"' in html


def test_start_again_deletes_the_previous_answers(client, app):
    start(client)
    post_step(client, "devices", BASELINE["devices"])
    page = client.get("/").get_data(as_text=True)
    assert "Start again" in page
    client.post("/start", data={"csrf_token": csrf(page)})
    with app.app_context():
        records = db.session.scalars(db.select(model.Screening)).all()
        assert len(records) == 1 and records[0].answers == {}


def test_resume_code_forgives_misread_letters(client, app):
    start(client)
    post_step(client, "devices", BASELINE["devices"])
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        record.resume_hash = resume_codes.digest("01AB01AB01AB", app.config["SECRET_KEY"])
        db.session.commit()
    fresh = app.test_client()
    page = fresh.get("/").get_data(as_text=True)
    response = fresh.post("/resume", data={"csrf_token": csrf(page), "code": "ol ab-OI ab-oL ab"})
    assert response.status_code == 302
    shown = fresh.get("/questions/devices").get_data(as_text=True)
    assert "01AB-01AB-01AB" in shown  # shown as issued, not as typed


def test_every_resume_code_uses_an_unambiguous_alphabet():
    codes = [resume_codes.new() for _ in range(200)]
    assert all(len(c) == 12 and not set(c) & set("ILOU") for c in codes)
    assert all(resume_codes.normalise(c) == c for c in codes)


def test_changing_an_answer_after_confirming_asks_to_confirm_again(client):
    complete(client)
    page = client.get("/questions/medicines?return=check")
    data = {"csrf_token": csrf(page.get_data(as_text=True)), "return": "check",
            field("medications"): "yes", field("medications.list"): "Wellbutrin",
            field("medications.recent_change"): "no", field("medications_stopped"): "no",
            field("alcohol_use"): "no", field("alcohol_stopped"): "no", field("drug_use"): "no",
            field("sleep_deprivation"): "no"}
    client.post("/questions/medicines", data=data)
    response = client.get("/results")
    assert response.status_code == 302 and response.headers["Location"].endswith("/check")
    check = client.get("/check").get_data(as_text=True)
    results = client.post("/check", data={"csrf_token": csrf(check)})
    html = client.get(results.headers["Location"]).get_data(as_text=True)
    assert "Discuss with the clinician" in html


def test_results_refuse_answers_left_incomplete_after_confirming(client, app):
    complete(client)
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        record.answers = {**record.answers, "medications": ["yes"]}  # list and change missing
        db.session.commit()
    response = client.get("/results")
    assert response.headers["Location"].endswith("/check")


def test_wrong_method_has_its_own_page(client):
    response = client.put("/check")
    assert response.status_code == 405
    assert "Page not found" not in response.get_data(as_text=True)


def test_questions_that_do_not_apply_are_not_shown(client):
    start(client)
    post_step(client, "about_you", {"age_band": "18_64", "indication": "ocd"})
    page = client.get("/questions/treatment").get_data(as_text=True)
    # antidepressant trials and psychotherapy are asked for depression only
    assert ('id="antidepressant_trials-question" tabindex="-1" '
            'data-field="antidepressant_trials" hidden') in page
    assert 'id="self_harm-question" tabindex="-1" data-field="self_harm">' in page


def test_optional_questions_say_so(client):
    start(client)
    post_step(client, "about_you", {"age_band": "18_64", "indication": "other"})
    html = client.get("/questions/about_you").get_data(as_text=True)
    assert "Please tell us the reason in a few words. (optional)" in html


def test_results_before_confirming_say_why_the_check_page_is_shown(client):
    complete(client)
    page = client.get("/questions/health?return=check")
    client.post("/questions/health", data={"csrf_token": csrf(page.get_data(as_text=True)),
                                            "return": "check", field("pregnancy"): "unsure",
                                            field("hearing"): "no", field("headaches"): "no",
                                            field("heart_disease"): "no", field("bipolar"): "no"})
    response = client.get("/results")
    check = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "confirm them to see your results" in check


def test_confirming_with_gaps_says_what_is_missing(client):
    start(client)
    check = client.get("/check").get_data(as_text=True)
    response = client.post("/check", data={"csrf_token": csrf(check)})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Some questions still need an answer." in page


@pytest.mark.parametrize(("accept", "present", "absent"), [
    ("en-GB,en;q=0.8", "tel:116123", "tel:988"),
    ("en-US,en;q=0.8", "tel:988", "tel:116123"),
    ("de-DE", "tel:08001110111", "tel:988"),
])
def test_crisis_numbers_follow_the_browsers_region(client, accept, present, absent):
    page = client.get("/support", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert present in page and absent not in page


def test_start_typed_as_an_address_goes_to_the_start_page(client):
    response = client.get("/start")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")


def test_resume_code_is_shown_on_check_and_results(client):
    results = complete(client).get_data(as_text=True)
    check = client.get("/check").get_data(as_text=True)
    code = re.search(r'class="code">([0-9A-Z-]{14})<', check).group(1)
    assert code in results


def test_start_again_warns_that_it_deletes(client):
    start(client)
    page = client.get("/").get_data(as_text=True)
    assert "Starting again deletes the answers you have given so far." in page


def test_crisis_help_comes_first_when_the_urgent_page_comes_back(client):
    start(client)
    post_step(client, "about_you", BASELINE["about_you"])  # depression: history is asked
    posted = post_step(client, "treatment", {"self_harm": "yes"})  # the rest left out
    page = shown_after(client, posted).get_data(as_text=True)
    assert "There is a problem" in page
    assert page.index("Help is available now") < page.index("There is a problem")


def test_urgent_results_are_one_block_with_the_same_numbers(client):
    client.get("/?lang=bg")
    html = complete(client, {"treatment": {"self_harm": "yes"}}).get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert main.count('class="crisis"') == 1
    assert 'class="panel outcome-urgent"' not in main  # the crisis box is the urgent panel
    assert main.index('class="crisis"') < main.index("<h1")
    assert "112" in main and "988" not in main  # Bulgaria: no US number in either place


def test_results_name_what_was_found_and_do_not_repeat_the_heading(client):
    html = complete(client, {"devices": {"cardiac_device": "yes",
                                         "cardiac_device.kind": ["pacemaker"]}}
                    ).get_data(as_text=True)
    assert "You told us: <strong>Yes – Pacemaker" in html
    assert "<p>Possible contraindication:" not in html
    none = complete(client).get_data(as_text=True)
    assert "especially the ones marked above" not in none
    assert "The clinician goes through your answers with you." in none


def test_a_flag_shows_the_follow_up_answers_that_made_it_fire(client):
    html = complete(client, {"seizures": {
        "seizure_history": "yes", "seizure_history.last": "within_12_months",
        "seizure_history.medication": "yes"}}).get_data(as_text=True)
    found = re.findall(r'<span class="found">You told us: <strong>([^<]+)</strong>', html)
    assert any("Last seizure: In the last 12 months" in one
               and "Do you take medicine to prevent seizures? Yes" in one for one in found), found


def test_support_page_has_one_heading_true_words_and_a_way_back(client):
    html = client.get("/support").get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert main.count("Help is available now") == 1
    assert "free" not in main  # 112 is an emergency line, not a free helpline
    assert 'href="/">Back to the screening</a>' in main
