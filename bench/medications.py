"""Medicine-list matching: a ten-line list per call, beside a baseline in the same run.

Moved here from a timed unit test (timing goals live in bench/). The baseline is folding the
same text to words (textnorm.words), the work every match needs before any look-up; the goal
is <= 2 ms per list (the earlier test's generous bound) and the ratio to the baseline is
printed so a regression to a per-name scan shows. Run by hand:
    .venv/bin/python bench/medications.py
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from screener.engine.folding import words  # noqa: E402
from screener.engine.medications import find_drugs  # noqa: E402
from screener.questionnaire.loader import load_registry  # noqa: E402

TEXT = "\n".join(
    [
        "Sertraline 50mg once daily", "Bupropion XL 150 mg", "levothyroxine 50mcg",
        "vitamin D3 1000 IU", "Alcohol: no", "Allergies: penicillin",
        "omeprazole 20mg before breakfast", "Xanax 0.25 as needed",
        "metformin 500 mg twice a day", "ibuprofen 400 when needed",
        "вече не пия Ксанакс", "Зиртек 10мг 1х1", "Ципралекс 10 мг", "парацетамол при нужда",
    ]
)
GOAL_MS = 2.0


def per_call_ms(fn, number: int = 200) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1000


def main() -> None:
    registry = load_registry(str(ROOT / "questions"))
    for version in registry.versions:
        drugs = registry.get(version).drugs
        find_drugs(drugs, TEXT)
        base = per_call_ms(lambda: words(TEXT))
        match = per_call_ms(lambda d=drugs: find_drugs(d, TEXT))
        verdict = "met" if match <= GOAL_MS else "MISSED"
        print(
            f"questionnaire {version} (drugs {drugs.version}): {match:.3f} ms per list "
            f"(baseline fold {base:.3f} ms, x{match / base:.1f}); goal <= {GOAL_MS} ms: {verdict}"
        )


if __name__ == "__main__":
    main()
