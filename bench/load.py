"""Issue 16 bench: whole patients under load. Each simulated patient walks the real path
(`bench/patient.py`: start, every step with the follow-ups their answers reveal, check,
confirm, results, the PDF for a share of them, providers near a town, delete) with 0.5-2 s to
think on each page, driven by Locust (headless, as a library) against gunicorn with 2 sync
workers, on SQLite and on PostgreSQL (a throw-away schema, created and dropped here).

Printed per request kind: count, p50, p95, errors; then completed screenings, and the server's
CPU seconds per completed screening, read from /proc for the gunicorn master and its workers
(utime + stime, with the reaped children's, before and after the measured window). Beside it,
the bare Flask app (`bare_app.py`) replays the very requests the patients made (same kinds,
same order, same pauses) against trivial handlers, in the same run.

    .venv/bin/python bench/load.py                   # 50 patients, 60 s, SQLite and PostgreSQL
    .venv/bin/python bench/load.py --quick           # 10 patients, 10 s
    .venv/bin/python bench/load.py --pdf-share 0 --database sqlite --py-spy /tmp/worker.txt

Only 127.0.0.1 is targeted. Rate limits stay on: the app is told it sits behind one proxy
(SCREENER_PROXY_COUNT=1, as behind the shipped nginx) and each patient sends an address of its
own in X-Forwarded-For (198.18.0.0/15, the benchmarking range; a header, never a target), so
the per-address limits on Start and on the PDF count per patient as they would in production.
"""

from __future__ import annotations

# Locust patches the standard library for gevent on import: first, before anything opens a
# socket or starts a thread.
import locust  # noqa: F401  isort: skip

import argparse
import http.client
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import gevent
import psutil
from locust import FastHttpUser, between, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import ROOT, WORKERS, serve
from bench.patient import PROFILES, THINK, Patient, Reply, Walk, WalkError, choose

PG = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
FLASK = str(Path(sys.executable).parent / "flask")
THINK_SECONDS = (0.5, 2.0)


@dataclass
class Run:
    """What one load run measured inside its window."""

    name: str
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    screenings: int = 0
    cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    seconds: float = 0.0
    measuring: bool = False

    def record(self, kind: str, ms: float, error: str | None) -> None:
        if not self.measuring:
            return
        self.latencies[kind].append(ms)
        if error:
            self.errors[f"{kind}: {error}"] += 1


def server_cpu(master: int) -> float:
    """CPU seconds of the gunicorn master, its live workers and the workers it has reaped."""
    process = psutil.Process(master)
    times = process.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for worker in process.children():
        try:
            worker_times = worker.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += worker_times.user + worker_times.system
    return total


def own_cpu() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


class LocustClient:
    """The walk's client over Locust's FastHttpSession: redirects are the walk's to follow."""

    def __init__(self, user: FastHttpUser, run: Run):
        self.user = user
        self.run = run

    def request(self, method: str, path: str, data, kind: str, headers: dict[str, str],
                expect: int) -> Reply:
        body = None
        if data is not None:
            body = urlencode(data)
            headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        started = time.perf_counter()
        with self.user.client.request(method, path, data=body, headers=headers, name=kind,
                                      allow_redirects=False, catch_response=True) as response:
            ms = (time.perf_counter() - started) * 1000
            status = response.status_code or 0
            error = None if status == expect else f"HTTP {status}"
            if error:
                response.failure(error)
            else:
                response.success()
            content_type = response.headers.get("Content-Type", "") if response.headers else ""
            text = "" if content_type.startswith("application/pdf") else (response.text or "")
            location = response.headers.get("Location") if response.headers else None
        self.run.record(kind, ms, error)
        if kind == "results page" and not error and self.run.measuring:
            self.run.screenings += 1  # confirmed and shown: the screening is complete
        return Reply(status, location, content_type, text)

    def think(self) -> None:
        gevent.sleep(random.uniform(*THINK_SECONDS))


def patient_user(run: Run, pdf_share: float, seed: int) -> type[FastHttpUser]:
    rng = random.Random(seed)
    count = [0]

    class PatientUser(FastHttpUser):
        wait_time = between(*THINK_SECONDS)  # the next person arrives

        @task
        def whole_patient(self) -> None:
            count[0] += 1
            n = count[0]
            address = f"198.{18 + (n >> 16) % 2}.{(n >> 8) % 256}.{n % 256}"
            profile, pdf, town = choose(rng, pdf_share)
            self.client.cookiejar.clear()
            patient = Patient(LocustClient(self, run), profile, pdf=pdf, town=town,
                              address=address)
            try:
                patient.run()
            except WalkError as exc:
                if run.measuring:
                    run.errors[f"walk stopped: {exc}"] += 1

    return PatientUser


