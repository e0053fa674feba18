"""``procflow list`` and docs/procedures.md: the table is generated, never stale."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from librarytest import PROCEDURES, ROOT

from procflow.cli.library import register
from procflow.definition.loader import discover

DOC = ROOT / "docs" / "procedures.md"
BLOCK = re.compile(
    r"<!-- BEGIN GENERATED: procflow list procedures/ --format md --links-from docs -->\n"
    r"(.*?)<!-- END GENERATED -->",
    re.S,
)


def invoke(*args: str) -> tuple[int, str, str]:
    group = click.Group()
    register(group)
    result = CliRunner().invoke(
        group, ["list", *args], catch_exceptions=False, env={"COLUMNS": "300"}
    )
    return result.exit_code, result.stdout, result.stderr


def test_docs_table_is_up_to_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = invoke("procedures/", "--format", "md", "--links-from", "docs")
    assert code == 0
    match = BLOCK.search(DOC.read_text(encoding="utf-8"))
    assert match, "docs/procedures.md lost its generated-table markers"
    assert match.group(1) == out, (
        "docs/procedures.md is out of date: run `procflow list procedures/ --format md "
        "--links-from docs` "
        "from the repository root and paste the output between the markers"
    )


def test_every_procedure_file_is_in_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = invoke("procedures", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    files = {p.relative_to(ROOT).as_posix() for p in discover([PROCEDURES])}
    assert {r["file"] for r in rows} == files
    assert len(files) >= 12
    by_file = {r["file"]: r for r in rows}
    permit = by_file["procedures/construction/house-permit.yaml"]
    assert permit["time_limit_unit"] == "calendar_days"
    assert permit["time_limit"] == "15 calendar days"
    # every row names its agencies and a dated legal basis
    for row in rows:
        assert row["agencies"] and row["legal_basis"], row["file"]
        assert any(doc["date"] for doc in row["legal_basis"]), row["file"]


def test_table_format_and_broken_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = invoke("procedures/residence")
    assert code == 0
    assert "vn.residence.permanent-registration" in out and "7 working days" in out
    broken = tmp_path / "broken.yaml"
    broken.write_text("procflow: 1\nid: x\nsteps: []\n", encoding="utf-8")
    code, _, err = invoke(str(broken))
    assert code == 1 and "cannot be loaded" in err
