"""Answers as readable rows, grouped by section: the check page, results and PDF share this.

An item that branching skipped is a row too, saying why it was not asked: a clinician must never
read a skipped question as blank or as "no".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import gettext as _

from ..engine.routing import effective_answers
from ..questionnaire.model import Condition, Item, Questionnaire, Section


@dataclass(frozen=True)
class Row:
    item: Item
    answer: str
    """The answer as the patient saw it, in the row's language; empty when unanswered."""
    codes: tuple[str, ...]
    asked: bool
    depth: int
    skipped_because: str = ""
    """For a skipped item, one sentence: when it would have been asked and what was answered
    instead, in the row's language (rendered inside `i18n.language(lang)`)."""


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


def quoted(text: str) -> str:
    """Text in the current language's quotation marks: “…” in English, „…“ in Bulgarian."""
    return _("“%(text)s”", text=text)


_OPERATOR_PHRASES = {
    "=": lambda values: _("is %(values)s", values=values),
    "!=": lambda values: _("is not %(values)s", values=values),
    ">": lambda values: _("is more than %(values)s", values=values),
    "<": lambda values: _("is less than %(values)s", values=values),
    ">=": lambda values: _("is at least %(values)s", values=values),
    "<=": lambda values: _("is at most %(values)s", values=values),
}
"""What a condition asks of an answer, in words: the operator table of `conditions.py` read
aloud. `exists` has its own two phrases."""


def _value_label(target: Item, value: object, lang: str) -> str:
    option = target.option(value) if isinstance(value, str) else None
    return option.label.get_text(lang) if option else str(value)


def _expected(target: Item, conditions: Sequence[Condition], behavior: str, lang: str) -> str:
    """"is “Depression” or “Depression with anxiety”": the conditions on one question, with
    `=` conditions merged into one list of answers."""
    joiner = "standard" if behavior == "all" else "or"
    phrases: list[str] = []
    equal: list[str] = []
    for cond in conditions:
        values = cond.answer if isinstance(cond.answer, tuple) else (cond.answer,)
        labels = [quoted(_value_label(target, value, lang)) for value in values]
        if cond.operator == "=":
            equal.extend(labels)
        elif cond.operator == "exists":
            phrases.append(_("is given") if cond.answer else _("is not given"))
        else:
            phrases.append(_OPERATOR_PHRASES[cond.operator](format_list(labels, "or", lang)))
    if equal:
        phrases.insert(0, _OPERATOR_PHRASES["="](format_list(equal, joiner, lang)))
    return format_list(phrases, joiner, lang)


def _given(target: Item, answers: Mapping[str, Sequence[str]], lang: str) -> str | None:
    values = answers.get(target.link_id)
    if not values:
        return None
    if target.type == "choice":
        return format_list([quoted(_value_label(target, v, lang)) for v in values], locale=lang)
    return quoted(display_answer(target, values, lang))


def _skip_reason(
    q: Questionnaire, item: Item, answers: Mapping[str, Sequence[str]], lang: str
) -> str:
    """Why a question was not asked, as one sentence: when it would have been asked, and what
    the answer was instead. A follow-up of its own main question (printed just above it) says
    "the main answer" instead of repeating that question."""
    by_question: dict[str, list[Condition]] = {}
    for cond in item.enable_when:
        by_question.setdefault(cond.question, []).append(cond)
    behavior = item.enable_behavior
    if item.parent is not None and list(by_question) == [item.parent]:
        target = q.items[item.parent]
        expected = _expected(target, by_question[item.parent], behavior, lang)
        given = _given(target, answers, lang)
        if given is None:
            return _("Asked only when the main answer %(expected)s; it was not answered.",
                     expected=expected)
        return _("Asked only when the main answer %(expected)s; it was %(given)s.",
                 expected=expected, given=given)
    conditions = []
    outcomes = []
    for question, conds in by_question.items():
        target = q.items[question]
        name = quoted(target.label(lang))
        conditions.append(
            _("the answer to %(question)s %(expected)s", question=name,
              expected=_expected(target, conds, behavior, lang))
        )
        given = _given(target, answers, lang)
        if len(by_question) == 1:
            outcomes.append(
                _("the answer was %(given)s", given=given) if given
                else _("it was not answered")
            )
        else:
            outcomes.append(
                _("the answer to %(question)s was %(given)s", question=name, given=given)
                if given else _("%(question)s was not answered", question=name)
            )
    return _(
        "Asked only when %(conditions)s; %(outcomes)s.",
        conditions=format_list(conditions, "standard" if behavior == "all" else "or", lang),
        outcomes="; ".join(outcomes),
    )


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
