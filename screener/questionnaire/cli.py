"""`flask questions check` and `flask questions export-fhir`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..fhir.questionnaire import to_fhir
from .loader import check_file, load_registry, questionnaire_files

questions = AppGroup("questions", help="Check and export the questionnaire definitions.")


@questions.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Validate questionnaire files (default: every file in questions/)."""
    targets = list(files) or questionnaire_files(Path(current_app.config["QUESTIONS_DIR"]))
    if not targets:
        click.echo("no questionnaire files found", err=True)
        sys.exit(1)
    failed = False
    for path in targets:
        problems = check_file(path)
        for problem in problems:
            click.echo(str(problem), err=True)
        failed = failed or bool(problems)
        if not problems:
            click.echo(f"{path}: ok")
    sys.exit(1 if failed else 0)


@questions.command("export-fhir")
@click.option("--version", "version", default=None, help="A released version (default: current).")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None)
def export_fhir(version: str | None, output: Path | None) -> None:
    """Print the questionnaire as a FHIR R4 Questionnaire (JSON)."""
    registry = load_registry(current_app.config["QUESTIONS_DIR"])
    q = registry.get(version) if version else registry.current
    if q is None:
        click.echo(f"unknown version {version}; known: {', '.join(registry.versions)}", err=True)
        sys.exit(1)
    text = json.dumps(to_fhir(q), ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
