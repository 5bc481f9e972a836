"""Issue 3 bench: the rule engine and POST /api/v1/evaluate, each beside a baseline.

Prints, in one run:
1. engine evaluations per second and microseconds per full screening, in-process
   (goal <= 200 us; baseline: a JSON round trip of the same QuestionnaireResponse);
2. POST /api/v1/evaluate requests per second under gunicorn (-w 2 sync), next to a bare Flask
   app echoing the same JSON under the same settings, the two loaded in alternating turns
   (goal >= 50 % of the bare rate);
3. create_app() + first request in a fresh subprocess (goal <= 1 s; baseline: the bare app);
4. a gunicorn worker's RSS after the load above (goal <= 150 MB; baseline: a bare worker).

Only 127.0.0.1 is used; every loop is bounded in count and time. Run by hand:
    .venv/bin/python bench/evaluate.py            (BENCH_SECONDS=5 by default)
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, gunicorn, load, pct, rss_mb, worker_pids

sys.path.insert(0, str(ROOT))
from screener.api.assessment import assess_response, evaluation_json
from screener.engine.rules import evaluate
from screener.fhir.response import to_response
from screener.questionnaire.loader import load_registry

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
THREADS = 4
MAX_OPS = 50_000

# A realistic completed screening: most answers "no", a few "yes" with their follow-ups, and a
# medicine list with brands, doses and one listed drug.
SCREENING: dict[str, list[str]] = {
    "age_band": ["18_64"],
    "indication": ["depression"],
    "cochlear_implant": ["no"],
    "neurostimulator": ["no"],
    "cardiac_device": ["no"],
    "medication_pump": ["no"],
    "metal_in_head": ["yes"],
    "metal_in_head.details": ["titanium plate in the jaw after an accident"],
    "metal_in_head.mri_safe": ["yes"],
    "shunt": ["no"],
    "magnetic_dental_or_tattoo": ["no"],
    "seizure_history": ["no"],
    "family_epilepsy": ["unsure"],
    "syncope": ["yes"],
    "syncope.details": ["when I see blood"],
    "head_injury": ["no"],
    "brain_condition": ["no"],
    "medications": ["yes"],
    "medications.list": [
        "Sertraline 100mg every morning\nWellbutrin XL 150 mg\nlevothyroxine 50mcg, vitamin D"
    ],
    "medications.recent_change": ["yes"],
    "medications_stopped": ["no"],
    "alcohol_use": ["no"],
    "alcohol_stopped": ["no"],
    "drug_use": ["no"],
    "sleep_deprivation": ["no"],
    "pregnancy": ["no"],
    "hearing": ["no"],
    "headaches": ["yes"],
    "heart_disease": ["no"],
    "bipolar": ["no"],
    "prior_tms": ["no"],
    "prior_mri": ["yes"],
    "prior_mri.problems": ["no"],
    "antidepressant_trials": ["2"],
    "psychotherapy": ["yes"],
    "self_harm": ["no"],
}


def timed(fn, seconds: float = 2.0, max_calls: int = 200_000) -> float:
    """Seconds per call: the best batch of 200 (timeit's advice: the others measure whatever
    else the machine was doing), bounded in time and count."""
    for _ in range(50):
        fn()
    per_call = []
    stop = time.monotonic() + seconds
    calls = 0
    while time.monotonic() < stop and calls < max_calls:
        t0 = time.perf_counter()
        for _ in range(200):
            fn()
        per_call.append((time.perf_counter() - t0) / 200)
        calls += 200
    return min(per_call)


def engine_figures() -> dict[str, float]:
    registry = load_registry(str(ROOT / "questions"))
    q = registry.current
    body = json.dumps(to_response(q, SCREENING), ensure_ascii=False)
    evaluation = evaluate(q, SCREENING)
    assert evaluation.outcome == "contraindication", evaluation.outcome
    assert any(f.kind == "drugs" for f in evaluation.flags)
    return {
        "engine": timed(lambda: evaluate(q, SCREENING)),
        "api_path": timed(
            lambda: json.dumps(evaluation_json(assess_response(json.loads(body), registry), "en"))
        ),
        "json": timed(lambda: json.dumps(json.loads(body))),
    }


def migrated_sqlite(directory: str) -> dict[str, str]:
    """Environment for the app on a fresh, migrated SQLite file (every request may purge)."""
    env = {
        "DATABASE_URL": f"sqlite:///{directory}/bench.sqlite3",
        "SECRET_KEY": "bench-only",
        "SCREENER_ENV": "development",
    }
    subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "screener", "db", "upgrade"],
        cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True,
    )
    return env


def post_session(port: int, path: str, body: bytes):
    def make():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Content-Type": "application/fhir+json", "Accept-Language": "en"}

        def op() -> None:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status

        return op

    return make


def served_side_by_side(body: bytes, env: dict[str, str], rounds: int = 4):
    """Requests/s, latencies and max worker RSS (MB) for the bare echo app and for ours.

    Both servers run at once but are loaded in turns (shuffled each round), so whatever else
    the machine is doing falls on both alike; RSS is read after all the load.
    """
    results = {"bare": [0, 0.0, []], "app": [0, 0.0, []]}
    with (
        gunicorn("bench.bare_app:create_app()") as bare_port,
        gunicorn("screener:create_app()", env) as app_port,
    ):
        sessions = {
            "bare": post_session(bare_port, "/echo", body),
            "app": post_session(app_port, "/api/v1/evaluate", body),
        }
        for make in sessions.values():
            load(make, threads=THREADS, seconds=1, max_ops=MAX_OPS)
        for _ in range(rounds):
            order = list(sessions)
            random.shuffle(order)
            for name in order:
                started = time.monotonic()
                rate, latencies = load(
                    sessions[name], threads=THREADS, seconds=SECONDS / rounds, max_ops=MAX_OPS
                )
                elapsed = time.monotonic() - started
                results[name][0] += round(rate * elapsed)
                results[name][1] += elapsed
                results[name][2].extend(latencies)
        rss = {
            "bare": max(rss_mb(pid) for pid in worker_pids(bare_port)),
            "app": max(rss_mb(pid) for pid in worker_pids(app_port)),
        }
    return {
        name: (count / elapsed, latencies, rss[name])
        for name, (count, elapsed, latencies) in results.items()
    }


FIRST_REQUEST = """
import json, sys, time
t0 = time.perf_counter()
{imports}
t1 = time.perf_counter()
app = create_app()
client = app.test_client()
response = client.post({path!r}, data=sys.stdin.buffer.read(), content_type="application/json")
assert response.status_code == 200, response.status_code
t2 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "create_and_first": t2 - t1}}))
"""


def first_request(imports: str, path: str, body: bytes, env: dict[str, str], runs: int = 3):
    """Median (import seconds, create_app + first request seconds) over fresh subprocesses."""
    code = FIRST_REQUEST.format(imports=imports, path=path)
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], input=body, cwd=ROOT, env={**os.environ, **env},
            check=True, capture_output=True,
        ).stdout
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    return (
        statistics.median(r["import"] for r in results),
        statistics.median(r["create_and_first"] for r in results),
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    registry = load_registry(str(ROOT / "questions"))
    body = json.dumps(to_response(registry.current, SCREENING), ensure_ascii=False).encode()

    print("1/4 engine in-process ...", flush=True)
    engine = engine_figures()
    with tempfile.TemporaryDirectory() as tmp:
        env = migrated_sqlite(tmp)
        print(f"2/4 gunicorn -w 2 sync, {THREADS} client threads, {SECONDS:g} s each, in turns",
              flush=True)
        measured = served_side_by_side(body, env)
        bare_rate, bare_lat, bare_rss = measured["bare"]
        api_rate, api_lat, api_rss = measured["app"]
        print("3/4 create_app() + first request in fresh subprocesses ...", flush=True)
        app_import, app_first = first_request(
            "from screener import create_app", "/api/v1/evaluate", body, env
        )
        bare_import, bare_first = first_request(
            "from bench.bare_app import create_app", "/echo", body, env
        )
    print("4/4 worker RSS measured after the load in 2/4\n")

    rows = [
        (
            "engine: us per full screening (best batch)",
            f"{engine['engine'] * 1e6:.0f} us ({1 / engine['engine']:,.0f}/s)",
            f"<= 200 us  {verdict(engine['engine'] <= 200e-6)}",
            f"JSON round trip of the response: {engine['json'] * 1e6:.0f} us",
        ),
        (
            "  parse + evaluate + JSON, in-process",
            f"{engine['api_path'] * 1e6:.0f} us ({1 / engine['api_path']:,.0f}/s)",
            "(context)",
            "",
        ),
        (
            "POST /api/v1/evaluate req/s",
            f"{api_rate:,.0f}/s  p50 {pct(api_lat, 50) * 1e3:.1f} ms "
            f"p95 {pct(api_lat, 95) * 1e3:.1f} ms",
            f">= 50 % of bare  {verdict(api_rate >= 0.5 * bare_rate)} "
            f"({api_rate / bare_rate:.0%})",
            f"bare Flask echo: {bare_rate:,.0f}/s  p50 {pct(bare_lat, 50) * 1e3:.1f} ms",
        ),
        (
            "create_app() + first request",
            f"{app_first:.2f} s (+ {app_import:.2f} s imports)",
            f"<= 1 s  {verdict(app_first <= 1.0)}",
            f"bare: {bare_first:.3f} s (+ {bare_import:.2f} s imports)",
        ),
        (
            "worker RSS after warm-up",
            f"{api_rss:.0f} MB",
            f"<= 150 MB  {verdict(api_rss <= 150)}",
            f"bare worker: {bare_rss:.0f} MB",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("figure", "measured", "goal", "baseline")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    line = "  ".join(f"{{:{w}}}" for w in widths)
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))


if __name__ == "__main__":
    main()
