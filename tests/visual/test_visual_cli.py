"""``procflow diagram`` and ``procflow sheet`` on a fresh click group."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from visualtest import BUNDLE, BUNDLE_FILE, LAN, MINH, MONDAY_MORNING, PROCEDURES

from procflow.cli.visual import register
from procflow.definition.loader import read_procedure
from procflow.engine import VirtualClock
from procflow.errors import ProcflowError
from procflow.runtime import open_engine


@pytest.fixture
def cli() -> click.Group:
    group = click.Group("procflow")
    register(group)
    return group


def test_commands_are_registered(cli: click.Group) -> None:
    assert {"diagram", "sheet"} <= set(cli.commands)


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "svg"])
def test_diagram_of_a_file(cli: click.Group, fmt: str) -> None:
    result = CliRunner().invoke(cli, ["diagram", str(BUNDLE_FILE), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "Công an cấp xã" in result.output


def test_diagram_by_id_to_a_file(cli: click.Group, tmp_path: Path) -> None:
    out = tmp_path / "bundle.svg"
    result = CliRunner().invoke(
        cli,
        ["diagram", BUNDLE, "--procedures", str(PROCEDURES), "--format", "svg", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert f"wrote {out}" in result.output


def test_diagram_of_a_named_version(cli: click.Group) -> None:
    older = read_procedure(PROCEDURES / "land" / "transfer-registration-2024.yaml")
    result = CliRunner().invoke(
        cli, ["diagram", older.key, "--procedures", str(PROCEDURES), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert f"%% {older.key} ·" in result.output


def test_diagram_of_a_dossier(cli: click.Group, tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    engine = open_engine(db, procedures=[PROCEDURES], clock=VirtualClock(MONDAY_MORNING))
    code = engine.receive(BUNDLE, actor=LAN).code
    for trigger in ("forward", "register", "send"):
        engine.fire(code, trigger, LAN)
    engine.fire(code, "register", MINH)
    engine.store.close()  # type: ignore[attr-defined]
    result = CliRunner().invoke(
        cli,
        ["diagram", str(db), "--dossier", code, "--procedures", str(PROCEDURES), "--lang", "en"],
    )
    assert result.exit_code == 0, result.output
    assert code in result.output
    assert "class n_to_insurance current" in result.output
    assert "n_reception,n_birth_registration,n_to_police,n_residence,n_to_insurance visited" in (
        result.output.replace("class ", "")
    )


def test_diagram_of_an_unknown_dossier(cli: click.Group, tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    open_engine(db, procedures=[PROCEDURES]).store.close()  # type: ignore[attr-defined]
    result = CliRunner().invoke(
        cli, ["diagram", str(db), "--dossier", "NOPE-1", "--procedures", str(PROCEDURES)]
    )
    assert isinstance(result.exception, ProcflowError)
    assert "NOPE-1" in str(result.exception)


def test_diagram_of_a_missing_database(cli: click.Group, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["diagram", str(tmp_path / "x.db"), "--dossier", "C"])
    assert isinstance(result.exception, ProcflowError)
    assert "no such database" in str(result.exception)


def test_unknown_procedure(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["sheet", "vn.nothing.here", "--procedures", str(PROCEDURES)])
    assert isinstance(result.exception, ProcflowError)
    assert "neither a file nor a procedure id" in str(result.exception)


@pytest.mark.parametrize(("lang", "fmt"), [("vi", "html"), ("en", "html"), ("vi", "md")])
def test_sheet(cli: click.Group, lang: str, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"sheet.{fmt}"
    result = CliRunner().invoke(
        cli, ["sheet", str(BUNDLE_FILE), "--lang", lang, "--format", fmt, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert ("Thời hạn giải quyết" if lang == "vi" else "Time limit") in text


def test_bad_format_is_a_usage_error(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["sheet", str(BUNDLE_FILE), "--format", "pdf"])
    assert result.exit_code == 2
