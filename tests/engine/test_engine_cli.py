"""The engine's CLI on a real SQLite file, run as a user would run it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from enginetest import ROOT, procflow

PROCS = str(ROOT / "procedures")
CODE = "COMMUNE-PC-260303-00001"


def test_receive_fire_show_verify(tmp_path: Path) -> None:
    db = str(tmp_path / "desk.db")
    common = ["--procedures", PROCS]
    r = procflow(
        "dossier", "receive", db, "vn.lien-thong.child-under-6",
        "--actor", "lan", "--agency", "commune-pc", "--applicant", '{"name": "Trần Thị B"}',
        "--at", "2026-03-03T08:00", "--format", "json", *common, cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    slip = json.loads(r.stdout)
    assert slip["code"] == CODE
    assert slip["appointment"] == "2026-03-06T17:00:00+07:00"
    assert slip["applicant"] == {"name": "Trần Thị B"}

    # Another agency may not move it: a clear error, exit 1, no traceback.
    r = procflow(
        "dossier", "fire", db, CODE, "forward", "--actor", "x", "--agency", "commune-police",
        "--at", "2026-03-03T09:00", *common, cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 1
    assert "only that agency may move" in r.stderr
    assert "Traceback" not in r.stderr

    r = procflow(
        "dossier", "fire", db, CODE, "forward", "--actor", "hoa", "--agency", "commune-pc",
        "--at", "2026-03-03T09:00", "--format", "json", *common, cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["state"] == "birth-registration"

    r = procflow("dossier", "history", db, CODE, "--format", "json", *common, cwd=tmp_path)
    assert [e["type"] for e in json.loads(r.stdout)] == ["received", "moved"]

    r = procflow("sweep", db, "--at", "2026-03-09T09:00", "--format", "json", *common, cwd=tmp_path)
    kinds = [(e["type"], e["data"]["scope"]) for e in json.loads(r.stdout)["events"]]
    assert ("overdue", "dossier") in kinds

    r = procflow("verify", db, "--format", "json", *common, cwd=tmp_path)
    assert r.returncode == 0
    assert json.loads(r.stdout) == {"checked": 1, "ok": True, "problems": []}


def test_verify_detects_tampering(tmp_path: Path) -> None:
    import sqlite3

    db = str(tmp_path / "desk.db")
    common = ["--procedures", PROCS]
    r = procflow(
        "dossier", "receive", db, "vn.lien-thong.child-under-6", "--actor", "lan",
        "--agency", "commune-pc", "--at", "2026-03-03T08:00", *common, cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    conn = sqlite3.connect(db)
    triggers = [
        row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
    ]
    for name in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    # The receipt's body keeps its due date (2026-03-06 17:00 +07:00) as POSIX
    # seconds; move it a fortnight on.
    due = int(datetime(2026, 3, 6, 17, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp())
    edited = conn.execute(
        "UPDATE events SET data = replace(data, ?1, ?2) WHERE instr(data, ?1) > 0",
        (str(due), str(due + 14 * 86400)),
    )
    assert edited.rowcount == 1
    conn.commit()
    conn.close()
    r = procflow("verify", db, *common, cwd=tmp_path)
    assert r.returncode == 1
    assert "edited" in r.stdout


def test_mistyped_database_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    for args in (
        ("dossier", "show", str(missing), CODE),
        ("sweep", str(missing)),
        ("verify", str(missing)),
        ("report", str(missing)),
    ):
        r = (
            procflow(*args, "--procedures", PROCS, cwd=tmp_path)
            if args[0] != "report"
            else (procflow(*args, cwd=tmp_path))
        )
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert "no such procflow database" in r.stderr
        assert "Traceback" not in r.stderr
    assert not missing.exists()
