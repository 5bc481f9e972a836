"""Read questionnaire files, validate them, and build the frozen model.

Validation has two layers: the JSON Schema catches shape errors (unknown keys, bad levels), and
`_check` catches what a schema cannot: duplicate ids, branching that points forward, missing
translations, flags without a source. Every problem names the file, the item and the fault,
because the people editing these files are clinicians as often as programmers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import jsonschema
import yaml

from .. import paths
from ..engine.folding import words
from .model import (
    LEVELS,
    SEVERITY,
    Condition,
    Cues,
    Drug,
    DrugClass,
    DrugList,
    EngineSettings,
    FlagRule,
    I18n,
    Item,
    LevelText,
    Option,
    Questionnaire,
    Section,
    Source,
    Wording,
)

SCHEMA_DIR = paths.QUESTIONS / "schema"
QUESTIONNAIRE_SCHEMA = "tms-screener/questionnaire@1"

DATA_KNOBS_SINCE = (1, 1, 0)
"""From this version on, a questionnaire must carry its engine settings (`engine`), the
wording for recently stopped drugs, and a drug list with its own cue words: released files
plus the engine then decide every outcome. Older files keep the built-in values they were
released with."""


@dataclass(frozen=True)
class Problem:
    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


class QuestionnaireError(Exception):
    """A questionnaire file that must not be served; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Yaml12Loader(_SafeBase):  # type: ignore[valid-type,misc]
    """Safe loader with YAML 1.2 scalars: `yes`/`no` stay strings and dates stay text.

    Answer codes `yes` and `no` are everywhere in these files; YAML 1.1 would silently turn
    them into booleans.
    """


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def _unique_mapping(loader: _Yaml12Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    """A key written twice is an error, not "the last one wins": in a clinical file the
    silent winner could be `level: note` over `level: contraindication`."""
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str | int | float | bool) and key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark,
                f"the key {key!r} is written twice", key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Yaml12Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Yaml12Loader)


@lru_cache(maxsize=4)
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _schema_problems(file: str, data: Any, schema: str) -> list[Problem]:
    problems = []
    for error in sorted(_validator(schema).iter_errors(data), key=lambda e: list(e.path)):
        problems.append(Problem(file, _where(data, list(error.path)), error.message))
    return problems


def _where(data: Any, path: list[Any]) -> str:
    """Turn a JSON path into the nearest item or section name, which editors can search for."""
    where = "file"
    node = data
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("linkId"), str):
            where = f"item '{node['linkId']}'"
        elif isinstance(node, dict) and "items" in node and isinstance(node.get("id"), str):
            where = f"section '{node['id']}'"
    tail = "/".join(str(p) for p in path)
    return f"{where} ({tail})" if tail else where


def load_questionnaire(path: Path) -> Questionnaire:
    """Load and fully validate one questionnaire file (and the drug list it names)."""
    questionnaire, problems = _load(Path(path))
    if problems:
        raise QuestionnaireError(problems)
    assert questionnaire is not None
    return questionnaire


def check_file(path: Path) -> list[Problem]:
    """Every problem in one questionnaire file; an empty list means it may be served."""
    return _load(Path(path))[1]


