"""From 1.1.0 on, every clinical knob is in the released files: `flask questions check` (and
the loader behind it) refuses a 1.1.0 file whose new fields are missing or wrong, and files
released before keep the built-in values they were judged with."""

from __future__ import annotations

import pytest
import yaml

from screener.engine.medications import RELEASED_CUES, DrugIndex
from screener.questionnaire.loader import check_file, read_yaml
from screener.questionnaire.model import EngineSettings

from .test_loader import DRUGS, write_mutated


def _engine(key, value):
    def change(data):
        data["engine"][key] = value

    return change


def _without(key):
    def change(data):
        del data[key]

    return change


def _without_text(name):
    def change(data):
        del data["texts"][name]

    return change


QUESTIONNAIRE_MUTATIONS = [
    ("no engine block", _without("engine"), "needs an 'engine' block"),
    ("crisis level unknown", _engine("crisis_level", "alarm"), "'alarm'"),
    ("unsure cap unknown", _engine("unsure_cap", "maybe"), "'maybe'"),
    ("history item unknown", _engine("history_items", ["indication", "therapy_trials"]),
     "unknown item 'therapy_trials'"),
    ("history item scored", _engine("history_items", ["indication", "self_harm"]),
     "history item 'self_harm' is scored"),
    ("yes/no set unknown", _engine("yes_no_sets", ["yes_no"]), "unknown option set 'yes_no'"),
    ("unsure code not in the set", _engine("unsure_codes", ["dont_know"]),
     "has none of the unsure codes"),
    ("engine key missing", lambda d: d["engine"].pop("unanswered_level"), "unanswered_level"),
    ("stopped wording missing", _without_text("stopped_drugs"), "'stopped_drugs' wording"),
    ("unknown match", lambda d: _medications_stopped_list(d).update(match="stopped"), "stopped"),
]


def _medications_stopped_list(data):
    for section in data["sections"]:
        for item in section["items"]:
            for follow_up in item.get("followups", ()):
                if follow_up["linkId"] == "medications_stopped.list":
                    return follow_up["flags"][0]
    raise KeyError


@pytest.mark.parametrize(
    ("change", "words"), [pytest.param(c, w, id=n) for n, c, w in QUESTIONNAIRE_MUTATIONS]
)
def test_a_1_1_0_file_with_a_missing_or_wrong_knob_is_refused(runner, tmp_path, change, words):
    path = write_mutated(tmp_path, change)
    assert any(words in str(p) for p in check_file(path)), check_file(path)
    result = runner.invoke(args=["questions", "check", str(path)])
    assert result.exit_code != 0 and words in result.output


def _write_drugs(tmp_path, change):
    path = write_mutated(tmp_path, lambda data: None)
    drugs = read_yaml(tmp_path / DRUGS.name)
    change(drugs)
    (tmp_path / DRUGS.name).write_text(
        yaml.safe_dump(drugs, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path


DRUG_MUTATIONS = [
    ("no matching block", lambda d: d.pop("matching"), "needs 'matching' cues"),
    ("withdrawal class without its rule",
     lambda d: d["classes"]["benzodiazepines"].pop("withdrawal"),
     "'withdrawal: negation' or 'withdrawal: stop'"),
    ("unknown withdrawal rule", lambda d: d["classes"]["alcohol"].update(withdrawal="sometimes"),
     "'sometimes'"),
    ("a cue kind missing", lambda d: d["matching"]["cues"].pop("stopped"), "'stopped'"),
    ("a cue list empty", lambda d: d["matching"]["cues"]["negation"].update(bg=[]), "bg"),
]


@pytest.mark.parametrize(
    ("change", "words"), [pytest.param(c, w, id=n) for n, c, w in DRUG_MUTATIONS]
)
def test_a_1_1_0_drug_list_with_a_missing_or_wrong_knob_is_refused(runner, tmp_path, change,
                                                                    words):
    path = _write_drugs(tmp_path, change)
    result = runner.invoke(args=["questions", "check", str(path)])
    assert result.exit_code != 0 and words in result.output, result.output


def test_an_unchanged_1_1_0_copy_passes(tmp_path):
    assert check_file(_write_drugs(tmp_path, lambda d: None)) == []


def test_released_files_keep_the_built_in_values(registry):
    for version in ("1.0.0", "1.0.1"):
        q = registry.get(version)
        assert q.settings == EngineSettings()
        assert q.drugs.cues is None and not q.drugs.script_symmetric
        assert DrugIndex(q.drugs).cues is RELEASED_CUES


def test_the_1_1_0_values_come_from_its_files(registry):
    q = registry.get("1.1.0")
    engine = read_yaml(DRUGS.parent / "tms-safety-1.1.0.yaml")
    assert q.settings.history_items == tuple(engine["engine"]["history_items"])
    assert q.settings.crisis_level == engine["engine"]["crisis_level"]
    cues = DrugIndex(q.drugs).cues
    assert cues is q.drugs.cues and "вече" not in RELEASED_CUES.negation_fillers
    assert {"veche", "stopped", "spriakh"} <= cues.stopped
