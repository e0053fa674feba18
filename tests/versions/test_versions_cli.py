"""procflow diff / migrate / recalc, through a fresh click group, and the diff
in words."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner
from versionstest import EXAMPLES, MAPPING_FILE, NEW_FILE, OLD_FILE

from procflow.cli import dossier, versions
from procflow.cli.main import _Group
from procflow.definition.loader import read_procedure
from procflow.versions.diff import diff_procedures


def _cli() -> click.Group:
    group = _Group("procflow")
    versions.register(group)
    dossier.register(group)
    return group


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_cli(), list(args))
    return result.exit_code, result.output


def test_diff_in_words() -> None:
    d = diff_procedures(read_procedure(OLD_FILE), read_procedure(NEW_FILE))
    text = "\n".join(d.lines())
    assert "Statutory time limit: 3 working days → 4 working days" in text
    assert "Step 'review' is now 'appraisal'" in text
    assert "Step 'approval' is now 'signing'" in text
    assert "Step added: 'name-check'" in text
    assert "Dossiers are received at Ủy ban nhân dân cấp xã (commune-pc)" in text
    assert "Legal basis added: 118/2025/NĐ-CP" in text
    assert "Document added: Văn bản ủy quyền (optional)" in text
    assert d.changes[0].area == "time"
    assert diff_procedures(read_procedure(OLD_FILE), read_procedure(OLD_FILE)).same


def test_diff_command(tmp_path: Path) -> None:
    code, out = _run("diff", str(OLD_FILE), str(NEW_FILE), "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert (data["old_version"], data["new_version"]) == ("2021-01", "2025-07")
    assert any(c["kind"] == "renamed" and c["new"] == "appraisal" for c in data["changes"])
    assert data["window_findings"] == []
    pid = "vn.example.household-business"
    code, out = _run("diff", f"{pid}@2021-01", f"{pid}@2025-07", "--procedures", str(EXAMPLES))
    assert code == 0 and "name-check" in out


def test_migrate_and_recalc_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "desk.db")
    common = ["--procedures", str(EXAMPLES)]
    codes = []
    for at in ("2025-06-27T09:00", "2025-06-30T09:00"):
        code, out = _run(
            "dossier", "receive", db, "vn.example.household-business", "--actor", "lan",
            "--agency", "district-pc", "--at", at, "--format", "json", *common,
        )  # fmt: skip
        assert code == 0, out
        codes.append(json.loads(out)["code"])
    _run("dossier", "fire", db, codes[1], "forward", "--actor", "lan", "--agency", "district-pc",
         "--at", "2025-06-30T10:00", *common)  # fmt: skip

    # A mapping that leaves 'review' unmapped is refused; nothing changes.
    bad = tmp_path / "bad.yaml"
    bad.write_text(MAPPING_FILE.read_text("utf-8").replace("  review: appraisal", ""), "utf-8")
    code, out = _run(
        "migrate", db, str(bad), "--at", "2025-07-01T08:00", "--format", "json", *common
    )
    assert code == 1
    assert json.loads(out)["findings"][0]["code"] == "unmapped-step"

    code, out = _run(
        "migrate", db, str(MAPPING_FILE), "--dry-run", "--at", "2025-07-01T08:00", *common
    )
    assert code == 0, out
    assert "2 dossier(s) would move (dry run: nothing written)" in out
    code, out = _run(
        "migrate", db, str(MAPPING_FILE), "--at", "2025-07-01T08:00",
        "--actor", "hoa", "--agency", "commune-pc", "--format", "json", *common,
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert data["migrated"] == 2
    assert {(s["from"], s["to"]) for s in data["by_state"]} == {
        ("reception", "reception"),
        ("review", "appraisal"),
    }
    code, out = _run("verify", db, *common)
    assert code == 0, out

    # Recalc: 2 July 2025 declared a day off after the fact.
    overlay = tmp_path / "extra.yaml"
    overlay.write_text(
        "version: 1\nname: Extra\nyears:\n  2025:\n    days_off:\n      - date: 2025-07-02\n"
        "        name: Extra day off\n        source: test\n        confirmed: true\n",
        "utf-8",
    )
    code, out = _run("recalc", db, "--calendar", str(overlay), "--at", "2025-07-01T09:00", *common)
    assert code == 0, out
    assert "2 due date(s) would move" in out
    code, out = _run("recalc", db, "--calendar", str(overlay), "--apply", "--at",
                     "2025-07-01T09:00", "--format", "json", *common)  # fmt: skip
    data = json.loads(out)
    assert data["moved"] == 2
    assert all(d["shift_days"] >= 1 for d in data["dossiers"])
    code, out = _run("recalc", db, "--calendar", str(overlay), "--format", "json", *common)
    assert json.loads(out)["would_move"] == 0
    code, out = _run("verify", db, *common)
    assert code == 0, out
