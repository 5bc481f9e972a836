"""A page's answers to and from the HTML form that shows them: field names, posted values,
the values to show again.

There are no WTForms classes: the templates render every input by hand (one macro per answer
type, cached per state in `web.fragments`), and which answers a page needs or accepts depends
on branching that only the pure wizard knows for the whole page at once (`wizard.submit_step`:
required, known codes, one or many, length). A per-page form class would be a second,
always-empty set of validators; CSRF is checked for every POST by `web.csrf`, not by a form.
So the wizard's validation is the single source, and this module only translates names and
values. Field names are linkIds with dots turned into double underscores, since HTML ids and
CSS selectors want identifiers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Section


def field_name(link_id: str) -> str:
    return link_id.replace(".", "__")


@dataclass(frozen=True)
class AnswerField:
    """What the question macros read of a field: its name and the value(s) to show."""

    name: str
    data: Any
    """A list for a multiple choice, one value otherwise, None when unanswered."""


def posted_answers(formdata: Any, section: Section) -> dict[str, list[str]]:
    """Raw submitted values per linkId, untrusted: the wizard checks codes and lengths."""
    answers: dict[str, list[str]] = {}
    for item in section.walk():
        values = [v.strip() for v in formdata.getlist(field_name(item.link_id)) if v.strip()]
        if values:
            answers[item.link_id] = values
    return answers


def initial_data(section: Section, answers: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The value each answered field shows, by field name."""
    data: dict[str, Any] = {}
    for item in section.walk():
        values = list(answers.get(item.link_id, []))
        if not values:
            continue
        key = field_name(item.link_id)
        data[key] = values if (item.type == "choice" and item.repeats) else values[0]
    return data


def page_fields(section: Section, answers: Mapping[str, Sequence[str]]) -> dict[str, AnswerField]:
    """Every field of the page (follow-ups included) by name, showing `answers`."""
    data = initial_data(section, answers)
    return {
        name: AnswerField(name, data.get(name))
        for name in (field_name(item.link_id) for item in section.walk())
    }