def _load(path: Path) -> tuple[Questionnaire | None, list[Problem]]:
    file = _display(path)
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, [Problem(file, "file", f"cannot be read: {exc}")]
    problems = _schema_problems(file, data, "questionnaire.schema.json")
    if problems:
        return None, problems
    builder = _Builder(file, data)
    questionnaire = builder.build()
    drugs = None
    if data.get("drug_list"):
        drug_path = path.parent / data["drug_list"]
        drugs, drug_problems = _load_drugs(drug_path, set(data["sources"]), data["languages"])
        problems.extend(drug_problems)
    questionnaire = replace(questionnaire, drugs=drugs)
    problems.extend(builder.problems)
    problems.extend(_check(file, questionnaire))
    if _version(questionnaire.version) >= DATA_KNOBS_SINCE:
        problems.extend(_check_knobs(file, data, questionnaire))
    return questionnaire, problems


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _check_knobs(file: str, data: dict[str, Any], q: Questionnaire) -> Iterator[Problem]:
    """What a 1.1.0-or-later file must hold so that no clinical rule is left to the code."""
    if "engine" not in data:
        yield Problem(file, "file", "from 1.1.0 on, the file needs an 'engine' block")
        return
    settings = q.settings
    if not _level_or_none(settings.unsure_cap) or not _level_or_none(settings.unanswered_level):
        yield Problem(file, "engine", "unsure_cap and unanswered_level must be levels")
    if settings.crisis_level not in LEVELS:
        yield Problem(file, "engine", f"crisis_level '{settings.crisis_level}' is not a level")
    for name in settings.yes_no_sets:
        codes = {o["code"] for o in data["option_sets"].get(name, ())}
        if not codes:
            yield Problem(file, "engine", f"yes_no_sets names unknown option set '{name}'")
        elif not set(settings.unsure_codes) & codes:
            yield Problem(file, "engine", f"option set '{name}' has none of the unsure codes")
    for link_id in settings.history_items:
        item = q.items.get(link_id)
        if item is None:
            yield Problem(file, "engine", f"history_items names unknown item '{link_id}'")
        elif item.flags or item.level or item.safety:
            yield Problem(file, "engine", f"history item '{link_id}' is scored: never scored")
    if "stopped_drugs" not in q.texts:
        yield Problem(file, "texts", "from 1.1.0 on, 'stopped_drugs' wording is needed")
    if q.drugs is not None and q.drugs.cues is None:
        yield Problem(file, "drug_list", "from 1.1.0 on, the drug list needs 'matching' cues")
    if q.drugs is not None:
        for drug in q.drugs.drugs:
            if drug.drug_class.risk == "withdrawal" and drug.drug_class.withdrawal is None:
                yield Problem(
                    file, f"drug class '{drug.drug_class.id}'",
                    "a withdrawal class needs 'withdrawal: negation' or 'withdrawal: stop'",
                )
                break


