"""Every POST route is guarded: by CSRFProtect, or by an exemption that names its reason."""

from __future__ import annotations

from flask import Blueprint

from screener.web import csrf as csrf_policy
from tests.conftest import make_app
from tests.flow import start


def test_every_post_route_is_protected_or_exempt_with_a_reason(app):
    assert csrf_policy.unguarded_posts(app) == []
    protections = {
        rule.endpoint: csrf_policy.protection_of(app, rule.endpoint)
        for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())
    }
    assert protections["screening.step"] == csrf_policy.CSRFPROTECT
    assert protections["clinics.begin"] == csrf_policy.CSRFPROTECT
    framed = protections["framed.step"]
    assert isinstance(framed, csrf_policy.Exemption) and framed.check is not None
    assert protections["clinics.embed_begin"] == framed
    api = protections["api.evaluate"]
    assert isinstance(api, csrf_policy.Exemption) and "JSON" in api.reason


def test_a_post_view_added_without_protection_is_reported(database_url):
    throwaway = make_app(database_url)
    late = Blueprint("late", __name__)

    @late.post("/late")
    def unprotected():
        return "stored"

    throwaway.register_blueprint(late)  # after create_app: nothing guards it
    assert csrf_policy.unguarded_posts(throwaway) == ["/late"]
    assert throwaway.test_client().post("/late").status_code == 200  # really unguarded


def test_an_exemption_without_a_reason_is_refused(database_url):
    throwaway = make_app(database_url)
    try:
        csrf_policy.guard_views(throwaway, [csrf_policy.Exemption(reason=" ")])
    except ValueError:
        return
    raise AssertionError("an exemption without its reason was accepted")


def test_a_guarded_site_post_without_token_changes_nothing(app, client):
    start(client)
    response = client.post("/delete")
    assert response.status_code == 302 and "/deleted" not in response.headers["Location"]
    assert client.get("/questions/about_you").status_code == 200  # the screening is still there


def test_the_api_takes_no_form_a_cross_site_page_could_send(app, client):
    start(client)  # a session cookie the forged request would carry
    for url in ("/api/v1/evaluate", "/api/v1/summary"):
        for kind in ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain"):
            response = client.post(url, data="a=b", content_type=kind)
            assert response.status_code == 415, (url, kind)
            assert "Set-Cookie" not in response.headers, (url, kind)
