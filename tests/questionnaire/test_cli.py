"""`flask questions check` and `flask questions export-fhir`, through the real CLI."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire

from .test_loader import MUTATION_PARAMS, QUESTIONNAIRE, write_mutated


def test_check_passes_the_shipped_files(runner):
    result = runner.invoke(args=["questions", "check"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_check_passes_a_named_shipped_file(runner):
    result = runner.invoke(args=["questions", "check", str(QUESTIONNAIRE)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("change", "item", "words"), MUTATION_PARAMS)
def test_check_fails_naming_file_item_and_problem(runner, tmp_path, change, item, words):
    path = write_mutated(tmp_path, change)
    result = runner.invoke(args=["questions", "check", str(path)])
    assert result.exit_code != 0
    lines = result.output.splitlines()
    assert any(
        str(path) in line and f"item '{item}'" in line and words in line for line in lines
    ), result.output


def test_check_fails_if_any_of_several_files_fails(runner, tmp_path):
    broken = write_mutated(tmp_path, lambda data: data.update(languages=["en", "bg", "de"]))
    result = runner.invoke(args=["questions", "check", str(QUESTIONNAIRE), str(broken)])
    assert result.exit_code != 0
    assert "missing 'de' translation" in result.output


def test_export_fhir_prints_a_valid_questionnaire(runner, client):
    result = runner.invoke(args=["questions", "export-fhir"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    FhirQuestionnaire.model_validate(data)
    assert data == client.get("/api/v1/questionnaire").get_json(force=True)


def test_export_fhir_writes_a_file(runner, tmp_path):
    out = tmp_path / "q.json"
    result = runner.invoke(args=["questions", "export-fhir", "--version", "1.0.0", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["resourceType"], data["version"]) == ("Questionnaire", "1.0.0")


def test_export_fhir_refuses_an_unknown_version(runner):
    result = runner.invoke(args=["questions", "export-fhir", "--version", "9.9.9"])
    assert result.exit_code != 0
    assert "unknown version 9.9.9" in result.output
