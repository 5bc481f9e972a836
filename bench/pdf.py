"""Issue 6 bench: the consultation summary PDF, through the app and bare.

Prints, in one run:
- p50/p95 seconds (and CPU seconds) and peak memory of the full summary: test client
  GET /summary.pdf on a completed screening (evaluate, template, PDF/UA tagging, the attached
  QuestionnaireResponse);
- the same for a bare WeasyPrint render of the same HTML string, `HTML(string=...).write_pdf()`,
  and, for information, the bare render with our options (PDF/UA-1 + attachment);
- the RSS growth of a process that rendered 200 summaries through the app;
- issue 12: the worst cases within the questionnaire's limits (every text item at its
  max_length as one unbroken word, as long lines of words, as CJK and emoji the font lacks, and
  as one medicine per line; name and date of birth at their limits) beside the typical
  screening, interleaved in one run.

Goals: full p50 <= 1.3 x bare p50; growth < 20 MB; every worst-case render <= 2 s. Timings
interleave the variants in one process (shuffled each round) so other load on the machine falls
on all of them alike; peak RSS comes from one process per variant (the bare ones import
WeasyPrint only).
Run by hand: .venv/bin/python bench/pdf.py [--runs 20] [--renders 200] [--worst-runs 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSWERS: dict[str, list[str]] = {
    "age_band": ["18_64"], "indication": ["depression"],
    "cochlear_implant": ["no"], "neurostimulator": ["no"], "cardiac_device": ["yes"],
    "cardiac_device.kind": ["pacemaker"], "medication_pump": ["no"],
    "metal_in_head": ["no"], "metal_in_body": ["no"], "shunt": ["no"],
    "magnetic_dental_or_tattoo": ["no"],
    "seizure_history": ["yes"], "seizure_history.last": ["within_12_months"],
    "seizure_history.medication": ["no"], "family_epilepsy": ["no"], "syncope": ["no"],
    "head_injury": ["no"], "brain_condition": ["no"],
    "medications": ["yes"], "medications.list": ["Bupropion XL 150mg"],
    "medications.recent_change": ["no"], "medications_stopped": ["no"], "alcohol_use": ["no"],
    "alcohol_stopped": ["no"], "drug_use": ["no"], "sleep_deprivation": ["no"],
    "pregnancy": ["no"], "hearing": ["no"], "headaches": ["no"], "heart_disease": ["no"],
    "bipolar": ["no"], "prior_tms": ["no"], "prior_mri": ["no"], "mri_refused": ["no"],
    "antidepressant_trials": ["2"], "psychotherapy": ["yes"], "self_harm": ["no"],
}
WORST_PARENTS = {
    "indication": ["other"], "metal_in_head": ["yes"], "metal_in_head.mri_safe": ["unsure"],
    "syncope": ["yes"], "medications": ["yes"],
}
"""The answers that open every free-text follow-up, so each one can be filled to its limit."""
NAME_LIMIT, DOB_LIMIT = 200, 60
"""What the results page's form takes for the name and date of birth (screener/pdf.py)."""

FULL = "full summary (GET /summary.pdf)"
BARE = "bare HTML(string).write_pdf()"
SAME = "bare + PDF/UA-1 + attachment"
TYPICAL = "typical screening (the rows above)"
GOAL_RATIO = 1.3
GOAL_WORST_S = 2.0
GOAL_GROWTH_MB = 20.0


