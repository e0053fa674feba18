"""An auditor's check of a dossier's log, written from docs/engine.md ("Event
encoding") alone: the standard library, no procflow, under 60 lines. It is run
on logs procflow wrote (memory and SQLite) and on the same logs tampered with."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Engine, VirtualClock
from procflow.store import MemoryStore
from procflow.store.sqlite import SQLiteStore

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PROCS = Path(__file__).resolve().parents[2] / "procedures"


# --- the auditor's script: everything below this line up to the next marker ----------
def audit(code: str, log: list[tuple[bytes, str]]) -> list[str]:
    """Problems found in one dossier's log of (body, hex hash) pairs, oldest first."""
    problems = []
    prev = bytes(32)  # the first event chains to 32 zero bytes
    for n, (body, stored_hash) in enumerate(log, start=1):
        digest = hashlib.sha256(prev + body).digest()
        if digest.hex() != stored_hash:
            problems.append(f"event {n}: the body does not give its hash")
        try:
            fields = json.loads(body.decode("utf-8"))
        except ValueError:
            problems.append(f"event {n}: the body is not JSON")
            prev = bytes.fromhex(stored_hash)
            continue
        fmt, body_code, seq, type_, at, offset = fields[:6]
        if fmt != 2:
            problems.append(f"event {n}: format {fmt}, not 2")
        if body_code != code:
            problems.append(f"event {n}: belongs to {body_code}, not {code}")
        if seq != n:
            problems.append(f"event {n}: numbered {seq}")
        if n == 1 and type_ not in ("received", "guided", "refused_at_reception"):
            problems.append(f"event 1: a log starts with a receipt, not {type_}")
        if not isinstance(at, int | float) or not isinstance(offset, int):
            problems.append(f"event {n}: the instant is not POSIX seconds")
        prev = digest
    return problems


# --- end of the auditor's script -------------------------------------------------------


def test_the_auditor_script_is_short() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    start = source.index("# --- the auditor's script")
    end = source.index("# --- end of the auditor's script")
    assert len(source[start:end].splitlines()) < 60


def _run(store: object) -> tuple[Engine, list[str]]:
    calendar = WorkCalendar.vietnam()
    clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))
    engine = Engine(store, Catalogue.from_paths([PROCS]), calendar, clock)  # type: ignore[arg-type]
    desk = Actor("lan", "commune-pc", "desk-officer")
    codes = []
    for i in range(3):
        slip = engine.receive(
            "vn.lien-thong.child-under-6", actor=desk, applicant={"name": f"Nguyễn Văn {i}"}
        )
        clock.advance(timedelta(minutes=30))
        engine.fire(slip.code, "forward", desk, note="đủ hồ sơ")
        clock.advance(timedelta(hours=2, seconds=0.25 * i))
        codes.append(slip.code)
    engine.sweep(clock.now() + timedelta(days=30))
    return engine, codes


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_an_auditor_verifies_procflows_logs(kind: str, tmp_path: Path) -> None:
    store = MemoryStore() if kind == "memory" else SQLiteStore(tmp_path / "a.db")
    engine, codes = _run(store)
    for code in codes:
        log = engine.bodies(code)
        assert len(log) == len(engine.history(code)) >= 3
        assert audit(code, log) == []


def test_the_auditor_catches_tampering() -> None:
    engine, codes = _run(MemoryStore())
    log = engine.bodies(codes[0])
    edited = [(log[1][0].replace(b"forward", b"fOrward"), log[1][1]), *log[2:]]
    assert audit(codes[0], [log[0], *edited])[0].startswith("event 2: the body")
    assert "event 2: the body does not give its hash" in audit(codes[0], [log[0], *log[2:]])
    assert any("belongs to" in p for p in audit(codes[1], log))
