"""Issue 5 bench: nearest-20 providers among 1,000,000, on SQLite and PostgreSQL.

Prints, in one run and per database: p50/p95 of `search.nearest` (radius 25 km, limit 20)
without filters and with two filter sets, each next to a plain full scan of the same table
(every row's distance in SQL, ORDER BY, LIMIT 20, same filters) measured in the same run.
Goals: p50 <= 5 ms, and >= 20x faster than the full scan.

Providers are synthetic: 70 % clustered around 3,000 random town-like centres, 30 % spread
evenly over Europe. Query points: half at cluster centres, half anywhere in the box (some
then widen). PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL (a scratch schema is made
and dropped). Run by hand:  .venv/bin/python bench/nearest.py   (BENCH_PROVIDERS to resize)
"""

from __future__ import annotations

import math
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, pct

sys.path.insert(0, str(ROOT))
from screener import create_app
from screener.directory import vocab
from screener.directory.geo import Point, lat_band
from screener.directory.models import Provider
from screener.directory.search import Filters, filter_clauses, nearest
from screener.extensions import db

N = int(os.environ.get("BENCH_PROVIDERS", "1000000"))
QUERIES = 300
SCAN_QUERIES = 15
BOX = (35.0, 70.0, -10.0, 40.0)  # south, north, west, east: Europe
FILTER_SETS = {
    "no filters": Filters(),
    "ocd + accepting": Filters(condition="ocd", accepting=True),
    "deep TMS + German": Filters(tms_type="deep-tms", language="de"),
}
LANGS = ["bg", "en", "de", "fr", "ro", "el", "sr", "tr", "ru", "it"]


def synthetic_rows(n: int, rng: random.Random, centres: list[tuple[float, float]]):
    south, north, west, east = BOX
    n_conditions, n_types = len(vocab.CONDITIONS), len(vocab.TMS_TYPES)
    for i in range(n):
        if rng.random() < 0.7:
            clat, clon = rng.choice(centres)
            lat = min(north, max(south, rng.gauss(clat, 0.15)))
            lon = min(east, max(west, rng.gauss(clon, 0.2)))
        else:
            lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        spoken = rng.sample(LANGS, rng.randint(1, 3))
        yield {
            "slug": f"bench-{i}",
            "name": f"Bench provider {i}",
            "clinic": None, "address": None, "city": "Bench", "country": "BG",
            "lat": lat, "lon": lon, "lat_band": lat_band(lat),
            "phone": None, "website": None, "email": None,
            "spoken_languages": "," + ",".join(spoken) + ",",
            "condition_bits": rng.randrange(1, 1 << n_conditions),
            "tms_bits": rng.randrange(1, 1 << n_types),
            "accepting_new_patients": rng.random() < 0.7,
            "remote_consultation": rng.random() < 0.3,
            "last_verified": "2026-01-01", "is_sample": True, "embed_origins": "[]",
            "language": "en", "updated_at": "2026-01-01 00:00:00+00",
        }


def fill(n: int) -> list[tuple[float, float]]:
    """Insert n providers the fastest way each database offers; returns the cluster centres."""
    rng = random.Random(42)
    south, north, west, east = BOX
    centres = [(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(3000)]
    rows = synthetic_rows(n, rng, centres)
    columns = [c.name for c in Provider.__table__.columns if c.name != "id"]
    connection = db.session.connection()
    db.session.execute(sa.text("DROP INDEX ix_providers_lat_band_lon"))
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY providers ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    else:
        batch = []
        insert = sa.text(f"INSERT INTO providers ({', '.join(columns)}) VALUES "
                         f"({', '.join(':' + c for c in columns)})")
        for row in rows:
            batch.append(row)
            if len(batch) == 50_000:
                connection.execute(insert, batch)
                batch = []
        if batch:
            connection.execute(insert, batch)
    for index in Provider.__table__.indexes:
        index.create(connection)
    db.session.commit()
    if connection.dialect.name == "postgresql":
        # What autovacuum would do after a bulk load: statistics, and the visibility map that
        # index-only scans rely on.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE providers"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return centres


def full_scan(origin: Point, filters: Filters) -> list[int]:
    """The baseline: what a query without the band index does, done as well as SQL can."""
    k = math.cos(math.radians(origin.lat))
    distance = ((Provider.lat - origin.lat) * (Provider.lat - origin.lat)
                + (Provider.lon - origin.lon) * k * (Provider.lon - origin.lon) * k)
    query = (sa.select(Provider.id).where(*filter_clauses(filters)).order_by(distance).limit(20))
    return list(db.session.scalars(query))


def timed(fn, points, filters) -> list[float]:
    out = []
    for point in points:
        started = time.perf_counter()
        fn(point, filters)
        out.append((time.perf_counter() - started) * 1000)
    return out


def run(label: str, url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        started = time.perf_counter()
        centres = fill(N)
        print(f"\n{label}: {N:,} providers built in {time.perf_counter() - started:.0f} s")
        rng = random.Random(7)
        south, north, west, east = BOX
        points = [Point(*rng.choice(centres)) if i % 2 else
                  Point(rng.uniform(south, north), rng.uniform(west, east))
                  for i in range(QUERIES)]
        for filters in FILTER_SETS.values():  # warm caches and prepared statements
            timed(lambda p, f: nearest(p, f), points[:30], filters)
        print(f"  {'nearest-20':28} {'p50 ms':>8} {'p95 ms':>8} {'scan p50':>9} {'speed-up':>9}"
              f" {'widened':>8}")
        for name, filters in FILTER_SETS.items():
            fast = timed(lambda p, f: nearest(p, f), points, filters)
            scan = timed(full_scan, points[:SCAN_QUERIES], filters)
            widened = sum(nearest(p, filters).widened for p in points[:100])
            p50, scan50 = pct(fast, 50), pct(scan, 50)
            verdict = "ok" if p50 <= 5 and scan50 / p50 >= 20 else "MISSED"
            print(f"  {name:28} {p50:8.2f} {pct(fast, 95):8.2f} {scan50:9.1f} "
                  f"{scan50 / p50:8.0f}x {widened:7d}%  {verdict}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    print(__doc__.split("\n\n")[0])
    print("goals: p50 <= 5 ms and >= 20x the full scan")
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.sqlite3")
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not pg:
        print("\nPostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")
        return
    pg = pg.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(pg)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in pg else "?"
        run("PostgreSQL", f"{pg}{separator}options=-csearch_path%3D{schema}")
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
