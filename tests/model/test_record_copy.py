"""``Record.copy`` writes every slot out by hand: none may be missed, and the
copy shares nothing the engine changes in place."""

from __future__ import annotations

from datetime import UTC

from procflow.model.record import Record


def _filled() -> Record:
    rec = Record("X-9", "p", "2", "desk", "a", 10, 86400, UTC, {"name": "Lan"}, {"kids": [1, 2]})
    rec.open_visit("a", "desk", 10, 100)
    rec.appointments.append((86400, 10, None, "desk", None))
    rec.pauses["supplement"] = {"count": 1, "seconds": 5.0}
    # every slot gets a value of its own, distinct from the defaults
    for i, name in enumerate(Record.__slots__):
        if getattr(rec, name, None) in (None, 0, 0.0, (), b"", False):
            setattr(rec, name, f"value-{i}")
    return rec


def test_the_copy_has_every_slot() -> None:
    rec = _filled()
    new = rec.copy()
    for name in Record.__slots__:
        assert getattr(new, name) == getattr(rec, name), name


def test_the_copy_shares_nothing_changeable() -> None:
    rec = _filled()
    new = rec.copy()
    for name in ("applicant", "facts", "appointments", "cells", "pauses"):
        assert getattr(new, name) is not getattr(rec, name), name
    assert new.facts["kids"] is not rec.facts["kids"]
    assert new.pauses["supplement"] is not rec.pauses["supplement"]
    new.cells.append("x")
    new.pauses["supplement"]["count"] += 1
    assert len(rec.cells) == len(new.cells) - 1
    assert rec.pauses["supplement"]["count"] == 1
