"""The rule engine against the clinical reference (docs: /work/shared/clinical-reference.md).

Every expectation here is read off the reference's tables, not off the data file: the headline
level of each safety item, "not sure" capped at caution (self-harm: urgent), the follow-up
exceptions, unanswered items, branching, and the outcome being the highest level. The tests run
the real engine on the shipped questionnaire.
"""

from __future__ import annotations

import re

import pytest

from screener.engine.rules import Evaluation, evaluate
from screener.questionnaire.model import SEVERITY

# The reference's "Safety items" table: id -> headline level. This is the contract with the data.
REFERENCE_LEVELS: dict[str, str] = {
    "cochlear_implant": "contraindication",
    "neurostimulator": "contraindication",
    "cardiac_device": "contraindication",
    "medication_pump": "contraindication",
    "metal_in_head": "contraindication",
    "shunt": "contraindication",
    "magnetic_dental_or_tattoo": "caution",
    "seizure_history": "caution",
    "family_epilepsy": "caution",
    "syncope": "caution",
    "head_injury": "caution",
    "brain_condition": "caution",
    "medications": "note",
    "substance_use": "caution",
    "sleep_deprivation": "caution",
    "pregnancy": "caution",
    "hearing": "caution",
    "headaches": "caution",
    "heart_disease": "caution",
    "prior_tms": "note",
    "prior_mri": "note",
    "bipolar": "caution",
    "self_harm": "urgent",
}

ORDER = ("urgent", "contraindication", "caution", "note")
CYRILLIC = re.compile(r"[а-яА-Я]")

BASELINE: dict[str, list[str]] = {
    "age_band": ["18_64"],
    "indication": ["depression"],
    "antidepressant_trials": ["2"],
    "psychotherapy": ["yes"],
    **{link_id: ["no"] for link_id in REFERENCE_LEVELS},
}


@pytest.fixture(scope="module")
def questionnaire(registry):
    return registry.get("1.0.1")


def answers(changes: dict[str, list[str]] | None = None, *, without: tuple[str, ...] = ()):
    """The baseline screening with some answers changed or removed."""
    merged = {**BASELINE, **(changes or {})}
    for link_id in without:
        merged.pop(link_id, None)
    return merged


def unsure_level(link_id: str) -> str:
    """The reference: "not sure" raises the item's level, capped at caution; self-harm: urgent."""
    if link_id == "self_harm":
        return "urgent"
    level = REFERENCE_LEVELS[link_id]
    return level if ORDER.index(level) >= ORDER.index("caution") else "caution"


def pairs(evaluation: Evaluation) -> set[tuple[str, str]]:
    return {(f.link_id, f.level) for f in evaluation.flags}


def test_the_data_asks_every_safety_item_of_the_reference(questionnaire):
    top_safety = {i.link_id for i in questionnaire.walk() if i.parent is None and i.safety}
    assert top_safety == set(REFERENCE_LEVELS)


def test_the_baseline_raises_nothing(questionnaire):
    evaluation = evaluate(questionnaire, BASELINE)
    assert evaluation.outcome == "none"
    assert evaluation.flags == ()
    assert evaluation.dropped == ()


ITEM_ROWS = [
    pytest.param(link_id, answer, expected, id=f"{link_id}={answer}")
    for link_id, level in REFERENCE_LEVELS.items()
    for answer, expected in (("yes", level), ("no", None), ("unsure", unsure_level(link_id)))
]


@pytest.mark.parametrize(("link_id", "answer", "expected"), ITEM_ROWS)
def test_each_safety_item_and_answer(questionnaire, link_id, answer, expected):
    evaluation = evaluate(questionnaire, answers({link_id: [answer]}))
    if expected is None:
        assert evaluation.outcome == "none"
        assert evaluation.flags == ()
        return
    assert evaluation.outcome == expected
    assert pairs(evaluation) == {(link_id, expected)}


