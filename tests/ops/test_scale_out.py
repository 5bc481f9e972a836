"""Scale-out (issue 12, item 10): two app nodes (gunicorn with gunicorn.conf.py) behind nginx
(Debian's package, the shipped deploy/nginx files) on one PostgreSQL (a private schema) and one
Redis (a unique key prefix). Each patient's requests alternate between the nodes and still see
one screening; the resume rate limit counts across both; no lazy purge runs on a node, and two
purge jobs started at once purge once. No log of nginx or gunicorn holds a framed id or a query
string.

Which node served a request is read from the nodes' own access logs (one line per request, in
order), so the shipped nginx files run as they are: only their ports and log folder change.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from cryptography.fernet import Fernet

from screener.directory import gazetteer, importer, records
from screener.extensions import db
from screener.patient import screenings
from screener.timestamps import utcnow

from ..conftest import ON_CI, PG_PROBLEM, PG_URL, _psycopg, make_app
from ..directory.conftest import provider_record
from .servers import FLASK, ROOT, app_env, csrf, free_port, gunicorn, nginx, nginx_binary

pytestmark = pytest.mark.scale_out

DEPLOY = ROOT / "deploy" / "nginx"
CLINIC = "scale-clinic"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_problem() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # any failure means: no Redis here
        return f"Redis at {REDIS_URL} does not answer: {type(exc).__name__}"
    return None


def _missing() -> str | None:
    if PG_PROBLEM:
        return PG_PROBLEM
    if nginx_binary() is None:
        return "nginx is not installed (.ci/run installs Debian's package)"
    return _redis_problem()


MISSING = _missing()
if MISSING and ON_CI:
    raise RuntimeError(f"CI must run the scale-out test, but {MISSING}")


@pytest.fixture
def shared_database() -> Iterator[str]:
    """A private schema of the shared PostgreSQL, migrated, with one clinic and a place stamp."""
    schema = f"t_{secrets.token_hex(6)}"
    admin = sa.create_engine(_psycopg(PG_URL))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    try:
        app = make_app(_psycopg(url))
        with app.app_context():
            clinic = provider_record(CLINIC, 42.7, 23.3, embed_origins=["https://clinic.example"])
            importer.upsert([records.normalised(clinic)])
            gazetteer.store([], "scale-out test")
            db.engine.dispose()
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def nginx_config(folder: Path, port: int, upstreams: tuple[int, int]) -> str:
    """The shipped files: screener-http.conf with the two node ports, screener-proxy.conf as
    is, and the log lines of screener-site.conf with the log folder moved into `folder`."""
    http = (DEPLOY / "screener-http.conf").read_text(encoding="utf-8")
    for shipped, port_now in zip(("127.0.0.1:8001", "127.0.0.1:8002"), upstreams, strict=True):
        assert http.count(shipped) == 1, shipped
        http = http.replace(shipped, f"127.0.0.1:{port_now}")
    (folder / "screener-http.conf").write_text(http, encoding="utf-8")
    site = (DEPLOY / "screener-site.conf").read_text(encoding="utf-8")
    log_lines = re.findall(r"^\s*(?:error_log|access_log) /var/log/nginx/screener-.*;$", site,
                           re.MULTILINE)
    assert len(log_lines) == 2, log_lines
    logs = "\n".join(line.replace("/var/log/nginx/", f"{folder}/") for line in log_lines)
    temp = folder / "temp"
    temp.mkdir()
    temps = "\n".join(f"    {kind}_temp_path {temp / kind};"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""
user root;
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-main-error.log warn;
events {{ worker_connections 64; }}
http {{
{temps}
    include {folder}/screener-http.conf;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
{logs}
        include {DEPLOY / "screener-proxy.conf"};
    }}
}}
"""


