import csv
import io
import json

import pytest
import sqlalchemy as sa

from screener.directory import importer, records
from screener.directory.importer import ImportRejected, import_file
from screener.directory.models import Provider
from screener.extensions import db

from .conftest import DEMO, provider_record

pytestmark = pytest.mark.usefixtures("ctx")


def write_json(path, rows):
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def cell(value):
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else value


def write_csv(path, rows, header=None):
    header = header or records.fields()
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in header])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def line_of(path, text):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def snapshot():
    return [records.record_of(p) for p in db.session.scalars(
        sa.select(Provider).order_by(Provider.slug))]


def rejected(path, **options):
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        import_file(path, **options)
    assert snapshot() == before, "a rejected file must change nothing"
    return [str(error) for error in caught.value.errors]


@pytest.fixture
def existing():
    """One provider already in the directory, which a rejected import must leave alone."""
    importer.upsert([records.normalised(provider_record("kept", 42.7, 23.3))])


def test_demo_directory_imports(app):
    report = import_file(DEMO)
    rows = json.loads(DEMO.read_text(encoding="utf-8"))
    assert len(report.created) == len(rows) >= 40
    assert all(row["is_sample"] for row in rows)
    assert not any(row["city"] == "Levski" for row in rows)
    assert {row["country"] for row in rows} >= {"BG", "RO", "GR", "RS", "TR", "MK"}
    assert import_file(DEMO).unchanged == report.created


def test_rows_upsert_by_slug(tmp_path, existing):
    path = write_json(tmp_path / "p.json", [
        provider_record("kept", 42.7, 23.3, name="Renamed"),
        provider_record("new", 43.0, 25.0),
    ])
    report = import_file(path)
    assert (report.created, report.updated, report.unchanged) == (["new"], ["kept"], [])
    assert db.session.scalar(sa.select(Provider.name).where(Provider.slug == "kept")) == "Renamed"


def test_dry_run_reports_without_writing(tmp_path, existing):
    path = write_json(tmp_path / "p.json", [provider_record("kept", 42.7, 23.3, name="X"),
                                            provider_record("new", 43.0, 25.0)])
    before = snapshot()
    report = import_file(path, dry_run=True)
    assert (report.created, report.updated) == (["new"], ["kept"])
    assert str(report) == "1 would be created, 1 would be updated, 0 unchanged"
    assert snapshot() == before


def test_csv_cells_become_typed_values(tmp_path):
    row = {**provider_record("csv-one", 42.5, 27.4), "languages": "bg; en", "lat": "42.5",
           "conditions": "ocd;ptsd", "accepting_new_patients": "yes", "remote_consultation": "0",
           "is_sample": "TRUE", "embed_origins": ""}
    import_file(write_csv(tmp_path / "p.csv", [row]))
    stored = snapshot()[0]
    assert stored["languages"] == ["bg", "en"]
    assert stored["conditions"] == ["ocd", "ptsd"]
    assert (stored["lat"], stored["accepting_new_patients"], stored["remote_consultation"],
            stored["is_sample"]) == (42.5, True, False, True)
    assert stored["phone"] is None


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_export_then_import_changes_nothing(tmp_path, kind):
    import_file(DEMO)
    exported = tmp_path / f"export.{kind}"
    exported.write_text(importer.export_text(kind), encoding="utf-8")
    before = snapshot()
    report = import_file(exported)
    assert (report.created, report.updated) == ([], [])
    assert len(report.unchanged) == len(before)
    db.session.execute(sa.delete(Provider))
    db.session.commit()
    import_file(exported)
    assert snapshot() == before


def test_bad_encoding(tmp_path, existing):
    path = tmp_path / "p.csv"
    path.write_bytes(",".join(records.fields()).encode() + b"\nslug,Caf\xe9\n")
    assert rejected(path) == [
        f"{path}:2: encoding: byte 0xe9 is not UTF-8; save the file as UTF-8"
    ]


def test_binary_file(tmp_path, existing):
    path = tmp_path / "p.json"
    path.write_bytes(b"[\n\x00\x01\x02]")
    assert rejected(path) == [f"{path}:2: encoding: binary data (a NUL byte)"]


