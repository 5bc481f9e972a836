"""Where the project's files are: one place, so that moving a module never moves a path.

The app runs from its checkout (`pip install -e .`): questions, templates, data and migrations
sit beside the package, not inside it."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
QUESTIONS = ROOT / "questions"
TEMPLATES = ROOT / "templates"
DATA = ROOT / "data"
MIGRATIONS = ROOT / "migrations"
TRANSLATIONS = PACKAGE / "translations"
STATIC = PACKAGE / "static"
