"""The loader and validator: the shipped files pass; each kind of broken copy is refused with a
message naming the file, the item and the problem.

Broken copies are written to tmp_path: both shipped YAML files are copied (the questionnaire
names its drug list by relative path) and the questionnaire is changed in one place.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from screener.questionnaire.loader import (
    QuestionnaireError,
    check_file,
    load_questionnaire,
    load_registry,
    questionnaire_files,
    read_yaml,
)

QUESTIONS = Path(__file__).resolve().parents[2] / "questions"
QUESTIONNAIRE = QUESTIONS / "tms-safety-1.1.0.yaml"  # the current version
DRUGS = QUESTIONS / "seizure-threshold-drugs-1.1.0.yaml"


def find_item(data: dict[str, Any], link_id: str) -> dict[str, Any]:
    def walk(items):
        for raw in items:
            if raw["linkId"] == link_id:
                return raw
            found = walk(raw.get("followups", ()))
            if found is not None:
                return found
        return None

    for section in data["sections"]:
        found = walk(section["items"])
        if found is not None:
            return found
    raise KeyError(link_id)


@cache
def _shipped() -> dict[str, Any]:
    return read_yaml(QUESTIONNAIRE)


def write_mutated(directory: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """Copy both shipped files into `directory`, apply `change` to the questionnaire, save."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(DRUGS, directory / DRUGS.name)
    data = copy.deepcopy(_shipped())
    change(data)
    path = directory / QUESTIONNAIRE.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _set(link_id: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data):
        find_item(data, link_id)[key] = value

    return change


def _enable_when_on(link_id: str, question: str) -> Callable[[dict[str, Any]], None]:
    def change(data):
        find_item(data, link_id)["enableWhen"][0]["question"] = question

    return change


def _drop_bg_question(data):
    del find_item(data, "shunt")["text"]["bg"]


def _blank_bg_flag(data):
    find_item(data, "hearing")["flags"][0]["clinician"]["bg"] = "  "


def _drop_sources(data):
    del find_item(data, "shunt")["sources"]


def _flag_level(data):
    find_item(data, "shunt")["flags"][0]["level"] = "severe"


def _flag_source(data):
    find_item(data, "bipolar")["flags"][0]["sources"] = ["S99"]


def _duplicate_option(data):
    find_item(data, "seizure_history.last")["options"].append(
        {"code": "unsure", "label": {"en": "Not sure", "bg": "Не знам"}})


def _section_named_like_an_item(data):
    data["sections"][1]["id"] = "shunt"


def _several_codes_under_all(data):
    item = find_item(data, "psychotherapy")
    item["enableWhen"] = [
        {"question": "indication", "operator": "=", "answer": ["depression", "ocd"]},
        {"question": "age_band", "operator": "=", "answer": "18_64"},
    ]
    item["enableBehavior"] = "all"


# name, change, item named in the message, words of the problem
MUTATIONS = [
    ("duplicate option code", _duplicate_option, "seizure_history.last",
     "answer code 'unsure' is listed twice"),
    ("section id of an item", _section_named_like_an_item, "shunt", "same id as this item"),
    ("codes FHIR cannot join", _several_codes_under_all, "psychotherapy",
     "need enableBehavior 'any'"),
    ("duplicate linkId", _set("headaches", "linkId", "hearing"), "hearing", "duplicate linkId"),
    ("enableWhen unknown item", _enable_when_on("neurostimulator.kind", "neurostimulatr"),
     "neurostimulator.kind", "unknown item 'neurostimulatr'"),
    ("enableWhen later item", _enable_when_on("indication.other", "self_harm"),
     "indication.other", "later item 'self_harm'"),
    ("missing bg question", _drop_bg_question, "shunt", "missing 'bg' translation"),
    ("blank bg flag text", _blank_bg_flag, "hearing", "missing 'bg' translation"),
    ("flag without source", _drop_sources, "shunt", "flag has no source"),
    ("unknown source id", _set("shunt", "sources", ["S3", "S42"]), "shunt",
     "unknown source id 'S42'"),
    ("unknown source id on a flag", _flag_source, "bipolar", "unknown source id 'S99'"),
    ("unknown level", _flag_level, "shunt", "'severe'"),
    ("unknown item level", _set("hearing", "level", "mild"), "hearing", "'mild'"),
]

