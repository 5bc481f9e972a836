"""Template globals shared by every page (and the PDF)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Flask, current_app
from flask_babel import get_locale
from markupsafe import Markup, escape

from ..clinics.frame_csrf import csrf_token
from ..clinics.framed_urls import current_frame, link
from ..questionnaire.answer_fields import field_name


def current_lang() -> str:
    return str(get_locale() or "en")


SERVER_ZONES = {"bg": "Europe/Sofia"}
"""Where a page's language says where the reader probably is; elsewhere UTC, labelled. With
JavaScript, app.js shows the reader's own clock time instead."""


def local_time(moment: datetime) -> Markup:
    """A moment for a person: in their language, with its time zone named, and machine-readable
    so the page's script can show it on the reader's own clock."""
    lang = current_lang()
    zone = ZoneInfo(SERVER_ZONES.get(lang, "UTC"))
    pattern = "d MMMM y, HH:mm 'UTC'" if zone.key == "UTC" else "d MMMM y, HH:mm (vvvv)"
    text = format_datetime(moment, pattern, tzinfo=zone, locale=lang)
    iso = moment.astimezone(ZoneInfo("UTC")).isoformat()
    return Markup(f'<time datetime="{escape(iso)}" data-local>{escape(text)}</time>')


def retention_hours() -> int:
    """How long answers are kept, in whole hours for sentences (at least one)."""
    return max(1, round(current_app.config["RETENTION"].total_seconds() / 3600))


def urgent_triggers(page) -> list[dict]:
    """For the step page's script: the answers on this page that raise an urgent flag by
    themselves (the self-harm question's "yes" and "not sure"), so that crisis help appears the
    moment one is chosen, before the page is sent. Rules that depend on other answers are left
    to the server, which puts crisis help first on the next page."""
    return [
        {"field": field_name(item.link_id), "codes": list(rule.answers)}
        for item in page.walk()
        for rule in item.flags
        if rule.level == "urgent" and rule.answers and not rule.when and not rule.match
    ]


def found_text(q, flag, answers, lang: str) -> str:
    """What was found, in the patient's words ("Pacemaker", "Yes – Within the last 12
    months"), so that a flag names the finding and not only the question it came from."""
    from ..documents.answer_rows import display_answer

    item = q.items[flag.link_id]
    top = q.items[item.top]
    shown = [display_answer(top, answers.get(top.link_id, ()), lang)]
    asked = [item] if item is not top else []
    # the follow-ups whose answer raised this level ("within the last 12 months")
    asked += [
        q.items[c.question] for rule in item.flags if rule.level == flag.level
        for c in rule.when if c.question in q.items and c.question != top.link_id
    ]
    for one in dict.fromkeys(asked):
        if answers.get(one.link_id):
            answer = display_answer(one, answers[one.link_id], lang)
            # the flag's own item is the finding itself ("Pacemaker"); a follow-up that made
            # the rule fire says which question it answers ("Last seizure: Within the last
            # 12 months"), or a bare "Yes" would not say what was found
            shown.append(answer if one is item else _labelled(one.label(lang), answer))
    return " – ".join(part for part in shown if part)


def _labelled(label: str, answer: str) -> str:
    return f"{label} {answer}" if label.endswith("?") else f"{label}: {answer}"


def without_label(text: str, label: str) -> str:
    """A level's sentence without the level's name in front of it ("Possible
    contraindication: TMS may …" under the heading "Possible contraindication")."""
    for mark in (":", " –", " -"):
        if text.startswith(label + mark):
            rest = text[len(label) + len(mark):].strip()
            return rest[:1].upper() + rest[1:]
    return text


def url_endpoints() -> set[str]:
    return set(current_app.view_functions)


def _frame_context() -> dict:
    return {"frame": current_frame(), "csrf_token": csrf_token}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        current_lang=current_lang,
        url_endpoints=url_endpoints,
        link=link,
        csrf_token=csrf_token,
        local_time=local_time,
        retention_hours=retention_hours,
        urgent_triggers=urgent_triggers,
        found_text=found_text,
        without_label=without_label,
    )
    app.context_processor(_frame_context)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
