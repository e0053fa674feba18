"""``procflow checkpoint`` tells the officer whether the checkpoint it wrote is
signed: an unsigned one proves nothing against the database's administrators,
so its message says so and how to sign, where it once read "signed 0x"."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner, Result

import procflow.cli.main as entry

ROOT = Path(__file__).resolve().parents[2]
LAN = ("--actor", "lan", "--agency", "commune-pc", "--role", "desk-officer")

_register = getattr(entry, "_register", None)
if _register is not None:
    _register()
CLI: click.Group = entry.cli


def run(*args: str) -> Result:
    result = CliRunner().invoke(CLI, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_the_message_says_whether_and_by_how_many_keys_it_is_signed(tmp_path: Path) -> None:
    db = str(tmp_path / "desk.db")
    run(
        "dossier", "receive", db, "vn.lien-thong.child-under-6", *LAN,
        "--at", "2026-03-03T08:00", "--procedures", str(ROOT / "procedures"),
    )  # fmt: skip
    unsigned = run("checkpoint", db, "-o", str(tmp_path / "a.checkpoint")).output
    assert "1 event(s), not signed" in unsigned
    assert "--key" in unsigned and "procflow keygen" in unsigned

    run("keygen", str(tmp_path / "officer"))
    run("keygen", str(tmp_path / "leader"))
    keys = ("--key", str(tmp_path / "officer.key"), "--key", str(tmp_path / "leader.key"))
    signed = run("checkpoint", db, "-o", str(tmp_path / "b.checkpoint"), *keys).output
    assert "1 event(s), signed with 2 key(s)" in signed
    assert "not signed" not in signed
    verified = run(
        "verify", db, "--checkpoint", str(tmp_path / "b.checkpoint"),
        "--key", str(tmp_path / "leader.pub"), "--procedures", str(ROOT / "procedures"),
    )  # fmt: skip
    assert "ok" in verified.output