UNSURE_ROWS = [pytest.param(i, id=i) for i in REFERENCE_LEVELS if i != "self_harm"]


@pytest.mark.parametrize("link_id", UNSURE_ROWS)
def test_unsure_says_clarify(questionnaire, link_id):
    (flag,) = evaluate(questionnaire, answers({link_id: ["unsure"]})).flags
    assert flag.kind == "unsure"
    assert "patient unsure: clarify" in flag.clinician["en"].lower()
    assert "не е сигурен" in flag.clinician["bg"]


@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_self_harm_shows_crisis_help_first(questionnaire, answer):
    evaluation = evaluate(
        questionnaire, answers({"self_harm": [answer], "cochlear_implant": ["yes"]})
    )
    first = evaluation.flags[0]
    assert (first.link_id, first.level) == ("self_harm", "urgent")
    for lang in ("en", "bg"):
        assert "112" in first.patient[lang]
        assert "112" in evaluation.outcome_patient_text(lang)


# Follow-ups: (changes to the baseline, outcome, every (linkId, level) flagged).
FOLLOW_UP_ROWS = [
    # neurostimulator: spinal cord stimulator alone is a caution, anything near the head is not.
    ("neuro scs", {"neurostimulator": ["yes"], "neurostimulator.kind": ["scs"]},
     "caution", {("neurostimulator.kind", "caution")}),
    ("neuro dbs", {"neurostimulator": ["yes"], "neurostimulator.kind": ["dbs"]},
     "contraindication", {("neurostimulator.kind", "contraindication")}),
    ("neuro cortical", {"neurostimulator": ["yes"], "neurostimulator.kind": ["cortical"]},
     "contraindication", {("neurostimulator.kind", "contraindication")}),
    ("neuro vns", {"neurostimulator": ["yes"], "neurostimulator.kind": ["vns"]},
     "contraindication", {("neurostimulator.kind", "contraindication")}),
    ("neuro other", {"neurostimulator": ["yes"], "neurostimulator.kind": ["other"]},
     "contraindication", {("neurostimulator.kind", "contraindication")}),
    ("neuro kind unsure", {"neurostimulator": ["yes"], "neurostimulator.kind": ["unsure"]},
     "contraindication", {("neurostimulator.kind", "contraindication")}),
    # several kinds ticked: each kind's flag stays (the clinician needs to know of the SCS too)
    ("neuro scs+dbs", {"neurostimulator": ["yes"], "neurostimulator.kind": ["scs", "dbs"]},
     "contraindication", {("neurostimulator.kind", "contraindication"),
                          ("neurostimulator.kind", "caution")}),
    ("neuro scs+vns", {"neurostimulator": ["yes"], "neurostimulator.kind": ["scs", "vns"]},
     "contraindication", {("neurostimulator.kind", "contraindication"),
                          ("neurostimulator.kind", "caution")}),
    ("neuro no kind", {"neurostimulator": ["yes"]},
     "contraindication", {("neurostimulator", "contraindication")}),
    # cardiac devices: every kind is excluded (intracardiac line: stricter default).
    *[
        (f"cardiac {kind}", {"cardiac_device": ["yes"], "cardiac_device.kind": [kind]},
         "contraindication", {("cardiac_device.kind", "contraindication")})
        for kind in ("pacemaker", "icd", "wearable_defibrillator", "intracardiac_line", "other")
    ],
    # metal: flagged whatever the MRI answer; the detail is for the clinician.
    ("metal mri safe", {"metal_in_head": ["yes"], "metal_in_head.mri_safe": ["yes"],
                        "metal_in_head.details": ["titanium plate, jaw"]},
     "contraindication", {("metal_in_head", "contraindication")}),
    # magnetic dental implant vs metallic ink.
    ("dental magnetic", {"magnetic_dental_or_tattoo": ["yes"],
                         "magnetic_dental_or_tattoo.kind": ["magnetic_dental"]},
     "contraindication", {("magnetic_dental_or_tattoo.kind", "contraindication")}),
    ("tattoo ink", {"magnetic_dental_or_tattoo": ["yes"],
                    "magnetic_dental_or_tattoo.kind": ["metallic_ink"]},
     "caution", {("magnetic_dental_or_tattoo.kind", "caution")}),
    ("ink+dental", {"magnetic_dental_or_tattoo": ["yes"],
                    "magnetic_dental_or_tattoo.kind": ["metallic_ink", "magnetic_dental"]},
     "contraindication", {("magnetic_dental_or_tattoo.kind", "contraindication"),
                          ("magnetic_dental_or_tattoo.kind", "caution")}),
    ("dental kind unsure", {"magnetic_dental_or_tattoo": ["yes"],
                            "magnetic_dental_or_tattoo.kind": ["unsure"]},
     "caution", {("magnetic_dental_or_tattoo.kind", "caution")}),
    # seizures: last 12 months despite medication is a contraindication (S4), else caution.
    ("seizure recent on meds", {"seizure_history": ["yes"], "seizure_history.last":
                                ["within_12_months"], "seizure_history.medication": ["yes"]},
     "contraindication", {("seizure_history", "contraindication")}),
    ("seizure recent no meds", {"seizure_history": ["yes"], "seizure_history.last":
                                ["within_12_months"], "seizure_history.medication": ["no"]},
     "caution", {("seizure_history", "caution")}),
    ("seizure old on meds", {"seizure_history": ["yes"], "seizure_history.last":
                             ["over_12_months"], "seizure_history.medication": ["yes"]},
     "caution", {("seizure_history", "caution")}),
    # not sure when, or whether medicine is taken: "patient unsure: clarify" (it could be a
    # contraindication), capped at caution like every "not sure"
    ("seizure when unsure", {"seizure_history": ["yes"], "seizure_history.last": ["unsure"],
                             "seizure_history.medication": ["yes"]},
     "caution", {("seizure_history", "caution"), ("seizure_history.last", "caution")}),
    ("seizure medicine unsure", {"seizure_history": ["yes"],
                                 "seizure_history.last": ["within_12_months"],
                                 "seizure_history.medication": ["unsure"]},
     "caution", {("seizure_history", "caution"), ("seizure_history.medication", "caution")}),
    ("seizure no detail", {"seizure_history": ["yes"]},
     "caution", {("seizure_history", "caution")}),
    ("syncope details", {"syncope": ["yes"], "syncope.details": ["when I see blood"]},
     "caution", {("syncope", "caution")}),
    # medications: a note, a caution when a listed drug or a recent change.
    ("meds listed drug", {"medications": ["yes"], "medications.list": ["Bupropion XL 150mg"],
                          "medications.recent_change": ["no"]},
     "caution", {("medications.list", "caution")}),
    ("meds harmless", {"medications": ["yes"], "medications.list": ["levothyroxine, vitamin D"],
                       "medications.recent_change": ["no"]},
     "note", {("medications", "note")}),
    ("meds recent change", {"medications": ["yes"], "medications.list": ["metformin 500"],
                            "medications.recent_change": ["yes"]},
     "caution", {("medications.recent_change", "caution")}),
    ("meds change unsure", {"medications": ["yes"], "medications.list": ["metformin 500"],
                            "medications.recent_change": ["unsure"]},
     "caution", {("medications.recent_change", "caution")}),
    ("meds drug and change", {"medications": ["yes"], "medications.list": ["sertraline 50mg"],
                              "medications.recent_change": ["yes"]},
     "caution", {("medications.list", "caution"), ("medications.recent_change", "caution")}),
    ("meds no alcohol", {"medications": ["yes"], "medications.list": ["no alcohol"],
                         "medications.recent_change": ["no"]},
     "note", {("medications", "note")}),
    # past TMS and MRI: a note, a caution when there were problems.
    *[
        row
        for item in ("prior_tms", "prior_mri")
        for row in (
            (f"{item} problems", {item: ["yes"], f"{item}.problems": ["yes"]},
             "caution", {(f"{item}.problems", "caution")}),
            (f"{item} problems unsure", {item: ["yes"], f"{item}.problems": ["unsure"]},
             "caution", {(f"{item}.problems", "caution")}),
            (f"{item} fine", {item: ["yes"], f"{item}.problems": ["no"]},
             "note", {(item, "note")}),
        )
    ],
    # history items are asked, never scored.
    ("indication other", {"indication": ["other"], "indication.other": ["tinnitus"],
                          "antidepressant_trials": [], "psychotherapy": []},
     "none", set()),
    ("no trials", {"antidepressant_trials": ["0"], "psychotherapy": ["no"]}, "none", set()),
]