def _level_or_none(level: str) -> bool:
    return level in SEVERITY


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _Builder:
    """Turns validated YAML into the model, noting translation gaps as it goes."""

    def __init__(self, file: str, data: dict[str, Any]):
        self.file = file
        self.data = data
        self.languages = tuple(data["languages"])
        self.problems: list[Problem] = []

    @overload
    def text(self, raw: dict[str, str], where: str, what: str) -> I18n: ...

    @overload
    def text(self, raw: None, where: str, what: str) -> None: ...

    def text(self, raw: dict[str, str] | None, where: str, what: str) -> I18n | None:
        if raw is None:
            return None
        for lang in self.languages:
            if not (raw.get(lang) or "").strip():
                self.problems.append(
                    Problem(self.file, where, f"missing '{lang}' translation of {what}")
                )
        return I18n(raw)

    def build(self) -> Questionnaire:
        d = self.data
        sources = {
            key: Source(key, value["citation"], value.get("url"))
            for key, value in d["sources"].items()
        }
        levels = {
            name: LevelText(
                label=self.text(raw["label"], f"level '{name}'", "label"),
                patient=self.text(raw["patient"], f"level '{name}'", "patient wording"),
                clinician=self.text(raw["clinician"], f"level '{name}'", "clinician wording"),
            )
            for name, raw in d["levels"].items()
        }
        texts = {
            name: Wording(
                patient=self.text(raw["patient"], f"text '{name}'", "patient wording"),
                clinician=self.text(raw["clinician"], f"text '{name}'", "clinician wording"),
            )
            for name, raw in d["texts"].items()
        }
        sections = tuple(self.section(raw) for raw in d["sections"])
        engine = d.get("engine")
        settings = EngineSettings() if engine is None else EngineSettings(
            unsure_codes=tuple(engine["unsure_codes"]),
            unsure_cap=engine["unsure_cap"],
            unanswered_level=engine["unanswered_level"],
            crisis_level=engine["crisis_level"],
            yes_no_sets=tuple(engine["yes_no_sets"]),
            history_items=tuple(engine["history_items"]),
        )
        items: dict[str, Item] = {}
        order: dict[str, int] = {}
        for section in sections:
            for item in section.walk():
                if item.link_id in items:
                    self.problems.append(
                        Problem(self.file, f"item '{item.link_id}'", "duplicate linkId")
                    )
                    continue
                order[item.link_id] = len(order)
                items[item.link_id] = item
        return Questionnaire(
            id=d["id"],
            url=d["url"],
            version=d["version"],
            status=d["status"],
            date=d["date"],
            languages=self.languages,
            title=self.text(d["title"], "file", "title"),
            description=self.text(d.get("description"), "file", "description"),
            sources=sources,
            levels=levels,
            texts=texts,
            sections=sections,
            settings=settings,
            path=self.file,
            items=items,
            order=order,
        )

    def section(self, raw: dict[str, Any]) -> Section:
        where = f"section '{raw['id']}'"
        return Section(
            id=raw["id"],
            title=self.text(raw["title"], where, "title"),
            intro=self.text(raw.get("intro"), where, "intro"),
            notice=self.text(raw.get("notice"), where, "notice"),
            items=tuple(self.item(r, raw["id"], None, None, ()) for r in raw["items"]),
        )

    def options(self, raw: Any, where: str) -> tuple[Option, ...]:
        if raw is None:
            return ()
        if isinstance(raw, str):
            named = self.data["option_sets"].get(raw)
            if named is None:
                self.problems.append(Problem(self.file, where, f"unknown option set '{raw}'"))
                return ()
            raw = named
        return tuple(
            Option(
                code=o["code"],
                label=self.text(o["label"], where, f"option '{o['code']}'"),
                hint=self.text(o.get("hint"), where, f"hint of option '{o['code']}'"),
            )
            for o in raw
        )

    def item(
        self,
        raw: dict[str, Any],
        section: str,
        parent: str | None,
        top: str | None,
        inherited_sources: tuple[str, ...],
    ) -> Item:
        """Build one item; a follow-up without sources cites its parent's."""
        link_id = raw["linkId"]
        sources = tuple(raw.get("sources", ())) or inherited_sources
        where = f"item '{link_id}'"
        flags = tuple(
            FlagRule(
                level=f["level"],
                clinician=self.text(f["clinician"], where, "a flag's clinician wording"),
                patient=self.text(f.get("patient"), where, "a flag's patient wording"),
                sources=tuple(f.get("sources", ())),
                answers=tuple(f.get("answers", ())),
                when=tuple(_condition(c) for c in f.get("when", ())),
                match=f.get("match"),
            )
            for f in raw.get("flags", ())
        )
        return Item(
            link_id=link_id,
            type=raw["type"],
            text=self.text(raw["text"], where, "the question"),
            section=section,
            parent=parent,
            top=top or link_id,
            hint=self.text(raw.get("hint"), where, "the hint"),
            why=self.text(raw.get("why"), where, "'why we ask'"),
            reason=self.text(raw.get("reason"), where, "the clinical reason"),
            clinician_label=self.text(
                raw.get("clinician_label"), where, "the clinician label"
            ),
            level=raw.get("level"),
            sources=sources,
            safety=bool(raw.get("safety", False)),
            required=bool(raw.get("required", False)),
            repeats=bool(raw.get("repeats", False)),
            max_length=int(raw.get("max_length", 2000)),
            option_set=raw["options"] if isinstance(raw.get("options"), str) else None,
            options=self.options(raw.get("options"), where),
            enable_when=tuple(_condition(c) for c in raw.get("enableWhen", ())),
            enable_behavior=raw.get("enableBehavior", "all"),
            flags=flags,
            followups=tuple(
                self.item(r, section, link_id, top or link_id, sources)
                for r in raw.get("followups", ())
            ),
        )


def _condition(raw: dict[str, Any]) -> Condition:
    answer = raw.get("answer")
    if isinstance(answer, list):
        answer = tuple(answer)
    return Condition(question=raw["question"], operator=raw["operator"], answer=answer)


