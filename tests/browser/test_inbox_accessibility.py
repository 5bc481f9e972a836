"""axe-core on the clinic inbox's pages, in English and Bulgarian, at 360 and 1280 px: sign-in
(and its errors), enrolment, the list, a submission with its review form (and its errors) and
the audit log. The staff member signs in through the real form with a TOTP code computed here."""

from __future__ import annotations

import json
import secrets

import pytest

from screener.directory import importer
from screener.staff import accounts
from tests.inbox_support import CLINIC, code_for, enrolled, send

from .helpers import Person

pytestmark = pytest.mark.browser

SWEEP = [
    pytest.param("en", 360, id="en-360"),
    pytest.param("bg", 360, id="bg-360"),
    pytest.param("en", 1280, id="en-1280"),
    pytest.param("bg", 1280, id="bg-1280"),
]


@pytest.fixture(scope="module")
def clinic(live, tmp_path_factory):
    path = tmp_path_factory.mktemp("inbox") / "clinic.json"
    path.write_text(json.dumps([CLINIC]), encoding="utf-8")
    with live.app.app_context():
        importer.import_file(path)
    return CLINIC["slug"]


@pytest.mark.parametrize(("lang", "width"), SWEEP)
def test_inbox_pages_have_no_axe_violations(person, live, clinic, lang, width):
    email = f"admin-{secrets.token_hex(4)}@sofia-mind.example"
    secret = enrolled(live.app, clinic, email, role="admin")
    sent = send(live.app, clinic)
    with live.app.app_context():
        invitation = accounts.add_user(clinic, f"new-{secrets.token_hex(4)}@sofia-mind.example",
                                       "clinician")
    who: Person = person(width=width, lang=lang)

    who.goto(f"/clinic/sign-in?lang={lang}")
    assert who.html_lang() == lang
    who.audit("inbox-01-sign-in", screenshot=True)
    who.page.click("#continue")
    who.page.wait_for_selector(".error-summary")
    who.audit("inbox-02-sign-in-errors", screenshot=True)
    who.page.fill("#email", email)
    who.page.fill("#password", "violet-harbour-lantern-87")
    who.page.fill("#code", code_for(secret))
    who.page.click("#continue")
    assert who.path == "/clinic/"
    assert who.html_lang() == lang
    who.audit("inbox-03-list", screenshot=True)

    who.goto(f"/clinic/submissions/{sent.submission_id}")
    who.audit("inbox-04-submission", screenshot=True)
    who.page.click("#sign-off")
    who.page.wait_for_selector(".error-summary")
    who.audit("inbox-05-review-errors", screenshot=True)
    who.page.check("#decision-2")
    who.page.fill("#note", "Call about the shunt valve")
    who.page.click("#sign-off")
    who.page.wait_for_selector("#signed-off")
    who.audit("inbox-06-signed-off", screenshot=True)

    who.goto("/clinic/audit")
    who.audit("inbox-07-audit-log", screenshot=True)

    newcomer: Person = person(width=width, lang=lang)
    newcomer.goto(f"/clinic/enrol/{invitation.token}?lang={lang}")
    newcomer.audit("inbox-08-enrol", screenshot=True)
