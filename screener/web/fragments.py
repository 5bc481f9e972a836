"""A question's HTML, rendered once per language and answer state and then reused.

A step page is mostly its questions, and a question's markup depends only on the questionnaire
version, the language and a handful of values: which options are ticked, whether it is shown,
its error message, whether it has just appeared. Choice questions have few such states, so
their markup is kept (bounded) and a page view costs a dictionary look-up per question instead
of a macro run. Free text is never cached: what a person typed is not kept anywhere but in the
screening itself.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flask import get_template_attribute
from markupsafe import Markup

MAX_ENTRIES = 4096
_cache: OrderedDict[tuple, Markup] = OrderedDict()


def question_html(entry: dict[str, Any], source: tuple[str, str], lang: str) -> Markup:
    """The markup of one step-page entry (see `fields.item`), from the cache when it can be.

    `source` names the questionnaire file and version the item comes from: the same linkId in
    another file may be worded differently."""
    item, field = entry["item"], entry["field"]
    if item.type != "choice":
        return _render(entry)
    data = field.data
    ticked = tuple(data) if isinstance(data, list | tuple) else (data,)
    key = (source, lang, item.link_id, ticked, entry["enabled"], entry["error"],
           entry["revealed"])
    html = _cache.get(key)
    if html is None:
        html = _cache[key] = _render(entry)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return html


def _render(entry: dict[str, Any]) -> Markup:
    return Markup(get_template_attribute("macros/fields.html", "item")(entry))
