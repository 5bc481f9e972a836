"""Branching on the shipped questionnaire: which items are asked, which answers count."""

from __future__ import annotations

import pytest

from screener.engine.routing import dropped, effective_answers, is_enabled

ENABLED_ROWS = [
    # answers, item, enabled?
    ({}, "cochlear_implant", True),
    ({}, "self_harm", True),
    ({"indication": ["other"]}, "indication.other", True),
    ({"indication": ["depression"]}, "indication.other", False),
    ({}, "indication.other", False),
    ({"indication": ["depression"]}, "antidepressant_trials", True),
    ({"indication": ["anxious_depression"]}, "psychotherapy", True),
    ({"indication": ["ocd"]}, "antidepressant_trials", False),
    ({}, "psychotherapy", False),
    ({"neurostimulator": ["yes"]}, "neurostimulator.kind", True),
    ({"neurostimulator": ["no"]}, "neurostimulator.kind", False),
    ({"neurostimulator": ["unsure"]}, "neurostimulator.kind", False),
    ({"seizure_history": ["yes"]}, "seizure_history.last", True),
    ({"seizure_history": ["unsure"]}, "seizure_history.medication", False),
    ({"medications": ["yes"]}, "medications.list", True),
    ({"medications": ["no"]}, "medications.recent_change", False),
    ({"metal_in_head": ["yes"]}, "metal_in_head.mri_safe", True),
    ({"prior_mri": ["yes"]}, "prior_mri.problems", True),
    ({"prior_tms": ["no"]}, "prior_tms.problems", False),
]


@pytest.mark.parametrize(
    ("answers", "link_id", "expected"),
    [pytest.param(*row, id=f"{row[1]}<-{row[0]}") for row in ENABLED_ROWS],
)
def test_which_items_are_enabled(questionnaire, answers, link_id, expected):
    _, enabled = effective_answers(questionnaire, answers)
    assert enabled[link_id] is expected


def test_every_item_has_an_enabled_entry(questionnaire):
    _, enabled = effective_answers(questionnaire, {})
    assert set(enabled) == set(questionnaire.items)


def test_a_follow_up_of_a_disabled_parent_is_disabled(questionnaire):
    item = questionnaire.items["neurostimulator.kind"]
    answers = {"neurostimulator": ["yes"]}
    assert is_enabled(item, answers, {"neurostimulator": True}) is True
    assert is_enabled(item, answers, {"neurostimulator": False}) is False


@pytest.mark.parametrize(
    ("answers", "kept", "gone"),
    [
        (
            {"neurostimulator": ["no"], "neurostimulator.kind": ["dbs"]},
            {"neurostimulator": ["no"]},
            ["neurostimulator.kind"],
        ),
        (
            {"neurostimulator": ["yes"], "neurostimulator.kind": ["dbs"]},
            {"neurostimulator": ["yes"], "neurostimulator.kind": ["dbs"]},
            [],
        ),
        ({"shunt": []}, {}, []),
        ({"not_an_item": ["yes"]}, {}, ["not_an_item"]),
        (
            {"indication": ["ocd"], "antidepressant_trials": ["2"], "psychotherapy": ["yes"]},
            {"indication": ["ocd"]},
            ["antidepressant_trials", "psychotherapy"],
        ),
    ],
)
def test_effective_answers_and_dropped(questionnaire, answers, kept, gone):
    got, _ = effective_answers(questionnaire, answers)
    assert got == kept
    assert dropped(answers, got) == gone


def test_enabled_items_follow_the_answers_in_page_order(questionnaire):
    devices = next(s for s in questionnaire.sections if s.id == "devices")
    answers = {"neurostimulator": ["yes"]}
    _, enabled = effective_answers(questionnaire, answers)
    shown = [i.link_id for i in devices.walk() if enabled.get(i.link_id, False)]
    assert shown == [
        "cochlear_implant",
        "neurostimulator",
        "neurostimulator.kind",
        "cardiac_device",
        "medication_pump",
    ]
    _, enabled = effective_answers(questionnaire, {"neurostimulator": ["no"]})
    assert "neurostimulator.kind" not in [
        i.link_id for i in devices.walk() if enabled.get(i.link_id, False)
    ]