def bare_user(run: Run, walks: dict[tuple[str, bool], Walk], pdf_share: float,
              seed: int) -> type[FastHttpUser]:
    """Replays rehearsed walks (requests and pauses), chosen as the patients were, against the
    bare app's trivial routes."""
    rng = random.Random(seed)

    class BareUser(FastHttpUser):
        wait_time = between(*THINK_SECONDS)

        @task
        def replay(self) -> None:
            profile, pdf, _ = choose(rng, pdf_share)
            walk = walks[profile, pdf]
            client = LocustClient(self, run)
            for method, kind in walk.steps:
                if method == THINK:
                    client.think()
                    continue
                path = "/walk/" + kind.replace(" ", "-")
                expect = 200 if method == "GET" or kind == "summary PDF" else 302
                data = [("a", "b")] if method == "POST" else None
                client.request(method, path, data, kind, {}, expect)

    return BareUser


def measure(run: Run, user_class: type[FastHttpUser], port: int, master: int,
            args: argparse.Namespace, py_spy: str | None = None) -> Run:
    """Start the patients spread over `ramp` seconds (arrivals, not one wave in step), let
    them settle for `warmup`, then measure `seconds`."""
    env = Environment(user_classes=[user_class], host=f"http://127.0.0.1:{port}")
    runner = env.create_local_runner()
    workers = len(psutil.Process(master).children())
    print(f"  gunicorn master {master} with {workers} workers; {args.users} patients")
    runner.start(args.users, spawn_rate=args.users / args.ramp)
    gevent.sleep(args.ramp + args.warmup)
    seconds = args.seconds
    spy = _start_py_spy(master, seconds, py_spy) if py_spy else None
    cpu0, client0, t0 = server_cpu(master), own_cpu(), time.monotonic()
    run.measuring = True
    gevent.sleep(seconds)
    run.measuring = False
    run.cpu_seconds = server_cpu(master) - cpu0
    run.client_cpu_seconds = own_cpu() - client0
    run.seconds = time.monotonic() - t0
    runner.quit()
    if spy is not None:
        spy.wait(timeout=seconds + 60)
    return run