def test_missing_and_unknown_columns(tmp_path, existing):
    header = [n for n in records.fields() if n != "lat"] + ["fax"]
    path = write_csv(tmp_path / "p.csv", [provider_record("a", 1, 2)], header=header)
    assert rejected(path) == [f"{path}:1: fax: is not a known column",
                              f"{path}:1: lat: column is missing"]


def test_duplicate_slug_names_both_lines(tmp_path, existing):
    path = write_csv(tmp_path / "p.csv", [provider_record("twin", 42, 23),
                                          provider_record("other", 42, 23),
                                          provider_record("twin", 43, 24)])
    assert rejected(path) == [f"{path}:4: slug: 'twin' is also used on line 2"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lat", "95", "lat: must be between -90 and 90"),
        ("lat", "north", "lat: must be a number"),
        ("lon", "nan", "lon: must be a number"),
        ("lon", "-180.5", "lon: must be between -180 and 180"),
        ("slug", "Bad Slug", "slug: 'Bad Slug' is not valid: lower-case letters, digits and "
                             "single hyphens, such as clinic-sofia-1; rows upsert by slug"),
        ("country", "XX", "country: 'XX' is not an ISO 3166-1 country code"),
        ("country", "bg", "country: 'bg' is not valid: an ISO 3166-1 alpha-2 code such as BG"),
        ("languages", "bg;xx", "languages: 'xx' is not an ISO 639-1 language code"),
        ("languages", "", "languages: must list at least one value"),
        ("conditions", "depression;flu", "conditions: 'flu' is not one of: depression, "
                                         "anxious-depression, ocd, smoking, migraine, ptsd, "
                                         "other"),
        ("tms_types", "rtms-10hz;rtms-10hz", "tms_types: lists the same value twice"),
        ("accepting_new_patients", "maybe", "accepting_new_patients: must be true or false"),
        ("accepting_new_patients", "", "accepting_new_patients: is required"),
        ("last_verified", "2026-02-30", "last_verified: '2026-02-30' is not a real date "
                                        "(YYYY-MM-DD)"),
        ("last_verified", "2999-01-01", "last_verified: 2999-01-01 is in the future"),
        ("last_verified", "15.01.2026", "last_verified: '15.01.2026' is not valid: the date the "
                                        "entry was last checked, YYYY-MM-DD, not in the future"),
        ("website", "ftp://x.example", "website: 'ftp://x.example' is not an http:// or "
                                       "https:// address"),
        ("email", "nobody", "email: 'nobody' is not valid: an e-mail address such as "
                            "info@example.org"),
        ("language", "de", "language: 'de' is not one of: en, bg"),
        ("name", "x" * 201, "name: must be at most 200 characters"),
    ],
)
def test_one_bad_cell_rejects_the_file(tmp_path, existing, field, value, message):
    rows = [provider_record("good", 42, 23), {**provider_record("bad", 42, 23), field: value}]
    path = write_csv(tmp_path / "p.csv", rows)
    assert rejected(path) == [f"{path}:3: {message}"]


@pytest.mark.parametrize(
    ("origins", "allow_localhost", "message"),
    [
        (["http://clinic.example"], False, "'http://clinic.example' must use https "
                                           "(http://localhost only in development)"),
        (["https://clinic.example/embed"], False, "'https://clinic.example/embed' must be an "
                                                  "origin only: scheme, host and port, no path"),
        (["clinic.example"], False, "'clinic.example' is not an origin such as "
                                    "https://clinic.example"),
    ],
)
def test_embed_origins_are_checked(tmp_path, existing, origins, allow_localhost, message):
    path = write_json(tmp_path / "p.json", [provider_record("o", 42, 23, embed_origins=origins)])
    line = line_of(path, '"embed_origins"')
    assert rejected(path, allow_localhost=allow_localhost) == [
        f"{path}:{line}: embed_origins: {message}"]


def test_localhost_origin_only_in_development(tmp_path):
    origins = ["http://localhost:8000", "https://clinic.example:8443"]
    path = write_json(tmp_path / "p.json", [provider_record("o", 42, 23, embed_origins=origins)])
    import_file(path, allow_localhost=True)
    assert snapshot()[0]["embed_origins"] == origins


