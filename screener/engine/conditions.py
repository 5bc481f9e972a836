"""FHIR `enableWhen` operators as one table, shared by branching and by flag rules.

Answers are always lists (an item may repeat). An operator is true when *any* answer meets it,
as FHIR says; a condition's expected answer may be a tuple, meaning "any of these codes".
`!=` with no answer is true (FHIR R5 made this explicit; R4 left it open).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..questionnaire.model import Condition

Answers = Mapping[str, Sequence[str]]


def _as_tuple(expected: Any) -> tuple[Any, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def _number(value: Any) -> float | str:
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Sequence[str], Any], bool]:
    def test(values: Sequence[str], expected: Any) -> bool:
        target = _number(expected)
        for value in values:
            got = _number(value)
            if type(got) is type(target) and compare(got, target):
                return True
        return False

    return test


OPERATORS: dict[str, Callable[[Sequence[str], Any], bool]] = {
    "exists": lambda values, expected: bool(values) == bool(expected),
    "=": lambda values, expected: any(v in _as_tuple(expected) for v in values),
    "!=": lambda values, expected: not values or any(v not in _as_tuple(expected) for v in values),
    ">": _ordered(operator.gt),
    "<": _ordered(operator.lt),
    ">=": _ordered(operator.ge),
    "<=": _ordered(operator.le),
}


def holds(condition: Condition, answers: Answers) -> bool:
    values = answers.get(condition.question, ())
    if condition.operator not in ("exists", "!=") and not values:
        return False
    return OPERATORS[condition.operator](values, condition.answer)


def all_hold(conditions: Sequence[Condition], answers: Answers, behavior: str = "all") -> bool:
    results = (holds(c, answers) for c in conditions)
    return any(results) if behavior == "any" else all(results)
