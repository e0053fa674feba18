"""Today's engine, field by field: every library scenario and 3,000 seeded random
schedules give the events, states, control slips and refusals recorded in
``engine.jsonl.gz`` (see golden.py), hashes aside. A new engine core must too."""

from __future__ import annotations

from itertools import zip_longest
from pathlib import Path
from typing import Any

import golden
from procflow.store.sqlite import SQLiteStore


def _first_difference(path: str, want: Any, got: Any) -> str | None:
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(want) | set(got)):
            found = _first_difference(f"{path}.{key}", want.get(key), got.get(key))
            if found:
                return found
        return None
    if isinstance(want, list) and isinstance(got, list):
        for i, (w, g) in enumerate(zip_longest(want, got)):
            found = _first_difference(f"{path}[{i}]", w, g)
            if found:
                return found
        return None
    return None if want == got else f"{path}: recorded {want!r}, now {got!r}"


def test_the_engine_reproduces_the_golden_data() -> None:
    recorded = list(golden.read())
    assert len(recorded) >= golden.SCHEDULES
    now = golden.all_cases()
    differences = []
    for want, got in zip_longest(recorded, now):
        assert want is not None and got is not None, "a different number of cases"
        diff = _first_difference(want["case"], want, got)
        if diff:
            differences.append(diff)
    assert not differences, f"{len(differences)} case(s) differ; first: " + "; ".join(
        differences[:5]
    )


def test_the_golden_data_covers_what_the_engine_does() -> None:
    kinds: set[str] = set()
    types: set[str] = set()
    for case in golden.read():
        for act in case["acts"]:
            kinds.add(act[0] if isinstance(act, list) else act)
            if isinstance(act, list) and act[0] == "refused":
                kinds.add("refused:" + act[1])
        for dossier in case["dossiers"]:
            types.update(e["type"] for e in dossier["events"])
    assert {
        "receive",
        "fire",
        "set_facts",
        "apologise",
        "sweep",
        "withdraw",
        "stop",
        "refused:NotPermitted",
        "refused:RuleViolation",
    } <= kinds
    assert {
        "received",
        "moved",
        "handed_off",
        "paused",
        "resumed",
        "returned",
        "refused",
        "withdrawn",
        "stopped",
        "apologised",
        "facts_set",
        "warned",
        "overdue",
    } <= types


def test_the_sql_stores_give_the_same_dossiers(tmp_path: Path) -> None:
    """The SQLite store writes rows from the engine's records (record_row,
    entry_row): the first 300 random schedules read back from a real file give
    the recorded events, states and slips."""
    recorded = {case["case"]: case for case in golden.read()}
    catalogue = golden._catalogue()
    made = iter(range(10_000))

    def store() -> SQLiteStore:
        return SQLiteStore(tmp_path / f"golden-{next(made)}.db")

    differences = []
    for number in range(300):
        got = golden.random_case(catalogue, number, store)
        diff = _first_difference(got["case"], recorded[got["case"]], got)
        if diff:
            differences.append(diff)
    assert not differences, f"{len(differences)} case(s) differ; first: " + "; ".join(
        differences[:5]
    )