NOT_ONE_ORIGIN = "must be one exact origin (no *, ;, comma or quotes)"
NOT_AN_ORIGIN = "is not an origin such as https://clinic.example"


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ("https://a.example *", NOT_ONE_ORIGIN),
        ("https://*", NOT_ONE_ORIGIN),
        ("*", NOT_ONE_ORIGIN),
        ("https://*.a.example", NOT_ONE_ORIGIN),
        ("https://a.example; sandbox", NOT_ONE_ORIGIN),
        ("https://a.example,https://b.example", NOT_ONE_ORIGIN),
        ("'self'", NOT_ONE_ORIGIN),
        ('"https://a.example"', NOT_ONE_ORIGIN),
        ("https://a.example\n", "must not contain spaces or line breaks"),
        ("https://a.example\r\nX-Evil: 1", "must not contain spaces or line breaks"),
        (" https://a.example", "must not contain spaces or line breaks"),
        ("https://a.example/", "must be an origin only: scheme, host and port, no path"),
        ("https://a.example?x=1", "must be an origin only: scheme, host and port, no path"),
        ("https://a.example#top", "must be an origin only: scheme, host and port, no path"),
        ("https://user@a.example", "must be an origin only: scheme, host and port, no path"),
        ("https:", NOT_AN_ORIGIN),
        ("ftp://a.example", NOT_AN_ORIGIN),
        ("https://a.example:99999", NOT_AN_ORIGIN),
        ("https://[::1", NOT_AN_ORIGIN),
        ("https://a_b.example", f"{NOT_AN_ORIGIN} (letters, digits, dots and hyphens only)"),
        ("https://bücher.example", f"{NOT_AN_ORIGIN} (letters, digits, dots and hyphens only)"),
        ("https://a.example:", f"{NOT_AN_ORIGIN} (letters, digits, dots and hyphens only)"),
    ],
)
def test_embed_origins_are_exactly_scheme_host_and_port(tmp_path, existing, origin, message):
    """Anything else would widen frame-ancestors, inject a CSP directive or break the header."""
    path = write_json(tmp_path / "p.json", [provider_record("o", 42, 23, embed_origins=[origin])])
    line = line_of(path, '"embed_origins"')
    assert rejected(path) == [f"{path}:{line}: embed_origins: {origin!r} {message}"]


def test_embed_origins_are_stored_in_lower_case(tmp_path):
    origins = ["HTTPS://Clinic.Example:8443", "https://b.example"]
    path = write_json(tmp_path / "p.json", [provider_record("o", 42, 23, embed_origins=origins)])
    import_file(path)
    assert snapshot()[0]["embed_origins"] == ["https://clinic.example:8443", "https://b.example"]
    assert import_file(path).unchanged == ["o"]
    twice = write_json(tmp_path / "t.json", [provider_record(
        "o", 42, 23, embed_origins=["https://b.example", "https://B.example"])])
    line = line_of(twice, '"embed_origins"')
    assert rejected(twice) == [
        f"{twice}:{line}: embed_origins: 'https://B.example' is listed twice"]


def test_embed_origins_in_csv_are_checked_one_by_one(tmp_path, existing):
    row = {**provider_record("c", 42, 23), "embed_origins": "https://a.example; sandbox"}
    path = write_csv(tmp_path / "p.csv", [row])
    assert rejected(path) == [f"{path}:2: embed_origins: 'sandbox' {NOT_AN_ORIGIN}"]


@pytest.mark.parametrize("origin", ["http://localhost:8000", "http://127.0.0.1:8000",
                                    "http://localhost"])
def test_production_import_refuses_http_origins(app, tmp_path, existing, monkeypatch, origin):
    monkeypatch.setitem(app.config, "SCREENER_ENV", "production")
    path = write_json(tmp_path / "p.json", [provider_record("o", 42, 23, embed_origins=[origin])])
    line = line_of(path, '"embed_origins"')
    assert rejected(path) == [f"{path}:{line}: embed_origins: {origin!r} must use https "
                              "(http://localhost only in development)"]