def rss_mb() -> float:
    """Current resident set size of this process."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def heap_peak_mb(render) -> float:
    """Python-heap high-water mark of one render (C allocations by Pango are not counted)."""
    gc.collect()
    tracemalloc.start()
    render()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def app_client(workdir: str):
    """A migrated app on a throwaway SQLite file and a client holding a completed screening."""
    logging.disable(logging.WARNING)
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from screener import create_app
    from screener.patient import screenings
    from screener.timestamps import utcnow

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.sqlite3",
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        version = app.extensions["questionnaires"].current.version
        record = screenings.start(version, "en", app.config["RETENTION"], "bench").screening
        screenings.change(record, answers=ANSWERS, completed_at=utcnow())
        screening_id = record.id
    client = app.test_client()
    with client.session_transaction() as session:
        session["sid"] = screening_id
    return app, client, screening_id


def _fill(pattern: str, limit: int) -> str:
    return (pattern * (limit // len(pattern) + 1))[:limit]


def worst_cases(q) -> dict[str, tuple[dict[str, list[str]], dict[str, str]]]:
    """Inputs at the questionnaire's own limits, built from the questionnaire itself (every
    text item at its max_length, the name and date of birth at what the form keeps): one
    unbroken word, long lines of words, one medicine per line (every drug of the table, many
    rows), and glyphs the font lacks (CJK and emoji, each one a fallback look-up).
    Name → (answers, the name/dob form)."""
    texts = [item for item in q.walk() if item.type == "text"]
    drug_names = [name for drug in q.drugs.drugs for name in drug.names.get("en", ())]
    patterns = {
        "one unbroken word": "Bupropionhydrochloride",
        "long lines of words": "Bupropion XL 150 mg daily, ",
        "CJK and emoji": "氟西汀😀",
    }
    cases = {}
    for name, pattern in patterns.items():
        answers = {**ANSWERS, **WORST_PARENTS}
        answers.update({item.link_id: [_fill(pattern, item.max_length)] for item in texts})
        form = {"name": _fill(pattern, NAME_LIMIT), "dob": _fill(pattern, DOB_LIMIT)}
        cases[name] = (answers, form)
    lines = "\n".join(f"{drug} 100 mg" for drug in drug_names * 20)
    answers = {**ANSWERS, **WORST_PARENTS}
    answers.update({item.link_id: [_fill("a long line of words ", item.max_length)]
                    for item in texts})
    answers["medications.list"] = [lines[: q.items["medications.list"].max_length]]
    cases["many medicines, one a line"] = (answers, {"name": "N" * NAME_LIMIT, "dob": "1" * 10})
    return cases


def get_summary(client) -> bytes:
    response = client.get("/summary.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF"), response.status
    return response.data


def bare_renderers(html: str, response_json: str) -> dict:
    from weasyprint import HTML, Attachment

    def bare():
        return HTML(string=html).write_pdf()

    def same_options():
        attachment = Attachment(string=response_json, name="questionnaire-response.json")
        return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", attachments=[attachment])

    return {BARE: bare, SAME: same_options}


def summary_html(app, screening_id: str) -> tuple[str, str]:
    """The exact HTML string the app renders for the bench screening, and its attachment."""
    from screener.documents import pdf
    from screener.patient import screenings
    from screener.views.summary import _document

    with app.test_request_context("/summary.pdf"):
        document = _document(screenings.live(screening_id), None)
        return pdf.render_html(document), document.response_json


def child_timing(args) -> dict:
    """All variants in one process, interleaved in a shuffled order each round, so that load
    from anything else on the machine falls on every variant alike."""
    with tempfile.TemporaryDirectory() as workdir:
        app, client, screening_id = app_client(workdir)
        html, response_json = summary_html(app, screening_id)
        renderers = {FULL: lambda: get_summary(client), **bare_renderers(html, response_json)}
        for render in renderers.values():
            render()
            render()
        wall: dict[str, list[float]] = {name: [] for name in renderers}
        cpu: dict[str, list[float]] = {name: [] for name in renderers}
        order = list(renderers)
        shuffler = random.Random(6)
        for _ in range(args.runs):
            shuffler.shuffle(order)
            for name in order:
                gc.collect()
                start, start_cpu = time.perf_counter(), time.process_time()
                renderers[name]()
                wall[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - start_cpu)
    return {"wall": wall, "cpu": cpu, "html_bytes": len(html.encode())}


def child_memory(args) -> dict:
    """Peak RSS of a process doing only one variant; the bare one imports WeasyPrint only."""
    if args.variant == FULL:
        with tempfile.TemporaryDirectory() as workdir:
            _, client, _ = app_client(workdir)
            render = lambda: get_summary(client)  # noqa: E731
            base = rss_mb()
            for _ in range(3):
                render()
            heap = heap_peak_mb(render)
    else:
        data = json.loads(Path(args.html).read_text(encoding="utf-8"))
        render = bare_renderers(data["html"], data["response"])[args.variant]
        base = rss_mb()
        for _ in range(3):
            render()
        heap = heap_peak_mb(render)
    return {"base_rss_mb": base, "peak_rss_mb": peak_rss_mb(), "heap_mb": heap}


def child_html(args) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        app, _, screening_id = app_client(workdir)
        html, response_json = summary_html(app, screening_id)
    Path(args.html).write_text(json.dumps({"html": html, "response": response_json}))
    return {}


def child_growth(args) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        _, client, _ = app_client(workdir)
        get_summary(client)
        gc.collect()
        after_first = rss_mb()
        for _ in range(4):
            get_summary(client)
        gc.collect()
        warm = rss_mb()
        start = time.perf_counter()
        checkpoints = []
        for i in range(1, args.renders + 1):
            get_summary(client)
            if i % 50 == 0:
                gc.collect()
                checkpoints.append(round(rss_mb(), 1))
        elapsed = time.perf_counter() - start
        gc.collect()
        end = rss_mb()
    return {
        "after_first": after_first,
        "warm": warm,
        "end": end,
        "checkpoints": checkpoints,
        "seconds": elapsed,
    }


def child_worst(args) -> dict:
    """The worst cases (`worst_cases`) and the typical screening, interleaved in one process:
    each a whole summary (evaluate, template, PDF/UA, attachment) with the name and date of
    birth posted as the results page's form sends them."""
    from screener.documents import pdf
    from screener.patient import screenings
    from screener.timestamps import utcnow
    from screener.views.summary import _document

    with tempfile.TemporaryDirectory() as workdir:
        app, _, typical_id = app_client(workdir)
        with app.app_context():
            q = app.extensions["questionnaires"].current
            ids = {TYPICAL: (typical_id, {})}
            for name, (answers, form) in worst_cases(q).items():
                record = screenings.start(q.version, "en", app.config["RETENTION"], "bench")
                screenings.change(record.screening, answers=answers, completed_at=utcnow())
                ids[name] = (record.screening.id, form)

        def render(screening_id: str, form: dict[str, str]) -> bytes:
            with app.test_request_context("/summary.pdf", method="POST", data=form):
                return pdf.summary_pdf(_document(screenings.live(screening_id), "en"))

        wall: dict[str, list[float]] = {name: [] for name in ids}
        order = list(ids)
        for name in order:
            render(*ids[name])
        shuffler = random.Random(12)
        for _ in range(args.runs):
            shuffler.shuffle(order)
            for name in order:
                gc.collect()
                start = time.perf_counter()
                render(*ids[name])
                wall[name].append(time.perf_counter() - start)
    return {"wall": wall}