class Cluster:
    """Requests through nginx, one at a time, each attributed to the node that served it."""

    def __init__(self, port: int, nodes: dict[str, object]) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.nodes = nodes
        self.served: list[str] = []
        # The start-up probes (a slow first one may be answered and logged late) settle first.
        self._counts = self._lines()
        deadline, still_since = time.monotonic() + 15, time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - still_since < 0.7:
            time.sleep(0.05)
            if (now := self._lines()) != self._counts:
                self._counts, still_since = now, time.monotonic()

    def _lines(self) -> dict[str, int]:
        return {name: len(node.access_lines()) for name, node in self.nodes.items()}

    def send(self, web: requests.Session, method: str, path: str, **kwargs) -> requests.Response:
        response = web.request(method, self.base + path, allow_redirects=False, timeout=30,
                               **kwargs)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # gunicorn logs just after it answers
            now = self._lines()
            grown = [name for name in now if now[name] > self._counts[name]]
            if sum(now.values()) == sum(self._counts.values()) + 1:
                break
            time.sleep(0.01)
        assert len(grown) == 1, (method, path, now, self._counts)
        self._counts = now
        self.served.append(grown[0])
        return response


def alternates(served: list[str]) -> bool:
    return len(served) > 1 and all(a != b for a, b in itertools.pairwise(served))


def site_patient(cluster: Cluster) -> tuple[requests.Session, list[str]]:
    """The site path with a session cookie: start, answer two pages, come back to the first."""
    web = requests.Session()
    first = len(cluster.served)
    start = cluster.send(web, "GET", "/")
    begun = cluster.send(web, "POST", "/start", data={"csrf_token": csrf(start.text)})
    assert begun.status_code == 302 and begun.headers["Location"].endswith("/questions/about_you")
    for section, answers in (("about_you", {"age_band": "18_64", "indication": "depression"}),
                             ("devices", {"cochlear_implant": "no", "neurostimulator": "no",
                                          "cardiac_device": "no", "medication_pump": "no"})):
        page = cluster.send(web, "GET", f"/questions/{section}")
        assert page.status_code == 200, (section, page.status_code)
        saved = cluster.send(web, "POST", f"/questions/{section}",
                             data={"csrf_token": csrf(page.text), **answers})
        assert saved.status_code == 302, (section, saved.status_code)
    again = cluster.send(web, "GET", "/questions/about_you")
    assert re.search(r'value="18_64"[^>]*checked', again.text), "the other node lost the answer"
    return web, cluster.served[first:]


def framed_patient(cluster: Cluster) -> tuple[str, list[str]]:
    """The clinic's frame, no cookie: the screening is named by the id in the path."""
    web = requests.Session()
    first = len(cluster.served)
    entry = cluster.send(web, "GET", f"/c/{CLINIC}/embed?lang=bg")
    assert entry.status_code == 200
    begun = cluster.send(web, "POST", f"/c/{CLINIC}/embed/start?lang=bg",
                         data={"csrf_token": csrf(entry.text)})
    assert begun.status_code == 303, begun.status_code
    step = begun.headers["Location"]
    framed_id = step.split("/f/")[1].split("/")[0]
    page = cluster.send(web, "GET", step)
    assert page.status_code == 200
    saved = cluster.send(web, "POST", step.split("?")[0] + "?lang=bg", data={
        "csrf_token": csrf(page.text), "age_band": "18_64", "indication": "depression"})
    assert saved.status_code in (302, 303), saved.status_code
    back = cluster.send(web, "GET", step.split("?")[0] + "?lang=bg&m=missing")
    assert re.search(r'value="18_64"[^>]*checked', back.text), "the other node lost the answer"
    return framed_id, cluster.served[first:]


def abandoned_screening(url: str) -> str:
    """A screening someone left, already past its retention time, stored before any node has
    served a page: a node's lazy purge (its first page request purges) would delete it."""
    app = make_app(_psycopg(url))
    with app.app_context():
        created = screenings.start("1.0.1", "en", timedelta(hours=1), "unused")
        created.screening.expires_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
        db.engine.dispose()
    return created.screening.id


