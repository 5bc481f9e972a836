"""Every UI string exists in Bulgarian: extraction runs fresh, so a new untranslated string
fails."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "screener" / "translations" / "bg" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _source_messages() -> set[str]:
    method_map = [("screener/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_ui_string_has_a_bulgarian_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="bg")
    missing = []
    for msgid in sorted(_source_messages()):
        entry = catalog.get(msgid)
        text = entry.string if entry else None
        if isinstance(text, tuple):
            text = text[0]
        if not entry or not text or entry.fuzzy:
            missing.append(msgid)
    assert not missing, f"{len(missing)} untranslated: {missing[:20]}"


def test_translation_keeps_placeholders():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="bg")
    import re

    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        source = entry.id if isinstance(entry.id, str) else entry.id[0]
        target = entry.string if isinstance(entry.string, str) else entry.string[0]
        assert sorted(re.findall(r"%\(\w+\)\w", source)) == sorted(
            re.findall(r"%\(\w+\)\w", target)
        ), source
