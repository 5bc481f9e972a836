"""Drive the patient's path through real forms with real CSRF tokens (no shortcuts)."""

from __future__ import annotations

import re

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')

BASELINE: dict[str, dict[str, str | list[str]]] = {
    "about_you": {"age_band": "18_64", "indication": "depression"},
    "devices": {"cochlear_implant": "no", "neurostimulator": "no", "cardiac_device": "no",
                "medication_pump": "no"},
    "metal": {"metal_in_head": "no", "metal_in_body": "no", "shunt": "no",
              "magnetic_dental_or_tattoo": "no"},
    "seizures": {"seizure_history": "no", "family_epilepsy": "no", "syncope": "no",
                 "head_injury": "no", "brain_condition": "no"},
    "medicines": {"medications": "no", "medications_stopped": "no", "alcohol_use": "no",
                  "alcohol_stopped": "no", "drug_use": "no", "sleep_deprivation": "no"},
    "health": {"pregnancy": "no", "hearing": "no", "headaches": "no", "heart_disease": "no",
               "bipolar": "no"},
    "past_tests": {"prior_tms": "no", "prior_mri": "no", "mri_refused": "no"},
    "treatment": {"antidepressant_trials": "2", "psychotherapy": "yes", "self_harm": "no"},
}


def csrf(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def field(link_id: str) -> str:
    return link_id.replace(".", "__")


def start(client, lang: str | None = None) -> str:
    page = client.get("/" + (f"?lang={lang}" if lang else ""))
    response = client.post("/start", data={"csrf_token": csrf(page.get_data(as_text=True))})
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def post_step(client, section: str, answers: dict, **extra):
    page = client.get(f"/questions/{section}")
    assert page.status_code == 200, (section, page.status_code)
    data: dict = {"csrf_token": csrf(page.get_data(as_text=True)), **extra}
    for link_id, value in answers.items():
        data[field(link_id)] = value
    return client.post(f"/questions/{section}", data=data)


def shown_after(client, response):
    """The page a submit leads to. A submit that must show its page again (errors, a newly
    shown question) redirects to that page, so that Back never lands on a POST result."""
    assert response.status_code == 302, (response.status_code,
                                          response.get_data(as_text=True)[:2000])
    return client.get(response.headers["Location"])


def complete(client, changes: dict[str, dict] | None = None):
    """Answer every page (baseline plus `changes` per section) and confirm; returns results."""
    start(client)
    for section, answers in BASELINE.items():
        merged = {**answers, **(changes or {}).get(section, {})}
        response = post_step(client, section, merged)
        assert response.status_code == 302, (section, response.status_code,
                                             response.get_data(as_text=True)[:3000])
    check = client.get("/check")
    response = client.post("/check", data={"csrf_token": csrf(check.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"].endswith("/results")
    return client.get("/results")
