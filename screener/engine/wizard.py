"""The patient's path through the questionnaire: pages, order, and what a submit does.

Pure: the view hands in the stored answers and what was posted, and gets back the answers to
store, the errors to show and where to go next. Two kinds of unanswered follow-up are told
apart: one the patient could see (an error) and one that only appeared because of this submit
(no error: without JavaScript the page simply comes back with the new question shown).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..questionnaire.model import Item, Questionnaire, Section
from .routing import effective_answers
from .rules import evaluate

CHECK = "check"

REQUIRED = "required"
REQUIRED_MANY = "required_many"
UNKNOWN_CODE = "unknown_code"
TOO_MANY = "too_many"
TOO_LONG = "too_long"


@dataclass(frozen=True)
class StepError:
    link_id: str
    code: str
    """required | required_many | unknown_code | too_many | too_long"""
    limit: int = 0


@dataclass
class StepResult:
    answers: dict[str, list[str]]
    """Everything to store now: valid answers kept, hidden ones dropped."""
    errors: list[StepError] = field(default_factory=list)
    revealed: list[str] = field(default_factory=list)
    """Follow-ups that appeared because of this submit and still need an answer."""
    posted: dict[str, list[str]] = field(default_factory=dict)
    """What was posted on this page, valid or not, to show again on an error: within the
    form's limits (`_within_limits`), since it is stored until the next page view."""

    @property
    def stay(self) -> bool:
        return bool(self.errors or self.revealed)


