"""The rule engine: answers in, outcome and flags out. Pure: no Flask, no database, no clock.

What each answer means clinically lives in the questionnaire data; this module only applies it,
plus the three rules that hold for every item (clinical reference, "Outcome levels"):
- "not sure" is never "no": it raises the item's level, capped at caution, unless the data says
  more (self-harm: urgent);
- a safety item left unanswered in a completed screening is a caution (the reference's safety
  items are the top-level questions; their follow-ups are required by the wizard, and a clinic's
  system that leaves one out gets the top answer's own level);
- answers to items that branching has disabled are dropped before anything is judged.
Within one top-level item, a flag on the top question gives way to a more serious one from its
follow-ups (a pacemaker is one contraindication, not a contraindication plus a note), and on a
single-answer question only the most serious flags stay; flags from different follow-ups, and
from each kind ticked in a "choose all that apply" question, all stay, since each tells the
clinician something of its own (a vagus nerve stimulator and a spinal cord stimulator).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..questionnaire.model import SEVERITY, FlagRule, I18n, Item, Questionnaire
from .conditions import all_hold
from .medications import DrugMatch, find_drugs
from .routing import dropped, effective_answers

STOPPED_MATCH = "withdrawal_drugs_stopped"
"""A flag on a list of medicines the patient has stopped: each withdrawal-risk drug in it."""


@dataclass(frozen=True)
class Flag:
    link_id: str
    level: str
    patient: I18n
    clinician: I18n
    sources: tuple[str, ...]
    kind: str = "answer"
    """answer | unsure | unanswered | drugs | stopped_drugs"""
    drugs: tuple[DrugMatch, ...] = ()

    @property
    def severity(self) -> int:
        return SEVERITY[self.level]


@dataclass(frozen=True)
class Evaluation:
    questionnaire: Questionnaire
    outcome: str
    """urgent | contraindication | caution | note | none"""
    flags: tuple[Flag, ...]
    answers: Mapping[str, list[str]]
    enabled: Mapping[str, bool] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()

    def outcome_patient_text(self, lang: str) -> str:
        q = self.questionnaire
        if self.outcome == "none":
            return q.texts["no_concerns"].patient.get_text(lang)
        return q.levels[self.outcome].patient.get_text(lang)

    def flags_by_level(self) -> dict[str, list[Flag]]:
        grouped: dict[str, list[Flag]] = {}
        for flag in self.flags:
            grouped.setdefault(flag.level, []).append(flag)
        return grouped


def evaluate(
    questionnaire: Questionnaire,
    answers: Mapping[str, Sequence[str]],
    *,
    complete: bool = True,
) -> Evaluation:
    """Judge a set of answers against one questionnaire version.

    `complete` is false while the patient is still answering, so unanswered items are not yet
    flagged as such.
    """
    kept, enabled = effective_answers(questionnaire, answers)
    raised: list[Flag] = []
    for item in questionnaire.items.values():
        if enabled[item.link_id] and (item.flags or item.level or item.safety):
            raised.extend(_flags_for(questionnaire, item, kept, complete))
    flags = _most_serious_per_item(questionnaire, raised)
    outcome = max((f.level for f in flags), key=SEVERITY.__getitem__, default="none")
    return Evaluation(
        questionnaire=questionnaire,
        outcome=outcome,
        flags=tuple(flags),
        answers=kept,
        enabled=enabled,
        dropped=tuple(dropped(answers, kept)),
    )


def _flags_for(
    q: Questionnaire, item: Item, answers: Mapping[str, list[str]], complete: bool
) -> list[Flag]:
    values = answers.get(item.link_id, [])
    settings = q.settings
    flags = [flag for rule in item.flags for flag in _apply(q, item, rule, values, answers)]
    unsure = any(v in settings.unsure_codes for v in values)
    if not flags and unsure and item.level:
        flags.append(_generic(q, item, "unsure", _cap(item.level, settings.unsure_cap)))
    if complete and not values and item.safety and item.required:
        flags.append(_generic(q, item, "unanswered", settings.unanswered_level))
    return flags


def _apply(
    q: Questionnaire,
    item: Item,
    rule: FlagRule,
    values: list[str],
    answers: Mapping[str, list[str]],
) -> list[Flag]:
    if rule.answers and not any(v in rule.answers for v in values):
        return []
    if rule.when and not all_hold(rule.when, answers):
        return []
    sources = rule.sources or item.sources
    if rule.match:
        return _drug_flags(q, item, rule, values, sources)
    if not (rule.answers or values):
        return []
    patient = rule.patient or q.levels[rule.level].patient
    return [Flag(item.link_id, rule.level, patient, rule.clinician, sources)]


def _drug_flags(
    q: Questionnaire, item: Item, rule: FlagRule, values: list[str], sources: tuple[str, ...]
) -> list[Flag]:
    """The listed drugs taken (one flag), and those said to be stopped whose risk is in the
    stopping (a second flag, with the wording for a recent stop). On a list of medicines
    stopped (`withdrawal_drugs_stopped`), every withdrawal-risk drug named counts as stopped,
    and the others are left to the item's own answer."""
    if q.drugs is None or not values:
        return []
    matches = tuple(m for text in values for m in find_drugs(q.drugs, text))
    if rule.match == STOPPED_MATCH:
        stopped = tuple(replace(m, stopped=True) for m in matches if m.drug.withdrawal_risk)
        return [f for f in [_stopped_flag(q, item, rule, stopped, sources)] if f]
    taken = tuple(m for m in matches if not m.stopped)
    flags = [f for f in [_taken_flag(q, item, rule, taken, sources)] if f]
    stopped_flag = _stopped_flag(q, item, rule, tuple(m for m in matches if m.stopped), sources)
    return flags + ([stopped_flag] if stopped_flag else [])


