"""A screening stored on a released version is judged exactly as when it was released.

tests/data/stored-1.0.1-judged.json.gz holds 1,418 judgements of screenings on questionnaire
1.0.1: every item with every answer (the rest "no"), each medicine string of
tests/engine/test_medications.py as it stood at release plus stop and brand phrasings of round 2
("вече не пия Ксанакс", "Зиртек 10мг 1x1"), and 200 seeded random screenings with follow-ups,
each judged complete and in progress. They were made with the engine as released (commit
68f6ff6, before the clinical knobs moved into the data and before anyascii replaced unidecode):
outcome, and per flag its item, level, kind, sources, drugs and a digest of its wording. The
engine of today must give the same, or 1.0.1's SHA-256 pin would not freeze its judgements.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from screener.engine.rules import evaluate

DATA = Path(__file__).resolve().parents[1] / "data" / "stored-1.0.1-judged.json.gz"


def _judged(ev) -> list:
    return [
        [
            f.link_id, f.level, f.kind, ",".join(f.sources), ",".join(m.drug.id for m in f.drugs),
            hashlib.sha256(
                json.dumps([f.patient, f.clinician], ensure_ascii=False, sort_keys=True).encode()
            ).hexdigest()[:16],
        ]
        for f in ev.flags
    ]


@pytest.fixture(scope="module")
def stored():
    return json.loads(gzip.decompress(DATA.read_bytes()))


def test_every_stored_1_0_1_screening_is_judged_as_released(registry, stored):
    q = registry.get("1.0.1")
    assert q is not None and q.drugs.version == "1.0.0"
    pairs = [(a, c) for a in stored["screenings"] for c in (True, False)]
    assert len(pairs) == len(stored["judged"]) > 1400
    changed = []
    for (answers, complete), (was_complete, outcome, flags) in zip(
        pairs, stored["judged"], strict=True
    ):
        assert complete == was_complete
        ev = evaluate(q, answers, complete=complete)
        if ev.outcome != outcome or _judged(ev) != flags:
            changed.append((answers, complete, outcome, ev.outcome))
    assert changed == []


def test_the_stored_set_reaches_every_level_and_drug_kind(stored):
    """The set is worth something only if it covers the outcomes it protects."""
    outcomes = {outcome for _, outcome, _ in stored["judged"]}
    kinds = {flag[2] for _, _, flags in stored["judged"] for flag in flags}
    assert outcomes == {"urgent", "contraindication", "caution", "note", "none"}
    assert {"answer", "unsure", "unanswered", "drugs"} <= kinds