def _start_py_spy(master: int, seconds: float, out: str) -> subprocess.Popen:
    """Samples only while the worker holds the GIL: its Python CPU time, not its waits (for a
    request, or for the client to close after a response: gunicorn 27 lingers on the socket
    until the peer's FIN, which a wall-clock profile shows as the top item)."""
    worker = psutil.Process(master).children()[0].pid
    print(f"  py-spy: recording worker {worker} for {seconds:.0f} s into {out}")
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(worker),
         "--duration", str(int(seconds)), "--rate", "200", "--format", "raw", "--output", out,
         "--nonblocking", "--gil"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def flask_cli(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    subprocess.run([FLASK, "--app", "screener", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True)


def prepare(url: str, countries: str | None) -> None:
    """The schema, the place list and the demo directory, as `make setup` makes them."""
    started = time.monotonic()
    flask_cli(url, "db", "upgrade")
    flask_cli(url, "places", "load", *(["--countries", countries] if countries else []))
    flask_cli(url, "providers", "import", str(ROOT / "data" / "demo-providers.json"))
    print(f"  database ready in {time.monotonic() - started:.0f} s")


class Rehearsal:
    """A plain one-at-a-time HTTP client: one walk per profile, with and without the PDF,
    before the load (it proves the walk and gives the bare baseline its requests)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, data, kind, headers, expect) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        content_type = response.getheader("Content-Type", "")
        text = "" if content_type.startswith("application/pdf") else raw.decode("utf-8")
        return Reply(response.status, response.getheader("Location"), content_type, text)

    def think(self) -> None:
        pass


def rehearse(port: int) -> dict[tuple[str, bool], Walk]:
    walks = {}
    for n, profile in enumerate(sorted(PROFILES)):
        for pdf in (False, True):
            address = f"198.19.255.{2 * n + pdf}"
            walks[profile, pdf] = Patient(Rehearsal(port), profile, pdf=pdf, town="Plovdiv",
                                          address=address).run()
    return walks


@contextmanager
def sqlite_database(countries: str | None) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/load.sqlite3"
        prepare(url, countries)
        yield url


@contextmanager
def postgresql_database(countries: str | None) -> Iterator[str]:
    import sqlalchemy as sa

    schema = f"bench_load_{secrets.token_hex(4)}"
    engine = sa.create_engine(PG.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{PG}{'&' if '?' in PG else '?'}options=-csearch_path%3D{schema}"
        prepare(url, countries)
        yield url
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


DATABASES = {"sqlite": ("SQLite", sqlite_database), "postgresql": ("PostgreSQL",
                                                                     postgresql_database)}


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(runs: list[Run], bare: Run | None, args: argparse.Namespace) -> None:
    every = [*runs, *([bare] if bare else [])]
    kinds = list(dict.fromkeys(k for run in every for k in run.latencies))
    print(f"\n{args.users} patients arriving over {args.ramp:.0f} s, {args.seconds:.0f} s measured "
          f"after a further {args.warmup:.0f} s "
          f"warm-up, think {THINK_SECONDS[0]}-{THINK_SECONDS[1]} s, PDF for "
          f"{args.pdf_share:.0%}, gunicorn -w {WORKERS} (sync); load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared machine: figures are noisy)")
    header = f"{'request kind':18}" + "".join(f" | {run.name[:26]:>26}" for run in every)
    print(header)
    print(f"{'':18}" + " | {:>7} {:>8} {:>8}".format("n", "p50 ms", "p95 ms") * len(every))
    for kind in kinds:
        line = f"{kind:18}"
        for run in every:
            lat = run.latencies.get(kind, [])
            line += f" | {len(lat):7d} {pct(lat, 50):8.1f} {pct(lat, 95):8.1f}"
        print(line)
    print()
    for run in every:
        rate = run.screenings / run.seconds if run.seconds else 0
        per = run.cpu_seconds / run.screenings * 1000 if run.screenings else float("nan")
        requests = sum(len(v) for v in run.latencies.values())
        others = [ms for kind, v in run.latencies.items() if kind != "summary PDF" for ms in v]
        print(f"{run.name}: {run.screenings} screenings completed ({rate:.2f}/s), "
              f"{requests} requests, {sum(run.errors.values())} errors; p95 of all but the "
              f"PDF {pct(others, 95):.0f} ms; server CPU {run.cpu_seconds:.1f} s = "
              f"{per:.1f} ms per completed screening; load generator CPU "
              f"{run.client_cpu_seconds:.1f} s")
        for error, n in run.errors.most_common(5):
            print(f"    {n} x {error}")
    if bare and bare.screenings:
        base = bare.cpu_seconds / bare.screenings
        for run in runs:
            if run.screenings:
                print(f"{run.name}: {run.cpu_seconds / run.screenings / base:.1f} x the bare "
                      "app's CPU per screening")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="patients at once (50)")
    parser.add_argument("--seconds", type=float, default=60, help="measured window (60)")
    parser.add_argument("--ramp", type=float, default=20,
                        help="seconds over which the patients arrive (20, about one walk)")
    parser.add_argument("--warmup", type=float, default=10,
                        help="seconds after the last patient arrives, before measuring (10)")
    parser.add_argument("--pdf-share", type=float, default=0.25,
                        help="share of patients who download the PDF (0.25; 0 for none)")
    parser.add_argument("--no-pdf", action="store_const", const=0.0, dest="pdf_share")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--countries", help="load only these places (e.g. BG); default all")
    parser.add_argument("--quick", action="store_true",
                        help="10 patients, 10 s, 5 s ramp, 3 s warm-up, Bulgarian places only")
    parser.add_argument("--py-spy", metavar="FILE",
                        help="record one worker of the first database's run (raw stacks)")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    if args.quick:
        args.users, args.seconds, args.ramp, args.warmup = 10, 10, 5, 3
        args.countries = args.countries or "BG"
    names = ["sqlite", "postgresql"] if args.database == "both" else [args.database]

    runs: list[Run] = []
    walks: dict[tuple[str, bool], Walk] = {}
    env = {"SECRET_KEY": "bench", "SCREENER_PROXY_COUNT": "1"}
    for name in names:
        label, database = DATABASES[name]
        print(f"{label}: preparing")
        try:
            with database(args.countries) as url, \
                    serve("screener:create_app()", {**env, "DATABASE_URL": url}) as (port, gun):
                walks = walks or rehearse(port)
                run = Run(f"app on {label}")
                measure(run, patient_user(run, args.pdf_share, args.seed), port, gun.pid,
                        args, args.py_spy if not runs else None)
                runs.append(run)
        except Exception as exc:
            if name != "postgresql":
                raise
            print(f"  PostgreSQL skipped ({type(exc).__name__}: {exc})")
    bare = None
    if walks:
        print(f"bare Flask: {args.users} patients replaying the same walks")
        with serve("bench.bare_app:create_app()") as (port, gun):
            bare = Run("bare Flask")
            measure(bare, bare_user(bare, walks, args.pdf_share, args.seed), port, gun.pid,
                    args)
    report(runs, bare, args)
    if args.py_spy and Path(args.py_spy).exists():
        top_of_profile(Path(args.py_spy))


def top_of_profile(path: Path, n: int = 15) -> None:
    """py-spy's raw format: one collapsed stack per line, `frame;frame;... count`. Total time
    leaves out the frames every sample shares (gunicorn's loop down to Flask's `__call__`)."""
    own: Counter = Counter()
    total: Counter = Counter()
    samples = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        samples += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            if "gunicorn" not in frame and not frame.startswith("<module>"):
                total[frame] += int(count)
    print(f"\nprofile of one worker: {samples} samples ({path})")
    for title, counter in (("own time", own), ("total time", total)):
        print(f"top {n} by {title}:")
        for frame, count in counter.most_common(n):
            print(f"  {count / samples:6.1%}  {frame}")


if __name__ == "__main__":
    main()
