"""Find drugs that lower the seizure threshold in a medication list typed by a patient.

Patients type "Bupropion XL 150mg", "sertraline50mg", "бупропион", a brand, "Alcohol: no" or
"allergic to penicillin". The list is cut into clauses (lines, sentences, parts between commas)
so that a "no" or an allergy speaks only for its own clause, never for the next line. Each clause
is folded to ASCII words (textnorm); a typed word matches a name exactly or within one edit or
one swap of neighbouring letters (rapidfuzz's optimal string alignment distance), found through
an index of one-letter deletions, so a long list costs a few dictionary look-ups per word. Long
names forgive two edits when nothing closer matched. The drug file's `never_match` phrases
("concert", "lithium battery") are ordinary words that never match.

From drug list 1.1.0 on, the file carries its own cue words (negations, allergies, stopping,
per language) and asks for script-symmetric matching: every name and every typed word is
reduced to one spelling key (spelling_key below), so "Xanax" and "Ксанакс", "Cymbalta" and
"Симбалта", "Zyrtec" and "Зиртек" meet, with the same typo allowance in both scripts. A drug
whose risk is in stopping it (withdrawal) is then never dropped by a "no" or a "stopped": it
comes back marked `stopped`. Lists released before keep the built-in words below and the
matching they were released with.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..questionnaire.model import Cues, Drug, DrugList
from .folding import ascii_lower, words

MIN_EXACT = 3
"""Shorter words (mg, xl, d) never match: too many accidental hits."""

MIN_FUZZY = 5
"""A typed word shorter than this only matches exactly."""

MIN_FUZZY_NAME = 7
"""Generic and street names shorter than this ("speed", "molly", "литий") only match exactly."""

MIN_FUZZY_BRAND = 5
"""Brands from this length forgive one edit, but below MIN_LOOSE_BRAND only with the first letter
right ("Xanex", "Zolof"): brands are coined words close to ordinary ones ("Neoral" ~ "neural")."""

MIN_LOOSE_BRAND = 7

MIN_TWO_EDITS = 10
"""Generic names this long forgive two edits ("nortryptiline"), with the first letter right."""

MAX_WORDS = 3

_TOKENS = re.compile(r"[a-z]+|[0-9]+(?:[.,][0-9]+)*|[\n\r;!?|*.,:]")
"""Words, numbers and the punctuation that ends a clause, in text from ascii_lower(). A number
keeps its decimal point or comma ("Xanax 0.5", "0,25 mg"), so a dot or comma left over ends a
sentence or clause. Words come out exactly as textnorm.words() gives them."""

_CYRILLIC = re.compile(r"[\u0400-\u04ff]+")

_SENTENCE_ENDS = frozenset("\n\r;!?|*.")
"""Line breaks, sentence ends, and bullets (which transliterate to "*")."""


def _folded(*texts: str) -> frozenset[str]:
    return frozenset(w for text in texts for w in words(text))


NEGATIONS = _folded(
    "no not without none never nil nor denies denied dont doesnt didnt don doesn didn haven",
    "без не няма никога нито",
)
"""A drug next to one of these ("no alcohol", "Alcohol: no", "алкохол - не") is not being taken."""

ALLERGY_STEMS = ("allerg", "alerg", "intoleran", "hypersensitiv", "neponosim")
"""Words beginning so (allergy, allergic, алергия, непоносимост) mark a drug not taken."""

NOT_ALLERGY_AFTER = _folded("for за против")
"""'for allergies: cetirizine' names a treatment, not an allergy."""

NEGATION_FILLERS = _folded(
    "i im am do does did t drink drinks drinking drank take takes taking took taken",
    "use uses using used any ever currently on have has had the a an of intake consumption",
    "аз пия пие пих пил пила приемам приема вземам взема употребявам употребява ползвам",
    "консумирам съм е да никакъв никаква никакво никакви употреба прием",
)
"""Words that may stand between a negation and its drug: "I do not drink alcohol"."""

ALLERGY_FILLERS = _folded("to i am im is m a an the of mild severe към на от съм е")
"""Words that may stand between an allergy and its drug: "allergic to", "алергична съм към"."""

CHAIN = {
    "negation": _folded("or nor или нито"),
    "allergy": _folded("or and или и"),
}
"""Words joining further drugs to the same negation or allergy: "allergic to penicillin and
cefalexin". A negation does not carry over "and": in "no alcohol and sertraline" only alcohol
is denied."""

UNITS = ("mcg", "mkg", "mg", "ml", "ug", "iu")
"""Units glued in front of a name after a number ("50mgsertraline")."""

SALTS = ("hydrochloride", "hydrobromide", "khidrokhlorid", "hcl", "hbr")
"""Salt names glued behind a name ("SertralineHCl")."""

RELEASED_CUES = Cues(
    negation=NEGATIONS,
    negation_fillers=NEGATION_FILLERS,
    allergy_stems=ALLERGY_STEMS,
    allergy_fillers=ALLERGY_FILLERS,
    not_allergy_after=NOT_ALLERGY_AFTER,
    chain_negation=CHAIN["negation"],
    chain_allergy=CHAIN["allergy"],
    units=UNITS,
    salts=SALTS,
)
"""The words drug list 1.0.0 was released with (it names none itself): kept as they were, so
screenings answered on it are judged as they were."""

_SPELLING = (
    (re.compile(r"([^aeiou])\1+"), r"\1"),
    (re.compile(r"kh"), "h"), (re.compile(r"ph"), "f"), (re.compile(r"th"), "t"),
    (re.compile(r"ch"), "h"), (re.compile(r"ck"), "k"), (re.compile(r"qu"), "kv"),
    (re.compile(r"ts"), "s"), (re.compile(r"c(?=[eiy])"), "s"), (re.compile(r"c"), "k"),
    (re.compile(r"q"), "k"), (re.compile(r"x"), "ks"), (re.compile(r"w"), "v"),
    (re.compile(r"y"), "i"), (re.compile(r"([^aeiou])\1+"), r"\1"),
    (re.compile(r"(?<=[^aeiou]{2})e$|(?<=[aeiou][^aeiou])e$"), ""),
)
"""How Bulgarian packs spell a Latin brand, reduced to what both scripts share after folding:
x = кс, ph = ф, th = т, w = в (Wellbutrin, Велбутрин), qu = кв (Seroquel, Сероквел), c = к or,
before e/i/y, ц or с (Cipralex, Ципралекс; Cymbalta, Симбалта: ц and с become one), y = и,
kh (х) and ch = h, doubled consonants single (Effexor, Ефексор; vowels stay, so a letter
left out between two vowels stays one edit), and a silent final e
(Claritine, Кларитин). The same key is made from the name and from the typed word."""


@lru_cache(maxsize=8192)
def spelling_key(word: str) -> str:
    """One key for a folded word in either script (see _SPELLING)."""
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    return word


@dataclass(frozen=True)
class DrugMatch:
    drug: Drug
    typed: str
    stopped: bool = False
    """Said to be stopped or no longer taken: for a withdrawal-risk drug, a risk of its own."""

    @property
    def risk(self) -> str:
        return self.drug.drug_class.risk


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    drugs: tuple[Drug, ...]
    typed: str
    stopped: bool = False


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _key(text: str, symmetric: bool = False) -> str:
    folded = words(text)
    return " ".join(map(spelling_key, folded) if symmetric else folded)


class DrugIndex:
    """Exact names in a dict, plus each fuzzy-eligible name under its one-letter deletions.

    Several-word names ("chloral hydrate") match exactly; single words also fuzzily. Two words
    within one edit (or one swap of neighbours) share the word itself or one of its
    deletions, so a typed word needs len(word) + 1 dictionary look-ups, then a check with the
    optimal-string-alignment distance, which counts "bupropoin" for "bupropion" as one edit.
    A name listed under two drugs (a combination brand) finds both.
    """

    def __init__(self, drug_list: DrugList, never_match: Iterable[str] | None = None):
        if never_match is None:
            never_match = drug_list.never_match
        self.cues = drug_list.cues or RELEASED_CUES
        self.symmetric = drug_list.script_symmetric
        self.withdrawal_cues = drug_list.cues is not None
        """Only lists that name their own cues (1.1.0 on) keep a stopped withdrawal drug."""
        self.exact: dict[str, tuple[Drug, ...]] = {}
        self.near: dict[str, set[str]] = defaultdict(set)
        self.same_initial: set[str] = set()
        long_names: dict[str, set[str]] = defaultdict(set)
        for drug in drug_list.drugs:
            generic = [n for group in drug.names.values() for n in group]
            for name, is_brand in [(n, False) for n in generic] + [(b, True) for b in drug.brands]:
                key = _key(name, self.symmetric)
                if len(key.replace(" ", "")) < MIN_EXACT:
                    continue
                listed = self.exact.get(key, ())
                if drug not in listed:
                    self.exact[key] = (*listed, drug)
                if " " in key or len(key) < (MIN_FUZZY_BRAND if is_brand else MIN_FUZZY_NAME):
                    continue
                if is_brand and len(key) < MIN_LOOSE_BRAND:
                    self.same_initial.add(key)
                for variant in _deletions(key) | {key}:
                    self.near[variant].add(key)
                if len(key) >= MIN_TWO_EDITS and not is_brand:
                    long_names[key[0]].add(key)
        self.long_names = {initial: sorted(keys) for initial, keys in long_names.items()}
        self.never = frozenset(k for k in (_key(p, self.symmetric) for p in never_match) if k)
        self.first_words = {k.split()[0] for k in [*self.exact, *self.never] if " " in k}
        """Words that begin a name or ordinary phrase of several words: only they try longer."""
        self.max_words = min(MAX_WORDS, max(len(k.split()) for k in [*self.exact, *self.never]))

    def lookup(self, phrase: str, cyrillic: Container[str] = frozenset()) -> tuple[Drug, ...]:
        """The drugs a folded phrase names: exactly, else within one edit, else two if long.

        With a released 1.0.0 list, a short brand forgives a typo only in a word typed in Latin
        letters (not in `cyrillic`); a script-symmetric list forgives the same in both, and
        ordinary Bulgarian words one edit from a brand go into its `never_match`.
        """
        drugs = self.exact.get(phrase)
        if drugs is not None or len(phrase) < MIN_FUZZY or " " in phrase:
            return drugs or ()
        candidates: set[str] = set()
        for variant in _deletions(phrase) | {phrase}:
            candidates |= self.near.get(variant, set())
        for key in sorted(candidates):
            if key in self.same_initial and (
                key[0] != phrase[0] or (not self.symmetric and phrase in cyrillic)
            ):
                continue
            if OSA.distance(phrase, key, score_cutoff=1) <= 1:
                return self.exact[key]
        if len(phrase) >= MIN_TWO_EDITS - 2:
            best = process.extractOne(
                phrase, self.long_names.get(phrase[0], ()), scorer=OSA.distance, score_cutoff=2
            )
            if best is not None:
                return self.exact[best[0]]
        return ()

    def find(self, text: str) -> list[DrugMatch]:
        """Matches in the order typed, one per drug; longer phrases win over their words."""
        found: dict[str, DrugMatch] = {}
        cyrillic = _CyrillicWords(text)
        for tokens in _clauses(text, self.cues):
            for hit in self._taken(tokens, cyrillic):
                for drug in hit.drugs:
                    stopped = hit.stopped and drug.withdrawal_risk
                    found.setdefault(drug.id, DrugMatch(drug, hit.typed, stopped))
        return list(found.values())

    def _taken(self, tokens: Sequence[str], cyrillic: Container[str]) -> list[_Hit]:
        """The drugs one clause names, less those it denies or names as allergies."""
        hits = []
        i = 0
        while i < len(tokens):
            hit, size = self._match_at(tokens, i, cyrillic)
            if hit is not None:
                hits.append(hit)
            i += size
        if not hits:
            return []
        denied: dict[str, set[int]] = {"negation": set(), "allergy": set()}
        covered = {p for hit in hits for p in range(hit.start, hit.end)}
        stop_said = False
        for position, kind in _cues(tokens, self.cues):
            if position in covered:
                continue
            if kind == "stopped":
                stop_said = True
            else:
                denied[kind] |= _denied(tokens, hits, position, kind, self.cues)
        kept = []
        for n, hit in enumerate(hits):
            if n in denied["allergy"]:
                continue
            negated = n in denied["negation"]
            if self.withdrawal_cues and (negated or stop_said):
                stopped = [d for d in hit.drugs if _stopped(d, negated, stop_said)]
                if stopped:
                    kept.append(replace(hit, drugs=tuple(stopped), stopped=True))
                    continue
            if not negated:
                kept.append(hit)
        return kept

    def _match_at(
        self, tokens: Sequence[str], i: int, cyrillic: Container[str]
    ) -> tuple[_Hit | None, int]:
        """The longest phrase starting at token i that names a drug, and how many tokens it
        covers; an ordinary phrase from `never_match` covers its tokens without a drug."""
        if not tokens[i].isalpha():
            return None, 1
        first = self._spelled(tokens[i])
        longest = min(self.max_words, len(tokens) - i) if first in self.first_words else 1
        for size in range(longest, 0, -1):
            part = tokens[i : i + size]
            if size > 1 and not all(t.isalpha() for t in part):
                continue
            phrase = " ".join(part)
            if self._spelled(phrase) in self.never:
                return None, size
            if size == 1 and len(phrase) < MIN_EXACT:
                continue
            drugs = self.lookup(self._spelled(phrase), cyrillic)
            if not drugs and size == 1:
                after_number = i > 0 and not tokens[i - 1].isalpha()
                for stem in _stems(phrase, after_number, self.cues):
                    drugs = self.lookup(self._spelled(stem), cyrillic)
                    if drugs:
                        break
            if drugs:
                return _Hit(i, i + size, drugs, phrase), size
        return None, 1


    def _spelled(self, phrase: str) -> str:
        if not self.symmetric:
            return phrase
        return " ".join(spelling_key(w) for w in phrase.split(" "))


def _stopped(drug: Drug, negated: bool, stop_said: bool) -> bool:
    """A withdrawal-risk drug said not to be taken: stopped (a risk), not absent."""
    if drug.drug_class.withdrawal == "negation" or drug.drug_class.risk == "withdrawal":
        return True
    return drug.drug_class.withdrawal == "stop" and stop_said


def _clauses(text: str, cues: Cues = RELEASED_CUES) -> Iterator[list[str]]:
    """Tokens (words and numbers) of each clause: sentences cut at commas. After "Allergies:"
    the next clause names an allergy ("Allergies: penicillin"): left out. Only that one: in
    "Allergies: none, bupropion 150 mg" the list goes on with a medicine taken, and a missed
    drug costs more than a needless caution ("Allergies: penicillin, cefalexin")."""
    clause: list[str] = []
    skipping = False
    for token in _TOKENS.findall(ascii_lower(text.replace("\u2116", " "))):
        if token in _SENTENCE_ENDS or token == ",":
            if clause:
                yield clause
            clause = []
            skipping = False
        elif skipping:
            continue
        elif token == ":":
            kinds = {kind for _, kind in _cues(clause, cues)}
            if "allergy" in kinds:  # a heading: "Allergies:" or "No allergies:"
                skipping = "negation" not in kinds
                clause = []
        else:
            clause.append(token)
    if clause:
        yield clause


class _CyrillicWords:
    """The folded forms of the words typed in Cyrillic, where a short brand's typo is not
    forgiven. Worked out only when first asked: it costs a second transliteration."""

    def __init__(self, text: str):
        self.text = text
        self.words: frozenset[str] | None = None

    def __contains__(self, word: object) -> bool:
        if self.words is None:
            typed = " ".join(_CYRILLIC.findall(self.text))
            self.words = frozenset(_TOKENS.findall(ascii_lower(typed)) if typed else ())
        return word in self.words


def _cues(tokens: Sequence[str], cues: Cues = RELEASED_CUES) -> Iterator[tuple[int, str]]:
    for position, token in enumerate(tokens):
        if token in cues.negation:
            yield position, "negation"
        elif token.startswith(cues.allergy_stems) and not (
            position and tokens[position - 1] in cues.not_allergy_after
        ):
            yield position, "allergy"
        elif token in cues.stopped:
            yield position, "stopped"


def _denied(
    tokens: Sequence[str],
    hits: Sequence[_Hit],
    position: int,
    kind: str,
    cues: Cues = RELEASED_CUES,
) -> set[int]:
    """Which hits a negation or allergy at `position` speaks for.

    Forward when a drug follows with only filler words between ("no alcohol", "allergic to
    penicillin"); otherwise backward when the cue closes the clause ("Alcohol: no",
    "penicillin allergy"). A negation followed by other words ("sertraline, not sure of the
    dose", "сертралин, не помня") denies nothing: missing a drug costs more than a needless note.
    """
    fillers = cues.negation_fillers if kind == "negation" else cues.allergy_fillers
    if kind == "negation":
        fillers = fillers | cues.stopped  # "no longer taking", "вече не пия"
    joins = fillers | (cues.chain_negation if kind == "negation" else cues.chain_allergy)
    after = [n for n, hit in enumerate(hits) if hit.start > position]
    before = [n for n, hit in enumerate(hits) if hit.end <= position]
    if after and _only(tokens[position + 1 : hits[after[0]].start], fillers):
        return _chain(tokens, hits, after, joins)
    closes = _only(tokens[position + 1 :], fillers) if kind == "negation" else not after
    if closes and before and _only(tokens[hits[before[-1]].end : position], fillers):
        return _chain(tokens, hits, before[::-1], joins)
    return set()


def _chain(
    tokens: Sequence[str], hits: Sequence[_Hit], order: list[int], joins: frozenset[str]
) -> set[int]:
    """The first hit in `order`, and each next one joined to the previous by `joins` only."""
    denied = {order[0]}
    for previous, current in itertools.pairwise(order):
        first, second = sorted((hits[previous], hits[current]), key=lambda h: h.start)
        if not _only(tokens[first.end : second.start], joins):
            break
        denied.add(current)
    return denied


def _only(tokens: Sequence[str], allowed: frozenset[str]) -> bool:
    return all(t in allowed for t in tokens)


def _stems(word: str, after_number: bool, cues: Cues = RELEASED_CUES) -> Iterator[str]:
    """The word without a unit glued in front after a number, or a salt glued behind."""
    if after_number:
        for unit in cues.units:
            if word.startswith(unit) and len(word) - len(unit) >= MIN_FUZZY:
                yield word[len(unit) :]
    for salt in cues.salts:
        if word.endswith(salt) and len(word) - len(salt) >= MIN_FUZZY:
            yield word[: -len(salt)]


@lru_cache(maxsize=8)
def index_for(drug_list: DrugList) -> DrugIndex:
    return DrugIndex(drug_list)


def find_drugs(drug_list: DrugList, text: str) -> list[DrugMatch]:
    return index_for(drug_list).find(text)
