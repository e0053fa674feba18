"""Transition bodies written before pause reasons were recorded carry 17
payload fields, not 18. They must still replay: the in-memory store keeps
closed dossiers as bodies and rebuilds them with ``entry_of_body``, and the
reducer reads all 18 fields of a transition."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Engine, VirtualClock
from procflow.model.encoding import T_PAUSE_REASON, T_SUPPLEMENT, link
from procflow.model.entry import apply_entry, entry_of_body
from procflow.model.record import Record
from procflow.store import MemoryStore

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PROCS = Path(__file__).resolve().parents[2] / "procedures"
HEAD = 8  # format, code, seq, type, at, offset, actor, kind


def _dossier_with_a_supplement_round() -> tuple[Engine, str]:
    clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))
    engine = Engine(MemoryStore(), Catalogue.from_paths([PROCS]), WorkCalendar.vietnam(), clock)
    desk = Actor("lan", "commune-pc", "desk-officer")
    code = engine.receive("vn.lien-thong.child-under-6", actor=desk).code
    clock.advance(timedelta(minutes=30))
    engine.fire(code, "forward", desk)
    clock.advance(timedelta(hours=1))
    engine.fire(code, "request_supplement", Actor("hoa", "commune-pc"), missing=["Giấy chứng sinh"])
    clock.advance(timedelta(days=1, hours=2))
    engine.fire(code, "resubmit", Actor("hoa", "commune-pc"))
    return engine, code


def _without_reasons(bodies: list[bytes]) -> list[tuple[bytes, bytes]]:
    """The bodies as written before pause reasons (17 payload fields), chained again."""
    out, prev = [], bytes(32)
    for raw in bodies:
        items = orjson.loads(raw)
        if items[7] == "T":
            reason = items[HEAD + T_PAUSE_REASON]
            # a supplement request was the only reason then, and its flag said so
            assert reason is None or (reason == "supplement" and items[HEAD + T_SUPPLEMENT])
            items = items[: HEAD + T_PAUSE_REASON]
        old = orjson.dumps(items)
        out.append((old, prev))
        prev = link(prev, old)
    return out


def _replay(pairs: list[tuple[bytes, bytes]], tz: ZoneInfo) -> Record:
    rec = None
    for raw, prev in pairs:
        rec = apply_entry(rec, entry_of_body(raw, prev), tz)
    assert rec is not None
    return rec


def test_bodies_without_pause_reasons_replay_to_the_same_dossier() -> None:
    engine, code = _dossier_with_a_supplement_round()
    bodies = [body for body, _ in engine.bodies(code)]
    new = _replay(_chain(bodies), VN)
    old_pairs = _without_reasons(bodies)
    assert any(len(orjson.loads(b)) == HEAD + T_PAUSE_REASON for b, _ in old_pairs)
    old = _replay(old_pairs, VN)
    live = engine.get(code)
    for rec in (new, old):
        dossier = rec.to_dossier()
        assert dossier.state == live.state
        assert dossier.visits == live.visits
        assert dossier.due_at == live.due_at
        assert dossier.pauses == live.pauses
        assert dossier.supplements == live.supplements == 1
        assert dossier.paused_seconds == live.paused_seconds > 0


def _chain(bodies: list[bytes]) -> list[tuple[bytes, bytes]]:
    out, prev = [], bytes(32)
    for raw in bodies:
        out.append((raw, prev))
        prev = link(prev, raw)
    return out
