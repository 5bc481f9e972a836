"""Released questionnaire and drug-list files never change.

Stored screenings name the version they were answered on and are judged by its rules again
(the results page, the PDF); clinics' systems store its linkIds. A change in place would
silently re-judge them, so every released file is pinned here by its SHA-256: a new wording or
rule goes into a new file with a higher version, and its hash is added below when it ships."""

import hashlib
from pathlib import Path

import pytest

QUESTIONS = Path(__file__).resolve().parents[2] / "questions"

RELEASED = {
    "tms-safety-1.0.0.yaml": "b14214a90b317590e3860b6ff910d874296908d06777e5f91fdfda8ae0064713",
    "tms-safety-1.0.1.yaml": "0bd97a0c7996dd24776d32bc1e5739b20c4aa4ad2aba49d2ec8e6a2ce701e132",
    "seizure-threshold-drugs-1.0.0.yaml":
        "9b5e4200f36111f300d90a1f5dfc4535a40d63a798261a7fe03cb9b74fd8dbc3",
    "tms-safety-1.1.0.yaml": "2bb4745f3b28110b8e41fc23b91dd0294054e2b29ad498841a84d3c8923aebfe",
    "seizure-threshold-drugs-1.1.0.yaml":
        "9d3c223c66c5850b9f19c9029689559e4b9de62956b950a909284800ebcf3289",
}


@pytest.mark.parametrize("name", sorted(RELEASED))
def test_a_released_file_is_unchanged(name):
    digest = hashlib.sha256((QUESTIONS / name).read_bytes()).hexdigest()
    assert digest == RELEASED[name], (
        f"questions/{name} was edited after its release: restore it and put the change in a "
        "new file with a higher version"
    )


def test_every_shipped_file_is_pinned():
    shipped = {path.name for path in QUESTIONS.glob("*.yaml")}
    assert shipped == set(RELEASED), "a new version's file needs its hash in RELEASED"
