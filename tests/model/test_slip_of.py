"""``_Slip.of`` builds the same slip as the dataclass constructor.

Receipts build their slip with ``ReceiptSlip.of`` (no per-field
``object.__setattr__``); these hold it to ``ReceiptSlip(**values)`` field by
field, with defaults left out, with a legal basis given (no form stamp) and
on either side of the circulars' change of forms, and hold its errors to the
constructor's kind.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procflow.calendar.unconfirmed import UnconfirmedDay
from procflow.model.slips import ApologySlip, FeeLine, ReceiptSlip

VN = ZoneInfo("Asia/Ho_Chi_Minh")
text = st.text(max_size=8)
instants = st.datetimes(
    min_value=datetime(2019, 1, 6), max_value=datetime(2030, 12, 31), timezones=st.just(VN)
)


@st.composite
def receipt_values(draw: st.DrawFn) -> dict[str, object]:
    received = draw(instants)
    values: dict[str, object] = {
        "code": draw(text),
        "procedure_id": draw(text),
        "procedure_version": draw(text),
        "procedure_name": draw(text),
        "applicant": draw(st.dictionaries(text, text, max_size=3)),
        "documents": [{"name": n} for n in draw(st.lists(text, max_size=3))],
        "received_at": received,
        "appointment": received + timedelta(days=draw(st.integers(0, 30))),
        "time_limit": draw(text),
        "received_by": draw(text),
    }
    optional = {
        "legal_basis": draw(st.none() | text),
        "unconfirmed_days": [
            UnconfirmedDay(
                received.date(), "day_off", "A day", "a source", None, "vn.yaml", True, False
            )
        ],
        "unrecorded_years": [received.year + 1],
        "fees": (FeeLine("fee", draw(st.integers(0, 10**6))),),
        "clock_starts_at": draw(st.none() | instants),
        "time_limit_case": draw(st.none() | text),
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True)):
        values[name] = optional[name]
    return values


@given(receipt_values())
def test_of_builds_what_the_constructor_builds(values: dict[str, object]) -> None:
    made = ReceiptSlip(**values)  # type: ignore[arg-type]
    fast = ReceiptSlip.of(dict(values))
    assert fast == made and vars(fast) == vars(made) and type(fast) is ReceiptSlip
    assert fast.to_dict() == made.to_dict()
    # Circular 01/2018 takes effect on 6/1/2019 and 03/2025 follows it: every slip
    # drawn is stamped unless a legal basis is given
    assert fast.form is not None or values.get("legal_basis") is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.code = "changed"  # type: ignore[misc]


def test_defaults_are_fresh_and_errors_are_type_errors() -> None:
    now = datetime(2025, 9, 15, 8, 0, tzinfo=VN)
    base = {
        "code": "X-1",
        "procedure_id": "p",
        "procedure_version": "1",
        "procedure_name": "P",
        "applicant": {},
        "documents": [],
        "received_at": now,
        "appointment": now,
        "time_limit": "1 day",
        "received_by": "lan@desk",
    }
    a, b = ReceiptSlip.of(dict(base)), ReceiptSlip.of(dict(base))
    assert a.unconfirmed_days == [] and a.unconfirmed_days is not b.unconfirmed_days
    assert (a.form, a.legal_basis) == ("01", "03/2025/TT-VPCP")
    before = ReceiptSlip.of({**base, "received_at": now - timedelta(days=1)})
    assert before.legal_basis == "01/2018/TT-VPCP"
    with pytest.raises(TypeError, match="no field 'colour'"):
        ReceiptSlip.of({**base, "colour": "red"})
    missing = dict(base)
    del missing["code"]
    with pytest.raises(TypeError, match="needs 'code'"):
        ReceiptSlip.of(missing)
    # another slip class has its own fields and defaults
    with pytest.raises(TypeError, match="ApologySlip has no field 'fees'"):
        ApologySlip.of({"fees": ()})
