"""Commands given a database that is not procflow's (or is a newer procflow's)
refuse it and leave it exactly as it was, and a new database holds personal
data: it is readable by its owner only. Through the command line, as the
independent tester ran them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STORE_TESTS = ROOT / "tests" / "store"
sys.path.insert(0, str(STORE_TESTS))

from store_postgres import postgres_url  # noqa: E402
from test_read_only import (  # noqa: E402
    blank_sqlite,
    journal_mode,
    newer_procflow,
    other_app,
    snapshot,
)

PROCS = str(ROOT / "procedures")
CODE = "COMMUNE-PC-260303-00001"
READERS = {
    "verify": ("verify", "{db}", "--procedures", PROCS),
    "report": ("report", "{db}", "--format", "json"),
    "export": ("export", "{db}", "--format", "csv"),
    "show": ("dossier", "show", "{db}", CODE, "--procedures", PROCS),
    "history": ("dossier", "history", "{db}", CODE, "--procedures", PROCS),
    "sweep": ("sweep", "{db}", "--procedures", PROCS),
}


def procflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "procflow.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.mark.parametrize("journal", ["delete", "wal"])
@pytest.mark.parametrize(
    "make", [other_app, newer_procflow, blank_sqlite], ids=lambda f: f.__name__
)
@pytest.mark.parametrize("command", sorted(READERS))
def test_a_database_that_is_not_procflows_is_refused_untouched(
    tmp_path: Path, command: str, make: object, journal: str
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "other_app.db"
    make(db, journal)  # type: ignore[operator]
    before, mode = snapshot(folder), journal_mode(db)
    args = [a.format(db=db) for a in READERS[command]]
    r = procflow(*args, cwd=tmp_path)
    assert r.returncode != 0, r.stdout
    assert "Traceback" not in r.stderr
    said = r.stderr + r.stdout  # with --format json, the error is JSON on stdout
    assert db.name in said and "procflow" in said.lower()
    assert snapshot(folder) == before  # same files, bytes, times and permissions
    assert journal_mode(db) == mode


def test_an_empty_file_is_not_a_database_and_stays_empty(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    r = procflow("verify", str(db), "--procedures", PROCS, cwd=tmp_path)
    assert r.returncode != 0
    assert "0 dossier(s) checked" not in r.stdout
    assert db.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


def test_a_mistyped_postgres_schema_is_not_created(tmp_path: Path) -> None:
    import psycopg

    url = postgres_url()
    schema = "pf_typo_" + os.urandom(4).hex()
    sep = "&" if "?" in url else "?"
    r = procflow("verify", f"{url}{sep}schema={schema}", "--procedures", PROCS, cwd=tmp_path)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
    assert found is None


def test_a_new_database_and_its_sidecars_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        r = procflow(
            "dossier", "receive", "desk.db", "vn.lien-thong.child-under-6",
            "--actor", "lan", "--agency", "commune-pc", "--role", "desk-officer",
            "--applicant", '{"name": "Trần Thị B", "id": "001203004567"}',
            "--at", "2026-03-03T08:00", "--procedures", PROCS, cwd=tmp_path,
        )  # fmt: skip
    finally:
        os.umask(old)
    assert r.returncode == 0, r.stderr
    files = [p for p in tmp_path.iterdir() if p.name.startswith("desk.db")]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
