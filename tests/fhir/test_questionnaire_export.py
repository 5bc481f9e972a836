"""The questionnaire as a FHIR R4 Questionnaire: valid for fhir.resources (R4B models), with
enableWhen on follow-ups, Bulgarian on the translation extension, and every linkId the
clinical reference names."""

from __future__ import annotations

import json
import re

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire

from screener.fhir.questionnaire import TRANSLATION, to_fhir
from tests.test_rules import REFERENCE_LEVELS

CYRILLIC = re.compile(r"[а-яА-Я]")


def flatten(items):
    for item in items:
        yield item
        yield from flatten(item.get("item", ()))


def by_link_id(resource):
    return {item["linkId"]: item for item in flatten(resource["item"])}


def translation(element: dict, lang: str) -> str | None:
    for ext in element.get("extension", ()):
        if ext["url"] != TRANSLATION:
            continue
        parts = {p["url"]: p for p in ext["extension"]}
        if parts["lang"]["valueCode"] == lang:
            return parts["content"]["valueString"]
    return None


@pytest.fixture
def exported(client):
    response = client.get("/api/v1/questionnaire")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    return json.loads(response.get_data(as_text=True))


def test_the_api_export_validates_as_fhir(exported):
    resource = FhirQuestionnaire.model_validate(exported)
    assert resource.status == "active"
    assert resource.version == "1.0.1"


def test_the_cli_export_validates_as_fhir(runner):
    result = runner.invoke(args=["questions", "export-fhir"])
    assert result.exit_code == 0, result.output
    FhirQuestionnaire.model_validate(json.loads(result.output))


def test_every_link_id_of_the_reference_is_present(exported, questionnaire):
    items = by_link_id(exported)
    assert set(REFERENCE_LEVELS) <= set(items)
    for link_id in REFERENCE_LEVELS:
        codes = {o["valueCoding"]["code"] for o in items[link_id]["answerOption"]}
        assert codes == {"yes", "no", "unsure"}, link_id
    # and every question of ours, not only the safety items
    assert set(questionnaire.items) <= set(items)


def test_sections_are_groups_and_follow_ups_nest_under_their_parent(exported, questionnaire):
    assert [g["linkId"] for g in exported["item"]] == [s.id for s in questionnaire.sections]
    assert {g["type"] for g in exported["item"]} == {"group"}
    items = by_link_id(exported)
    for item in questionnaire.walk():
        if item.parent is not None:
            children = [c["linkId"] for c in items[item.parent].get("item", ())]
            assert item.link_id in children


@pytest.mark.parametrize(
    ("link_id", "expected", "behavior"),
    [
        ("neurostimulator.kind", [("neurostimulator", "=", "yes")], None),
        ("seizure_history.last", [("seizure_history", "=", "yes")], None),
        ("medications.list", [("medications", "=", "yes")], None),
        ("indication.other", [("indication", "=", "other")], None),
        (
            "antidepressant_trials",
            [("indication", "=", "depression"), ("indication", "=", "anxious_depression")],
            "any",
        ),
    ],
)
def test_follow_ups_carry_enable_when(exported, link_id, expected, behavior):
    item = by_link_id(exported)[link_id]
    got = [(c["question"], c["operator"], c["answerCoding"]["code"]) for c in item["enableWhen"]]
    assert got == expected
    assert item.get("enableBehavior") == behavior


def test_every_follow_up_has_enable_when(exported, questionnaire):
    items = by_link_id(exported)
    for item in questionnaire.walk():
        if item.parent is not None:
            assert items[item.link_id].get("enableWhen"), item.link_id


def test_bulgarian_rides_on_the_translation_extension(exported, questionnaire):
    items = by_link_id(exported)
    assert CYRILLIC.search(translation(exported["_title"], "bg") or "")
    for item in questionnaire.walk():
        exported_item = items[item.link_id]
        assert exported_item["text"] == item.text["en"]
        assert translation(exported_item["_text"], "bg") == item.text["bg"], item.link_id
        for option in exported_item.get("answerOption", ()):
            coding = option["valueCoding"]
            assert CYRILLIC.search(translation(coding["_display"], "bg") or ""), coding
    for group in exported["item"]:
        assert CYRILLIC.search(translation(group["_text"], "bg") or ""), group["linkId"]


def test_an_unknown_version_is_a_404_problem(client):
    response = client.get("/api/v1/questionnaire?version=0.0.1")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_to_fhir_in_another_base_language(questionnaire):
    resource = to_fhir(questionnaire, base="bg")
    assert resource["language"] == "bg"
    shunt = by_link_id(resource)["shunt"]
    assert shunt["text"] == questionnaire.items["shunt"].text["bg"]
    assert translation(shunt["_text"], "en") == questionnaire.items["shunt"].text["en"]
    FhirQuestionnaire.model_validate(resource)
