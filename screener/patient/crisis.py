"""Crisis numbers to show with an urgent flag: the emergency numbers everyone gets, plus the
national helpline of the patient's country where we know one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from .. import paths
from ..questionnaire.model import I18n

DATA = paths.DATA / "crisis-lines.json"


@dataclass(frozen=True)
class Line:
    number: str
    name: I18n

    @property
    def tel(self) -> str:
        return "tel:" + self.number.replace(" ", "")


@dataclass(frozen=True)
class CrisisLines:
    national: tuple[Line, ...]
    general: tuple[Line, ...]
    country: str | None


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def crisis_lines(country: str | None) -> CrisisLines:
    data = _data()
    national = tuple(
        Line(entry["number"], I18n(entry["name"]))
        for entry in data["national"].get((country or "").upper(), [])
    )
    numbers = {line.number for line in national}
    code = (country or "").upper()
    # A number that does not work where the person is (988 in Bulgaria) is worse than none;
    # where we know no number for the country, everyone's numbers are shown.
    local = [e for e in data["always"] if code in e.get("countries", ())]
    general = tuple(
        Line(entry["number"], I18n(entry["name"]))
        for entry in (local or data["always"])
        if entry["number"] not in numbers
    )
    return CrisisLines(national, general, country)
