"""Hostile import files (issue 12, item 9): every one is refused as `file:line: field: message`
with nothing imported, in the dry run as in the import, and the CSV export cannot be read as
spreadsheet formulas."""

import csv
import io
import json

import pytest

from screener.directory import importer, records
from screener.directory.importer import import_file

from .conftest import provider_record
from .test_importer import existing, line_of, rejected, snapshot, write_csv, write_json  # noqa: F401 - existing is a fixture

pytestmark = pytest.mark.usefixtures("ctx", "existing")


def json_text(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def with_raw_lat(tmp_path, raw: str):
    """A JSON file whose second row's lat is the literal `raw` (NaN is not valid JSON, so
    json.dumps cannot write it the way a hand-edited file has it)."""
    text = json.dumps([provider_record("first", 42, 23), provider_record("second", 42, 23)],
                      indent=2)
    marker = '"lat": 42'
    at = text.rindex(marker)
    return json_text(tmp_path / "p.json", text[:at] + f'"lat": {raw}' + text[at + len(marker):])


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e999"])
@pytest.mark.parametrize("dry_run", [True, False])
def test_non_finite_coordinates_are_refused(tmp_path, raw, dry_run):
    path = with_raw_lat(tmp_path, raw)
    errors = rejected(path, dry_run=dry_run)
    line = line_of(path, f'"lat": {raw}')
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:{line}: lat: ")
    assert "finite" in errors[0] or "between -90 and 90" in errors[0]


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-Infinity"])
def test_non_finite_coordinates_in_csv(tmp_path, raw):
    path = write_csv(tmp_path / "p.csv", [provider_record("a", 42, 23),
                                          {**provider_record("b", 42, 23), "lon": raw}])
    assert rejected(path) == [f"{path}:3: lon: must be a number"]


def test_deep_nesting_is_a_clear_error_not_a_recursion_error(tmp_path):
    path = json_text(tmp_path / "p.json", "[\n" + "[" * 200_000 + "]" * 200_000 + "\n]")
    assert rejected(path) == [
        f"{path}:2: json: nested more than {importer.MAX_DEPTH} levels deep; a provider is one "
        "object of text, numbers and lists"
    ]


def test_deep_nesting_inside_a_field_names_its_line(tmp_path):
    rows = [provider_record("a", 42, 23), provider_record("b", 42, 23)]
    text = json.dumps(rows, indent=2).replace('"name": "Provider b"',
                                              '"name":\n' + "[" * 50 + "]" * 50)
    path = json_text(tmp_path / "p.json", text)
    line = line_of(path, "[[[[")
    assert rejected(path) == [
        f"{path}:{line}: json: nested more than {importer.MAX_DEPTH} levels deep; a provider is "
        "one object of text, numbers and lists"
    ]


def test_brackets_inside_text_are_not_nesting(tmp_path):
    path = write_json(tmp_path / "p.json",
                      [provider_record("a", 42, 23, name="[" * 100 + ' "{" ' + "{" * 60)])
    assert import_file(path).created == ["a"]


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("name", "Clinic \u202egro.elpmaxe", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("name", "Dr\u2066 Ivanova\u2069", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
        ("clinic", "Zero\u200bwidth", "U+200B (ZERO WIDTH SPACE)"),
        ("city", "Sofia\x07", "U+0007 (a control character)"),
        ("address", "1 Street\x1b[31m", "U+001B (a control character)"),
        ("name", "Line\nbreak", "U+000A (a control character)"),
        ("name", "Para\u2029graph", "U+2029 (PARAGRAPH SEPARATOR)"),
        ("website", "https://example.org/\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("email", "info@exa\u200emple.org", "U+200E (LEFT-TO-RIGHT MARK)"),
    ],
)
@pytest.mark.parametrize("kind", ["json", "csv"])
def test_invisible_and_control_characters_are_refused(tmp_path, kind, field, value, shown):
    rows = [provider_record("a", 42, 23), provider_record("b", 42, 23, **{field: value})]
    path = (write_json if kind == "json" else write_csv)(tmp_path / f"p.{kind}", rows)
    errors = rejected(path)
    message = f"{field}: contains an invisible or control character, {shown}; remove it"
    assert any(e.startswith(f"{path}:") and e.endswith(message) for e in errors), errors


def test_an_address_may_have_line_breaks(tmp_path):
    path = write_json(tmp_path / "p.json",
                      [provider_record("a", 42, 23, address="1 Street\r\nSofia 1000")])
    assert import_file(path).created == ["a"]


@pytest.mark.parametrize(
    ("website", "says"),
    [
        ("https://user@evil.example", "names a user before the host (user@host)"),
        ("https://clinic.example:pw@evil.example/", "names a user before the host"),
        ("https://clinic.example\\@evil.example", "names a user before the host"),
        ("https://clinic.example\\evil.example", "must not contain spaces or backslashes"),
        ("https://clinic.example/a b", "must not contain spaces or backslashes"),
        ("https://-bad-.example", "has a host that is not a domain name"),
        ("https://clinic.example:99999", "is not an http:// or https:// address"),
        ("javascript://clinic.example/%0aalert(1)", "is not an http:// or https:// address"),
    ],
)
def test_websites_that_would_mislead_are_refused(tmp_path, website, says):
    path = write_json(tmp_path / "p.json", [provider_record("a", 42, 23, website=website)])
    line = line_of(path, '"website"')
    errors = rejected(path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:{line}: website: {website!r} {says}")


@pytest.mark.parametrize(
    "email",
    [
        "info@clinic.example?cc=everyone%40evil.example",
        "info@clinic.example&body=hello",
        "info@clinic.example?subject=x",
        "mailto:info@clinic.example",
        "info@clinic.example#x",
        "info%3Fcc=x@clinic.example",
        "a,b@clinic.example",
    ],
)
def test_emails_that_carry_mailto_headers_are_refused(tmp_path, email):
    path = write_json(tmp_path / "p.json", [provider_record("a", 42, 23, email=email)])
    line = line_of(path, '"email"')
    assert rejected(path) == [
        f"{path}:{line}: email: {email!r} is not one e-mail address such as info@example.org "
        "(no mailto:, ?, &, #, % or spaces)"
    ]


@pytest.mark.parametrize(
    ("website", "email"),
    [
        ("https://clinic.example", "first.last+tms@clinic.example"),
        ("https://клиника.бг/за-нас?x=1", "info@клиника.бг"),
        ("http://sub.clinic-1.example:8443/path", "o'brien@xn--p1ai.example"),
    ],
)
def test_ordinary_websites_and_emails_still_import(tmp_path, website, email):
    path = write_json(tmp_path / "p.json",
                      [provider_record("a", 42, 23, website=website, email=email)])
    assert import_file(path).created == ["a"]


FORMULAS = {
    "name": '=HYPERLINK("https://evil.example","Click")',
    "clinic": "+1+1",
    "address": "-2+3",
    "city": "@SUM(A1:A9)",
    "phone": "+359 2 123 4567",
}


def test_csv_export_escapes_formula_cells_and_imports_back_unchanged(tmp_path):
    tricky = [
        provider_record("formulas", 42, -23.5, **FORMULAS),
        provider_record("apostrophes", 42, 23, name="'=already quoted", clinic="''+twice",
                        city="'s-Hertogenbosch", address="'plain"),
    ]
    import_file(write_json(tmp_path / "in.json", tricky))
    before = snapshot()
    exported = importer.export_text("csv")
    rows = list(csv.DictReader(io.StringIO(exported)))
    for row in rows:
        for name, cell in row.items():
            if name not in records.NUMBER_FIELDS:
                assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (name, cell)
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["formulas"]["name"] == "'" + FORMULAS["name"]
    assert by_slug["formulas"]["phone"] == "'+359 2 123 4567"
    assert by_slug["formulas"]["lon"] == "-23.5"
    assert by_slug["apostrophes"]["name"] == "''=already quoted"
    assert by_slug["apostrophes"]["city"] == "'s-Hertogenbosch"
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8")
    report = import_file(path)
    assert (report.created, report.updated) == ([], [])
    assert snapshot() == before


@pytest.mark.parametrize("lead", ["\t", "\r"])
def test_escape_covers_tab_and_carriage_return(lead):
    assert importer.escape_formula(lead + "=1+1") == "'" + lead + "=1+1"
    assert importer.unescape_formula(importer.escape_formula(lead + "x")) == lead + "x"


def test_line_numbers_stay_exact_deep_into_a_large_file(tmp_path):
    rows = [provider_record(f"p-{i}", 42, 23) for i in range(3000)]
    rows[2999]["country"] = "ZZ"
    path = write_json(tmp_path / "p.json", rows)
    lines = path.read_text().splitlines()
    expected = max(i for i, line in enumerate(lines, 1) if '"country": "ZZ"' in line)
    assert rejected(path) == [f"{path}:{expected}: country: 'ZZ' is not an ISO 3166-1 "
                              "country code"]
