"""Issue 4 bench: a full wizard step (GET with CSRF + POST) per second under gunicorn, on SQLite
and on PostgreSQL, next to a bare Flask hello-world (GET + POST) under the same settings.

Goal: >= 40 % of the bare rate. Run by hand: .venv/bin/python bench/steps.py
(BENCH_WORKERS=4 runs both under the README's deployment setting instead of 2 workers.)
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sqlalchemy as sa
from harness import ROOT, Client, gunicorn, load, pct

PG = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
ANSWERS = {"cochlear_implant": "no", "neurostimulator": "no", "cardiac_device": "no",
           "medication_pump": "no"}
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))


APP = "screener:create_app({'STEP_RATE_LIMIT': '1000000 per minute'})"
"""The app as deployed, its per-screening step limit (60 a minute) raised: each bench session
posts one page of one screening flat out, which no patient does. The limit is still checked."""


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "screener", "db",
                    "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)


def step_session(port: int):
    def make():
        client = Client(port)
        _, html = client.request("GET", "/")
        token = TOKEN.search(html)
        first = token.group(1) or token.group(2)
        client.request("POST", "/start", urlencode({"csrf_token": first}))

        def op() -> None:
            status, page = client.request("GET", "/questions/devices")
            match = TOKEN.search(page)
            body = urlencode({"csrf_token": match.group(1) or match.group(2), **ANSWERS})
            status, _ = client.request("POST", "/questions/devices", body)
            assert status == 302, status

        return op

    return make


def bare_session(port: int):
    def make():
        client = Client(port)

        def op() -> None:
            client.request("GET", "/")
            status, _ = client.request("POST", "/", "a=b")
            assert status == 302, status

        return op

    return make


def main() -> None:
    rows = []
    with gunicorn("bench.bare_app:create_app()") as port:
        load(bare_session(port), seconds=1)
        bare, lat = load(bare_session(port), seconds=SECONDS)
        rows.append(("bare Flask GET+POST", bare, lat))
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{tmp}/bench.sqlite3"
        migrate(sqlite_url)
        env = {"DATABASE_URL": sqlite_url, "SECRET_KEY": "bench"}
        with gunicorn(APP, env) as port:
            load(step_session(port), seconds=1)
            rate, lat = load(step_session(port), seconds=SECONDS)
            rows.append(("step on SQLite", rate, lat))
    schema = f"bench_{secrets.token_hex(4)}"
    engine = sa.create_engine(PG.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        pg_url = f"{PG}?options=-csearch_path%3D{schema}"
        migrate(pg_url)
        env = {"DATABASE_URL": pg_url, "SECRET_KEY": "bench"}
        with gunicorn(APP, env) as port:
            load(step_session(port), seconds=1)
            rate, lat = load(step_session(port), seconds=SECONDS)
            rows.append(("step on PostgreSQL", rate, lat))
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL not reachable ({type(exc).__name__}); SQLite only")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))

    print(f"\n{'what':24} {'ops/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs bare':>8}  goal")
    for name, rate, lat in rows:
        ratio = rate / bare if bare else float("nan")
        verdict = "met" if ratio >= 0.4 else "MISSED"
        goal = "" if name.startswith("bare") else f">= 40 %  {verdict}"
        print(f"{name:24} {rate:8.1f} {pct(lat, 50) * 1000:8.2f} {pct(lat, 95) * 1000:8.2f} "
              f"{ratio:8.0%}  {goal}")


if __name__ == "__main__":
    main()
