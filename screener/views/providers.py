"""Pages: find TMS providers near a place, with filters; works without JavaScript.

A GET form, so results can be bookmarked and the back button works. When the patient came from
a screening, the place searched for is remembered on that screening only (it expires and is
deleted with it) and offered again on the next visit.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from ..directory import display, vocab
from ..directory.params import ParamError, check_encoding, parse_provider_query, without_controls
from ..directory.places import PlaceNotFound, PlaceQueryError
from ..directory.search import WIDENING_KM
from ..directory.service import Found, find_providers, spoken_languages
from ..patient import active as current
from ..patient import screenings
from ..web.templating import current_lang

bp = Blueprint("providers", __name__, url_prefix="/providers")

FIELDS = (
    "q", "place", "place_q", "radius_km", "condition", "tms_type", "language", "accepting",
    "remote",
)
FIELD_FOR_PARAM = {"near": "q", "place_id": "q", "place": "q", "place_q": "q"}
PAGE_WORDING = {
    "place_id": _l("The place picked earlier cannot be used. Type your town and search again."),
    "place": _l("The place picked earlier cannot be used. Type your town and search again."),
    "accepting": _l("tick the box or leave it empty"),
    "remote": _l("tick the box or leave it empty"),
}
"""Where the API's wording ("must be true or false") speaks of the request, not the form."""


def _form_values() -> dict[str, str]:
    """The submitted form, or the place remembered on this screening on a first visit."""
    values = {name: request.args.get(name, "") for name in FIELDS}
    if "q" not in request.args and "place" not in request.args:
        record = current.screening()
        remembered = (record.place or {}) if record else {}
        values["q"] = values["place_q"] = str(remembered.get("q", ""))
        values["place"] = str(remembered.get("place_id") or "")
        if not values["condition"] and record is not None:
            values["condition"] = _condition_of(record)
    return values


def _condition_of(record) -> str:
    """The condition the patient gave in the screening ("anxious_depression"), as the
    directory names it ("anxious-depression"): the default filter when they come from their
    results, one click to drop like any other."""
    given = (record.answers or {}).get("indication") or []
    code = str(given[0]).replace("_", "-") if len(given) == 1 else ""
    return code if code in vocab.CONDITIONS else ""


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
        {"q": without_controls(values["q"]), "place_id": place.id}
        if place is not None
        # Coordinates from "use my location" are kept to about a kilometre, no finer.
        else {"q": f"{round(found.origin.point.lat, 2)}, {round(found.origin.point.lon, 2)}"}
    )
    if record.place != remembered:
        screenings.change(record, place=remembered)


def _field_message(field: str, message: object) -> str:
    """Parameter messages are fragments, lower-case ("must be a number"): a page names the
    field first. Whole sentences ("Enter a town, city or coordinates") are shown as they are."""
    labels = {
        "q": _("Town, city or coordinates"),
        "radius_km": _("Search within"),
        "condition": _("Condition treated"),
        "tms_type": _("Type of TMS"),
        "language": _("Language spoken"),
        "accepting": _("Accepting new patients"),
        "remote": _("Offers a first consultation by phone or video"),
    }
    text = str(message)
    if field not in labels or text[:1].isupper():
        return text
    return _("%(field)s: %(problem)s", field=labels[field], problem=text)


FILTERS = ("condition", "tms_type", "language", "accepting", "remote")


def active_filters(values: dict[str, str], lang: str) -> list[tuple[str, dict[str, str]]]:
    """The filters that are on, each named as the patient chose it and with the query
    arguments of the same search without it: "no results" offers one click per filter."""
    names = {
        "condition": lambda code: _("Condition treated: %(value)s",
                                    value=vocab.CONDITIONS.get(code, code)),
        "tms_type": lambda code: _("Type of TMS: %(value)s", value=vocab.TMS_TYPES.get(code, code)),
        "language": lambda code: _("Language spoken: %(value)s",
                                   value=vocab.language_name(code, lang)),
        "accepting": lambda _code: _("Accepting new patients"),
        "remote": lambda _code: _("Offers a first consultation by phone or video"),
    }
    kept = {k: v for k, v in values.items() if v}
    return [(names[name](kept[name]), {k: v for k, v in kept.items() if k != name})
            for name in FILTERS if name in kept]


def _language_choices(lang: str, selected: str) -> list[tuple[str, str]]:
    """The languages providers in the directory speak, named in the UI language (Babel's
    CLDR data) and sorted by that name; a valid choice from the address stays listed."""
    codes = set(spoken_languages())
    if selected and vocab.is_language(selected):
        codes.add(selected)
    return sorted(((code, vocab.language_name(code, lang)) for code in codes),
                  key=lambda pair: pair[1].casefold())


def _options(lang: str, values: dict[str, str]) -> dict[str, Any]:
    return {
        "radii": sorted({*WIDENING_KM, 10}),
        "conditions": list(vocab.CONDITIONS.items()),
        "tms_types": list(vocab.TMS_TYPES.items()),
        "languages": _language_choices(lang, values["language"]),
    }


def _errors(problems: list[tuple[str, object]]) -> dict[str, str]:
    """Field id -> message, the first problem of each field."""
    errors: dict[str, str] = {}
    for name, message in problems:
        field = FIELD_FOR_PARAM.get(name, name)
        if field not in FIELDS:
            field = "q"  # a parameter the form does not have: shown at the top field
        errors.setdefault(field, _field_message(field, PAGE_WORDING.get(name, message)))
    return errors


@bp.get("/")
def search() -> tuple[str, int]:
    """The form, and the results under it. A bad value re-shows the form with a 400 and an
    error summary; a place that is not found, with a 404. Values are echoed back without
    control characters."""
    lang = current_lang()
    values = _form_values()
    errors: dict[str, str] = {}
    found = None
    status = 200
    args = _query_args(values)
    try:
        check_encoding(request.query_string, only=FIELDS)
        if values["q"].strip() or values["place"] or "q" in request.args:
            found = find_providers(parse_provider_query(args), lang)
    except ParamError as exc:
        errors, status = _errors(exc.problems), 400
    except PlaceQueryError as exc:
        errors, status = {"q": str(exc.message)}, 400
    except PlaceNotFound:
        status = 404
        errors["q"] = (
            _("No place called “%(q)s” was found. Check the spelling, or try a larger town "
              "nearby.", q=without_controls(values["q"]).strip()[:80])
            if not args.get("place_id") else PAGE_WORDING["place"])
    else:
        if found is not None:
            _remember(values, found)
    shown = {name: without_controls(value) for name, value in values.items()}
    html = render_template(
        "providers/search.html",
        values=shown,
        errors=errors,
        error_title=bool(errors),
        found=found,
        display=display,
        alternative_args=alternative_args,
        active_filters=active_filters(shown, lang) if found and not found.nearest.hits else [],
        vocab=vocab,
        lang=lang,
        screening=current.screening(),
        **_options(lang, shown),
    )
    return html, status
