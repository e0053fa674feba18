"""The outbox: a row for every event someone must hear of, written in the
event's own transaction on every store, and none for a write that failed."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from notify_flow import BHXH, DESK, PC, PC_HEAD, POLICE, VN, every_notice, receive, whole_life
from notify_setup import Opener, config_for

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Engine, VirtualClock
from procflow.errors import ConflictError, StoreError
from procflow.model.actor import SYSTEM
from procflow.model.entry import Entry
from procflow.model.events import EventType
from procflow.model.outbox import enters_outbox, entry_notifies
from procflow.model.storage import Capability, Store, StoreBase
from procflow.notify import NotifyError, notify
from procflow.store import MemoryStore, SQLiteStore
from procflow.store.outbox import outbox_params
from procflow.store.records import DOSSIER_COLUMNS, EVENT_COLUMNS, dossier_row, event_row
from procflow.store.schema import MIGRATIONS


def notifying(store: Store) -> list[tuple[str, int, str]]:
    """What the outbox must hold: every stored event the rule accepts."""
    return [
        (e.code, e.seq, e.type.value)
        for e in store.iter_events()
        if enters_outbox(e.type.value, e.data.get("to"))
    ]


def outbox(store: Store) -> list[tuple[str, int, str]]:
    return sorted((i.code, i.seq, i.type) for i in store.outbox_items())


def test_every_notifying_event_and_no_other_has_an_outbox_row(
    engine: Engine, clock: VirtualClock
) -> None:
    every_notice(engine, clock)
    store = engine.store
    assert Capability.OUTBOX in store.capabilities
    expected = sorted(notifying(store))
    assert outbox(store) == expected
    types = {t for _, _, t in expected}
    assert types == {
        "received",
        "paused",
        "handed_off",  # into the desk's return step: the result is ready
        "returned",
        "refused",
        "guided",
        "refused_at_reception",
        "apologised",
        "overdue",
        "warned",
    }
    # Moves between working steps notify nobody.
    moves = [e for e in store.iter_events() if e.type.value in ("moved", "handed_off")]
    assert len(moves) > len([t for t in types if t == "handed_off"])
    # Each row carries the event's instant.
    events = {(e.code, e.seq): e for e in store.iter_events()}
    for item in store.outbox_items():
        assert item.at == events[(item.code, item.seq)].at
        assert not item.done


def test_an_entry_notifies_as_its_event_does(engine: Engine, clock: VirtualClock) -> None:
    """``entry_notifies`` reads the typed payload (or, for an event kept in
    its public form, the data) and agrees with the rule on the public event;
    the SQL stores' row check agrees with it too."""
    every_notice(engine, clock)
    seen = set()
    for ev in engine.store.iter_events():
        entry = Entry.of_event(ev, bytes.fromhex(ev.prev_hash))
        expected = enters_outbox(ev.type.value, ev.data.get("to"))
        assert entry_notifies(entry) is expected, (ev.type, ev.data.get("to"))
        row = event_row(ev)
        assert outbox_params(row, notifies=expected) == outbox_params(row)
        seen.add((entry.kind, expected))
    # moves (typed payloads) noticed and not, receipts, events in public form
    assert {("T", True), ("T", False), ("R", True), ("O", True)} <= seen


