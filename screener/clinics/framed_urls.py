"""Framed URLs: the patient's path inside a clinic's own page, named by URL instead of a cookie.

Safari and Firefox (and Chromium, for unpartitioned cookies) do not send our cookies to a
frame on someone else's site, so inside a frame the screening is named by its id in the URL
path (`/c/<slug>/f/<id>/…`). The id is a 32-byte random capability; the clinic's page cannot
read a cross-origin frame's URL, no Referer carries it (Referrer-Policy: no-referrer), and it is
checked against the clinic. This module reads that prefix off each request (`pull_frame`), puts
it back on every URL built for the page (`push_frame`, `link`) and says where the path starts
(`entry_link`). What keeps forged posts out is `frame_csrf`; messages after a redirect are
`notices`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, url_for

FRAMED_BLUEPRINTS = {"screening": "framed", "summary": "framed_summary"}
"""The site's blueprints registered a second time under FRAME_PREFIX: same views, framed URLs."""
FRAME_PREFIX = "/c/<slug>/f/<token>"
ENTRY_ENDPOINTS = frozenset({"clinics.embed", "clinics.embed_begin", "clinics.embed_resume"})
"""The framed start page and its two forms: inside a frame, before a screening exists."""


@dataclass(frozen=True)
class Frame:
    slug: str
    token: str | None
    """The screening id, or None on the frame's start page (before a screening exists)."""


def current_frame() -> Frame | None:
    return g.get("frame")


def endpoint(name: str) -> str:
    """'screening.step' inside a frame becomes 'framed.step' (same view, framed URL)."""
    frame = current_frame()
    if frame is None or not frame.token:
        return name
    blueprint, _, view = name.partition(".")
    framed = FRAMED_BLUEPRINTS.get(blueprint)
    return f"{framed}.{view}" if framed else name


def link(name: str, **values: Any) -> str:
    """url_for that keeps the person inside the frame when they are in one."""
    return url_for(endpoint(name), **values)


def entry_link(**values: Any) -> str:
    """The start of the path: the clinic's framed entry inside a frame, the start page
    elsewhere (for "start again" and "your answers are gone")."""
    frame = current_frame()
    if frame is None:
        return url_for("screening.start", **values)
    return url_for("clinics.embed", slug=frame.slug, **values)


def pull_frame(endpoint_name: str | None, values: dict[str, Any] | None) -> None:
    """Before anything else (the language choice included) knows whether this request is
    framed: a framed path names the screening, the entry endpoints are framed without one."""
    if values and "token" in values and "slug" in values:
        g.frame = Frame(values.pop("slug"), values.pop("token"))
    elif endpoint_name in ENTRY_ENDPOINTS and values and isinstance(values.get("slug"), str):
        g.frame = Frame(values["slug"], None)


def _entry_language() -> str | None:
    """The language an entry URL built inside a frame carries: the page's, or the clinic's when
    the screening this framed page named is gone (its language went with it)."""
    frame = current_frame()
    clinic = g.get("clinic")
    gone = frame is not None and frame.token and "screening" in g and g.screening is None
    if gone and clinic is not None:
        return clinic.language
    return g.get("lang")


def push_frame(endpoint_name: str, values: dict[str, Any]) -> None:
    """Framed URLs keep the screening's id; entry URLs keep the language, since no cookie
    remembers it inside a frame (the snippet opens `embed?lang=bg`, Start must stay in it)."""
    frame = current_frame()
    if frame is None:
        return
    if endpoint_name in ENTRY_ENDPOINTS:
        lang = _entry_language()
        if lang:
            values.setdefault("lang", lang)
        return
    if frame.token and endpoint_name.split(".", 1)[0] in FRAMED_BLUEPRINTS.values():
        values.setdefault("slug", frame.slug)
        values.setdefault("token", frame.token)