def screening_ids(url: str) -> set[str]:
    engine = sa.create_engine(_psycopg(url))
    with engine.connect() as conn:
        found = set(conn.scalars(sa.text("SELECT id FROM screenings")))
    engine.dispose()
    return found


@pytest.mark.skipif(bool(MISSING), reason=f"{MISSING} (an error on CI)")
def test_two_nodes_behind_nginx_share_patients_limits_and_one_purge(tmp_path, shared_database):
    url = shared_database
    prefix = f"scale-out-{secrets.token_hex(4)}"
    env = app_env(url, SCREENER_ENV="production", SECRET_KEY=secrets.token_urlsafe(48),
                  SESSION_COOKIE_SECURE="false", SCREENER_PROXY_COUNT="1",
                  RATELIMIT_STORAGE_URI=REDIS_URL, SCREENER_PURGE="job",
                  PUBLIC_BASE_URL="https://screener.example",
                  SCREENER_SUBMISSION_KEYS=Fernet.generate_key().decode())
    # Expired before any page request: with SCREENER_PURGE=job no node may delete it.
    abandoned_id = abandoned_screening(url)
    app_spec = f"screener:create_app({{'RATELIMIT_KEY_PREFIX': '{prefix}'}})"
    with ExitStack() as stack:
        node_a = stack.enter_context(gunicorn(tmp_path, env, "node-a", app=app_spec))
        node_b = stack.enter_context(gunicorn(tmp_path, env, "node-b", app=app_spec))
        port = free_port()
        config = nginx_config(tmp_path, port, (node_a.port, node_b.port))
        stack.enter_context(nginx(tmp_path, config, port))
        cluster = Cluster(port, {"a": node_a, "b": node_b})

        ready = cluster.send(requests.Session(), "GET", "/readyz")
        assert ready.status_code == 200, ready.text

        web, served = site_patient(cluster)
        assert alternates(served), served
        framed_id, framed_served = framed_patient(cluster)
        assert alternates(framed_served), framed_served
        assert abandoned_id in screening_ids(url), "a node purged although a job is set"

        # The resume limit (10 a minute per address) holds across both nodes together.
        resume = cluster.send(web, "GET", "/resume")
        token = csrf(resume.text)
        statuses = [cluster.send(web, "POST", "/resume",
                                 data={"csrf_token": token, "code": "0000-0000-0000"}).status_code
                    for _ in range(12)]
        assert statuses == [302] * 10 + [429] * 2, statuses
        assert alternates(cluster.served[-12:])
        assert {"a", "b"} == set(cluster.served[-12:])

    # Two purge jobs at the same moment (a timer on each host): the expired screening goes once.
    job_env = {**env, "DATABASE_URL": url}
    jobs = [subprocess.Popen([FLASK, "--app", "screener", "purge"], cwd=ROOT, env=job_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [job.communicate(timeout=60)[0] for job in jobs]
    assert all(job.returncode == 0 for job in jobs), outputs
    purged = [int(m.group(1)) for out in outputs if (m := re.search(r"purged (\d+)", out))]
    assert sum(purged) == 1, outputs
    assert abandoned_id not in screening_ids(url)
    assert len(screening_ids(url)) == 2  # the two live patients

    logs = {path.name: path.read_text(encoding="utf-8", errors="replace")
            for path in tmp_path.glob("*.log")}
    assert {"screener-access.log", "screener-error.log", "node-a-access.log",
            "node-b-access.log"} <= set(logs)
    probes = logs["screener-access.log"].count("\n") - len(cluster.served)
    assert probes >= 1, "nginx logged fewer requests than it passed on"
    for name, text in logs.items():
        assert framed_id not in text, name
        assert "lang=bg" not in text and "m=missing" not in text, name
        assert "0000-0000-0000" not in text, name
    assert "/c/<slug>/f/<token>/questions/<section_id>" in logs["node-a-access.log"] + logs[
        "node-b-access.log"]