def test_a_write_refused_as_a_conflict_leaves_no_outbox_row(
    opener: Opener, catalogue: Catalogue, calendar: WorkCalendar, clock: VirtualClock
) -> None:
    # Two workers on the same database: the second acts on a state the first
    # has moved on from, and its (notifying) warning is refused.
    first = Engine(opener(), catalogue, calendar, clock)
    second = Engine(opener(), catalogue, calendar, clock)
    code = receive(first)
    stale = second.store.record(code, VN)
    assert stale is not None
    stale = stale.copy()
    first.fire(code, "forward", DESK)
    before = outbox(first.store)
    proc = catalogue.get(stale.procedure_id, stale.procedure_version)
    data = {
        "alert": "warn:dossier:test",
        "scope": "dossier",
        "due_at": None,
        "state": stale.state,
        "holder": "commune-pc",
    }
    with pytest.raises(ConflictError):
        second._write(proc, stale, EventType.WARNED, clock.now(), SYSTEM, data)
    assert outbox(first.store) == outbox(second.store) == before
    assert [e.type.value for e in first.store.events(code)] == ["received", "moved"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_outbox_row_that_cannot_be_written_takes_its_event_with_it(
    engine: Engine, backend: str, tmp_path: Path
) -> None:
    code = receive(engine)
    engine.fire(code, "forward", DESK)
    store = engine.store
    # Someone put a row where the apology's outbox row must go: the write of
    # the row fails, and so must the write of the event and the state.
    taken = (code, 3, "x", "2000-01-01T00:00:00.000000+00:00")
    if backend == "sqlite":
        with sqlite3.connect(tmp_path / "desk.db") as conn:
            conn.execute("INSERT INTO outbox (code, seq, type, at) VALUES (?, ?, ?, ?)", taken)
    else:
        with store._connection("test") as conn:  # type: ignore[attr-defined]
            conn.execute("INSERT INTO outbox (code, seq, type, at) VALUES (%s, %s, %s, %s)", taken)
    with pytest.raises(StoreError):
        engine.apologise(
            code,
            PC_HEAD,
            reason="chờ xác minh",
            new_appointment=datetime(2026, 3, 12, 17, 0, tzinfo=VN),
        )
    assert [e.seq for e in store.events(code)] == [1, 2]
    dossier = store.get(code)
    assert dossier is not None and dossier.version == 2 and dossier.apologies == 0
    assert sorted((i.seq, i.type) for i in store.outbox_items()) == [(1, "received"), (3, "x")]


def test_an_older_database_gets_the_outbox_and_its_old_events_notify_nobody(
    catalogue: Catalogue, calendar: WorkCalendar, clock: VirtualClock, tmp_path: Path
) -> None:
    # A database a procflow before the outbox wrote (schema 3), holding a
    # receipt: its rows as that release wrote them, column by column.
    memory = Engine(MemoryStore(outbox=True), catalogue, calendar, clock)
    old = receive(memory)
    dossier, (event,) = memory.store.get(old), memory.store.events(old)
    assert dossier is not None
    path = tmp_path / "old.db"
    SQLiteStore(path, migrations=MIGRATIONS[:3]).close()
    v1 = DOSSIER_COLUMNS[:13]  # the dossier columns of schema 1 to 3
    with sqlite3.connect(path) as conn:
        conn.execute(
            f"INSERT INTO dossiers ({', '.join(v1)}) VALUES ({', '.join('?' for _ in v1)})",
            dossier_row(dossier, None)[:13],
        )
        conn.execute(
            f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})",
            event_row(event),
        )
        conn.execute("INSERT INTO log VALUES (0, ?, 1, ?)", (old, event.hash))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "outbox" not in tables and "deliveries" not in tables
    with SQLiteStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert store.outbox_items() == []  # its receipt happened before notifications existed
        assert store.get(old) is not None
        engine = Engine(store, catalogue, calendar, clock)
        new = receive(engine)
        assert outbox(store) == [(new, 1, "received")]


def test_bulk_imports_write_no_outbox_rows(
    catalogue: Catalogue, calendar: WorkCalendar, clock: VirtualClock, tmp_path: Path
) -> None:
    # The simulator's results and moves between databases: those applicants
    # were told (or never existed); nobody is told again.
    memory = Engine(MemoryStore(outbox=True), catalogue, calendar, clock)
    code = whole_life(memory, clock)
    assert len(notifying(memory.store)) >= 4
    with SQLiteStore(tmp_path / "copy.db") as copy:
        copy.import_dossiers([(memory.store.get(code), memory.store.events(code))])  # type: ignore[list-item]
        assert copy.outbox_items() == []


def test_a_store_without_an_outbox_says_so() -> None:
    class Plain(MemoryStore):
        CAPABILITIES = frozenset({Capability.NUMBERED_RECEIPTS, Capability.RECORDS})
        outbox_claim = StoreBase.outbox_claim

    store = Plain()
    assert store.outbox_claim(datetime.now(VN), worker="w", lease=timedelta(seconds=5)) == []
    with pytest.raises(NotifyError, match="Plain keeps no outbox"):
        notify(store, config_for())