@pytest.mark.parametrize(
    ("changes", "outcome", "flagged"),
    [pytest.param(*row[1:], id=row[0]) for row in FOLLOW_UP_ROWS],
)
def test_follow_ups(questionnaire, changes, outcome, flagged):
    evaluation = evaluate(questionnaire, answers(changes))
    assert evaluation.outcome == outcome
    assert pairs(evaluation) == flagged
    assert evaluation.dropped == ()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        pytest.param({"neurostimulator.kind": ["vns"]}, ["case by case"], id="vns"),
        pytest.param({"cardiac_device.kind": ["intracardiac_line"]}, ["precaution"], id="line"),
    ],
)
def test_where_sources_disagree_the_clinician_is_told(questionnaire, changes, words):
    parent = next(iter(changes)).split(".")[0]
    (flag,) = evaluate(questionnaire, answers({parent: ["yes"], **changes})).flags
    assert flag.level == "contraindication"
    for word in words:
        assert word in flag.clinician["en"]


def test_recent_seizure_on_medication_cites_the_ifcn_checklist(questionnaire):
    changes = {
        "seizure_history": ["yes"],
        "seizure_history.last": ["within_12_months"],
        "seizure_history.medication": ["yes"],
    }
    (flag,) = evaluate(questionnaire, answers(changes)).flags
    assert "S4" in flag.sources


