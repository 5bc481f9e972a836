"""Issue 12 bench: importing 20,000 providers (JSON and CSV), next to the least any import must
do in the same run: read the file with json.load / csv.DictReader and check every record
against the schema (records.problems), without line numbers or writing.

Goal: the whole import (read, check, locate every field's line, upsert into a fresh SQLite
database in one transaction) of 20,000 rows in <= 10 s. Run by hand:
.venv/bin/python bench/import.py   (BENCH_ROWS changes the row count)
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from flask_migrate import upgrade

from screener import create_app
from screener.directory import importer, records

ROWS = int(os.environ.get("BENCH_ROWS", "20000"))
GOAL_SECONDS = 10.0


def record(i: int) -> dict:
    return {
        "slug": f"bench-provider-{i}",
        "name": f"Д-р Иванова и партньори {i}",
        "clinic": "Клиника за ТМС",
        "address": f"ул. „Витоша“ {i % 300 + 1}",
        "city": "София",
        "country": "BG",
        "lat": 42.0 + (i % 1000) / 1000,
        "lon": 23.0 + (i // 1000) / 100,
        "phone": "+359 2 123 4567",
        "website": f"https://clinic-{i}.example.org",
        "email": f"info@clinic-{i}.example.org",
        "languages": ["bg", "en"],
        "conditions": ["depression", "ocd"],
        "tms_types": ["rtms-10hz", "theta-burst"],
        "accepting_new_patients": i % 2 == 0,
        "remote_consultation": i % 3 == 0,
        "last_verified": date(2026, 1, 15).isoformat(),
    }


def write_files(folder: Path) -> dict[str, Path]:
    rows = [record(i) for i in range(ROWS)]
    as_json = folder / "providers.json"
    as_json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(records.fields())
    for row in rows:
        writer.writerow([importer._csv_value(row.get(name)) for name in records.fields()])
    as_csv = folder / "providers.csv"
    as_csv.write_text(out.getvalue(), encoding="utf-8")
    return {"json": as_json, "csv": as_csv}


def baseline(kind: str, path: Path) -> float:
    """Parse + schema check only: what no importer can skip."""
    started = time.perf_counter()
    text = path.read_text(encoding="utf-8")
    if kind == "json":
        rows = json.loads(text)
    else:
        rows = [
            {name: importer._cell(name, value) for name, value in row.items()}
            for row in csv.DictReader(io.StringIO(text, newline=""))
        ]
        rows = [{k: v for k, v in row.items() if v is not None} for row in rows]
    bad = sum(1 for row in rows if records.problems(row))
    assert bad == 0, bad
    return time.perf_counter() - started


def timed_import(kind: str, path: Path, folder: Path) -> float:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / f'{kind}.sqlite3'}",
                      "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        started = time.perf_counter()
        report = importer.import_file(path)
        took = time.perf_counter() - started
        assert len(report.created) == ROWS, report
        dry_started = time.perf_counter()
        again = importer.import_file(path, dry_run=True)
        dry = time.perf_counter() - dry_started
        assert len(again.unchanged) == ROWS, again
    print(f"  {kind}: dry run over a full directory (all unchanged) {dry:.2f} s")
    return took


def main() -> None:
    print(f"provider import, {ROWS:,} rows, fresh SQLite database per format")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_files(folder)
        rows = []
        for kind, path in files.items():
            base = baseline(kind, path)
            took = timed_import(kind, path, folder)
            rows.append((kind, path.stat().st_size, took, base))
    print()
    print("| format | file | import (read, check, lines, upsert) | baseline: parse + schema check"
          " | goal ≤ 10 s |")
    print("| --- | --- | --- | --- | --- |")
    for kind, size, took, base in rows:
        verdict = "met" if took <= GOAL_SECONDS else "MISSED"
        print(f"| {kind} | {size / 1e6:.1f} MB | {took:.2f} s | {base:.2f} s ({took / base:.1f}×)"
              f" | {verdict} |")


if __name__ == "__main__":
    main()
