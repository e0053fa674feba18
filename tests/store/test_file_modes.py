"""A database the store creates is readable by its owner only (0600), and so
are the -wal, -shm and -journal SQLite creates next to it: they hold
applicants' names and ID numbers. A file the user made keeps its mode."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_testdata import fill

from procflow.store import SQLiteStore
from procflow.store.url import open_store

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o002, 0o000])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The usual umasks, and none at all: the new files are 0600 under each."""
    value: int = request.param
    old = os.umask(value)
    try:
        yield value
    finally:
        os.umask(old)


def test_new_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "desk.db"
    with SQLiteStore(path) as store:
        fill(store, "HS-001", 2)
        assert mode(path) == 0o600
        # While the store is open SQLite keeps the WAL and its index beside it.
        assert mode(tmp_path / "desk.db-wal") == 0o600
        assert mode(tmp_path / "desk.db-shm") == 0o600
    assert mode(path) == 0o600


def test_open_store_creates_owner_only_too(tmp_path: Path, umask: int) -> None:
    for target in (str(tmp_path / "a.db"), f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "c.db"):
        open_store(target, mode="create").close()
    assert {p.name: mode(p) for p in tmp_path.iterdir()} == {
        "a.db": 0o600,
        "b.db": 0o600,
        "c.db": 0o600,
    }


def test_rollback_journal_is_owner_only(tmp_path: Path, umask: int) -> None:
    # The store runs in WAL mode; whoever switches a copy back to a rollback
    # journal gets a -journal with the database's mode, not the umask's.
    path = tmp_path / "desk.db"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = PERSIST")  # the -journal stays after commit
    conn.execute("INSERT INTO sequences VALUES ('desk', 1)")
    conn.close()
    assert mode(tmp_path / "desk.db-journal") == 0o600


def test_a_read_only_open_makes_owner_only_sidecars(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "desk.db"
    SQLiteStore(path).close()
    with SQLiteStore(path, read_only=True) as store:
        assert store.count() == 0
        assert mode(tmp_path / "desk.db-shm") == 0o600


@pytest.mark.parametrize("existing", [0o644, 0o640, 0o660])
def test_an_existing_files_mode_is_never_changed(tmp_path: Path, existing: int) -> None:
    empty = tmp_path / "empty.db"  # made by the user, e.g. with touch
    empty.touch()
    empty.chmod(existing)
    with SQLiteStore(empty) as store:
        fill(store, "HS-001", 1)
    assert mode(empty) == existing
    shared = tmp_path / "shared.db"  # a procflow database the user opened up
    SQLiteStore(shared).close()
    shared.chmod(existing)
    for read_only in (False, True):
        with SQLiteStore(shared, read_only=read_only) as store:
            assert store.count() == 0
            assert mode(tmp_path / "shared.db-shm") == existing
    assert mode(shared) == existing
