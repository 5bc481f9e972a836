"""The rule engine on questionnaire 1.1.0, against the clinical reference's "Round 2" section.

Expectations are read off the reference, not off the data file: the headline level of every
safety item (the round-2 items included), each new item with every answer, "not sure" capped at
caution (self-harm: urgent), unanswered safety items, and the outcome being the highest level.
"""

from __future__ import annotations

import pytest

from screener.engine.routing import effective_answers
from screener.engine.rules import Evaluation, evaluate

REFERENCE_LEVELS: dict[str, str] = {
    "cochlear_implant": "contraindication",
    "neurostimulator": "contraindication",
    "cardiac_device": "contraindication",
    "medication_pump": "contraindication",
    "metal_in_head": "contraindication",
    "metal_in_body": "caution",  # round 2: follows .where; "yes" without a place: caution
    "shunt": "contraindication",
    "magnetic_dental_or_tattoo": "caution",
    "seizure_history": "caution",
    "family_epilepsy": "caution",
    "syncope": "caution",
    "head_injury": "caution",
    "brain_condition": "caution",
    "medications": "note",
    "medications_stopped": "caution",  # round 2
    # round 2: the three-in-one substance question, split
    "alcohol_use": "caution",
    "alcohol_stopped": "caution",
    "drug_use": "caution",
    "sleep_deprivation": "caution",
    "pregnancy": "caution",
    "hearing": "caution",
    "headaches": "caution",
    "heart_disease": "caution",
    "prior_tms": "note",
    "prior_mri": "note",
    "mri_refused": "caution",  # round 2
    "bipolar": "caution",
    "self_harm": "urgent",
}

BASELINE: dict[str, list[str]] = {
    "age_band": ["18_64"],
    "indication": ["depression"],
    "antidepressant_trials": ["2"],
    "psychotherapy": ["yes"],
    **{link_id: ["no"] for link_id in REFERENCE_LEVELS},
}


@pytest.fixture(scope="module")
def questionnaire(registry):
    q = registry.get("1.1.0")
    assert q is registry.current
    return q


