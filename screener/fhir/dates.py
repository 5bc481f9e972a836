"""FHIR date-time values as sent by clients of the API."""

from __future__ import annotations

from datetime import datetime


def date_time(value: object) -> datetime | None:
    """A FHIR dateTime with its time (and zone); a date without a time, or anything unreadable,
    is None: a summary then says no time rather than a made-up midnight."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
