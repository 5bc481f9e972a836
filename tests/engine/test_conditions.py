"""The enableWhen operator table (FHIR semantics): one row per operator and edge."""

from __future__ import annotations

import pytest

from screener.engine.conditions import OPERATORS, all_hold, holds
from screener.questionnaire.model import Condition

ROWS = [
    # operator, answers to the question, expected answer, holds?
    ("exists", [], True, False),
    ("exists", ["yes"], True, True),
    ("exists", [], False, True),
    ("exists", ["yes"], False, False),
    ("=", ["yes"], "yes", True),
    ("=", ["no"], "yes", False),
    ("=", [], "yes", False),
    ("=", ["scs", "dbs"], "dbs", True),
    ("=", ["dbs"], ("vns", "dbs"), True),
    ("=", ["scs"], ("vns", "dbs"), False),
    ("!=", ["no"], "yes", True),
    ("!=", ["yes"], "yes", False),
    ("!=", [], "yes", True),
    ("!=", ["yes", "no"], "yes", True),
    ("!=", ["dbs"], ("vns", "dbs"), False),
    (">", ["3"], 2, True),
    (">", ["2"], 2, False),
    (">", ["10"], "9", True),
    (">", ["b"], "a", True),
    (">", ["abc"], 2, False),
    (">", [], 2, False),
    (">=", ["2"], 2, True),
    (">=", ["1.5"], 2, False),
    ("<", ["1"], 2, True),
    ("<", ["2"], 2, False),
    ("<=", ["2"], "2", True),
    ("<=", ["3"], 2, False),
    ("<=", ["1", "9"], 2, True),
]


@pytest.mark.parametrize(
    ("operator", "values", "expected", "result"),
    [pytest.param(*row, id=f"{row[1]} {row[0]} {row[2]!r}") for row in ROWS],
)
def test_operator(operator, values, expected, result):
    answers = {"q": values} if values else {}
    assert holds(Condition("q", operator, expected), answers) is result


def test_every_operator_has_a_row():
    assert {row[0] for row in ROWS} == set(OPERATORS)


YES = Condition("a", "=", "yes")
NO = Condition("b", "=", "no")


@pytest.mark.parametrize(
    ("answers", "behavior", "result"),
    [
        ({"a": ["yes"], "b": ["no"]}, "all", True),
        ({"a": ["yes"], "b": ["yes"]}, "all", False),
        ({"a": ["yes"], "b": ["yes"]}, "any", True),
        ({"a": ["no"], "b": ["yes"]}, "any", False),
        ({}, "any", False),
        ({}, "all", False),
    ],
)
def test_all_hold_behaviour(answers, behavior, result):
    assert all_hold([YES, NO], answers, behavior) is result


def test_a_condition_on_an_unanswered_question_does_not_hold():
    assert holds(Condition("missing", "=", "yes"), {"other": ["yes"]}) is False