def _check(file: str, q: Questionnaire) -> Iterator[Problem]:
    """What the schema cannot see: references, ordering, sources, codes."""
    section_ids = [s.id for s in q.sections]
    for dup in {s for s in section_ids if section_ids.count(s) > 1}:
        yield Problem(file, f"section '{dup}'", "duplicate section id")
    for clash in sorted(set(section_ids) & set(q.items)):
        # Responses nest answers in section groups: the two would be mistaken for each other.
        yield Problem(file, f"item '{clash}'", "a section has the same id as this item")
    for item in q.walk():
        where = f"item '{item.link_id}'"
        codes = [o.code for o in item.options]
        for dup in sorted({c for c in codes if codes.count(c) > 1}):
            yield Problem(file, where, f"answer code '{dup}' is listed twice")
        yield from _check_behavior(file, where, item)
        if item.type == "choice" and not item.options:
            yield Problem(file, where, "a choice item needs options")
        if item.type == "text" and item.options:
            yield Problem(file, where, "a text item cannot have options")
        if item.parent is not None and not item.enable_when:
            yield Problem(file, where, "a follow-up needs enableWhen")
        yield from _check_sources(file, where, q, item.sources)
        for cond in item.enable_when:
            target = q.items.get(cond.question)
            if target is None:
                yield Problem(file, where, f"enableWhen points at unknown item '{cond.question}'")
            elif q.order[cond.question] >= q.order[item.link_id]:
                yield Problem(file, where, f"enableWhen points at a later item '{cond.question}'")
            else:
                yield from _check_codes(file, where, target, cond)
        if item.level and not item.sources:
            yield Problem(file, where, f"level '{item.level}' has no source")
        for rule in item.flags:
            if rule.level not in LEVELS:
                yield Problem(file, where, f"unknown level '{rule.level}'")
            if not (rule.sources or item.sources):
                yield Problem(file, where, f"a '{rule.level}' flag has no source")
            yield from _check_sources(file, where, q, rule.sources)
            for code in rule.answers:
                if code not in item.codes:
                    yield Problem(file, where, f"a flag names unknown answer code '{code}'")
            if rule.match and item.type != "text":
                yield Problem(file, where, "only a text item can match a drug list")
            if rule.match and q.drugs is None:
                yield Problem(file, where, "a flag matches drugs but the file names no drug_list")
            if not (rule.answers or rule.when or rule.match):
                yield Problem(file, where, "a flag needs answers, when or match")
            for cond in rule.when:
                target = q.items.get(cond.question)
                if target is None:
                    yield Problem(file, where, f"a flag points at unknown item '{cond.question}'")
                else:
                    yield from _check_codes(file, where, target, cond)


def _check_behavior(file: str, where: str, item: Item) -> Iterator[Problem]:
    """FHIR enableWhen has no brackets: "any of these codes" is written as several `=`
    conditions joined by `any`, "none of them" as several `!=` joined by `all`. Mixed with
    other conditions under the other behaviour, the exported Questionnaire would mean something
    else than the engine does."""
    if len(item.enable_when) < 2:
        return
    for cond in item.enable_when:
        if not (isinstance(cond.answer, tuple) and len(cond.answer) > 1):
            continue
        needs = "any" if cond.operator == "=" else "all" if cond.operator == "!=" else None
        if needs is None:
            yield Problem(file, where, f"operator '{cond.operator}' cannot take several answers")
        elif item.enable_behavior != needs:
            yield Problem(
                file, where,
                f"several answers with '{cond.operator}' need enableBehavior '{needs}' "
                "(FHIR cannot express it otherwise)",
            )


def _check_sources(
    file: str, where: str, q: Questionnaire, ids: Iterable[str]
) -> Iterator[Problem]:
    for source in ids:
        if source not in q.sources:
            yield Problem(file, where, f"unknown source id '{source}'")


def _check_codes(file: str, where: str, target: Item, cond: Condition) -> Iterator[Problem]:
    if cond.operator == "exists" or target.type != "choice":
        return
    answers = cond.answer if isinstance(cond.answer, tuple) else (cond.answer,)
    for code in answers:
        if code not in target.codes:
            yield Problem(
                file, where, f"condition on '{target.link_id}' names unknown answer code '{code}'"
            )


