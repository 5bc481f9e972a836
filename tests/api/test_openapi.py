"""The OpenAPI document describes every /api/v1 endpoint, and the API keeps to it: Schemathesis
sends generated requests (valid and invalid) and checks there is no 5xx and no response that
breaks the document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from screener.directory import gazetteer, importer
from screener.extensions import db

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo-providers.json"


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


EXAMPLES = {GenerationMode.POSITIVE: 60, GenerationMode.NEGATIVE: 20}
"""Negative cases (values the document forbids: a string where a number goes, a radius of
-1e300, a missing required q) must get a documented 4xx, never a 5xx, and a body that keeps
to the document; bounded so that the whole file stays under a minute."""


def _operations() -> list:
    """Every documented operation in each generation mode, read from the document itself at
    collection time, so that a new endpoint is fuzzed without touching this file. Negative
    mode needs something to get wrong: an operation with neither parameters nor a body (the
    document itself) has no invalid request. (Schemathesis' own pytest fixture loader does
    not run under pytest 9, so the loop over operations is written out here.)"""
    from screener import create_app
    from screener.api.openapi import build_spec

    spec = build_spec(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    cases = []
    for path, item in sorted(spec["paths"].items()):
        for method, operation in item.items():
            takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
            for mode in EXAMPLES:
                if mode is GenerationMode.POSITIVE or takes_input:
                    cases.append(pytest.param(method.upper(), path, mode,
                                              id=f"{method.upper()} {path} {mode.value}"))
    return cases


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.mark.both_databases
@pytest.mark.parametrize(("method", "path", "mode"), _operations())
def test_api_keeps_to_its_document(directory_app, method, path, mode):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", directory_app)[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES[mode], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(checks=CHECKS)

    call()


def test_response_components_come_from_the_schemas_the_views_dump_through(client):
    from screener.api.openapi import RESPONSE_SCHEMAS

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name, schema_class in RESPONSE_SCHEMAS.items():
        fields = schema_class().fields
        assert set(schemas[name]["properties"]) == set(fields), name
        assert set(schemas[name].get("required", [])) == {
            key for key, field in fields.items() if field.required}, name
        assert schemas[name]["additionalProperties"] is False, name


def test_places_documents_the_reverse_look_up(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    places = spec["paths"]["/api/v1/places"]["get"]
    assert "reverse look-up" in places["description"]
    assert "NaN" in places["responses"]["400"]["description"]
    assert "distance_km" in spec["components"]["schemas"]["Place"]["properties"]
