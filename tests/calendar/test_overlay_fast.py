"""The hand-written overlay check agrees with the pydantic schema.

``parse_overlay`` validates a document with a quick check that accepts only
what the pydantic models (procflow.calendar.schema) accept, with the same
values, and hands anything else to the models. Here: documents mutated at
random are either accepted by both with the same values, or left to the
models; and ``parse_overlay`` gives the same overlay, or the same error, as
when the models validate everything.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from procflow.calendar import national_overlay_path, overlay, parse_overlay
from procflow.calendar.schema import OverlayFile
from procflow.errors import CalendarError

EXAMPLE = Path(__file__).parents[2] / "procedures" / "calendars" / "example-province.yaml"

VALID: dict[str, Any] = {
    "version": 1,
    "name": "Test calendar",
    "description": "for the tests",
    "base": {"holidays": "VN", "subdiv": None},
    "timezone": "Asia/Ho_Chi_Minh",
    "weekend": ["sat", "sun"],
    "office_hours": ["07:30-11:30", "13:30-17:00"],
    "same_day_cutoff": "15:00",
    "years": {
        2026: {
            "note": "a note",
            "days_off": [
                {"date": "2026-02-16", "name": "Tết", "source": "9859/VPCP", "confirmed": True},
                {
                    "date": "2026-11-24",
                    "name": "Ngày Văn hóa",
                    "source": "80-NQ/TW",
                    "confirmed": False,
                    "note": "not in force",
                },
            ],
            "working_days": [
                {"date": "2026-01-10", "name": "Làm bù", "source": "12729", "confirmed": True}
            ],
            "swaps": [
                {
                    "day_off": "2026-08-31",
                    "working_day": "2026-08-22",
                    "name": "Hoán đổi",
                    "source": "9859/VPCP-KGVX",
                    "confirmed": True,
                }
            ],
        },
        2027: {},
    },
}

ODD_VALUES = [
    None,
    "",
    " ",
    " padded ",
    "x",
    "VN",
    "yes",
    "true",
    0,
    1,
    2,
    True,
    False,
    1.5,
    [],
    {},
    ["sat"],
    ["sat", "Sun"],
    [" sat"],
    "2026-02-30",
    "2026/02/16",
    "2026-02-16 ",
    "2027-01-01",
    "\u00a0nbsp",
    "tab\t",
    "\u2028",
    "\x1f",
    b"bytes",
    {"holidays": "VN"},
    {"holidays": "V"},
    {"holidays": "VN", "extra": 1},
    [{"date": "2026-03-02", "name": "n", "source": "s", "confirmed": True}],
]


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(paths(v, (*prefix, k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.extend(paths(v, (*prefix, i)))
    return out


ALL_PATHS = paths(VALID)


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """VALID with a few random edits: a value replaced, a key dropped or added."""
    doc = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        if not path:
            continue
        parent = doc
        try:
            for part in path[:-1]:
                parent = parent[part]
            key = path[-1]
            action = draw(st.sampled_from(["replace", "drop", "add"]))
            if action == "replace":
                parent[key] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
            elif action == "drop" and isinstance(parent, dict):
                del parent[key]
            elif isinstance(parent, dict):
                parent[draw(st.sampled_from(["nota", "Name", 2026, "2028", "note"]))] = (
                    copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
                )
        except (KeyError, IndexError, TypeError):
            continue
    return doc


def quick(doc: Any) -> Any:
    try:
        return overlay._quick(doc)
    except overlay._Unsure:
        return None


def by_models(doc: Any) -> Any:
    try:
        return overlay._from_model(OverlayFile.model_validate(doc))
    except ValidationError:
        return None


@given(documents())
def test_quick_check_accepts_only_what_the_models_accept(doc: Any) -> None:
    fast = quick(doc)
    if fast is not None:
        assert by_models(doc) == fast


def test_quick_check_accepts_plain_documents() -> None:
    assert quick(VALID) == by_models(VALID) is not None
    for path in (national_overlay_path(), EXAMPLE):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=overlay._StrictLoader)
        assert quick(data) is not None
        assert quick(data) == by_models(data)


def _parse_with_models_only(text: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    def unsure(data: Any) -> Any:
        raise overlay._Unsure

    with monkeypatch.context() as m:
        m.setattr(overlay, "_quick", unsure)
        try:
            return parse_overlay(text, "doc.yaml")
        except CalendarError as exc:
            return str(exc)


@given(documents())
def test_parse_overlay_is_the_same_with_or_without_the_quick_check(doc: Any) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    try:
        fast: Any = parse_overlay(text, "doc.yaml")
    except CalendarError as exc:
        fast = str(exc)
    with pytest.MonkeyPatch.context() as mp:
        slow = _parse_with_models_only(text, mp)
    assert fast == slow
    if not isinstance(fast, str):
        assert fast.spec == slow.spec  # the lazily built pydantic view
