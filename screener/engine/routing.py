"""Which items are asked, given the answers so far. Pure: no Flask, no storage.

An item is enabled when its own enableWhen holds and its parent is enabled. Answers to disabled
items are dropped rather than kept "just in case": a stale "yes" to a hidden follow-up must never
raise a flag or reach a clinician.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..questionnaire.model import Item, Questionnaire
from .conditions import Answers, all_hold


def is_enabled(item: Item, answers: Answers, enabled: Mapping[str, bool]) -> bool:
    if item.parent is not None and not enabled.get(item.parent, False):
        return False
    if not item.enable_when:
        return True
    return all_hold(item.enable_when, answers, item.enable_behavior)


def effective_answers(
    questionnaire: Questionnaire, answers: Answers
) -> tuple[dict[str, list[str]], dict[str, bool]]:
    """The answers that count, and which items are enabled, in one pass in document order.

    enableWhen may only point at earlier items (the loader checks), so one pass suffices.
    """
    kept: dict[str, list[str]] = {}
    enabled: dict[str, bool] = {}
    for item in questionnaire.items.values():  # document order, follow-ups after parents
        on = is_enabled(item, kept, enabled)
        enabled[item.link_id] = on
        values = answers.get(item.link_id)
        if on and values:
            kept[item.link_id] = list(values)
    return kept, enabled


def dropped(answers: Answers, kept: Mapping[str, Sequence[str]]) -> list[str]:
    return [link_id for link_id, values in answers.items() if values and link_id not in kept]
