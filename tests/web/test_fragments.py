"""The question-markup cache: the same state gives the same markup, any change in the state
gives fresh markup, and what a person typed is never kept."""

from __future__ import annotations

import re
from collections import OrderedDict

from screener.web import fragments
from tests.flow import BASELINE, post_step, start


def _devices(client) -> str:
    """The page without its CSRF token, which is signed with the second it was made."""
    html = client.get("/questions/devices").get_data(as_text=True)
    token = re.compile(r'(<input[^>]*name="csrf_token"[^>]*value=")[^"]*"')
    assert token.search(html), "the page has a CSRF token"
    return token.sub(r'\1"', html)


def test_each_answer_state_is_rendered_as_it_is(client):
    start(client)
    first = _devices(client)
    assert first == _devices(client)  # the same state twice: the same page
    post_step(client, "devices", {**BASELINE["devices"], "cochlear_implant": "unsure"})
    changed = _devices(client)
    assert 'name="cochlear_implant" value="unsure" checked' in changed
    assert 'name="cochlear_implant" value="unsure" checked' not in first
    bulgarian = client.get("/questions/devices?lang=bg").get_data(as_text=True)
    assert "Не съм сигурен/сигурна" in bulgarian and "Not sure" not in bulgarian


def test_typed_text_is_never_cached(client):
    start(client)
    post_step(client, "medicines", {"medications": "yes", "medications.list": "Zyxquil 9931",
                                    "medications.recent_change": "no", "medications_stopped": "no",
                                    "alcohol_use": "no", "alcohol_stopped": "no", "drug_use": "no",
                                    "sleep_deprivation": "no"})
    assert "Zyxquil 9931" in client.get("/questions/medicines").get_data(as_text=True)
    assert not any("Zyxquil" in html for html in fragments._cache.values())


def test_the_cache_stays_bounded(client, monkeypatch):
    monkeypatch.setattr(fragments, "MAX_ENTRIES", 3)
    monkeypatch.setattr(fragments, "_cache", OrderedDict())
    start(client)
    for lang in ("en", "bg", "en"):
        client.get(f"/questions/devices?lang={lang}")
    assert len(fragments._cache) == 3