def _load_drugs(
    path: Path, known_sources: set[str], languages: Iterable[str]
) -> tuple[DrugList | None, list[Problem]]:
    file = _display(path)
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, [Problem(file, "file", f"cannot be read: {exc}")]
    problems = _schema_problems(file, data, "drugs.schema.json")
    if problems:
        return None, problems
    languages = tuple(languages)  # the questionnaire's: its drug texts are shown in each
    for key, raw in data["classes"].items():
        for lang in languages:
            if not (raw["label"].get(lang) or "").strip():
                problems.append(Problem(file, f"class '{key}'", f"missing '{lang}' translation"))
    for risk, text in data.get("risk_labels", {}).items():
        for lang in languages:
            if not (text.get(lang) or "").strip():
                problems.append(Problem(file, f"risk '{risk}'", f"missing '{lang}' translation"))
    classes = {
        key: DrugClass(key, I18n(raw["label"]), raw["risk"], raw.get("withdrawal"))
        for key, raw in data["classes"].items()
    }
    drugs = []
    seen: set[str] = set()
    for raw in data["drugs"]:
        where = f"drug '{raw['id']}'"
        if raw["id"] in seen:
            problems.append(Problem(file, where, "duplicate drug id"))
        seen.add(raw["id"])
        drug_class = classes.get(raw["class"])
        if drug_class is None:
            problems.append(Problem(file, where, f"unknown class '{raw['class']}'"))
            continue
        drugs.append(
            Drug(
                id=raw["id"],
                drug_class=drug_class,
                names={lang: tuple(names) for lang, names in raw["names"].items()},
                brands=tuple(raw.get("brands", ())),
            )
        )
    for source in data["sources"]:
        if source not in known_sources:
            problems.append(Problem(file, "file", f"unknown source id '{source}'"))
    risk_labels = {risk: I18n(text) for risk, text in data.get("risk_labels", {}).items()}
    drug_list = DrugList(
        data["version"],
        tuple(data["sources"]),
        tuple(drugs),
        risk_labels,
        never_match=tuple(data.get("never_match", ())),
        cues=_cues(data["matching"]["cues"]) if "matching" in data else None,
        script_symmetric=bool(data.get("matching", {}).get("script_symmetric", False)),
    )
    return drug_list, problems


def _cues(raw: dict[str, Any]) -> Cues:
    """Cue words per kind and language, folded like the medicine list, languages merged: a
    patient may write "no" in a Bulgarian list."""
    def folded(kind: str) -> frozenset[str]:
        return frozenset(w for group in raw.get(kind, {}).values() for t in group for w in words(t))

    def stems(kind: str) -> tuple[str, ...]:
        return tuple(sorted({"".join(words(t)) for g in raw.get(kind, {}).values() for t in g}))

    return Cues(
        negation=folded("negation"),
        negation_fillers=folded("negation_fillers"),
        allergy_stems=stems("allergy_stems"),
        allergy_fillers=folded("allergy_fillers"),
        not_allergy_after=folded("not_allergy_after"),
        chain_negation=folded("chain_negation"),
        chain_allergy=folded("chain_allergy"),
        stopped=folded("stopped"),
        units=stems("units"),
        salts=stems("salts"),
    )


def questionnaire_files(directory: Path) -> list[Path]:
    """YAML files in `directory` that declare the questionnaire schema (drug lists do not)."""
    files = []
    for path in sorted(Path(directory).glob("*.yaml")):
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(2048)
        if re.search(rf"^schema:\s*[\"']?{re.escape(QUESTIONNAIRE_SCHEMA)}", head, re.M):
            files.append(path)
    return files


def _version_key(q: Questionnaire) -> tuple[int, ...]:
    return tuple(int(part) for part in q.version.split("."))


class Registry:
    """All shipped questionnaire versions; screenings record which one they were answered on."""

    def __init__(self, questionnaires: Iterable[Questionnaire]):
        self._by_version = {q.version: q for q in questionnaires}
        active = [q for q in self._by_version.values() if q.status == "active"]
        if not active:
            raise QuestionnaireError([Problem("questions/", "file", "no active questionnaire")])
        self.current = max(active, key=_version_key)

    def get(self, version: str) -> Questionnaire | None:
        return self._by_version.get(version)

    @property
    def versions(self) -> list[str]:
        return sorted(self._by_version, key=lambda v: tuple(int(p) for p in v.split(".")))


@lru_cache(maxsize=8)
def load_registry(directory: str) -> Registry:
    """Load every questionnaire file once per process; any problem stops the app starting."""
    files = questionnaire_files(Path(directory))
    problems: list[Problem] = []
    loaded = []
    for path in files:
        questionnaire, found = _load(path)
        problems.extend(found)
        if questionnaire is not None:
            loaded.append(questionnaire)
    if problems:
        raise QuestionnaireError(problems)
    return Registry(loaded)
