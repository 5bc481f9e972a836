"""Find drugs that lower the seizure threshold in a medication list typed by a patient.

Patients type "Bupropion XL 150mg", "sertraline50mg", "бупропион" or a brand. Every name is
folded to ASCII words (textnorm), and a typed word matches a name exactly or within one edit or
one swap of neighbouring letters (rapidfuzz's optimal string alignment distance), found through
an index of one-letter deletions, so a long list costs a few dictionary look-ups per word.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from .questionnaire.model import Drug, DrugList
from .textnorm import words

MIN_EXACT = 3
"""Shorter words (mg, xl, d) never match: too many accidental hits."""

MIN_FUZZY = 5
"""Below this, one edit turns too many words into a drug name."""

MIN_FUZZY_BRAND = 7
"""Brands are coined words close to ordinary ones ("Neoral" ~ "neural"): fuzzy only when long."""

MAX_WORDS = 3

NEGATIONS = frozenset({"no", "not", "without", "none", "never", "bez", "ne", "niama", "nikoga"})
"""A drug named right after one of these ("no alcohol", "без алкохол") is not being taken."""


@dataclass(frozen=True)
class DrugMatch:
    drug: Drug
    typed: str

    @property
    def risk(self) -> str:
        return self.drug.drug_class.risk


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class DrugIndex:
    """Exact names in a dict, plus each fuzzy-eligible name under its one-letter deletions.

    Several-word names ("chloral hydrate") match exactly; single words also fuzzily. Two words
    within one edit (or one swap of neighbours) share the word itself or one of its
    deletions, so a typed word needs len(word) + 1 dictionary look-ups, then a check with the
    optimal-string-alignment distance, which counts "bupropoin" for "bupropion" as one edit.
    """

    def __init__(self, drug_list: DrugList):
        self.exact: dict[str, Drug] = {}
        self.near: dict[str, set[str]] = defaultdict(set)
        for drug in drug_list.drugs:
            generic = [n for group in drug.names.values() for n in group]
            for name, minimum in [(n, MIN_FUZZY) for n in generic] + [
                (b, MIN_FUZZY_BRAND) for b in drug.brands
            ]:
                key = " ".join(words(name))
                if len(key.replace(" ", "")) < MIN_EXACT:
                    continue
                self.exact.setdefault(key, drug)
                if len(key) >= minimum and " " not in key:
                    for variant in _deletions(key) | {key}:
                        self.near[variant].add(key)
        self.max_words = min(MAX_WORDS, max(len(k.split()) for k in self.exact))

    def lookup(self, phrase: str) -> Drug | None:
        drug = self.exact.get(phrase)
        if drug is not None or len(phrase) < MIN_FUZZY or " " in phrase:
            return drug
        candidates: set[str] = set()
        for variant in _deletions(phrase) | {phrase}:
            candidates |= self.near.get(variant, set())
        for key in sorted(candidates):
            if OSA.distance(phrase, key, score_cutoff=1) <= 1:
                return self.exact[key]
        return None

    def find(self, text: str) -> list[DrugMatch]:
        """Matches in the order typed, one per drug; longer phrases win over their words."""
        tokens = words(text)
        found: dict[str, DrugMatch] = {}
        i = 0
        while i < len(tokens):
            for size in range(min(self.max_words, len(tokens) - i), 0, -1):
                phrase = " ".join(tokens[i : i + size])
                if size == 1 and len(phrase) < MIN_EXACT:
                    continue
                drug = self.lookup(phrase)
                if drug is not None:
                    if not (i > 0 and tokens[i - 1] in NEGATIONS):
                        found.setdefault(drug.id, DrugMatch(drug, phrase))
                    i += size
                    break
            else:
                i += 1
        return list(found.values())


@lru_cache(maxsize=8)
def index_for(drug_list: DrugList) -> DrugIndex:
    return DrugIndex(drug_list)


def find_drugs(drug_list: DrugList, text: str) -> list[DrugMatch]:
    return index_for(drug_list).find(text)