CHILDREN = {
    "worst": child_worst,
    "timing": child_timing,
    "memory": child_memory,
    "html": child_html,
    "growth": child_growth,
}


def run_child(name: str, *extra: str) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, *extra]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench child {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed renders per variant")
    parser.add_argument("--renders", type=int, default=200, help="renders for the growth run")
    parser.add_argument("--worst-runs", type=int, default=3, help="renders per worst case")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=(FULL, BARE, SAME), help=argparse.SUPPRESS)
    parser.add_argument("--html", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return

    timing = run_child("timing", "--runs", str(args.runs))
    with tempfile.TemporaryDirectory() as workdir:
        html = os.path.join(workdir, "summary.json")
        run_child("html", "--html", html)
        memory = {
            name: run_child("memory", "--variant", name, "--html", html)
            for name in (FULL, BARE, SAME)
        }
    growth = run_child("growth", "--renders", str(args.renders))
    worst = run_child("worst", "--runs", str(args.worst_runs))

    size = timing["html_bytes"] / 1024
    print(f"Consultation summary PDF: {args.runs} interleaved renders per variant, "
          f"HTML {size:.0f} KiB, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"{'variant':36} {'p50 s':>6} {'p95 s':>6} {'CPU p50 s':>9} {'peak RSS MB':>11} "
          f"{'(before 1st)':>12} {'heap MB':>7}")
    for name in (FULL, BARE, SAME):
        wall, cpu, mem = timing["wall"][name], timing["cpu"][name], memory[name]
        print(
            f"{name:36} {statistics.median(wall):6.3f} {pct(wall, 0.95):6.3f} "
            f"{statistics.median(cpu):9.3f} {mem['peak_rss_mb']:11.1f} "
            f"{mem['base_rss_mb']:12.1f} {mem['heap_mb']:7.1f}"
        )
    for clock in ("wall", "cpu"):
        full, bare, same = (statistics.median(timing[clock][n]) for n in (FULL, BARE, SAME))
        verdict = "ok" if full / bare <= GOAL_RATIO else "OVER"
        print(f"{clock:4} p50 full / bare: {full / bare:.2f}x (goal <= {GOAL_RATIO}x: {verdict}); "
              f"full / bare with the same options: {full / same:.2f}x")
    grew = growth["end"] - growth["warm"]
    verdict = "ok" if grew < GOAL_GROWTH_MB else "OVER"
    print(
        f"{args.renders} renders in one process ({growth['seconds']:.0f} s): RSS "
        f"{growth['after_first']:.1f} MB after the first, {growth['warm']:.1f} MB after 5, "
        f"{growth['end']:.1f} MB at the end; growth {grew:+.1f} MB "
        f"(goal < {GOAL_GROWTH_MB:.0f} MB: {verdict}); every 50: {growth['checkpoints']}"
    )
    print(f"Worst cases at the questionnaire's limits ({args.worst_runs} interleaved renders "
          f"each, every text item at its max_length, name {NAME_LIMIT} and date of birth "
          f"{DOB_LIMIT} characters):")
    print(f"{'case':36} {'p50 s':>6} {'max s':>6}")
    for name, wall in worst["wall"].items():
        print(f"{name:36} {statistics.median(wall):6.3f} {max(wall):6.3f}")
    slowest = max(max(w) for n, w in worst["wall"].items() if n != TYPICAL)
    verdict = "met" if slowest <= GOAL_WORST_S else "MISSED"
    print(f"slowest worst-case render {slowest:.2f} s (goal <= {GOAL_WORST_S:.0f} s: {verdict})")
    print("peak RSS: high-water mark of a process doing only that variant; (before 1st): its RSS "
          "before the first render (the app's imports and data for the full summary)")
    print("heap MB: Python-heap high-water mark of one render (tracemalloc; Pango/HarfBuzz "
          "allocations in C are in the RSS only)")


if __name__ == "__main__":
    main()
