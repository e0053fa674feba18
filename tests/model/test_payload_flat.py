"""check_payload's shortcut for flat text mappings decides as the full walk does."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procflow.errors import RuleViolation
from procflow.model import payload

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=8),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(object()),
)
_keys = st.one_of(st.text(max_size=5), st.integers(min_value=0, max_value=3))


def _verdict(value: object) -> str | None:
    try:
        payload.check_payload("applicant", value)
    except RuleViolation as exc:
        return str(exc)
    return None


@given(st.dictionaries(_keys, _scalars, max_size=70))
def test_the_shortcut_and_the_walk_agree(value: dict[object, object]) -> None:
    fast = _verdict(value)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(payload, "_FLAT_MAX", -1)  # the walk, always
        slow = _verdict(value)
    assert fast == slow


def test_what_the_shortcut_lets_through_is_only_text_flags_and_nulls() -> None:
    assert payload._flat_text({"name": "Lan", "online": True, "note": None})
    assert not payload._flat_text({"age": 5})  # ints are range-checked by the walk
    assert not payload._flat_text({"x": math.inf})
    assert not payload._flat_text({1: "one"})