@dataclass(frozen=True)
class PageState:
    """What a failed or revealing submit leaves for the page view after its redirect: the
    values as posted (an invalid one included, so nothing typed is lost), the errors and the
    questions that have just appeared. Plain data, so storage can keep it as JSON."""

    section: str | None = None
    posted: Mapping[str, Sequence[str]] = field(default_factory=dict)
    errors: tuple[StepError, ...] = ()
    revealed: tuple[str, ...] = ()

    @classmethod
    def of(cls, page: Section, result: StepResult) -> PageState:
        return cls(page.id, result.posted, tuple(result.errors), tuple(result.revealed))

    def dump(self) -> dict:
        return {
            "section": self.section,
            "posted": {k: list(v) for k, v in self.posted.items()},
            "errors": [[e.link_id, e.code, e.limit] for e in self.errors],
            "revealed": list(self.revealed),
        }

    @classmethod
    def restore(cls, data: Mapping | None) -> PageState:
        """Tolerant of anything: a row written by another version must not break a page."""
        if not isinstance(data, Mapping):
            return cls()
        try:
            errors = tuple(StepError(str(a), str(b), int(c)) for a, b, c in data.get("errors", ()))
            posted = {
                str(k): [str(v) for v in values] for k, values in data.get("posted", {}).items()
            }
            revealed = tuple(str(r) for r in data.get("revealed", ()))
        except (TypeError, ValueError, AttributeError):
            return cls()
        return cls(str(data.get("section")), posted, errors, revealed)

    def answers_over(self, stored: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        """The stored answers with this page's items as they were posted."""
        if self.section is None:
            return {k: list(v) for k, v in stored.items()}
        merged = {k: list(v) for k, v in stored.items()}
        merged.update((k, list(v)) for k, v in self.posted.items())
        return merged


def section(q: Questionnaire, section_id: str) -> Section | None:
    return next((s for s in q.sections if s.id == section_id), None)


def position(q: Questionnaire, section_id: str) -> int:
    """1-based step number of a section."""
    return [s.id for s in q.sections].index(section_id) + 1


def next_step(q: Questionnaire, section_id: str) -> str:
    ids = [s.id for s in q.sections]
    index = ids.index(section_id)
    return ids[index + 1] if index + 1 < len(ids) else CHECK


def previous_step(q: Questionnaire, section_id: str) -> str | None:
    ids = [s.id for s in q.sections]
    index = ids.index(section_id)
    return ids[index - 1] if index > 0 else None


def enabled_items(q: Questionnaire, answers: Mapping[str, Sequence[str]]) -> dict[str, bool]:
    return effective_answers(q, answers)[1]


def submit_step(
    q: Questionnaire,
    stored: Mapping[str, Sequence[str]],
    page: Section,
    posted: Mapping[str, Sequence[str]],
    seen_in_place: bool = False,
) -> StepResult:
    """Merge one page's answers into the stored ones and judge them.

    `seen_in_place` is true when the page's script showed follow-ups as they became relevant;
    without it, a required follow-up enabled by this very submit is shown first. An optional
    one is not: a round trip that says "we need more detail" for a field marked optional would
    ask for what we said we do not need, so the patient moves on (it stays on the page if they
    come back).
    """
    shown = enabled_items(q, stored)
    page_ids = {item.link_id for item in page.walk()}
    errors: list[StepError] = []
    valid: dict[str, list[str]] = {}
    kept_as_posted: dict[str, list[str]] = {}
    for item in page.walk():
        values = [_one_newline(v) if item.type == "text" else v
                  for v in posted.get(item.link_id, ())]
        if not values:
            continue
        kept_as_posted[item.link_id] = _within_limits(item, values)
        problem = _check_values(item, values)
        if problem:
            errors.append(problem)
        else:
            valid[item.link_id] = values
    failed = {e.link_id for e in errors}
    merged = {k: list(v) for k, v in stored.items() if k not in page_ids or k in failed}
    merged.update(valid)
    kept, enabled = effective_answers(q, merged)
    revealed = []
    for item in page.walk():
        if not enabled[item.link_id] or item.link_id in kept or item.link_id in failed:
            continue
        seen = shown.get(item.link_id, False) or seen_in_place
        if not item.required:
            continue
        if not seen:
            revealed.append(item.link_id)
        else:
            many = item.type == "choice" and item.repeats
            errors.append(StepError(item.link_id, REQUIRED_MANY if many else REQUIRED))
    order = q.order
    errors.sort(key=lambda e: order[e.link_id])
    return StepResult(
        answers=kept,
        errors=errors,
        revealed=revealed,
        posted=kept_as_posted,
    )


MAX_CODE_LENGTH = 64
"""Longer than any option code: what is kept of an unknown one to show the error with."""
KEEP_OVER_LIMIT = 2
"""A text over its limit is kept up to this many times the limit to show again with the error
(a browser's maxlength never sends more; without it, a patient sees what they typed and
shortens it), never more: the rest of a crafted 255 KB value is not stored."""


def _one_newline(value: str) -> str:
    """Line breaks as one character each, as the textarea's maxlength counts them (a browser
    sends CR LF, so 2,000 characters on screen arrived as up to 3,999)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _within_limits(item: Item, values: list[str]) -> list[str]:
    """What may be kept of a submit to show the page again: one text of at most
    KEEP_OVER_LIMIT times its max_length, at most as many choices as the item has options,
    each no longer than a code. A crafted POST cannot make us store much more than the form
    holds."""
    if item.type == "text":
        return [values[0][: item.max_length * KEEP_OVER_LIMIT]]
    return [v[:MAX_CODE_LENGTH] for v in dict.fromkeys(values)][: len(item.codes)]


def _check_values(item: Item, values: list[str]) -> StepError | None:
    if item.type == "choice":
        if any(v not in item.codes for v in values):
            return StepError(item.link_id, UNKNOWN_CODE)
        if len(values) > 1 and not item.repeats:
            return StepError(item.link_id, TOO_MANY)
        return None
    if any(len(v) > item.max_length for v in values) or len(values) > 1:
        return StepError(item.link_id, TOO_LONG, item.max_length)
    return None


def confirmed(q: Questionnaire, answers: Mapping[str, Sequence[str]], completed_at: object) -> bool:
    """Results (and the summary made from them) are only for answers the patient checked as a
    whole and that still leave no required question open."""
    return completed_at is not None and first_unfinished(q, answers) == CHECK


def first_unfinished(q: Questionnaire, answers: Mapping[str, Sequence[str]]) -> str:
    """Where a resumed screening continues: the first page with a required gap, else check."""
    enabled = enabled_items(q, answers)
    for page in q.sections:
        for item in page.walk():
            if enabled[item.link_id] and item.required and not answers.get(item.link_id):
                return page.id
    return CHECK


def urgent_on_page(
    q: Questionnaire, answers: Mapping[str, Sequence[str]], page: Section
) -> bool:
    """True when an answer on this page raises a flag of the crisis level (urgent, from the
    questionnaire's `engine` block): when the page comes back (an error elsewhere on it),
    crisis help still comes first."""
    crisis = q.settings.crisis_level
    page_ids = {item.link_id for item in page.walk()}
    if not any(rule.level == crisis for item in page.walk() for rule in item.flags):
        return False
    return any(
        flag.level == crisis and flag.link_id in page_ids
        for flag in evaluate(q, answers, complete=False).flags
    )


def urgent(q: Questionnaire, answers: Mapping[str, Sequence[str]]) -> bool:
    """True when an answer raises a flag of the crisis level: crisis help goes first on the
    next page."""
    crisis = q.settings.crisis_level
    if not any(rule.level == crisis for item in q.items.values() for rule in item.flags):
        return False
    return any(flag.level == crisis for flag in evaluate(q, answers, complete=False).flags)
