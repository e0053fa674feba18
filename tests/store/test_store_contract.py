"""The Store contract, run unchanged against every backend (see conftest.BACKENDS).

Whatever the backend, the engine relies on: a stored dossier reads back
equal; create refuses a code twice; append refuses a stale version and then
writes nothing; events come back in order; the sweep finds exactly the open
dossiers whose alert time has come; codes come in receipt order; sequences
count per scope.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from store_testdata import T0, VN, advance, receive

from procflow.errors import ConflictError, StoreError
from procflow.model.dossier import Dossier
from procflow.model.events import Event, verify_chain
from procflow.store import Store


def stored(store: Store, code: str) -> Dossier:
    got = store.get(code)
    assert got is not None, f"{code} is not stored"
    return got


def snapshot(store: Store, code: str) -> tuple[dict[str, object] | None, list[Event]]:
    got = store.get(code)
    return (got.to_dict() if got else None), store.events(code)


def test_satisfies_the_protocol(store: Store) -> None:
    assert isinstance(store, Store)


def test_create_then_get_round_trips(store: Store) -> None:
    dossier, event = receive("HS-001")
    store.create(dossier, event, T0 + timedelta(days=2))
    assert stored(store, "HS-001").to_dict() == dossier.to_dict()
    assert store.events("HS-001") == [event]


def test_round_trip_keeps_offsets_unicode_and_nested_values(store: Store) -> None:
    dossier, event = receive("HS-Đ-01", at=datetime(2025, 3, 3, 8, 0, 0, 123456, tzinfo=VN))
    dossier.facts = {"ghi_chú": "Hồ sơ đầy đủ", "list": [1, 2.5, None, {"a": "b"}], "t": True}
    dossier.paused_at = datetime(2025, 3, 4, 1, 0, tzinfo=UTC)  # another offset, kept as is
    dossier.alerts = ["warned:step"]
    store.create(dossier, event, None)
    back = stored(store, "HS-Đ-01")
    assert back.to_dict() == dossier.to_dict()
    assert back.paused_at is not None and back.paused_at.utcoffset() == timedelta(0)
    assert back.received_at.utcoffset() == timedelta(hours=7)
    assert store.events("HS-Đ-01")[0].at.isoformat() == event.at.isoformat()


def test_unknown_code_reads_as_nothing(store: Store) -> None:
    assert store.get("nope") is None
    assert store.events("nope") == []


def test_stored_state_is_not_shared_with_the_caller(store: Store) -> None:
    dossier, event = receive("HS-001")
    store.create(dossier, event, None)
    dossier.state = "changed-after-create"
    dossier.facts["x"] = 1
    got = stored(store, "HS-001")
    got.state = "changed-after-get"
    got.visits.append(got.visits[-1])
    with pytest.raises(AttributeError):  # visits are frozen: what the log says
        got.visits[0].agency = "elsewhere"  # type: ignore[misc]
    got.facts["nested"]["ok"] = False  # nested data is the caller's own too
    assert stored(store, "HS-001").state == "tiep-nhan"
    assert len(stored(store, "HS-001").visits) == 1
    assert stored(store, "HS-001").facts["nested"]["ok"] is True
    assert "x" not in stored(store, "HS-001").facts
    assert stored(store, "HS-001").visits[-1].agency == "ubnd-xa-an-binh"


def test_duplicate_create_conflicts_and_keeps_the_first(store: Store) -> None:
    first, event = receive("HS-001")
    store.create(first, event, None)
    other, other_event = receive("HS-001", at=T0 + timedelta(hours=1), procedure_id="other")
    with pytest.raises(ConflictError, match="HS-001"):
        store.create(other, other_event, T0)
    assert stored(store, "HS-001").to_dict() == first.to_dict()
    assert store.events("HS-001") == [event]
    assert store.due_for_alert(T0 + timedelta(days=30)) == []


def test_append_stores_event_and_state(store: Store) -> None:
    d1, e1 = receive("HS-001")
    store.create(d1, e1, None)
    d2, e2 = advance(d1, "tham-dinh")
    store.append(d2, e2, 1, None)
    d3, e3 = advance(d2, "phe-duyet")
    store.append(d3, e3, 2, None)
    assert stored(store, "HS-001").to_dict() == d3.to_dict()
    assert store.events("HS-001") == [e1, e2, e3]
    assert verify_chain("HS-001", store.events("HS-001")) == []


def test_stale_append_conflicts_and_writes_nothing(store: Store) -> None:
    d1, e1 = receive("HS-001")
    store.create(d1, e1, T0 + timedelta(days=1))
    winner, winner_event = advance(d1, "tham-dinh")
    store.append(winner, winner_event, 1, T0 + timedelta(days=2))
    before = snapshot(store, "HS-001")

    # A second caller read version 1 too, and moves the dossier elsewhere.
    loser, loser_event = advance(d1, "tu-choi", close=True)
    with pytest.raises(ConflictError, match="HS-001"):
        store.append(loser, loser_event, 1, T0 + timedelta(hours=1))

    assert snapshot(store, "HS-001") == before
    assert store.due_for_alert(T0 + timedelta(days=1, hours=12)) == []
    assert store.due_for_alert(T0 + timedelta(days=2)) == ["HS-001"]


def test_append_to_an_unknown_dossier_conflicts(store: Store) -> None:
    d1, _ = receive("HS-404")
    d2, e2 = advance(d1, "tham-dinh")
    with pytest.raises(ConflictError):
        store.append(d2, e2, 1, None)
    assert store.get("HS-404") is None
    assert store.events("HS-404") == []


def test_events_are_per_dossier_and_in_order(store: Store) -> None:
    a, ea = receive("HS-A")
    b, eb = receive("HS-B")
    store.create(a, ea, None)
    store.create(b, eb, None)
    expected = {"HS-A": [ea], "HS-B": [eb]}
    current = {"HS-A": a, "HS-B": b}
    for i in range(6):
        code = "HS-A" if i % 3 else "HS-B"
        nxt, ev = advance(current[code], f"buoc-{i}")
        store.append(nxt, ev, current[code].version, None)
        current[code] = nxt
        expected[code].append(ev)
    for code, events in expected.items():
        assert store.events(code) == events
        assert [e.seq for e in store.events(code)] == list(range(1, len(events) + 1))


def test_due_for_alert(store: Store) -> None:
    # Alerts written in different offsets must still be compared as instants:
    # 09:00 in Hanoi (02:00 UTC) is earlier than 03:00 UTC.
    hanoi_9 = datetime(2025, 3, 5, 9, 0, tzinfo=VN)
    utc_3 = datetime(2025, 3, 5, 3, 0, tzinfo=UTC)
    plus_9 = datetime(2025, 3, 5, 12, 30, tzinfo=timezone(timedelta(hours=9)))  # 03:30 UTC
    alerts = {"HS-1": utc_3, "HS-2": hanoi_9, "HS-3": plus_9, "HS-4": None}
    for i, (code, at) in enumerate(alerts.items()):
        d, e = receive(code, at=T0 + timedelta(minutes=i))
        store.create(d, e, at)

    assert store.due_for_alert(hanoi_9 - timedelta(microseconds=1)) == []
    assert store.due_for_alert(hanoi_9) == ["HS-2"]  # at or before: inclusive
    assert store.due_for_alert(utc_3) == ["HS-2", "HS-1"]
    assert store.due_for_alert(datetime(2025, 3, 6, tzinfo=VN)) == ["HS-2", "HS-1", "HS-3"]
    assert store.due_for_alert(datetime(2025, 3, 6, tzinfo=VN), limit=2) == ["HS-2", "HS-1"]

    # Moving an alert later, or clearing it when the dossier closes, takes it off the list.
    d2 = stored(store, "HS-2")
    later, ev = advance(d2, "tham-dinh")
    store.append(later, ev, d2.version, datetime(2025, 3, 7, tzinfo=VN))
    d1 = stored(store, "HS-1")
    closed, ev = advance(d1, "tra-ket-qua", close=True)
    store.append(closed, ev, d1.version, None)
    assert store.due_for_alert(datetime(2025, 3, 6, tzinfo=VN)) == ["HS-3"]
    assert store.due_for_alert(datetime(2025, 3, 8, tzinfo=VN)) == ["HS-3", "HS-2"]


def test_codes_in_receipt_order_with_filters(store: Store) -> None:
    plan = [
        ("HS-05", "vn.khai-sinh", False),
        ("HS-02", "vn.ket-hon", True),
        ("HS-09", "vn.khai-sinh", True),
        ("HS-01", "vn.ket-hon", False),
        ("HS-07", "vn.khai-sinh", False),
    ]
    for i, (code, procedure, close) in enumerate(plan):
        d, e = receive(code, at=T0 + timedelta(hours=i), procedure_id=procedure)
        store.create(d, e, None)
        if close:
            closed, ev = advance(d, "tra-ket-qua", close=True)
            store.append(closed, ev, 1, None)

    assert list(store.codes()) == ["HS-05", "HS-02", "HS-09", "HS-01", "HS-07"]
    assert list(store.codes(open_only=True)) == ["HS-05", "HS-01", "HS-07"]
    assert list(store.codes(procedure_id="vn.ket-hon")) == ["HS-02", "HS-01"]
    assert list(store.codes(open_only=True, procedure_id="vn.khai-sinh")) == ["HS-05", "HS-07"]
    assert list(store.codes(procedure_id="vn.none")) == []


def test_writing_while_iterating_codes(store: Store) -> None:
    # The sweep's pattern: walk the open dossiers and write to each on the way.
    for i in range(5):
        d, e = receive(f"HS-{i}", at=T0 + timedelta(minutes=i))
        store.create(d, e, None)
    for code in store.codes(open_only=True):
        d = stored(store, code)
        closed, ev = advance(d, "tra-ket-qua", close=True)
        store.append(closed, ev, d.version, None)
    assert list(store.codes(open_only=True)) == []
    assert len(list(store.codes())) == 5


def test_next_sequence_counts_per_scope(store: Store) -> None:
    assert [store.next_sequence("ubnd-xa-an-binh/2025-03-03") for _ in range(3)] == [1, 2, 3]
    assert store.next_sequence("ubnd-xa-an-binh/2025-03-04") == 1
    assert store.next_sequence("ubnd-xa-an-binh/2025-03-03") == 4


def test_iter_dossier_dicts_streams_state_in_receipt_order(store: Store) -> None:
    from datetime import timedelta

    from store_testdata import T0, receive

    made = [receive(f"D-{i:03d}", at=T0 + timedelta(minutes=i)) for i in range(3)]
    for dossier, event in made:
        store.create(dossier, event, None)
    dicts = list(store.iter_dossier_dicts())
    assert [d["code"] for d in dicts] == ["D-000", "D-001", "D-002"]
    assert dicts[1] == made[1][0].to_dict()
    assert list(store.iter_dossier_dicts(procedure_id="nope")) == []


# --- numbering a receipt in its own transaction ---------------------------------------
#
# Every store offers create_numbered (the engine uses it for receipts): the
# number and the dossier built for it are stored together, or not at all.

Made = tuple[Dossier, Event, datetime | None]


def numbered(store: Store, scope: str, make: Callable[[int], Made], **kw: int) -> Dossier:
    dossier, _ = store.create_numbered(scope, make, **kw)  # type: ignore[attr-defined]
    assert isinstance(dossier, Dossier)
    return dossier


def test_create_numbered_takes_the_next_number_of_its_scope(store: Store) -> None:
    made: list[int] = []

    def make(n: int) -> Made:
        made.append(n)
        dossier, event = receive(f"DESK-250303-{n:05d}")
        return dossier, event, None

    first, second = numbered(store, "DESK-250303", make), numbered(store, "DESK-250303", make)
    assert (first.code, second.code) == ("DESK-250303-00001", "DESK-250303-00002")
    assert made == [1, 2]
    assert stored(store, "DESK-250303-00002").to_dict() == second.to_dict()
    assert store.next_sequence("DESK-250303") == 3
    assert store.next_sequence("OTHER") == 1


def test_create_numbered_skips_numbers_already_taken(store: Store) -> None:
    # A database restored from an older backup: the sequence is behind the codes.
    for n in (1, 2):
        dossier, event = receive(f"DESK-250303-{n:05d}")
        store.create(dossier, event, None)

    def make(n: int) -> Made:
        dossier, event = receive(f"DESK-250303-{n:05d}", at=T0 + timedelta(hours=1))
        return dossier, event, None

    assert numbered(store, "DESK-250303", make).code == "DESK-250303-00003"
    assert stored(store, "DESK-250303-00001").received_at == T0  # untouched
    assert store.next_sequence("DESK-250303") == 4


def test_create_numbered_gives_up_and_writes_nothing(store: Store) -> None:
    dossier, event = receive("TAKEN")
    store.create(dossier, event, None)

    def make(n: int) -> Made:
        d, e = receive("TAKEN", at=T0 + timedelta(hours=n))
        return d, e, None

    with pytest.raises(ConflictError, match="3 numbers in a row"):
        numbered(store, "DESK", make, attempts=3)
    assert list(store.codes()) == ["TAKEN"]
    assert store.events("TAKEN") == [event]
    assert store.next_sequence("DESK") == 1  # the numbers taken were given back


def test_an_event_whose_data_is_not_json_names_itself_and_writes_nothing(
    store: Store, backend: str
) -> None:
    if backend == "memory":
        pytest.skip("the in-memory store keeps events as given: nothing to encode")
    d1, e1 = receive("HS-001")
    store.create(d1, e1, None)
    before = snapshot(store, "HS-001")
    d2, e2 = advance(d1, "tham-dinh")
    bad = dataclasses.replace(e2, data={**e2.data, "x": {1, 2}})  # a set: no JSON for it
    with pytest.raises(StoreError, match=r"data of HS-001 event 2 cannot be stored as JSON"):
        store.append(d2, bad, 1, None)
    assert snapshot(store, "HS-001") == before