@pytest.mark.parametrize(
    ("typed", "names_en", "names_bg"),
    [
        pytest.param("Bupropion XL 150mg", ["bupropion"], ["бупропион"], id="bupropion"),
        pytest.param("sertraline50mg", ["sertraline", "SSRI"], ["сертралин", "SSRI"], id="ssri"),
        pytest.param("Золофт 50", ["sertraline", "SSRI"], ["сертралин"], id="cyrillic-brand"),
        pytest.param(
            "amitriptyline 10mg", ["amitriptyline", "tricyclic"], ["амитриптилин", "трицикличен"],
            id="tricyclic",
        ),
        pytest.param(
            "Seroquel, Wellbutrin",
            ["quetiapine", "antipsychotic", "bupropion"],
            ["кветиапин", "антипсихотик", "бупропион"],
            id="two-drugs",
        ),
    ],
)
def test_a_listed_drug_is_named_with_its_class(questionnaire, typed, names_en, names_bg):
    changes = {"medications": ["yes"], "medications.list": [typed],
               "medications.recent_change": ["no"]}
    (flag,) = evaluate(questionnaire, answers(changes)).flags
    assert (flag.link_id, flag.level, flag.kind) == ("medications.list", "caution", "drugs")
    for word in names_en:
        assert word in flag.clinician["en"]
    for word in names_bg:
        assert word in flag.clinician["bg"]
    assert "{drugs}" not in flag.clinician["en"] + flag.clinician["bg"]


