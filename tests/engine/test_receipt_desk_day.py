"""A receipt asks which version is in force once a day, and asks again when
the catalogue changes.

What a receipt rests on besides the applicant (the version in force that
day, its compiled moves, the desk's checklist, the numbering scope) is
worked out on a procedure's first receipt of a day and kept for the day's
others. A new day asks again; so does every receipt after a version is
added to the catalogue, which may change what is in force today.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from enginetest import CHILD, DESK, POLICE, VN, load

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.definition.model import Procedure
from procflow.engine import Engine, VirtualClock
from procflow.errors import NotPermitted, UnknownProcedure
from procflow.store import MemoryStore

BASE = load("procedures/lien-thong/child-under-6.yaml")


def _version(name: str, **window: Any) -> Procedure:
    return BASE.model_copy(update={"version": name, **window})


def _old_then_new() -> Catalogue:
    """Two versions: "old" up to 3 March 2026, "new" from the 4th."""
    return Catalogue(
        [
            _version("old", effective_from=None, effective_to=date(2026, 3, 3)),
            _version("new", effective_from=date(2026, 3, 4), effective_to=None),
        ]
    )


def _engine(catalogue: Catalogue, at: datetime) -> tuple[Engine, VirtualClock]:
    clock = VirtualClock(at)
    return Engine(MemoryStore(), catalogue, WorkCalendar.vietnam(), clock), clock


def _received_under(engine: Engine) -> str:
    code = engine.receive(CHILD, actor=DESK).code
    return engine.get(code).procedure_version


def test_each_day_is_received_under_its_own_version() -> None:
    catalogue = _old_then_new()
    engine, clock = _engine(catalogue, datetime(2026, 3, 3, 16, 0, tzinfo=VN))
    assert _received_under(engine) == "old"
    clock.advance(minutes=30)
    assert _received_under(engine) == "old"
    clock.advance(hours=8)  # 00:30 on the 4th, local time
    assert _received_under(engine) == "new"
    clock.advance(hours=8)
    assert _received_under(engine) == "new"
    codes = list(engine.store.codes())
    assert [c.rsplit("-", 1)[1] for c in codes] == ["00001", "00002", "00001", "00002"]
    assert [c.rsplit("-", 2)[1] for c in codes] == ["260303", "260303", "260304", "260304"]


def test_a_version_added_today_is_seen_by_the_next_receipt() -> None:
    catalogue = Catalogue([_version("2024-06")])
    engine, clock = _engine(catalogue, datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    assert _received_under(engine) == "2024-06"
    # A second version in force today: two windows overlap, and the desk must
    # be told rather than receive under the version it found this morning.
    catalogue.add(_version("2026-03", effective_from=date(2026, 3, 1)))
    clock.advance(minutes=5)
    with pytest.raises(UnknownProcedure, match="2026-03"):
        engine.receive(CHILD, actor=DESK)
    assert len(list(engine.store.codes())) == 1


def test_another_agency_cannot_receive_on_a_day_already_asked() -> None:
    engine, clock = _engine(Catalogue([BASE]), datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    engine.receive(CHILD, actor=DESK)
    clock.advance(timedelta(minutes=1))
    with pytest.raises(NotPermitted, match="one-stop desk"):
        engine.receive(CHILD, actor=POLICE)
    assert len(list(engine.store.codes())) == 1


def test_a_named_version_is_not_taken_from_the_day() -> None:
    catalogue = _old_then_new()
    engine, _ = _engine(catalogue, datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    assert _received_under(engine) == "old"
    code = engine.receive(
        CHILD, actor=DESK, version="new", version_override="court judgment 1/2026"
    ).code
    assert engine.get(code).procedure_version == "new"


def test_a_named_version_is_remembered_for_the_day_with_its_own_answer() -> None:
    """Receipts under a named version (the simulator's what-if receives every
    dossier so) are remembered per day too, apart from the version in force:
    a version outside its window is refused every time it is asked without a
    legal ground, and received, with the ground recorded, every time with one."""
    from procflow.errors import RuleViolation

    catalogue = _old_then_new()
    engine, clock = _engine(catalogue, datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    for _ in range(2):
        with pytest.raises(RuleViolation, match="version_override"):
            engine.receive(CHILD, actor=DESK, version="new")
        clock.advance(minutes=1)
    assert list(engine.store.codes()) == []  # refused: nothing written
    ground = "court judgment 1/2026"
    codes = []
    for _ in range(2):
        codes.append(engine.receive(CHILD, actor=DESK, version="new", version_override=ground).code)
        codes.append(engine.receive(CHILD, actor=DESK, version="old").code)
        codes.append(engine.receive(CHILD, actor=DESK).code)
        clock.advance(minutes=1)
    assert [engine.get(c).procedure_version for c in codes] == ["new", "old", "old"] * 2
    overrides = [engine.history(c)[0].data.get("version_override") for c in codes]
    assert overrides == [ground, None, None] * 2
    with pytest.raises(NotPermitted, match="one-stop desk"):
        engine.receive(CHILD, actor=POLICE, version="new", version_override=ground)
    assert len(list(engine.store.codes())) == len(codes)
    clock.advance(hours=24)  # the 4th: "new" is in force, and no ground is recorded for it
    code = engine.receive(CHILD, actor=DESK, version="new", version_override=ground).code
    assert engine.history(code)[0].data.get("version_override") is None
    with pytest.raises(RuleViolation, match="version_override"):
        engine.receive(CHILD, actor=DESK, version="old")
