"""What an applicant's details and a dossier's facts may hold: JSON, and not much of it.

They are stored in the dossier's row and in its events, hashed into the chain
and shown on slips, so they must survive every store and every export the
same way: a JSON object with string keys, whose values are strings, booleans,
null, finite numbers that fit 64 bits, lists and objects, nested a few levels
at most. Anything else (bytes, dates, sets, integer keys, a number too big for
PostgreSQL's ``bigint`` or orjson, an object nested thousands deep) is refused
with the path of the first offending value, before anything is written.
"""

from __future__ import annotations

import math

from procflow.errors import RuleViolation

MAX_DEPTH = 16
"""Deepest nesting accepted: an address inside a list of children is 3 levels."""
MAX_ITEMS = 10_000
"""Most values (at every level together) in one applicant or facts object."""
INT_RANGE = (-(2**63), 2**63 - 1)
"""Integers that every store and orjson write exactly."""


def _where(name: str, path: tuple[str | int, ...]) -> str:
    return name + "".join(f"[{p!r}]" for p in path)


def check_payload(name: str, value: object) -> None:
    """Refuse ``value`` unless it is a JSON object procflow can store (see above).

    ``None`` is accepted (nothing given). Walks iteratively, so that a
    hostile depth cannot exhaust the interpreter's stack.
    """
    if value is None:
        return
    if type(value) is dict and len(value) <= _FLAT_MAX and _flat_text(value):
        return  # the usual applicant or facts: a few names and flags
    if not isinstance(value, dict):
        raise RuleViolation(
            f"{name} must be a mapping of names to values (a dict), not "
            f"{type(value).__name__} {_short(value)}"
        )
    seen = 0
    todo: list[tuple[object, tuple[str | int, ...]]] = [(value, ())]
    while todo:
        item, path = todo.pop()
        seen += 1
        if seen > MAX_ITEMS:
            raise RuleViolation(
                f"{name} holds more than {MAX_ITEMS:,} values; keep documents out of it "
                "and store a reference instead"
            )
        if len(path) > MAX_DEPTH:
            raise RuleViolation(
                f"{_where(name, path[:MAX_DEPTH])} nests more than {MAX_DEPTH} levels deep; "
                "flatten it"
            )
        if isinstance(item, dict):
            for key, sub in item.items():
                if not isinstance(key, str):
                    raise RuleViolation(
                        f"{_where(name, path)} has a key {_short(key)} of type "
                        f"{type(key).__name__}: keys must be strings"
                    )
                todo.append((sub, (*path, key)))
        elif isinstance(item, list | tuple):
            todo.extend((sub, (*path, i)) for i, sub in enumerate(item))
        elif item is None or isinstance(item, str | bool):
            continue
        elif isinstance(item, int):
            if not INT_RANGE[0] <= item <= INT_RANGE[1]:
                raise RuleViolation(
                    f"{_where(name, path)} is an integer outside 64 bits; write it as a "
                    "string (identity and account numbers are text)"
                )
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise RuleViolation(f"{_where(name, path)} is {item}; give a finite number")
        else:
            raise RuleViolation(
                f"{_where(name, path)} is {type(item).__name__} {_short(item)}: only text, "
                "numbers, true/false, null, lists and objects can be stored; convert it "
                "(e.g. a date to ISO text)"
            )


_FLAT_MAX = 64
_PLAIN = frozenset({str, bool, type(None)})


def _flat_text(value: dict[object, object]) -> bool:
    """Whether ``value`` is one level of string keys to text, true/false or null:
    nothing :func:`check_payload` would refuse, known without walking it."""
    plain = _PLAIN
    # a loop, not all() over generators: every receipt checks two of these
    for k, v in value.items():  # noqa: SIM110
        if type(k) is not str or type(v) not in plain:
            return False
    return True


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
