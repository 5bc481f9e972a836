"""The questionnaire as a FHIR R4 Questionnaire: valid for fhir.resources (R4B models), with
enableWhen on follow-ups, Bulgarian on the translation extension, and every linkId the
clinical reference names."""

from __future__ import annotations

import json
import re

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire

from screener.fhir.questionnaire import TRANSLATION, to_fhir
from tests.engine.test_rules_1_1_0 import REFERENCE_LEVELS

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
    assert resource.version == "1.1.0"


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


# ---- round 2 (1.1.0): the new items, with their enableWhen ---------------------------------

ROUND_2 = {
    # linkId: (where it nests, enableWhen it must carry or None for "asked of everyone")
    "metal_in_body": ("metal", None),
    "metal_in_body.where": ("metal_in_body", ("metal_in_body", "yes")),
    "mri_refused": ("past_tests", None),
    "prior_tms.problem_kind": ("prior_tms.problems", ("prior_tms.problems", "yes")),
    "brain_condition.kind": ("brain_condition", ("brain_condition", "yes")),
    "head_injury.skull_defect": ("head_injury", ("head_injury", "yes")),
    "medications_stopped": ("medicines", None),
    "medications_stopped.list": ("medications_stopped", ("medications_stopped", "yes")),
}


def _parents(items, parent=None):
    for item in items:
        yield item["linkId"], parent
        yield from _parents(item.get("item", ()), item["linkId"])


@pytest.mark.parametrize("link_id", sorted(ROUND_2))
def test_round_2_items_carry_their_enable_when(exported, link_id):
    items = by_link_id(exported)
    parents = dict(_parents(exported["item"]))
    nested_in, condition = ROUND_2[link_id]
    item = items[link_id]
    assert parents[link_id] == nested_in
    if condition is None:
        assert "enableWhen" not in item
    else:
        question, code = condition
        assert item["enableWhen"] == [
            {"question": question, "operator": "=", "answerCoding": {"code": code}}
        ]
    assert item["text"] and CYRILLIC.search(translation(item["_text"], "bg") or "")


def test_repeating_choices_list_every_code_in_both_languages(exported, questionnaire):
    """What an LHC-Forms-style client needs to draw a "choose all that apply" question:
    repeats, every answerOption with a display and its Bulgarian translation."""
    items = by_link_id(exported)
    for link_id in ("metal_in_body.where", "prior_tms.problem_kind", "brain_condition.kind"):
        item = items[link_id]
        assert item["type"] == "choice" and item["repeats"] is True
        codes = [o["valueCoding"]["code"] for o in item["answerOption"]]
        assert codes == [o.code for o in questionnaire.items[link_id].options]
        for option in item["answerOption"]:
            assert option["valueCoding"]["display"]
            assert CYRILLIC.search(translation(option["valueCoding"]["_display"], "bg") or "")


def test_every_enable_when_points_at_an_earlier_item_of_the_export(exported):
    """Form fillers evaluate enableWhen against items already rendered."""
    order = [item["linkId"] for item in flatten(exported["item"])]
    for item in flatten(exported["item"]):
        for condition in item.get("enableWhen", ()):
            assert order.index(condition["question"]) < order.index(item["linkId"])


def test_the_released_versions_still_export_and_validate(registry):
    for version in registry.versions:
        FhirQuestionnaire.model_validate(to_fhir(registry.get(version)))
