import json

import pytest
import sqlalchemy as sa

from screener.directory.models import Place, Provider
from screener.extensions import db

from .conftest import DEMO

pytestmark = pytest.mark.both_databases


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_places_load_is_idempotent(app, runner):
    first = runner.invoke(args=["places", "load", "--countries", "MK"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("places: loaded ")
    loaded = count(app, Place)
    assert loaded > 100
    again = runner.invoke(args=["places", "load", "--countries", "MK"])
    assert again.output.startswith(f"places: already loaded ({loaded} places")
    forced = runner.invoke(args=["places", "load", "--countries", "MK", "--force"])
    assert forced.output.startswith("places: loaded ")
    assert count(app, Place) == loaded


def test_import_if_empty_then_export(app, runner, tmp_path):
    result = runner.invoke(args=["providers", "import", "--if-empty", str(DEMO)])
    assert result.exit_code == 0, result.output
    rows = json.loads(DEMO.read_text(encoding="utf-8"))
    assert result.output.strip() == f"{DEMO}: {len(rows)} created, 0 updated, 0 unchanged"
    skipped = runner.invoke(args=["providers", "import", "--if-empty", str(DEMO)])
    assert "already present" in skipped.output
    out = tmp_path / "export.csv"
    exported = runner.invoke(args=["providers", "export", "--format", "csv", "-o", str(out)])
    assert exported.exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(rows) + 1
    as_json = runner.invoke(args=["providers", "export"])
    assert [r["slug"] for r in json.loads(as_json.output)] == sorted(r["slug"] for r in rows)


def test_rejected_import_exits_non_zero_and_changes_nothing(app, runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[\n{"slug": "x"}\n]', encoding="utf-8")
    result = runner.invoke(args=["providers", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: name: is required" in result.output
    assert f"{bad}: rejected, nothing changed" in result.output
    assert count(app, Provider) == 0


def test_dry_run_writes_nothing(app, runner):
    result = runner.invoke(args=["providers", "import", "--dry-run", str(DEMO)])
    assert result.output.startswith("dry run: ")
    assert "would be created" in result.output
    assert count(app, Provider) == 0
