"""Start-up settings: what production refuses, and what it turns on by itself."""

from __future__ import annotations

import secrets

import pytest

from screener import create_app
from screener.config import ConfigError
from tests.conftest import make_app
from tests.flow import csrf

STRONG = "kU3v9QzR1mXw7bLp2sYd8TgN4hJc6fAe0oWi5"


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("SCREENER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("SCREENER_SINGLE_PROCESS", "1")
    monkeypatch.setenv("SCREENER_SUBMISSION_KEYS", "PkaM7Hq0mC0z4Wm1r6m0jv3nH6yqY4mKQyV1p5vQ9rE=")
    return monkeypatch


def _production_app(tmp_path, **extra):
    return make_app(f"sqlite:///{tmp_path / 'p.sqlite3'}", SECRET_KEY=STRONG, **extra)


@pytest.mark.parametrize("value", ["prod", "Production", "staging", "", "development "])
def test_an_unknown_environment_refuses_to_start(monkeypatch, value):
    monkeypatch.setenv("SCREENER_ENV", value)
    with pytest.raises(ConfigError, match="SCREENER_ENV must be 'development' or 'production'"):
        create_app()


@pytest.mark.parametrize(
    "secret",
    [
        "a" * 32,
        "ab" * 16,
        "abcd" * 8,
        "password" * 4,  # 7 distinct characters, but one word over and over
        "0123456789abcdef" * 2,  # 128 bits by character count, yet a doubled alphabet
        "test-secret" * 3,
    ],
)
def test_production_refuses_a_guessable_secret(production, secret):
    production.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(secrets.token_urlsafe(32), id="token_urlsafe(32)"),
        pytest.param(secrets.token_hex(16), id="token_hex(16)"),
        pytest.param(secrets.token_hex(32), id="token_hex(32)"),
        pytest.param("a-long-random-value-from-the-deployment", id="a-long-phrase"),
    ],
)
def test_production_accepts_random_secrets(production, tmp_path, secret):
    production.setenv("SECRET_KEY", secret)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    assert app.config["SECRET_KEY"] == secret


def test_production_sends_hsts_and_secure_cookies(production, tmp_path):
    client = _production_app(tmp_path).test_client()
    page = client.get("/")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    response = client.post("/start", data={"csrf_token": csrf(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_production_cookie_can_be_made_insecure_explicitly(production, tmp_path):
    production.setenv("SESSION_COOKIE_SECURE", "false")
    assert _production_app(tmp_path).config["SESSION_COOKIE_SECURE"] is False


def test_development_sends_no_hsts_and_plain_cookies(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_production_refuses_per_process_rate_limits(production):
    production.delenv("SCREENER_SINGLE_PROCESS")
    with pytest.raises(ConfigError, match="SCREENER_SINGLE_PROCESS=1"):
        create_app()


def test_production_refuses_memory_limits_with_several_workers(production):
    production.setenv("WEB_CONCURRENCY", "4")  # gunicorn's own default for --workers
    with pytest.raises(ConfigError, match="WEB_CONCURRENCY=4"):
        create_app()


def test_production_starts_with_shared_rate_limits(production, tmp_path):
    production.delenv("SCREENER_SINGLE_PROCESS")
    production.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    production.setenv("WEB_CONCURRENCY", "4")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
