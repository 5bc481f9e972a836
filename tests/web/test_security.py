"""Headers, cookies, start-up checks and rate limits."""

from __future__ import annotations

import os
import re

import pytest

from screener import create_app
from screener.config import ConfigError
from tests.conftest import ON_CI
from tests.flow import csrf, start

PAGES = ["/", "/resume", "/deleted", "/api/v1/questionnaire", "/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_everywhere(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_load_nothing_from_third_parties(client):
    start(client)
    for path in ["/", "/questions/devices", "/check", "/saved", "/support", "/resume",
                 "/deleted", "/providers/"]:
        html = client.get(path).get_data(as_text=True)
        for url in re.findall(r'(?:src|href|action|srcset|poster|data)="([^"]+)"', html):
            assert not url.startswith(("http:", "https:", "//")), (path, url)
        assert " style=" not in html, path  # inline styles would need 'unsafe-inline'
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path  # no inline scripts


def test_production_refuses_default_secret(monkeypatch):
    monkeypatch.setenv("SCREENER_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_production_refuses_a_short_secret(monkeypatch):
    monkeypatch.setenv("SCREENER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x")
    with pytest.raises(ConfigError, match="at least 32"):
        create_app()


@pytest.mark.parametrize(("name", "value"), [("SCREENER_RETENTION_HOURS", "a day"),
                                             ("SCREENER_RETENTION_HOURS", "0"),
                                             ("SCREENER_PROXY_COUNT", "-1")])
def test_bad_settings_are_refused_with_their_name(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app()


def test_behind_a_proxy_each_patient_has_their_own_rate_limit(tmp_path, monkeypatch):
    from tests.conftest import make_app

    monkeypatch.setenv("SCREENER_PROXY_COUNT", "1")
    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", RATELIMIT_ENABLED=True)
    client = app.test_client()
    token = csrf(client.get("/").get_data(as_text=True))

    def attempt(address: str) -> int:
        return client.post("/resume", data={"csrf_token": token, "code": "AAAA-BBBB-CCCC"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.7") for _ in range(11)][-1] == 429
    assert attempt("198.51.100.9") == 302  # another patient behind the same proxy


def test_production_starts_with_a_real_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("SCREENER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-value-from-the-deployment")
    monkeypatch.setenv("SCREENER_SINGLE_PROCESS", "1")  # memory:// rate limits: one process
    monkeypatch.setenv("SCREENER_SUBMISSION_KEYS", "PkaM7Hq0mC0z4Wm1r6m0jv3nH6yqY4mKQyV1p5vQ9rE=")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    assert app.config["SCREENER_ENV"] == "production"


def test_secure_cookie_flags_are_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 's.sqlite3'}")
    client = app.test_client()
    client.get("/")
    response = client.post("/start", data={"csrf_token": csrf(client.get("/").get_data(True))})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_resume_guessing_is_rate_limited(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'r.sqlite3'}", RATELIMIT_ENABLED=True)
    client = app.test_client()
    token = csrf(client.get("/").get_data(as_text=True))
    codes = [client.post("/resume", data={"csrf_token": token, "code": f"AAAA-BBBB-CC{i:02d}"})
             .status_code for i in range(12)]
    assert codes[:10] == [302] * 10  # each wrong code: back to the form with the error
    assert codes[10] == 429
    page = client.post("/resume", data={"csrf_token": token, "code": "X"})
    assert "Too many tries" in page.get_data(as_text=True)


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _redis_problem() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"cannot reach {REDIS_URL}: {type(exc).__name__}"
    return None


def test_rate_limits_are_shared_through_redis_when_configured(tmp_path):
    """Production runs several workers: the README's RATELIMIT_STORAGE_URI must work."""
    problem = _redis_problem()
    if problem:
        assert not ON_CI, f"CI must test the Redis limit store, but {problem}"
        pytest.skip(problem)  # a laptop without Redis: said in the summary
    from tests.conftest import make_app

    prefix = f"test-{os.getpid()}-{tmp_path.name}"
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL,
              "RATELIMIT_KEY_PREFIX": prefix}
    one = make_app(f"sqlite:///{tmp_path / 'a.sqlite3'}", **config).test_client()
    two = make_app(f"sqlite:///{tmp_path / 'b.sqlite3'}", **config).test_client()
    token_one = csrf(one.get("/").get_data(as_text=True))
    token_two = csrf(two.get("/").get_data(as_text=True))
    for i in range(10):  # five tries in each "worker": ten from the same address in all
        client, token = (one, token_one) if i % 2 else (two, token_two)
        assert client.post("/resume", data={"csrf_token": token, "code": "X"}).status_code == 302
    assert one.post("/resume", data={"csrf_token": token_one, "code": "X"}).status_code == 429
