"""The receipt slip ``Engine.receive`` returns is built when first read
(``ReceiptSlip.later``): whatever is read first, and whatever the caller or
later acts change meanwhile, it is the slip of the receipt.

The reference for each check is a second engine run with the same clock,
store kind and inputs, whose slip is built at once (``to_dict`` reads every
field): receipts are deterministic, so the two slips must be equal.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import datetime, timedelta
from typing import Any

import pytest
from enginetest import CHILD, DESK, PC, VN, load
from hypothesis import given, settings
from hypothesis import strategies as st

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import compile_procedure
from procflow.engine import Engine, VirtualClock
from procflow.model.slips import ReceiptSlip, SupplementRequest
from procflow.store import MemoryStore

FIELDS = [f.name for f in dataclasses.fields(ReceiptSlip)]
CALENDAR = WorkCalendar.vietnam()
CATALOGUE = Catalogue([compile_procedure(load("procedures/lien-thong/child-under-6.yaml"))])
# Friday 6 March 2026, 20:00: outside office hours, so the clock starts on
# Monday and clock_starts_at differs from received_at.
NIGHT = datetime(2026, 3, 6, 20, 0, tzinfo=VN)


def _receive(applicant: dict[str, Any] | None = None) -> tuple[Engine, ReceiptSlip]:
    engine = Engine(MemoryStore(), CATALOGUE, CALENDAR, VirtualClock(NIGHT))
    slip = engine.receive(CHILD, actor=DESK, applicant=applicant or {"name": "Lê Thị Hoa"})
    return engine, slip


def _built() -> ReceiptSlip:
    slip = _receive()[1]
    slip.to_dict()  # reads every field
    return slip


def test_the_slip_is_not_built_until_read() -> None:
    slip = _receive()[1]
    assert "_make" in vars(slip)  # only the code is made at receipt
    assert slip.code == "COMMUNE-PC-260306-00001"
    assert "_make" in vars(slip)
    assert slip.clock_starts_at is not None
    assert "_make" not in vars(slip)


@pytest.mark.parametrize("first", FIELDS)
def test_whatever_is_read_first_the_slip_is_the_same(first: str) -> None:
    # Fields with defaults are class attributes of the dataclass: reading one
    # of them first must still build the slip, not answer the default.
    slip = _receive()[1]
    built = _built()
    assert getattr(slip, first) == getattr(built, first)
    assert slip == built
    assert slip.to_dict() == built.to_dict()


OPERATIONS: dict[str, Any] = {
    "eq": lambda s: s,
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
    "pickle": lambda s: pickle.loads(pickle.dumps(s)),
    "replace": lambda s: dataclasses.replace(s),
    "asdict": dataclasses.asdict,
    "repr": repr,
}


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(sorted(OPERATIONS)), min_size=1, max_size=4))
def test_an_unbuilt_slip_behaves_as_its_built_self(names: list[str]) -> None:
    reference = _built()
    slip = _receive()[1]
    for name in names:
        op = OPERATIONS[name]
        assert op(slip) == op(reference), name


def test_the_slip_keeps_what_the_receipt_fixed() -> None:
    """The caller's dicts change and the dossier moves before the slip is
    read: the slip still says what the receipt said."""
    applicant = {"name": "Lê Thị Hoa"}
    engine, slip = _receive(applicant)
    reference = _built()
    applicant["name"] = "someone else"
    clock = engine.clock
    assert isinstance(clock, VirtualClock)
    # A supplement round: the clock pauses two working days and the dossier's
    # due date and appointment move; the slip's appointment stays.
    code = slip.code
    engine.fire(code, "forward", PC)
    clock.advance(timedelta(days=4))  # Tuesday
    engine.fire(code, "request_supplement", PC, missing=["Giấy chứng sinh"])
    clock.advance(timedelta(days=2))
    engine.fire(code, "resubmit", PC)
    assert engine.get(code).appointment > reference.appointment
    assert engine.get(code).version > 1
    assert slip == reference
    assert slip.applicant == {"name": "Lê Thị Hoa"}


def test_later_needs_a_class_made_ready_for_it() -> None:
    with pytest.raises(TypeError, match="_built_later"):
        SupplementRequest.later({}, dict)


def _race(slip: ReceiptSlip) -> tuple[dict[str, object], list[BaseException]]:
    """Every field of ``slip`` read at once, each by a thread of its own."""
    import threading

    seen: dict[str, object] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(FIELDS))

    def read(name: str) -> None:
        start.wait()
        try:
            seen[name] = getattr(slip, name)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(f,)) for f in FIELDS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen, errors


def test_threads_reading_an_unbuilt_slip_all_see_it_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Readers racing on one unbuilt slip: each sees every field (one may
    build it while another reads), never a slip half built. Building is
    made slow (a sleep lets the other threads run) so that they do race."""
    import time

    reference = {f: getattr(_built(), f) for f in FIELDS}
    build = ReceiptSlip.of.__func__  # type: ignore[attr-defined]

    def slow(cls: type[ReceiptSlip], values: dict[str, Any]) -> ReceiptSlip:
        time.sleep(0.002)
        return build(cls, values)  # type: ignore[no-any-return]

    monkeypatch.setattr(ReceiptSlip, "of", classmethod(slow))
    for _ in range(5):
        seen, errors = _race(_receive()[1])
        assert not errors
        assert seen == reference
