"""The load bench's patient (`bench/patient.py`) walks the real app to the end, so the bench
cannot quietly measure error pages: every answer profile completes a screening, one with the
PDF, and the screening is gone afterwards."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from bench.patient import PROFILES, Patient, Reply
from screener.directory import gazetteer, importer
from screener.extensions import db
from screener.patient.model import Screening
from tests.conftest import ROOT


class TestClient:
    """The walk's client over Flask's test client: cookies kept, redirects left to the walk."""

    __test__ = False

    def __init__(self, client):
        self.client = client
        self.thoughts = 0

    def request(self, method, path, data, kind, headers, expect) -> Reply:
        response = self.client.open(path, method=method, data=MultiDict(data or []),
                                    headers=headers, follow_redirects=False)
        return Reply(response.status_code, response.headers.get("Location"),
                     response.content_type or "",
                     response.get_data().decode("utf-8", "replace"))

    def think(self) -> None:
        self.thoughts += 1


@pytest.fixture(scope="module")
def bulgaria():
    return gazetteer.read_places(gazetteer.geonames_file(), ("BG",))


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_walk_completes_a_screening_and_deletes_it(app, bulgaria, profile):
    with app.app_context():
        gazetteer.store(bulgaria, gazetteer.stamp_value(("BG",)))
        importer.import_file(ROOT / "data" / "demo-providers.json")
    client = TestClient(app.test_client())
    pdf = profile == "devices"
    walk = Patient(client, profile, pdf=pdf, town="Левски").run()

    assert walk.screening_done
    kinds = [kind for _, kind in walk.requests]
    assert kinds[:3] == ["start page", "start", "step page"]
    assert kinds.count("step answer") >= 8  # one per section at least, more with follow-ups
    assert ("summary PDF" in kinds) is pdf
    assert kinds[-5:] == [
        "providers page", "providers search", "delete confirmation", "delete", "deleted page"
    ]
    assert client.thoughts >= 11
    with app.app_context():
        assert db.session.query(Screening).count() == 0
