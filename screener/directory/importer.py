"""`providers import` and `providers export`: CSV or JSON files of provider records.

An import is all or nothing. Every row is read and checked before anything is written, every
problem is reported as `file:line: field: message`, and a single bad row leaves the database
exactly as it was. Rows upsert by slug; rows missing from the file are left alone.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from . import records
from .models import Provider

FORMATS = ("csv", "json")
LIST_SEPARATOR = ";"
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ImportRejected(Exception):
    """The file was refused whole; `errors` lists every problem found."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = list(errors)


@dataclass(frozen=True)
class SourceRow:
    line: int
    data: Any
    field_lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    dry_run: bool

    def __str__(self) -> str:
        verb = "would be " if self.dry_run else ""
        return (
            f"{len(self.created)} {verb}created, {len(self.updated)} {verb}updated, "
            f"{len(self.unchanged)} unchanged"
        )


def format_of(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def _decode(raw: bytes, label: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            [RowError(label, line, "encoding",
                      f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8")]
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRejected([RowError(label, line, "encoding", "binary data (a NUL byte)")])
    return text


class _Lines:
    """Line numbers of offsets in one text, from a table of where each line starts: a look-up
    is a binary search, so reporting a line per field stays linear in the file's size
    (counting newlines from the start for every field made 20,000 rows take minutes)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, index: int) -> int:
        return bisect.bisect_right(self.starts, index)


MAX_DEPTH = 32
"""How deeply a provider row may nest (it needs 2: object, list). Python's decoder recurses
per level, so a file of 100,000 '[' would otherwise end in a RecursionError traceback."""

_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')


def _too_deep(text: str, start: int, end: int) -> int | None:
    """The offset where nesting first goes past MAX_DEPTH between start and end, else None.
    Strings are skipped whole, so brackets inside names do not count."""
    depth = 0
    for match in _NESTING.finditer(text, start, end):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


_FIELD_NAME = re.compile(r'"([a-z_]+)"\s*:')


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"field {key!r} appears twice")
        seen[key] = value
    return seen


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _json_rows(text: str, label: str) -> list[SourceRow]:
    """A top-level array, decoded element by element so that each row knows its line."""
    # NaN and Infinity (which Python's decoder reads) come through as floats, so that the
    # record check names the field and its line: records.problems refuses non-finite numbers.
    decoder = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys)
    lines = _Lines(text)
    if (deep := _too_deep(text, 0, len(text))) is not None:
        raise ImportRejected([RowError(label, lines.at(deep), "json",
                                       f"nested more than {MAX_DEPTH} levels deep; a provider "
                                       "is one object of text, numbers and lists")])
    index = _skip_space(text, 0)
    if not text.startswith("[", index):
        raise ImportRejected([RowError(label, lines.at(index), "json",
                                       "the file must be a JSON array of provider objects")])
    index = _skip_space(text, index + 1)
    rows: list[SourceRow] = []
    while not text.startswith("]", index):
        try:
            value, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            raise ImportRejected([RowError(label, exc.lineno, "json", exc.msg)]) from exc
        except ValueError as exc:
            raise ImportRejected([RowError(label, lines.at(index), "json", str(exc))]) from exc
        field_lines = {m.group(1): lines.at(m.start())
                       for m in _FIELD_NAME.finditer(text, index, end)}
        rows.append(SourceRow(lines.at(index), value, field_lines))
        index = _skip_space(text, end)
        if text.startswith(",", index):
            index = _skip_space(text, index + 1)
        elif not text.startswith("]", index):
            raise ImportRejected([RowError(label, lines.at(index), "json",
                                           "expected ',' or ']' after a provider")])
    if _skip_space(text, index + 1) != len(text):
        raise ImportRejected([RowError(label, lines.at(index), "json",
                                       "unexpected text after the closing ']'")])
    return rows


FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
"""What makes a spreadsheet read a cell as a formula (`=HYPERLINK(…)`, `+1+1`, `@SUM`, and a
leading tab or carriage return before one), behind any apostrophes already there."""


def escape_formula(text: str) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe before anything that starts
    like a formula (OWASP's CSV injection advice). Text that already starts with apostrophes
    and then such a character gets one more, so that `unescape_formula` gives back exactly
    what was exported."""
    return "'" + text if FORMULA_START.match(text) else text


def unescape_formula(text: str) -> str:
    """The inverse of `escape_formula`: an apostrophe is dropped only where export added it,
    so a name such as 's-Hertogenbosch keeps its own."""
    return text[1:] if text.startswith("'") and FORMULA_START.match(text, 1) else text


def _cell(name: str, value: str) -> Any:
    """A CSV cell as the JSON value it stands for; unparseable text is kept, and the schema
    then says what was expected."""
    value = unescape_formula(value.strip())
    if name in records.LIST_FIELDS:
        return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]
    if value == "":
        return None
    if name in records.BOOL_FIELDS:
        lowered = value.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else value
    if name in records.NUMBER_FIELDS:
        try:
            number = float(value)
        except ValueError:
            return value
        return number if math.isfinite(number) else value
    return value


def _csv_rows(text: str, label: str) -> list[SourceRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportRejected([RowError(label, 1, "header", "the file is empty")]) from None
    except csv.Error as exc:
        raise ImportRejected([RowError(label, 1, "csv", str(exc))]) from exc
    known = set(records.fields())
    errors = [RowError(label, 1, name or "header", "is not a known column")
              for name in header if name not in known]
    errors += [RowError(label, 1, name, "column is missing")
               for name in records.required_fields() if name not in header]
    errors += [RowError(label, 1, name, "column appears twice")
               for name in sorted({n for n in header if header.count(n) > 1})]
    if errors:
        raise ImportRejected(errors)
    rows: list[SourceRow] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) != len(header):
                    errors.append(RowError(label, start, "row", f"has {len(cells)} cells; the "
                                                                f"header has {len(header)}"))
                else:
                    data = {n: v for n, c in zip(header, cells, strict=True)
                            if (v := _cell(n, c)) is not None}
                    rows.append(SourceRow(start, data))
            start = reader.line_num + 1
    except csv.Error as exc:
        errors.append(RowError(label, start, "csv", str(exc)))
    if errors:
        raise ImportRejected(errors)
    return rows


def read_rows(path: Path, label: str | None = None) -> list[SourceRow]:
    label = label or str(path)
    kind = format_of(path)
    if kind is None:
        raise ImportRejected([RowError(label, 1, "file", "name it .csv or .json")])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        message = exc.strerror or "cannot be read"
        raise ImportRejected([RowError(label, 1, "file", message)]) from exc
    text = _decode(raw, label)
    return _csv_rows(text, label) if kind == "csv" else _json_rows(text, label)


def validate(
    rows: Iterable[SourceRow], label: str, allow_localhost: bool = False
) -> list[dict[str, Any]]:
    """The rows as normalised records, or ImportRejected listing every problem of every row."""
    errors: list[RowError] = []
    good: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    for row in rows:
        if not isinstance(row.data, dict):
            errors.append(RowError(label, row.line, "row", "must be an object"))
            continue
        found = records.problems(row.data, allow_localhost)
        errors += [RowError(label, row.field_lines.get(name, row.line), name or "row", message)
                   for name, message in found]
        slug = row.data.get("slug")
        if isinstance(slug, str):
            if slug in first_line:
                errors.append(RowError(label, row.field_lines.get("slug", row.line), "slug",
                                       f"{slug!r} is also used on line {first_line[slug]}"))
            else:
                first_line[slug] = row.line
        if not found:
            good.append(records.normalised(row.data))
    if errors:
        raise ImportRejected(errors)
    return good


def _existing(slugs: Sequence[str]) -> dict[str, Provider]:
    found: dict[str, Provider] = {}
    for i in range(0, len(slugs), 500):
        query = sa.select(Provider).where(Provider.slug.in_(slugs[i : i + 500]))
        found.update((p.slug, p) for p in db.session.scalars(query))
    return found


def upsert(good: Sequence[dict[str, Any]], dry_run: bool = False) -> ImportReport:
    """Write validated records in one transaction."""
    existing = _existing([r["slug"] for r in good])
    report = ImportReport([], [], [], dry_run)
    try:
        for record in good:
            provider = existing.get(record["slug"])
            if provider is None:
                report.created.append(record["slug"])
                if not dry_run:
                    provider = Provider()
                    records.apply(provider, record)
                    db.session.add(provider)
            elif records.record_of(provider) == records.normalised(record):
                report.unchanged.append(record["slug"])
            else:
                report.updated.append(record["slug"])
                if not dry_run:
                    records.apply(provider, record)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def import_file(path: Path, dry_run: bool = False, allow_localhost: bool = False) -> ImportReport:
    """Check the whole file, then upsert every row, or raise ImportRejected and change nothing."""
    label = str(path)
    return upsert(validate(read_rows(path, label), label, allow_localhost), dry_run)


def provider_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Provider)) or 0


def _export_records() -> Iterator[dict[str, Any]]:
    for provider in db.session.scalars(sa.select(Provider).order_by(Provider.slug)):
        yield records.record_of(provider)


def _csv_value(value: Any) -> str:
    if isinstance(value, list):
        return escape_formula(LIST_SEPARATOR.join(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # a negative coordinate is a number to a spreadsheet, not a formula
    return "" if value is None else escape_formula(str(value))


def export_text(kind: str) -> str:
    """Every provider in the import format, so that export then import changes nothing."""
    rows = list(_export_records())
    if kind == "json":
        cleaned = [{k: v for k, v in row.items() if v is not None} for row in rows]
        return json.dumps(cleaned, ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(records.fields())
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in records.fields()])
    return out.getvalue()