TRIGGERS = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=25)


@settings(max_examples=25, deadline=None)
@given(choices=TRIGGERS, kind=st.sampled_from(["memory", "sqlite"]))
def test_the_outbox_is_exactly_the_notifying_events_whatever_happens(
    catalogue: Catalogue, calendar: WorkCalendar, choices: list[int], kind: str
) -> None:
    clock = VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    with tempfile.TemporaryDirectory() as folder:
        store: Store = (
            MemoryStore(outbox=True) if kind == "memory" else SQLiteStore(Path(folder) / "p.db")
        )
        try:
            engine = Engine(store, catalogue, calendar, clock)
            codes = [receive(engine), receive(engine, {"name": "B"})]
            actors = [DESK, PC, POLICE, BHXH]
            for n in choices:
                code = codes[n % 2]
                options = [(t, a) for a in actors for t in engine.available(code, a)]
                if n % 7 == 0:
                    clock.advance(timedelta(hours=5))
                    engine.sweep()
                elif options:
                    trigger, actor = options[n % len(options)]
                    missing = ["x"] if "supplement" in trigger else []
                    engine.fire(code, trigger, actor, missing=missing)
                clock.advance(timedelta(minutes=15))
            assert outbox(store) == sorted(notifying(store))
        finally:
            store.close()


OWN_RETURN_ID = """
procflow: 1
id: test.own-return-id
version: "1"
name: {vi: Thủ tục có bước trả kết quả riêng, en: Own return step id}
time_limit: 3 working days
legal_basis: [{number: 118/2025/NĐ-CP, date: 2025-06-09}]
agencies:
  - {id: commune-pc, name: {vi: UBND cấp xã}, desk: true}
steps:
  - {id: tiep-nhan, name: {vi: Tiếp nhận}, kind: reception, agency: commune-pc,
     outcomes: {chuyen: giai-quyet}}
  - {id: giai-quyet, name: {vi: Giải quyết}, kind: processing, agency: commune-pc,
     outcomes: {xong: tra-ket-qua}}
  - {id: tra-ket-qua, name: {vi: Trả kết quả}, kind: return, agency: commune-pc,
     outcomes: {trao: returned}}
"""


def test_a_result_step_with_its_own_id_is_noticed(
    opener: Opener, calendar: WorkCalendar, clock: VirtualClock, tmp_path: Path
) -> None:
    """The result-ready notice follows the step's kind (``kind: return``), not
    its id: a procedure naming that step ``tra-ket-qua`` has its move into it
    in the outbox on every store, and the dispatcher words it as the result
    being ready."""
    import yaml

    from procflow.compiler import compile_procedure
    from procflow.definition.model import Procedure
    from procflow.notify.notices import notice_kind

    proc = compile_procedure(Procedure.model_validate(yaml.safe_load(OWN_RETURN_ID)))
    catalogue = Catalogue([proc])
    engine = Engine(opener(), catalogue, calendar, clock)
    code = engine.receive("test.own-return-id", actor=DESK, applicant={"name": "Mai"}).code
    engine.fire(code, "chuyen", DESK)
    engine.fire(code, "xong", DESK)
    store = engine.store
    assert outbox(store) == [(code, 1, "received"), (code, 3, "moved")]
    into_result = store.events(code)[2]
    dossier = store.get(code)
    assert dossier is not None
    assert notice_kind(into_result, dossier, catalogue) == "result_ready"
    # Without the procedure, only the ids of RESULT_STEPS say so.
    assert notice_kind(into_result) is None
    # The move between working steps is in no outbox and notifies nobody.
    assert notice_kind(store.events(code)[1], dossier, catalogue) is None

    path = tmp_path / "notices.jsonl"
    run = notify(store, config_for(file=path), catalogue=catalogue, now=clock.now())
    assert run.sent == 2
    kinds = [json.loads(line)["kind"] for line in path.read_text("utf-8").splitlines()]
    assert kinds == ["receipt", "result_ready"]