MUTATION_PARAMS = [pytest.param(*row[1:], id=row[0]) for row in MUTATIONS]


def test_the_shipped_files_pass():
    files = questionnaire_files(QUESTIONS)
    assert files == [
        QUESTIONS / "tms-safety-1.0.0.yaml", QUESTIONS / "tms-safety-1.0.1.yaml", QUESTIONNAIRE
    ]
    for path in files:
        assert check_file(path) == []


def test_an_unchanged_copy_passes(tmp_path):
    """The copy-and-dump helper itself changes nothing the validator can see."""
    assert check_file(write_mutated(tmp_path, lambda data: None)) == []


@pytest.mark.parametrize(("change", "item", "words"), MUTATION_PARAMS)
def test_check_file_names_file_item_and_problem(tmp_path, change, item, words):
    path = write_mutated(tmp_path, change)
    problems = check_file(path)
    assert problems, "a broken file passed"
    messages = [str(p) for p in problems]
    assert any(
        str(path) in m and f"item '{item}'" in m and words in m for m in messages
    ), messages


@pytest.mark.parametrize(("change", "item", "words"), MUTATION_PARAMS[:3])
def test_load_questionnaire_refuses_a_broken_file(tmp_path, change, item, words):
    path = write_mutated(tmp_path, change)
    with pytest.raises(QuestionnaireError) as raised:
        load_questionnaire(path)
    assert any(words in p.message for p in raised.value.problems)


def test_load_registry_refuses_a_directory_with_a_broken_file(tmp_path):
    write_mutated(tmp_path, _drop_sources)
    with pytest.raises(QuestionnaireError, match="has no source"):
        load_registry(str(tmp_path))


def test_yes_and_no_stay_answer_codes(questionnaire):
    """YAML 1.1 would turn `yes`/`no` into booleans; the loader reads YAML 1.2."""
    assert questionnaire.items["shunt"].codes == {"yes", "no", "unsure"}
    assert questionnaire.items["self_harm"].flags[0].answers == ("yes", "unsure")
    assert questionnaire.date == "2026-12-03"


def test_the_loaded_model_has_what_the_engine_needs(questionnaire):
    assert questionnaire.drugs is not None and len(questionnaire.drugs.drugs) > 50
    assert list(questionnaire.order) == [i.link_id for i in questionnaire.walk()]
    assert questionnaire.items["neurostimulator.kind"].parent == "neurostimulator"
    assert questionnaire.items["neurostimulator.kind"].top == "neurostimulator"
    # a follow-up without sources of its own cites its parent's
    assert questionnaire.items["metal_in_head.mri_safe"].sources == (
        questionnaire.items["metal_in_head"].sources
    )


def test_an_unreadable_file_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("schema: [unclosed\n", encoding="utf-8")
    (problem,) = check_file(path)
    assert problem.where == "file"
    assert "cannot be read" in problem.message


def test_a_key_written_twice_is_refused_with_its_line(tmp_path):
    text = QUESTIONNAIRE.read_text(encoding="utf-8")
    doubled = text.replace("        level: contraindication\n", "        level: contraindication\n"
                           "        level: note\n", 1)
    assert doubled != text
    path = tmp_path / QUESTIONNAIRE.name
    shutil.copy(DRUGS, tmp_path / DRUGS.name)
    path.write_text(doubled, encoding="utf-8")
    (problem,) = check_file(path)
    assert "'level' is written twice" in problem.message and "line" in problem.message


def test_a_drug_class_without_its_bulgarian_label_is_refused(tmp_path):
    path = write_mutated(tmp_path, lambda data: None)
    drugs = read_yaml(tmp_path / DRUGS.name)
    first = next(iter(drugs["classes"]))
    del drugs["classes"][first]["label"]["bg"]
    (tmp_path / DRUGS.name).write_text(yaml.safe_dump(drugs, allow_unicode=True),
                                       encoding="utf-8")
    messages = [str(p) for p in check_file(path)]
    assert any(f"class '{first}'" in m and "missing 'bg' translation" in m for m in messages)