def test_development_import_takes_loopback_origins_production_refuses_the_demo(
        app, tmp_path, monkeypatch):
    path = write_json(tmp_path / "p.json", [provider_record(
        "o", 42, 23, embed_origins=["http://localhost:8000", "http://127.0.0.1:8000"])])
    import_file(path)  # SCREENER_ENV=development, as with `make run`
    assert snapshot()[0]["embed_origins"] == ["http://localhost:8000", "http://127.0.0.1:8000"]
    monkeypatch.setitem(app.config, "SCREENER_ENV", "production")
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    with_loopback = [row["slug"] for row in demo if any(
        o.startswith("http://") for o in row.get("embed_origins", []))]
    assert 2 <= len(with_loopback) <= 3
    errors = rejected(DEMO)
    assert errors and all("embed_origins: 'http://" in e and "must use https" in e
                          for e in errors), errors


def test_json_errors_point_at_the_field_line(tmp_path, existing):
    path = write_json(tmp_path / "p.json", [
        provider_record("first", 42, 23),
        {**provider_record("second", 42, 23), "lat": 123, "fax": "1"},
    ])
    fax, lat = line_of(path, '"fax"'), line_of(path, '"lat": 123')
    assert rejected(path) == [
        f"{path}:{fax}: fax: is not a known field",
        f"{path}:{lat}: lat: must be between -90 and 90",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"slug": "x"}', "1: json: the file must be a JSON array of provider objects"),
        ('[\n{"slug": "x",}\n]', "2: json: Expecting property name enclosed in double quotes"),
        ('[\n{"slug": "x", "slug": "y"}\n]', "2: json: field 'slug' appears twice"),
        ("[\n1\n]", "2: row: must be an object"),
        ("[\n{}\n{}]", "3: json: expected ',' or ']' after a provider"),
        ("[]\n]", "1: json: unexpected text after the closing ']'"),
    ],
)
def test_broken_json(tmp_path, existing, text, message):
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8")
    assert rejected(path)[0] == f"{path}:{message}"


def test_every_bad_row_is_reported(tmp_path, existing):
    rows = [{**provider_record("a", 42, 23), "lat": "x"}, provider_record("b", 42, 23),
            {**provider_record("c", 42, 23), "country": "ZZ"}]
    path = write_csv(tmp_path / "p.csv", rows)
    assert rejected(path) == [f"{path}:2: lat: must be a number",
                              f"{path}:4: country: 'ZZ' is not an ISO 3166-1 country code"]


def test_csv_row_with_extra_cells(tmp_path, existing):
    path = write_csv(tmp_path / "p.csv", [provider_record("a", 42, 23)])
    path.write_text(path.read_text() + "x,y\n" + "a," * 30 + "\n", encoding="utf-8")
    errors = rejected(path)
    assert errors[0] == f"{path}:3: row: has 2 cells; the header has {len(records.fields())}"


def test_csv_multiline_cell_keeps_line_numbers(tmp_path, existing):
    rows = [{**provider_record("a", 42, 23), "address": "1 Street\nSecond line"},
            {**provider_record("b", 42, 23), "lat": "x"}]
    path = write_csv(tmp_path / "p.csv", rows)
    assert rejected(path) == [f"{path}:4: lat: must be a number"]


@pytest.mark.parametrize("name", ["p.txt", "p"])
def test_unknown_file_type(tmp_path, name):
    path = tmp_path / name
    path.write_text("[]")
    assert rejected(path) == [f"{path}:1: file: name it .csv or .json"]


def test_empty_csv(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("")
    assert rejected(path) == [f"{path}:1: header: the file is empty"]


def test_schema_enums_match_the_vocabulary():
    from screener.directory import vocab

    props = records.schema()["properties"]
    assert props["conditions"]["items"]["enum"] == list(vocab.CONDITIONS)
    assert props["tms_types"]["items"]["enum"] == list(vocab.TMS_TYPES)
    assert props["language"]["enum"] == list(vocab.PREFERRED_LANGUAGES)
