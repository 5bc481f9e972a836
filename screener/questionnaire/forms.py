"""A WTForms class for one wizard page, built from the section's items.

One field builder per answer type (a table, not an if-chain), after ONS eQ's field handlers.
Field names are linkIds with dots turned into double underscores, since HTML ids and WTForms
attributes want identifiers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from wtforms import Field, RadioField, SelectMultipleField, TextAreaField, widgets

from ..clinics.frame import BaseForm
from .model import Item, Questionnaire, Section


def field_name(link_id: str) -> str:
    return link_id.replace(".", "__")


def link_id_of(name: str) -> str:
    return name.replace("__", ".")


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _choices(item: Item, lang: str) -> list[tuple[str, str]]:
    return [(o.code, o.label.get_text(lang)) for o in item.options]


def _choice(item: Item, lang: str) -> Field:
    if item.repeats:
        return CheckboxesField(
            item.text.get_text(lang), choices=_choices(item, lang), validate_choice=False
        )
    return RadioField(item.text.get_text(lang), choices=_choices(item, lang), validate_choice=False)


def _text(item: Item, lang: str) -> Field:
    return TextAreaField(item.text.get_text(lang))


FIELD_BUILDERS: Mapping[str, Callable[[Item, str], Field]] = {
    "choice": _choice,
    "text": _text,
}


class StepForm(BaseForm):
    """Base for every page's form; the CSRF field comes from Flask-WTF."""

    class Meta:
        csrf_field_name = "csrf_token"


_FORM_CLASSES: dict[tuple[str, str, str, str], type[StepForm]] = {}


def build_form_class(q: Questionnaire, section: Section, lang: str) -> type[StepForm]:
    """A form class with a field per item of the section (follow-ups included), built once per
    questionnaire version, page and language.

    Fields do no validation of their own: which answers are required or valid depends on
    branching, which the pure wizard decides for the whole page at once.
    """
    key = (q.url, q.version, section.id, lang)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        attrs: dict[str, Field] = {
            field_name(item.link_id): FIELD_BUILDERS[item.type](item, lang)
            for item in section.walk()
        }
        form_class = type(f"{section.id.title()}Form", (StepForm,), attrs)
        _FORM_CLASSES[key] = form_class
    return form_class


def posted_answers(formdata: Any, section: Section) -> dict[str, list[str]]:
    """Raw submitted values per linkId, untrusted: the wizard checks codes and lengths."""
    answers: dict[str, list[str]] = {}
    for item in section.walk():
        values = [v.strip() for v in formdata.getlist(field_name(item.link_id)) if v.strip()]
        if values:
            answers[item.link_id] = values
    return answers


def initial_data(section: Section, answers: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item in section.walk():
        values = list(answers.get(item.link_id, []))
        if not values:
            continue
        key = field_name(item.link_id)
        data[key] = values if (item.type == "choice" and item.repeats) else values[0]
    return data
