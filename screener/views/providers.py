"""Pages: find TMS providers near a place, with filters; works without JavaScript.

A GET form, so results can be bookmarked and the back button works. When the patient came from
a screening, the place searched for is remembered on that screening only (it expires and is
deleted with it) and offered again on the next visit.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .. import current, storage
from ..directory import display, vocab
from ..directory.params import ParamError, parse_provider_query
from ..directory.places import PlaceNotFound, PlaceQueryError
from ..directory.search import WIDENING_KM
from ..directory.service import Found, find_providers
from ..templating import current_lang

bp = Blueprint("providers", __name__, url_prefix="/providers")

FIELDS = (
    "q", "place", "place_q", "radius_km", "condition", "tms_type", "language", "accepting",
    "remote",
)
FIELD_FOR_PARAM = {"near": "q", "place_id": "q"}
LANGUAGE_CHOICES = ("bg", "en", "de", "el", "ro", "ru", "sr", "mk", "tr", "fr", "es", "it")
"""Offered in the language filter: the directory's region. The API takes any ISO 639-1 code."""


def _form_values() -> dict[str, str]:
    """The submitted form, or the place remembered on this screening on a first visit."""
    values = {name: request.args.get(name, "") for name in FIELDS}
    if "q" not in request.args and "place" not in request.args:
        record = current.screening()
        remembered = (record.place or {}) if record else {}
        values["q"] = values["place_q"] = str(remembered.get("q", ""))
        values["place"] = str(remembered.get("place_id") or "")
    return values


def _query_args(values: dict[str, str]) -> MultiDict[str, str]:
    """A chosen place (from "did you mean" or the screening) counts only while the text box
    still says what it said when it was chosen; an edited box is a new search."""
    args = {k: v for k, v in values.items() if k not in ("q", "place", "place_q")}
    args["near"] = values["q"]
    if values["q"].strip() == values["place_q"].strip():
        args["place_id"] = values["place"]
    return MultiDict(args)


def alternative_args(values: dict[str, str], place_id: int, label: str) -> dict[str, str]:
    """Query arguments for choosing another place of the same name, keeping the filters."""
    kept = {k: v for k, v in values.items() if v and k not in ("q", "place", "place_q")}
    return {**kept, "q": label, "place": str(place_id), "place_q": label}


def _remember(values: dict[str, str], found: Found) -> None:
    record = current.screening()
    if record is None:
        return
    place = found.origin.place
    remembered: dict[str, Any] = (
        {"q": values["q"], "place_id": place.id}
        if place is not None
        # Coordinates from "use my location" are kept to about a kilometre, no finer.
        else {"q": f"{round(found.origin.point.lat, 2)}, {round(found.origin.point.lon, 2)}"}
    )
    if record.place != remembered:
        storage.update(record, place=remembered)


def _field_message(field: str, message: object) -> str:
    """Parameter messages are fragments ("must be a number"); a page names the field."""
    labels = {
        "radius_km": _("Search within"),
        "condition": _("Condition treated"),
        "tms_type": _("Type of TMS"),
        "language": _("Language spoken"),
        "accepting": _("Accepting new patients"),
        "remote": _("Offers a first consultation by phone or video"),
    }
    if field not in labels:
        return str(message)
    return _("%(field)s: %(problem)s", field=labels[field], problem=message)


def _options(lang: str) -> dict[str, Any]:
    return {
        "radii": sorted({*WIDENING_KM, 10}),
        "conditions": list(vocab.CONDITIONS.items()),
        "tms_types": list(vocab.TMS_TYPES.items()),
        "languages": sorted(
            ((code, vocab.language_name(code, lang)) for code in LANGUAGE_CHOICES),
            key=lambda pair: pair[1].casefold(),
        ),
    }


@bp.get("/")
def search() -> str:
    lang = current_lang()
    values = _form_values()
    errors: dict[str, str] = {}
    found = None
    if values["q"].strip() or values["place"] or "q" in request.args:
        try:
            found = find_providers(parse_provider_query(_query_args(values)), lang)
        except ParamError as exc:
            for name, message in exc.problems:
                field = FIELD_FOR_PARAM.get(name, name)
                errors.setdefault(field, _field_message(field, message))
        except PlaceQueryError as exc:
            errors["q"] = str(exc.message)
        except PlaceNotFound:
            errors["q"] = _("No place called “%(q)s” was found. Check the spelling, or try a "
                            "larger town nearby.", q=values["q"].strip()[:80])
        else:
            _remember(values, found)
    return render_template(
        "providers/search.html",
        values=values,
        errors=errors,
        error_title=bool(errors),
        found=found,
        display=display,
        alternative_args=alternative_args,
        vocab=vocab,
        lang=lang,
        **_options(lang),
    )
