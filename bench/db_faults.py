"""Issue 12 bench: PostgreSQL connections cut under load answer 503, never 500.

Patients walk a wizard step (GET + POST) under gunicorn on a throw-away PostgreSQL schema while
a killer terminates every connection of the app (its own application_name, nobody else's)
every BENCH_CUT_EVERY seconds, as a restart or failover would. Beside it, in the same run: the
same load without faults, with and without pool_pre_ping (what the ping per checkout costs).

Goals: no 500 and no traceback in gunicorn's log under faults; pre-ping costs <= 10 % of the
step rate. Run by hand: .venv/bin/python bench/db_faults.py
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sqlalchemy as sa
from harness import Client, gunicorn, load, pct
from steps import ANSWERS, PG, TOKEN, migrate

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CUT_EVERY = float(os.environ.get("BENCH_CUT_EVERY", "0.5"))
NO_PING = (
    "screener:create_app({'SQLALCHEMY_ENGINE_OPTIONS': "
    "{'pool_recycle': 300, 'pool_pre_ping': False, 'hide_parameters': True}})"
)


def patient(port: int, statuses: Counter):
    """A step session that counts every answer instead of insisting on success."""

    def make():
        client = Client(port)
        _, html = client.request("GET", "/")
        token = TOKEN.search(html)
        first = token.group(1) or token.group(2)
        client.request("POST", "/start", urlencode({"csrf_token": first}))

        def op() -> None:
            status, page = client.request("GET", "/questions/devices")
            statuses[status] += 1
            match = TOKEN.search(page)
            if match is None:
                return
            body = urlencode({"csrf_token": match.group(1) or match.group(2), **ANSWERS})
            status, _ = client.request("POST", "/questions/devices", body)
            statuses[status] += 1

        return op

    return make


def killer(admin: sa.Engine, name: str, stop: threading.Event, cuts: list[int]) -> None:
    while not stop.wait(CUT_EVERY):
        with admin.connect() as conn:
            cuts[0] += conn.execute(
                sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = :name"), {"name": name}).scalar()


def run(app: str, env: dict, faults: bool, admin: sa.Engine, name: str):
    statuses: Counter = Counter()
    cuts = [0]
    with tempfile.TemporaryFile(mode="w+") as log:
        saved = os.dup(2)
        os.dup2(log.fileno(), 2)  # gunicorn's log, workers' tracebacks included
        try:
            with gunicorn(app, env) as port:
                load(patient(port, Counter()), seconds=1)
                stop = threading.Event()
                cutter = threading.Thread(target=killer, args=(admin, name, stop, cuts))
                if faults:
                    cutter.start()
                rate, lat = load(patient(port, statuses), seconds=SECONDS)
                stop.set()
                if faults:
                    cutter.join()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        log.seek(0)
        tracebacks = log.read().count("Traceback")
    return rate, lat, statuses, cuts[0], tracebacks


def main() -> None:
    schema = f"bench_{secrets.token_hex(4)}"
    name = f"screener-bench-{schema}"
    admin = sa.create_engine(PG.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    rows = []
    try:
        url = f"{PG}?options=-csearch_path%3D{schema}&application_name={name}"
        migrate(url)
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench"}
        for label, app, faults in (
            ("no faults, no pre-ping", NO_PING, False),
            ("no faults, pre-ping", "screener:create_app()", False),
            (f"cut every {CUT_EVERY:g} s", "screener:create_app()", True),
        ):
            rows.append((label, *run(app, env, faults, admin, name)))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    base = rows[0][1]
    print(f"\n{'what':24} {'ops/s':>7} {'p95 ms':>7} {'cuts':>5} {'2xx/3xx':>8} {'503':>5} "
          f"{'500':>4} {'tracebacks':>10}  goal")
    for label, rate, lat, statuses, cuts, tracebacks in rows:
        good = sum(n for s, n in statuses.items() if s < 400)
        errors = statuses.get(500, 0)
        if label.startswith("cut"):
            verdict = "met" if errors == 0 and tracebacks == 0 else "MISSED"
            goal = f"no 500, no traceback  {verdict}"
        elif "pre-ping" in label and "no pre" not in label:
            verdict = "met" if rate >= 0.9 * base else "MISSED"
            goal = f">= 90 % of no pre-ping ({rate / base:.0%})  {verdict}"
        else:
            goal = "baseline"
        print(f"{label:24} {rate:7.1f} {pct(lat, 95) * 1000:7.1f} {cuts:5d} {good:8d} "
              f"{statuses.get(503, 0):5d} {errors:4d} {tracebacks:10d}  {goal}")
    others = {s: n for s, n in rows[-1][3].items() if s >= 400 and s not in (500, 503)}
    if others:
        print(f"other answers under faults: {others}")


if __name__ == "__main__":
    main()