def answers(changes: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    return {**BASELINE, **(changes or {})}


def pairs(evaluation: Evaluation) -> set[tuple[str, str]]:
    return {(f.link_id, f.level) for f in evaluation.flags}


def unsure_level(link_id: str) -> str:
    if link_id == "self_harm":
        return "urgent"
    return "note" if REFERENCE_LEVELS[link_id] == "note" else "caution"


def test_the_data_asks_every_safety_item_of_the_reference(questionnaire):
    top_safety = {i.link_id for i in questionnaire.walk() if i.parent is None and i.safety}
    assert top_safety == set(REFERENCE_LEVELS)


def test_new_link_ids_are_exactly_the_references(questionnaire):
    for link_id in ["metal_in_body", "metal_in_body.where", "prior_tms.problem_kind",
                    "mri_refused", "brain_condition.kind", "head_injury.skull_defect",
                    "medications_stopped", "medications_stopped.list"]:
        assert link_id in questionnaire.items
    codes = {
        "metal_in_body.where": {"upper_body", "elsewhere", "unsure"},
        "prior_tms.problem_kind": {"seizure", "fainting", "headache_or_pain", "other", "unsure"},
        "brain_condition.kind": {"stroke", "tumour", "infection", "raised_pressure", "other",
                                 "unsure"},
    }
    for link_id, expected in codes.items():
        item = questionnaire.items[link_id]
        assert item.codes == expected and item.repeats


def test_the_baseline_raises_nothing(questionnaire):
    evaluation = evaluate(questionnaire, BASELINE)
    assert (evaluation.outcome, evaluation.flags, evaluation.dropped) == ("none", (), ())


@pytest.mark.parametrize(
    ("link_id", "answer", "expected"),
    [
        pytest.param(link_id, answer, expected, id=f"{link_id}={answer}")
        for link_id, level in REFERENCE_LEVELS.items()
        for answer, expected in (("yes", level), ("no", None), ("unsure", unsure_level(link_id)))
    ],
)
def test_each_safety_item_and_answer(questionnaire, link_id, answer, expected):
    evaluation = evaluate(questionnaire, answers({link_id: [answer]}))
    if expected is None:
        assert (evaluation.outcome, evaluation.flags) == ("none", ())
        return
    assert evaluation.outcome == expected
    assert pairs(evaluation) == {(link_id, expected)}


# Every new item x every answer: (answers on top of the baseline, outcome, flags).
NEW_ITEM_ROWS = [
    # age band: under 15 caution, 15-17 note (S9)
    ("age under_15", {"age_band": ["under_15"]}, "caution", {("age_band", "caution")}),
    ("age 15_17", {"age_band": ["15_17"]}, "note", {("age_band", "note")}),
    ("age 18_64", {"age_band": ["18_64"]}, "none", set()),
    ("age 65_plus", {"age_band": ["65_plus"]}, "none", set()),
    # metal elsewhere in the body follows .where
    *[
        (f"metal_in_body.where={where}",
         {"metal_in_body": ["yes"], "metal_in_body.where": [where]},
         level, {("metal_in_body.where", level)})
        for where, level in (("upper_body", "caution"), ("elsewhere", "note"),
                             ("unsure", "caution"))
    ],
    ("metal_in_body.where both", {"metal_in_body": ["yes"],
                                  "metal_in_body.where": ["upper_body", "elsewhere"]},
     "caution", {("metal_in_body.where", "caution"), ("metal_in_body.where", "note")}),
    # what went wrong at an earlier TMS: a seizure then is a contraindication (S4)
    *[
        (f"prior_tms.problem_kind={kind}",
         {"prior_tms": ["yes"], "prior_tms.problems": ["yes"], "prior_tms.problem_kind": [kind]},
         level, {("prior_tms.problem_kind", level)})
        for kind, level in (("seizure", "contraindication"), ("fainting", "caution"),
                            ("headache_or_pain", "caution"), ("other", "caution"),
                            ("unsure", "caution"))
    ],
    ("prior_tms.problems unsure", {"prior_tms": ["yes"], "prior_tms.problems": ["unsure"]},
     "caution", {("prior_tms.problems", "caution")}),
    ("prior_tms.problems no", {"prior_tms": ["yes"], "prior_tms.problems": ["no"]},
     "note", {("prior_tms", "note")}),
    # raised pressure and tumour as their own answers
    *[
        (f"brain_condition.kind={kind}",
         {"brain_condition": ["yes"], "brain_condition.kind": [kind]},
         level, {("brain_condition.kind", level)})
        for kind, level in (("raised_pressure", "contraindication"),
                            ("tumour", "contraindication"), ("stroke", "caution"),
                            ("infection", "caution"), ("other", "caution"), ("unsure", "caution"))
    ],
    # part of the skull missing
    ("skull_defect yes", {"head_injury": ["yes"], "head_injury.skull_defect": ["yes"]},
     "contraindication", {("head_injury.skull_defect", "contraindication")}),
    ("skull_defect unsure", {"head_injury": ["yes"], "head_injury.skull_defect": ["unsure"]},
     "caution", {("head_injury.skull_defect", "caution"), ("head_injury", "caution")}),
    ("skull_defect no", {"head_injury": ["yes"], "head_injury.skull_defect": ["no"]},
     "caution", {("head_injury", "caution")}),
    # stopped medicines, asked whatever "medications" says
    ("stopped, takes nothing now", {"medications": ["no"], "medications_stopped": ["yes"],
                                    "medications_stopped.list": ["Ксанакс, миналата седмица"]},
     "caution", {("medications_stopped", "caution"), ("medications_stopped.list", "caution")}),
    ("stopped, no withdrawal drug named", {"medications_stopped": ["yes"],
                                           "medications_stopped.list": ["omeprazole"]},
     "caution", {("medications_stopped", "caution")}),
    ("stopped, list empty", {"medications_stopped": ["yes"]},
     "caution", {("medications_stopped", "caution")}),
]


@pytest.mark.parametrize(
    ("changes", "outcome", "flagged"),
    [pytest.param(*row[1:], id=row[0]) for row in NEW_ITEM_ROWS],
)
def test_every_new_item_and_answer(questionnaire, changes, outcome, flagged):
    evaluation = evaluate(questionnaire, answers(changes))
    assert evaluation.outcome == outcome
    assert pairs(evaluation) == flagged
    assert evaluation.dropped == ()


def test_medications_stopped_is_asked_whatever_medications_says(questionnaire):
    for taken in ("yes", "no", "unsure"):
        _, enabled = effective_answers(questionnaire, {"medications": [taken]})
        assert enabled["medications_stopped"] and enabled["mri_refused"]


def test_tumour_says_the_sources_disagree(questionnaire):
    evaluation = evaluate(
        questionnaire, answers({"brain_condition": ["yes"], "brain_condition.kind": ["tumour"]})
    )
    (flag,) = evaluation.flags
    assert "IFCN" in flag.clinician["en"] and "risk to weigh" in flag.clinician["en"]


def test_cardiac_devices_name_which_sources_exclude_them(questionnaire):
    (flag,) = evaluate(questionnaire, answers({"cardiac_device": ["yes"]})).flags
    for words in ("operating manuals", "precaution", "Stricter wins"):
        assert words in flag.clinician["en"]


@pytest.mark.parametrize("link_id", sorted(REFERENCE_LEVELS))
def test_unanswered_safety_item_is_a_caution_when_complete(questionnaire, link_id):
    given = answers()
    given.pop(link_id)
    assert pairs(evaluate(questionnaire, given)) == {(link_id, "caution")}
    assert evaluate(questionnaire, given, complete=False).flags == ()


def test_a_caution_tells_the_patient_it_does_not_by_itself_rule_them_out(questionnaire):
    (flag,) = evaluate(questionnaire, answers({"alcohol_use": ["yes"]})).flags
    assert "does not by itself rule you out" in flag.patient["en"]
    assert "clinician will weigh it with you" in flag.patient["en"]
    assert "само по себе си не ви изключва" in flag.patient["bg"]


def test_self_harm_is_worded_to_include_ending_ones_life(questionnaire):
    item = questionnaire.items["self_harm"]
    assert "ending your life" in item.text["en"]
    assert "край на живота си" in item.text["bg"]
    evaluation = evaluate(questionnaire, answers({"self_harm": ["unsure"]}))
    assert evaluation.outcome == "urgent"


def test_the_medicines_page_warns_not_to_stop_any_medicine(questionnaire):
    page = questionnaire.items["medications"].section
    section = next(s for s in questionnaire.sections if s.id == page)
    assert "Do not stop or change any medicine" in section.notice["en"]
    assert "Не спирайте" in section.notice["bg"]


ALL_ROWS = [answers({i: [a]}) for i in REFERENCE_LEVELS for a in ("yes", "unsure")] + [
    answers(row[1]) for row in NEW_ITEM_ROWS
]


@pytest.mark.parametrize("given", ALL_ROWS)
def test_every_flag_speaks_both_languages_and_cites_a_known_source(questionnaire, given):
    for flag in evaluate(questionnaire, given).flags:
        assert flag.clinician["en"].strip() and flag.clinician["bg"].strip()
        assert flag.patient["en"].strip() and flag.patient["bg"].strip()
        assert "{drugs}" not in flag.clinician["en"] + flag.clinician["bg"]
        assert flag.sources and set(flag.sources) <= set(questionnaire.sources)