def test_a_drug_risky_on_withdrawal_is_a_caution_explaining_why(questionnaire):
    """S2 lists withdrawal from benzodiazepines; the reference makes a listed drug a caution, so
    the stricter reading holds, and the wording says the risk lies in stopping them."""
    changes = {"medications": ["yes"], "medications.list": ["diazepam 5mg at night"],
               "medications.recent_change": ["no"]}
    evaluation = evaluate(questionnaire, answers(changes))
    assert evaluation.outcome == "caution"
    drug_flag = next(f for f in evaluation.flags if f.kind == "drugs")
    assert drug_flag.level == "caution"
    assert "diazepam" in drug_flag.clinician["en"]
    assert "withdrawal" in drug_flag.clinician["en"]
    assert "диазепам" in drug_flag.clinician["bg"]


@pytest.mark.parametrize("link_id", list(REFERENCE_LEVELS))
def test_unanswered_safety_item_is_a_caution_when_complete(questionnaire, link_id):
    evaluation = evaluate(questionnaire, answers(without=(link_id,)))
    (flag,) = evaluation.flags
    assert (flag.link_id, flag.level, flag.kind) == (link_id, "caution", "unanswered")
    assert "not answered" in flag.clinician["en"].lower()
    assert evaluation.outcome == "caution"


@pytest.mark.parametrize("link_id", list(REFERENCE_LEVELS))
def test_unanswered_safety_item_is_not_flagged_while_in_progress(questionnaire, link_id):
    evaluation = evaluate(questionnaire, answers(without=(link_id,)), complete=False)
    assert evaluation.flags == ()
    assert evaluation.outcome == "none"


def test_an_empty_completed_screening_lists_every_safety_item(questionnaire):
    evaluation = evaluate(questionnaire, {})
    assert {f.link_id for f in evaluation.flags} == set(REFERENCE_LEVELS)
    assert {(f.level, f.kind) for f in evaluation.flags} == {("caution", "unanswered")}
    assert evaluate(questionnaire, {}, complete=False).outcome == "none"


def test_history_items_unanswered_are_not_flagged(questionnaire):
    evaluation = evaluate(
        questionnaire, answers(without=("age_band", "indication", "antidepressant_trials"))
    )
    assert evaluation.flags == ()


# Branching: answers to follow-ups that are switched off never count.
DROPPED_ROWS = [
    ("neuro no + dbs", {"neurostimulator": ["no"], "neurostimulator.kind": ["dbs"]},
     ["neurostimulator.kind"]),
    ("cardiac no + pacemaker", {"cardiac_device": ["no"], "cardiac_device.kind": ["pacemaker"]},
     ["cardiac_device.kind"]),
    ("dental unsure + magnets", {"magnetic_dental_or_tattoo": ["no"],
                                 "magnetic_dental_or_tattoo.kind": ["magnetic_dental"]},
     ["magnetic_dental_or_tattoo.kind"]),
    ("seizure no + recent on meds", {"seizure_history": ["no"],
                                     "seizure_history.last": ["within_12_months"],
                                     "seizure_history.medication": ["yes"]},
     ["seizure_history.last", "seizure_history.medication"]),
    ("meds no + list", {"medications": ["no"], "medications.list": ["bupropion"],
                        "medications.recent_change": ["yes"]},
     ["medications.list", "medications.recent_change"]),
    ("mri no + problems", {"prior_mri": ["no"], "prior_mri.problems": ["yes"]},
     ["prior_mri.problems"]),
    ("tms no + problems", {"prior_tms": ["no"], "prior_tms.problems": ["yes"]},
     ["prior_tms.problems"]),
    ("indication not other", {"indication.other": ["x"]}, ["indication.other"]),
    ("ocd + trials", {"indication": ["ocd"]}, ["antidepressant_trials", "psychotherapy"]),
]


@pytest.mark.parametrize(
    ("changes", "expected_dropped"),
    [pytest.param(*row[1:], id=row[0]) for row in DROPPED_ROWS],
)
def test_answers_to_disabled_follow_ups_are_dropped(questionnaire, changes, expected_dropped):
    evaluation = evaluate(questionnaire, answers(changes))
    assert evaluation.outcome == "none"
    assert evaluation.flags == ()
    assert sorted(evaluation.dropped) == sorted(expected_dropped)
    for link_id in expected_dropped:
        assert link_id not in evaluation.answers
        assert evaluation.enabled[link_id] is False


