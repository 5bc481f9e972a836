"""CSRF on by default: every POST view runs behind CSRFProtect unless it is exempted, by name,
with the reason and the protection that replaces it.

Flask-WTF's own before_request hook cannot tell the site's `screening.step` from the framed
`framed.step` (one view function, two registrations; exempting either exempts both), and it
runs before the clinic is found and the language chosen, so a refused token could not come
back as the page it was sent from. So the check runs here instead, in a wrapper around each
POST view, after every before_request hook, just where the views used to call validate():

- not exempt: `csrf.protect()` (Flask-WTF's session-bound token);
- exempt: the exemption's own check, if it has one (`frame_csrf.protect` for the framed path).

A refused token raises CSRFError; `web.errors.handle_csrf` answers it with the view's
`on_refused` recovery (the page again with what was sent, or a redirect with a notice), else
the error page. Flask-WTF's `csrf.exempt` has no effect here: an exemption needs its reason.
`unguarded_posts` lists POST routes outside all this (a view registered after `guard_views`);
a test keeps it empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, current_app, request

from ..extensions import csrf

PROTECTION = "csrf_protection"
"""The attribute a guarded view carries: CSRFPROTECT or the Exemption it runs under."""
CSRFPROTECT = "CSRFProtect"
RECOVERY = "csrf_recovery"


@dataclass(frozen=True)
class Exemption:
    reason: str
    """Why CSRFProtect's cookie-bound token cannot or need not guard these routes."""
    check: Callable[[], None] | None = None
    """What guards them instead (raises CSRFError or aborts); None when nothing can be forged."""
    blueprints: frozenset[str] = frozenset()
    """Registration names ('framed', not the blueprint object, which is shared)."""
    endpoints: frozenset[str] = frozenset()


def on_refused(recovery: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The answer to a refused token for this view, called with the view's arguments: a stale
    page must come back with what was typed, or redirect with a notice, never lose answers."""

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, RECOVERY, recovery)
        return view

    return mark


def recovery_for(endpoint: str | None) -> Callable[..., Any] | None:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, RECOVERY, None)


def _methods(app: Flask) -> set[str]:
    return set(app.config["WTF_CSRF_METHODS"])


def _exemption(exemptions: Iterable[Exemption], endpoint: str) -> Exemption | None:
    blueprint = endpoint.rpartition(".")[0]
    for exemption in exemptions:
        if endpoint in exemption.endpoints or blueprint in exemption.blueprints:
            return exemption
    return None


def _guarded(view: Callable[..., Any], protection: str | Exemption) -> Callable[..., Any]:
    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        config = current_app.config
        if config["WTF_CSRF_ENABLED"] and request.method in config["WTF_CSRF_METHODS"]:
            if protection == CSRFPROTECT:
                csrf.protect()
            elif isinstance(protection, Exemption) and protection.check is not None:
                protection.check()
        return view(*args, **kwargs)

    setattr(guarded, PROTECTION, protection)
    return guarded


def guard_views(app: Flask, exemptions: Iterable[Exemption]) -> None:
    """Wrap every view that accepts a POST (after all blueprints are registered). Flask-WTF's
    hook is switched off (WTF_CSRF_CHECK_DEFAULT) so that nothing is checked twice."""
    exemptions = tuple(exemptions)
    for exemption in exemptions:
        if not exemption.reason.strip():
            raise ValueError("a CSRF exemption needs its reason")
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    posting = {
        rule.endpoint for rule in app.url_map.iter_rules()
        if _methods(app) & (rule.methods or set())
    }
    for endpoint in posting:
        view = app.view_functions[endpoint]
        found = _exemption(exemptions, endpoint)
        app.view_functions[endpoint] = _guarded(view, found or CSRFPROTECT)


def protection_of(app: Flask, endpoint: str) -> str | Exemption | None:
    """CSRFPROTECT, the Exemption the endpoint runs under, or None (nothing guards it)."""
    view = app.view_functions.get(endpoint)
    protection = getattr(view, PROTECTION, None)
    if protection is None:
        return None
    if isinstance(protection, Exemption) and not protection.reason.strip():
        return None
    return protection


def unguarded_posts(app: Flask) -> list[str]:
    """The rules that accept a POST (or another checked method) with nothing guarding them."""
    return sorted(
        rule.rule for rule in app.url_map.iter_rules()
        if _methods(app) & (rule.methods or set()) and protection_of(app, rule.endpoint) is None
    )
