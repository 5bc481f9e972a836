"""Short clinician-facing labels of questionnaire items (issue 6): the summary names a follow-up
"Medicines and doses", not by the instruction the patient read ("Please list them…"). The
label is data, checked like every other wording: by the schema and the translation check."""

from __future__ import annotations

import re

import pytest

from screener.questionnaire.loader import check_file, load_registry
from tests.conftest import ROOT
from tests.questionnaire.test_loader import find_item, write_mutated

INSTRUCTION = re.compile(r"choose all|please|list them|tell us|изберете|моля|избройте|опишете",
                         re.IGNORECASE)


@pytest.fixture(scope="module")
def questionnaire():
    return load_registry(str(ROOT / "questions")).current


def test_every_follow_up_worded_as_an_instruction_has_a_clinician_label(questionnaire):
    instructions = [
        item for item in questionnaire.walk()
        if item.parent and any(INSTRUCTION.search(text) for text in item.text.values())
    ]
    assert {item.link_id for item in instructions} >= {
        "indication.other", "neurostimulator.kind", "cardiac_device.kind",
        "magnetic_dental_or_tattoo.kind", "medications.list",
    }
    for item in instructions:
        assert item.clinician_label is not None, item.link_id
        for lang in questionnaire.languages:
            label = item.clinician_label[lang]
            assert label and not INSTRUCTION.search(label), (item.link_id, lang)
            assert item.label(lang) == label


def test_an_item_without_a_label_is_named_by_its_question(questionnaire):
    item = questionnaire.items["medications"]
    assert item.clinician_label is None
    assert item.label("bg") == item.text["bg"]


def test_a_label_missing_a_translation_is_refused(tmp_path):
    def change(data):
        find_item(data, "medications.list")["clinician_label"] = {"en": "Medicines"}

    problems = [str(p) for p in check_file(write_mutated(tmp_path, change))]
    assert any(
        "item 'medications.list'" in p and "missing 'bg' translation of the clinician label" in p
        for p in problems
    ), problems


@pytest.mark.parametrize("value", ["Medicines", {"en": "Medicines", "bg": 3}, {"english": "x"}])
def test_a_label_of_the_wrong_shape_is_refused_by_the_schema(tmp_path, value):
    def change(data):
        find_item(data, "medications.list")["clinician_label"] = value

    problems = [str(p) for p in check_file(write_mutated(tmp_path, change))]
    assert any("item 'medications.list'" in p and "clinician_label" in p for p in problems), (
        problems
    )
