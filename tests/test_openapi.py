"""The OpenAPI document describes every /api/v1 endpoint, and the API keeps to it: Schemathesis
sends generated requests (valid and invalid) and checks there is no 5xx and no response that
breaks the document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from screener.directory import gazetteer, importer
from screener.extensions import db

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo-providers.json"


@pytest.fixture(scope="session")
def bulgarian_places():
    return gazetteer.read_places(gazetteer.geonames_file(), ["BG"])


@pytest.fixture
def directory_app(app, bulgarian_places):
    with app.app_context():
        gazetteer.store(bulgarian_places, "test")
        importer.import_file(DEMO)
        db.session.remove()
    return app


def test_document_describes_every_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/questionnaire", "/api/v1/evaluate", "/api/v1/places", "/api/v1/providers",
            "/api/v1/openapi.json"} <= set(spec["paths"])
    assert {"Problem", "QuestionnaireResponse", "Evaluation", "Place", "Provider",
            "ProviderSearch"} <= set(spec["components"]["schemas"])
    assert spec["paths"]["/api/v1/evaluate"]["post"]["responses"]["422"]


def test_every_reference_resolves(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    text = str(spec)
    for name in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert name in spec["components"]["schemas"], name


def test_vocabularies_come_from_the_code(client):
    from screener.directory import vocab

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["Condition"]["enum"] == list(vocab.CONDITIONS)
    assert schemas["TmsType"]["enum"] == list(vocab.TMS_TYPES)


def _operations() -> list[tuple[str, str]]:
    """Every documented operation, read from the document itself at collection time, so that
    a new endpoint is fuzzed without touching this file. (Schemathesis' own pytest fixture
    loader does not run under pytest 9, so the loop over operations is written out here.)"""
    from screener import create_app
    from screener.openapi import build_spec

    spec = build_spec(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    return [(method.upper(), path) for path, item in sorted(spec["paths"].items())
            for method in item]


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.mark.both_databases
@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda value: value)
def test_api_keeps_to_its_document(directory_app, method, path):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", directory_app)[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(checks=CHECKS)

    call()
