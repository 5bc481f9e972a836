"""Frozen data classes for a loaded questionnaire.

Everything clinical comes from the YAML files; these classes only give it a typed shape that
the engine, the forms and the FHIR export share.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

LEVELS: tuple[str, ...] = ("urgent", "contraindication", "caution", "note")
"""Flag levels, most serious first."""

SEVERITY: Mapping[str, int] = {level: len(LEVELS) - i for i, level in enumerate(LEVELS)}
"""Higher is more serious; `none` (no flag) is 0."""


class I18n(dict):
    """Wording per language code; falls back to English so a page never shows nothing."""

    def get_text(self, lang: str) -> str:
        return self.get(lang) or self.get("en") or next(iter(self.values()), "")

    def __hash__(self) -> int:  # type: ignore[override]  # frozen dataclasses holding these must stay hashable
        return hash(tuple(sorted(self.items())))


@dataclass(frozen=True)
class Option:
    code: str
    label: I18n
    hint: I18n | None = None


@dataclass(frozen=True)
class Condition:
    question: str
    operator: str
    answer: Any = None


@dataclass(frozen=True)
class FlagRule:
    level: str
    clinician: I18n
    patient: I18n | None = None
    sources: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    when: tuple[Condition, ...] = ()
    match: str | None = None


@dataclass(frozen=True)
class Item:
    link_id: str
    type: str
    text: I18n
    section: str
    parent: str | None = None
    top: str = ""
    hint: I18n | None = None
    why: I18n | None = None
    reason: I18n | None = None
    clinician_label: I18n | None = None
    """A short name for the clinician's summary where `text` is an instruction to the patient."""
    level: str | None = None
    sources: tuple[str, ...] = ()
    safety: bool = False
    required: bool = False
    repeats: bool = False
    max_length: int = 2000
    option_set: str | None = None
    """The shared option set the item names (`yes_no_unsure`), if any."""
    options: tuple[Option, ...] = ()
    enable_when: tuple[Condition, ...] = ()
    enable_behavior: str = "all"
    flags: tuple[FlagRule, ...] = ()
    followups: tuple[Item, ...] = ()

    def label(self, lang: str) -> str:
        """How the clinician's summary names this item: its short label, else the question."""
        return (self.clinician_label or self.text).get_text(lang)

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)

    @cached_property
    def codes(self) -> frozenset[str]:
        """Worked out once: every parsed answer is checked against it."""
        return frozenset(o.code for o in self.options)


@dataclass(frozen=True)
class Section:
    id: str
    title: I18n
    items: tuple[Item, ...]
    intro: I18n | None = None
    notice: I18n | None = None
    """A warning shown above the page's questions ("do not stop any medicine because of
    these questions")."""

    def walk(self) -> Iterator[Item]:
        """Items of this section in document order, each follow-up right after its parent."""
        for item in self.items:
            yield from _walk(item)


def _walk(item: Item) -> Iterator[Item]:
    yield item
    for child in item.followups:
        yield from _walk(child)


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str | None = None


@dataclass(frozen=True)
class LevelText:
    label: I18n
    patient: I18n
    clinician: I18n


@dataclass(frozen=True)
class Wording:
    patient: I18n
    clinician: I18n


@dataclass(frozen=True)
class DrugClass:
    id: str
    label: I18n
    risk: str
    withdrawal: str | None = None
    """Whether this drug is still a risk when the patient says it is not taken: `negation` (a
    "no" or a "stopped" both mean recently stopped: benzodiazepines, anti-seizure medicines),
    `stop` (only a word of stopping does: "no alcohol" is a plain no, "stopped drinking" is
    not), or None (a negation drops the drug, as in lists released before 1.1.0)."""


@dataclass(frozen=True, eq=False)
class Drug:
    id: str
    drug_class: DrugClass
    names: Mapping[str, tuple[str, ...]]
    brands: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        names = self.names.get(lang) or self.names.get("en") or next(iter(self.names.values()))
        return names[0]

    @property
    def withdrawal_risk(self) -> bool:
        """Stopping this drug lowers the seizure threshold (S2): a "stopped" must be asked."""
        return self.drug_class.risk == "withdrawal" or self.drug_class.withdrawal is not None


@dataclass(frozen=True)
class Cues:
    """The words that decide whether a drug named in a clause is taken: per kind, every
    language's words folded together (the drug list lists them per language)."""

    negation: frozenset[str]
    negation_fillers: frozenset[str]
    allergy_stems: tuple[str, ...]
    allergy_fillers: frozenset[str]
    not_allergy_after: frozenset[str]
    chain_negation: frozenset[str]
    chain_allergy: frozenset[str]
    stopped: frozenset[str] = frozenset()
    units: tuple[str, ...] = ()
    salts: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class DrugList:
    version: str
    sources: tuple[str, ...]
    drugs: tuple[Drug, ...]
    risk_labels: Mapping[str, I18n] = field(default_factory=dict)
    never_match: tuple[str, ...] = ()
    """Ordinary words and phrases one edit from a drug name ("concert", "selenium")."""
    cues: Cues | None = None
    """None for lists released before 1.1.0: the matcher's built-in words, as released."""
    script_symmetric: bool = False
    """Fold both scripts to one spelling key (x/кс, c/ц/с, y/и, ph/ф...) with the same typo
    allowance in both; False keeps the released 1.0.0 matching."""


@dataclass(frozen=True)
class EngineSettings:
    """The clinical knobs the engine applies to every item, read from the questionnaire file
    (the defaults are what the files released before 1.1.0 were judged with)."""

    unsure_codes: tuple[str, ...] = ("unsure",)
    unsure_cap: str = "caution"
    unanswered_level: str = "caution"
    crisis_level: str = "urgent"
    yes_no_sets: tuple[str, ...] = ("yes_no_unsure",)
    history_items: tuple[str, ...] = (
        "indication", "indication.other", "antidepressant_trials", "psychotherapy"
    )


@dataclass(frozen=True)
class Questionnaire:
    id: str
    url: str
    version: str
    status: str
    date: str
    languages: tuple[str, ...]
    title: I18n
    description: I18n | None
    sources: Mapping[str, Source]
    levels: Mapping[str, LevelText]
    texts: Mapping[str, Wording]
    sections: tuple[Section, ...]
    drugs: DrugList | None = None
    settings: EngineSettings = field(default_factory=EngineSettings)
    path: str = ""
    items: Mapping[str, Item] = field(default_factory=dict)
    order: Mapping[str, int] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.url, self.version))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Questionnaire) and (self.url, self.version) == (
            other.url,
            other.version,
        )

    def walk(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.walk()

    @cached_property
    def section_ids(self) -> frozenset[str]:
        """Section ids, which responses may nest answers under (worked out once)."""
        return frozenset(s.id for s in self.sections)

    def is_yes_no(self, item: Item) -> bool:
        """Whether the item is answered from a yes / no / not sure set (for its wording)."""
        return item.option_set is not None and item.option_set in self.settings.yes_no_sets
