"""The validate, schema and show commands, through click's CliRunner."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from procflow.cli.definition import register

from .conftest import BROKEN, ROOT

SAMPLE = ROOT / "procedures" / "lien-thong" / "child-under-6.yaml"


@pytest.fixture(scope="module")
def cli() -> click.Group:
    """A fresh group with only these commands, independent of other modules."""

    @click.group()
    def group() -> None:
        pass

    register(group)
    return group


def run(cli: click.Group, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def test_validate_samples_exit_0(cli: click.Group) -> None:
    from procflow.definition.loader import discover

    count = len(discover([ROOT / "procedures"]))
    code, out = run(cli, "validate", ROOT / "procedures")
    assert code == 0, out
    # The whole summary line, its figures the JSON twin's.
    code, raw = run(cli, "validate", "--format", "json", ROOT / "procedures")
    summary = json.loads(raw)["summary"]
    assert summary["files"] == count and summary["errors"] == summary["failed_files"] == 0
    warnings = summary["warnings"]
    line = f"✓ {count} files checked: 0 errors, {warnings} warning{'s' if warnings != 1 else ''}"
    assert out.rstrip().splitlines()[-1] == line, out


def test_validate_broken_exit_1_with_locations(cli: click.Group) -> None:
    code, out = run(cli, "validate", BROKEN / "unknown-agency.yaml")
    assert code == 1
    assert "unknown-agency.yaml" in out
    assert "24:13" in out and "unknown-agency" in out and "hint:" in out
    assert "Traceback" not in out


def test_validate_warnings_pass_unless_strict(cli: click.Group) -> None:
    path = BROKEN / "step-no-time.yaml"
    assert run(cli, "validate", path)[0] == 0
    code, out = run(cli, "validate", "--strict", path)
    assert code == 1 and "--strict" in out


def test_validate_missing_path_is_a_usage_error(cli: click.Group, tmp_path: Path) -> None:
    code, out = run(cli, "validate", tmp_path / "nope.yaml")
    assert code == 2 and "does not exist" in out
    assert run(cli, "validate")[0] == 2


def test_validate_json(cli: click.Group) -> None:
    code, out = run(cli, "validate", "--format", "json", BROKEN / "several-errors.yaml", SAMPLE)
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert data["summary"]["files"] == 2 and data["summary"]["failed_files"] == 1
    broken, sample = data["files"]
    assert sample["ok"] is True and sample["procedure"] == "vn.lien-thong.child-under-6@2024-06"
    codes = [(f["code"], f["line"]) for f in broken["findings"]]
    assert ("unknown-agency", 23) in codes and ("illegal-cycle", 34) in codes
    assert all(
        {"file", "line", "column", "path", "message", "hint"} <= f.keys()
        for f in broken["findings"]
    )


def test_validate_whole_broken_folder_never_crashes(cli: click.Group) -> None:
    code, out = run(cli, "validate", "--format", "json", BROKEN)
    assert code == 1
    # every file but not-a-procedure.yaml, which has no top-level procflow:/steps: key
    assert json.loads(out)["summary"]["files"] == len(list(BROKEN.glob("*.yaml"))) - 1


def test_schema_prints_json_schema(cli: click.Group) -> None:
    code, out = run(cli, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "steps" in schema["properties"]


def test_show_text(cli: click.Group) -> None:
    code, out = run(cli, "show", SAMPLE)
    assert code == 0, out
    assert "vn.lien-thong.child-under-6@2024-06" in out
    assert "Critical path" in out and "3 working days of 3 allowed" in out
    assert "commune-police" in out


def test_show_json(cli: click.Group) -> None:
    code, out = run(cli, "show", "--format", "json", SAMPLE)
    assert code == 0
    data = json.loads(out)
    assert data["critical_path"]["days"] == 3.0
    assert data["critical_path"]["steps"][0] == "reception"
    assert [a["share"] for a in data["agencies"]] == ["1 working day"] * 3


def test_show_broken_file_exit_1(cli: click.Group) -> None:
    code, out = run(cli, "show", BROKEN / "yaml-alias.yaml")
    assert code == 1 and "yaml-alias" in out


def test_main_cli_has_the_commands() -> None:
    """Through the real entry point, with every command module registered."""
    from procflow.cli.main import _register, cli

    with contextlib.suppress(ValueError):  # registered already by another test
        _register()
    assert {"validate", "schema", "show"} <= set(cli.commands)
    result = CliRunner().invoke(cli, ["validate", str(SAMPLE)])
    assert result.exit_code == 0, result.output