def _stopped_flag(
    q: Questionnaire,
    item: Item,
    rule: FlagRule,
    matches: tuple[DrugMatch, ...],
    sources: tuple[str, ...],
) -> Flag | None:
    wording = q.texts.get("stopped_drugs")
    if not matches or wording is None:
        return None
    listed = I18n({lang: describe_drugs(q, matches, lang) for lang in q.languages})
    return Flag(
        item.link_id,
        rule.level,
        wording.patient,
        _fill(wording.clinician, drugs=listed),
        sources,
        kind="stopped_drugs",
        drugs=matches,
    )


def _taken_flag(
    q: Questionnaire,
    item: Item,
    rule: FlagRule,
    matches: tuple[DrugMatch, ...],
    sources: tuple[str, ...],
) -> Flag | None:
    if not matches:
        return None
    # A drug whose risk lies in stopping it (benzodiazepines, barbiturates) is on the reference's
    # list too: the same level, with wording about withdrawal when nothing else matched.
    lowering = [m for m in matches if m.risk != "withdrawal"]
    listed = I18n({lang: describe_drugs(q, matches, lang) for lang in q.languages})
    level, clinician, patient = rule.level, rule.clinician, rule.patient
    wording = q.texts.get("withdrawal_drugs")
    if not lowering and wording is not None:
        clinician, patient = wording.clinician, wording.patient
    return Flag(
        item.link_id,
        level,
        patient or q.levels[level].patient,
        _fill(clinician, drugs=listed),
        sources,
        kind="drugs",
        drugs=matches,
    )


def describe_drugs(q: Questionnaire, matches: Sequence[DrugMatch], lang: str) -> str:
    """'bupropion (aminoketone antidepressant; relative hazard)' for each match, in one
    language; drugs that lower the threshold first, those whose risk is in stopping after."""
    risks = q.drugs.risk_labels if q.drugs else {}
    parts = []
    for match in sorted(matches, key=lambda m: m.risk == "withdrawal"):
        label = match.drug.drug_class.label.get_text(lang)
        risk = risks.get(match.risk)
        risk_text = risk.get_text(lang) if risk else match.risk
        parts.append(f"{match.drug.name(lang)} ({label}; {risk_text})")
    return ", ".join(parts)


def _fill(template: I18n, **values: I18n) -> I18n:
    return I18n(
        {
            lang: text.replace("{drugs}", values["drugs"].get_text(lang))
            for lang, text in template.items()
        }
    )


def _generic(q: Questionnaire, item: Item, kind: str, level: str) -> Flag:
    wording = q.texts[kind]
    reason = item.reason or item.text
    clinician = I18n(
        {
            lang: f"{wording.clinician.get_text(lang)} {reason.get_text(lang)}"
            for lang in q.languages
        }
    )
    return Flag(item.link_id, level, wording.patient, clinician, item.sources, kind=kind)


def _cap(level: str, cap: str) -> str:
    return level if SEVERITY[level] <= SEVERITY[cap] else cap


def _most_serious_per_item(q: Questionnaire, flags: list[Flag]) -> list[Flag]:
    per_item: dict[str, int] = {}
    per_question: dict[str, int] = {}
    for flag in flags:
        top = q.items[flag.link_id].top
        per_item[top] = max(per_item.get(top, 0), flag.severity)
        per_question[flag.link_id] = max(per_question.get(flag.link_id, 0), flag.severity)
    kept = [
        f
        for f in flags
        if (f.severity == per_question[f.link_id] or q.items[f.link_id].repeats)
        and (f.link_id != q.items[f.link_id].top or f.severity == per_item[f.link_id])
    ]
    return sorted(kept, key=lambda f: (-f.severity, q.order[f.link_id]))