def test_outcome_is_the_highest_level_and_flags_come_most_serious_first(questionnaire):
    changes = {
        "prior_tms": ["yes"],
        "hearing": ["yes"],
        "cochlear_implant": ["yes"],
        "bipolar": ["unsure"],
        "self_harm": ["yes"],
        "medications": ["yes"],
        "medications.list": ["levothyroxine"],
        "medications.recent_change": ["no"],
    }
    evaluation = evaluate(questionnaire, answers(changes))
    assert evaluation.outcome == "urgent"
    levels = [f.level for f in evaluation.flags]
    assert levels == sorted(levels, key=lambda level: -SEVERITY[level])
    assert [f.link_id for f in evaluation.flags] == [
        "self_harm",
        "cochlear_implant",
        "hearing",
        "bipolar",
        "medications",
        "prior_tms",
    ]
    grouped = evaluation.flags_by_level()
    assert list(grouped) == ["urgent", "contraindication", "caution", "note"]


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        pytest.param({"prior_mri": ["yes"]}, "note", id="note"),
        pytest.param({"prior_mri": ["yes"], "headaches": ["yes"]}, "caution", id="caution"),
        pytest.param({"headaches": ["yes"], "shunt": ["yes"]}, "contraindication", id="contra"),
        pytest.param({"shunt": ["yes"], "self_harm": ["unsure"]}, "urgent", id="urgent"),
    ],
)
def test_outcome_is_the_highest_level(questionnaire, changes, outcome):
    assert evaluate(questionnaire, answers(changes)).outcome == outcome


def test_no_flags_is_not_worded_as_a_clearance(questionnaire):
    evaluation = evaluate(questionnaire, BASELINE)
    assert evaluation.outcome == "none"
    assert "not a clearance" in evaluation.outcome_patient_text("en")
    assert "не е разрешение" in evaluation.outcome_patient_text("bg")
    clinician = questionnaire.texts["no_concerns"].clinician
    assert "Not a clearance" in clinician["en"]
    assert "Не е разрешение" in clinician["bg"]


ALL_SCENARIOS = (
    [pytest.param(answers({i: [a]}), id=f"{i}={a}") for i in REFERENCE_LEVELS
     for a in ("yes", "unsure")]
    + [pytest.param(answers(row[1]), id=row[0]) for row in FOLLOW_UP_ROWS]
    + [pytest.param({}, id="empty")]
)


@pytest.mark.parametrize("given", ALL_SCENARIOS)
def test_every_flag_speaks_both_languages_and_cites_a_known_source(questionnaire, given):
    evaluation = evaluate(questionnaire, given)
    for flag in evaluation.flags:
        for text in (flag.patient, flag.clinician):
            assert text.get("en", "").strip(), flag
            assert CYRILLIC.search(text.get("bg", "")), flag
            assert text["en"] != text["bg"]
        assert flag.sources, flag
        assert set(flag.sources) <= set(questionnaire.sources), flag
    for lang in ("en", "bg"):
        assert evaluation.outcome_patient_text(lang).strip()


def test_one_item_gives_only_its_most_serious_flags(questionnaire):
    """A pacemaker is one contraindication, not a contraindication plus a 'yes' note."""
    evaluation = evaluate(
        questionnaire, answers({"cardiac_device": ["yes"], "cardiac_device.kind": ["pacemaker"]})
    )
    assert pairs(evaluation) == {("cardiac_device.kind", "contraindication")}
    assert len(evaluation.flags) == 1


def test_evaluate_does_not_change_the_answers_it_is_given(questionnaire):
    given = answers({"neurostimulator": ["no"], "neurostimulator.kind": ["dbs"]})
    snapshot = {k: list(v) for k, v in given.items()}
    evaluate(questionnaire, given)
    assert given == snapshot
