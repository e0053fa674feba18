"""Tables written to a file or a pipe keep every character.

With no terminal, rich lays a table out in 80 columns and cuts what does not
fit with an ellipsis: ``procflow dossier history desk.db CODE > events.txt``
once wrote ``lan@commune-p…`` for the officer and half the alert's key. A
file is read later, by someone who cannot widen the window: it gets the
whole text. A terminal's own width, or ``COLUMNS``, still rules where given.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAN = ["--actor", "lan", "--agency", "commune-pc", "--role", "desk-officer"]
CODE = "COMMUNE-PC-260303-00001"


def _procflow(*args: str, cwd: Path, columns: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    done = subprocess.run(
        [sys.executable, "-m", "procflow.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


PROCS = ("--procedures", str(ROOT / "procedures"))


def _desk(tmp_path: Path) -> Path:
    procs = PROCS
    db = tmp_path / "desk.db"
    _procflow(
        "dossier", "receive", str(db), "vn.lien-thong.child-under-6", *LAN,
        "--at", "2026-03-03T08:00", *procs, cwd=tmp_path,
    )  # fmt: skip
    _procflow(
        "dossier", "fire", str(db), CODE, "forward", *LAN, "--at", "2026-03-03T09:00", *procs,
        cwd=tmp_path,
    )  # fmt: skip
    _procflow("sweep", str(db), "--at", "2026-03-04T08:00", *procs, cwd=tmp_path)
    return db


def test_a_piped_history_keeps_every_officer_and_key_whole(tmp_path: Path) -> None:
    db = _desk(tmp_path)
    out = _procflow("dossier", "history", str(db), CODE, *PROCS, cwd=tmp_path)
    assert "…" not in out
    assert "lan@commune-pc/desk-officer" in out
    assert "overdue:step:birth-registration:2" in out


def test_columns_still_rule_where_given(tmp_path: Path) -> None:
    db = _desk(tmp_path)
    narrow = _procflow("dossier", "history", str(db), CODE, *PROCS, cwd=tmp_path, columns="60")
    assert max(len(line) for line in narrow.splitlines()) <= 60
