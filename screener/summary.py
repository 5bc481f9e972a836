"""Answers as readable rows, grouped by section: the check page, results and PDF share this.

An item that branching skipped is a row too, saying why it was not asked: a clinician must never
read a skipped question as blank or as "no".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .questionnaire.model import Item, Questionnaire, Section
from .routing import effective_answers


@dataclass(frozen=True)
class Row:
    item: Item
    answer: str
    """The answer as the patient saw it, in the row's language; empty when unanswered."""
    codes: tuple[str, ...]
    asked: bool
    depth: int
    skipped_because: str = ""
    """For a skipped item: the earlier question and its answer that made it irrelevant."""


@dataclass(frozen=True)
class SectionRows:
    section: Section
    rows: tuple[Row, ...]


def display_answer(item: Item, values: Sequence[str], lang: str) -> str:
    if item.type == "choice":
        labels = []
        for code in values:
            option = item.option(code)
            labels.append(option.label.get_text(lang) if option else code)
        return ", ".join(labels)
    return "\n".join(values)


def _depth(q: Questionnaire, item: Item) -> int:
    depth = 0
    while item.parent is not None:
        depth += 1
        item = q.items[item.parent]
    return depth


def _skip_reason(
    q: Questionnaire, item: Item, answers: Mapping[str, Sequence[str]], lang: str
) -> str:
    parts = []
    for cond in item.enable_when:
        target = q.items[cond.question]
        given = answers.get(cond.question)
        shown = display_answer(target, given, lang) if given else "—"
        parts.append(f"«{target.text.get_text(lang)}» → {shown}")
    return "; ".join(parts)


def build(
    q: Questionnaire,
    answers: Mapping[str, Sequence[str]],
    lang: str,
    *,
    include_skipped: bool = False,
) -> list[SectionRows]:
    kept, enabled = effective_answers(q, answers)
    sections = []
    for section in q.sections:
        rows = []
        for item in section.walk():
            values = kept.get(item.link_id, [])
            if enabled[item.link_id]:
                rows.append(
                    Row(
                        item,
                        display_answer(item, values, lang),
                        tuple(values),
                        True,
                        _depth(q, item),
                    )
                )
            elif include_skipped and (item.parent is None or enabled.get(item.parent, False)):
                rows.append(
                    Row(item, "", (), False, _depth(q, item), _skip_reason(q, item, kept, lang))
                )
        sections.append(SectionRows(section, tuple(rows)))
    return sections
