"""Fuzzing the loader with mutants of the shipped library: findings, never tracebacks.

Each mutant is a file of ``procedures/**/*.yaml`` (procedures, and the other
YAML kinds kept there: calendars, scenarios, simulations) broken in one to
three ways, seeded so that a failure names a mutant that can be rebuilt:

* in the text: delete, duplicate or swap lines, change indentation, insert
  YAML tokens, random characters, Unicode, control characters or invalid
  UTF-8, replace a value by an absurd number, truncate, insert deep nesting;
* in the data (read, changed, written back as YAML): drop keys, change
  types, rename triggers to the engine's reserved names, swap step ids,
  duplicate steps, absurd durations.

For every mutant, loading with the checks must return findings without
raising, and every finding about a non-empty file must have a line and a
column (only the unreadable or oversized file as a whole has none). The
whole run is bounded in time; it is printed with ``-s``.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from procflow.checks import CODES
from procflow.definition.loader import discover, load_procedure
from procflow.definition.summary import summarise
from procflow.definition.yamlio import read_yaml

from .conftest import ROOT

SEED = 20251202
MUTANTS = 2400
BUDGET_S = 45.0
"""The whole run must take less; it takes a few seconds on the development machine."""

LIBRARY = sorted((ROOT / "procedures").rglob("*.yaml"))
WHOLE_FILE = frozenset({"file-unreadable", "file-too-large"})
"""Findings about a file as a whole, which have no line."""

TOKENS = [
    ": ",
    "- ",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&anchor ",
    "*anchor",
    "!!python/object:os.system ",
    "!!binary ",
    "!!int ",
    "!custom ",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "|\n",
    ">-\n",
    "#",
    "'",
    '"',
    "\t",
    "<<: ",
    "@",
    "`",
    "~",
    "null",
    "yes",
    "15:00",
    "2025-13-45",
]
CHARACTERS = [
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\u00a0",
    "\u200b",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\ud800",  # a lone surrogate: no UTF-8 form
    "\U0001f600",
    "đ",
    "Ư",
    "ệ",
    "e\u0301",
    "\u202e",
    "\r",
    "\r\n",
]
ABSURD = [
    "1e308",
    "-1e308",
    "inf",
    "Infinity",
    "-inf",
    ".inf",
    "NaN",
    ".nan",
    "1e20",
    "1e6",
    "-1",
    "-0",
    "0x1F",
    "1_000",
    "9" * 5000,
    "99999999999999999999",
    "0.0000001",
    "1e-320",
    "3651 calendar days",
    "1e308 working days",
    "99999 working hours",
    "''",
    "[]",
    "{}",
]
RESERVED = ["withdraw", "stop", "Withdraw", "STOP", "STOP ", " stop", "wItHdRaW", "ｓｔｏｐ"]


# --- text-level mutations ---------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def delete_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def duplicate_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return "".join(lines)


def swap_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def reindent(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    body = lines[i].lstrip(" ")
    lines[i] = rng.choice(["", " ", "  ", "   ", "\t", " " * rng.randint(4, 80)]) + body
    return "".join(lines)


def _insert(rng: random.Random, text: str, piece: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + piece + text[at:]


def insert_token(rng: random.Random, text: str) -> str:
    return _insert(rng, text, rng.choice(TOKENS))


def insert_characters(rng: random.Random, text: str) -> str:
    piece = "".join(rng.choice(CHARACTERS) for _ in range(rng.randint(1, 4)))
    return _insert(rng, text, piece)


def insert_random_unicode(rng: random.Random, text: str) -> str:
    piece = "".join(chr(rng.randrange(0x20, 0x30000)) for _ in range(rng.randint(1, 8)))
    return _insert(rng, text, piece)


def absurd_scalar(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    candidates = [i for i, line in enumerate(lines) if ": " in line]
    if not candidates:
        return insert_token(rng, text)
    i = rng.choice(candidates)
    head = lines[i].split(": ", 1)[0]
    lines[i] = f"{head}: {rng.choice(ABSURD)}\n"
    return "".join(lines)


def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def deep_nesting(rng: random.Random, text: str) -> str:
    depth = rng.choice([65, 200, 1001, 6000, 60_000])
    style = rng.randrange(4)
    if style == 0:
        piece = "nest: " + "[" * depth + "]" * depth + "\n"
    elif style == 1:
        piece = "nest: " + "{a: " * depth + "1" + "}" * depth + "\n"
    elif style == 2:
        piece = "nest:\n" + "".join(" " * (i + 1) + "- \n" for i in range(min(depth, 300)))
    else:
        piece = "nest: " + "[" * depth + "\n"  # never closed
    lines = _lines(text)
    lines.insert(rng.randrange(len(lines) + 1), piece)
    return "".join(lines)


def long_line(rng: random.Random, text: str) -> str:
    return _insert(rng, text, "x" * rng.choice([1000, 100_000]))


TEXT_MUTATIONS: list[Callable[[random.Random, str], str]] = [
    delete_line,
    duplicate_line,
    swap_lines,
    reindent,
    insert_token,
    insert_characters,
    insert_random_unicode,
    absurd_scalar,
    truncate,
    deep_nesting,
    long_line,
]


# --- data-level mutations ---------------------------------------------------------


def _containers(data: Any) -> list[dict[str, Any] | list[Any]]:
    out: list[dict[str, Any] | list[Any]] = []
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            out.append(item)
            todo.extend(item.values())
        elif isinstance(item, list):
            out.append(item)
            todo.extend(item)
    return out


def _steps(data: Any) -> list[dict[str, Any]]:
    steps = data.get("steps") if isinstance(data, dict) else None
    return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []


def drop_key(rng: random.Random, data: Any) -> Any:
    mappings = [c for c in _containers(data) if isinstance(c, dict) and c]
    if mappings:
        mapping = rng.choice(mappings)
        del mapping[rng.choice(list(mapping))]
    return data


def change_type(rng: random.Random, data: Any) -> Any:
    containers = [c for c in _containers(data) if c]
    if not containers:
        return data
    container = rng.choice(containers)
    key: Any = (
        rng.choice(list(container))
        if isinstance(container, dict)
        else rng.randrange(len(container))
    )
    container[key] = rng.choice(
        [None, True, 0, -5, 2.5, "text", "", [], {}, ["a", 1], {"x": {"y": []}}, 10**30]
    )
    return data


def reserved_trigger(rng: random.Random, data: Any) -> Any:
    steps = [s for s in _steps(data) if isinstance(s.get("outcomes"), dict) and s["outcomes"]]
    if steps:
        outcomes = rng.choice(steps)["outcomes"]
        old = rng.choice(list(outcomes))
        outcomes[rng.choice(RESERVED)] = outcomes.pop(old)
    return data


def swap_step_ids(rng: random.Random, data: Any) -> Any:
    steps = _steps(data)
    if len(steps) >= 2:
        a, b = rng.sample(steps, 2)
        a["id"], b["id"] = b.get("id"), a.get("id")
    return data


def duplicate_step(rng: random.Random, data: Any) -> Any:
    steps = data.get("steps") if isinstance(data, dict) else None
    if isinstance(steps, list) and steps:
        steps.insert(rng.randrange(len(steps) + 1), copy.deepcopy(rng.choice(steps)))
    return data


def absurd_duration(rng: random.Random, data: Any) -> Any:
    targets: list[dict[str, Any]] = _steps(data)
    if isinstance(data, dict):
        targets = [data, *targets]
    if targets:
        target = rng.choice(targets)
        key = "time_limit" if target is data else "time"
        value = rng.choice([1e308, float("inf"), float("nan"), 10**400, -1, 1e20, "9" * 5000])
        target[key] = rng.choice([value, {"value": value, "unit": "calendar_days"}])
    return data


def retarget(rng: random.Random, data: Any) -> Any:
    steps = [s for s in _steps(data) if isinstance(s.get("outcomes"), dict) and s["outcomes"]]
    if steps:
        outcomes = rng.choice(steps)["outcomes"]
        outcomes[rng.choice(list(outcomes))] = rng.choice(
            ["nowhere", "returned", "Refused", "", [{"to": "x", "when": "Bad Fact"}], {"to": None}]
        )
    return data


DATA_MUTATIONS: list[Callable[[random.Random, Any], Any]] = [
    drop_key,
    change_type,
    reserved_trigger,
    swap_step_ids,
    duplicate_step,
    absurd_duration,
    retarget,
]


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096)


# --- the run ----------------------------------------------------------------------


def _originals() -> list[tuple[Path, str, Any]]:
    out = []
    for path in LIBRARY:
        text = path.read_text(encoding="utf-8")
        out.append((path, text, read_yaml(path, text=text).data))
    return out


def _mutant(rng: random.Random, text: str, data: Any) -> tuple[str, str | bytes]:
    """A description of the mutation and the mutant (text, or bytes for encoding faults)."""
    names: list[str] = []
    if data is not None and rng.random() < 0.4:
        mutated = copy.deepcopy(data)
        for _ in range(rng.randint(1, 3)):
            mutation = rng.choice(DATA_MUTATIONS)
            names.append(mutation.__name__)
            mutated = mutation(rng, mutated)
        try:
            text = _dump(mutated)
        except (yaml.YAMLError, ValueError, OverflowError):
            return "+".join(names) + " (not dumpable)", text
    for _ in range(rng.randint(1 if not names else 0, 3)):
        mutation = rng.choice(TEXT_MUTATIONS)
        names.append(mutation.__name__)
        text = mutation(rng, text)
    if rng.random() < 0.1:
        raw = text.encode("utf-8", "surrogatepass")
        at = rng.randrange(len(raw) + 1)
        names.append("invalid_utf8")
        bad = rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80"])
        return "+".join(names), raw[:at] + bad + raw[at:]
    if rng.random() < 0.3:  # as read from a file
        return "+".join(names), text.encode("utf-8", "surrogatepass")
    return "+".join(names), text


def _check(name: str, mutant: str | bytes) -> bool:
    """Load ``mutant`` and check its findings; whether it reached the checks."""
    result = load_procedure(name, text=mutant)
    raw = mutant.encode("utf-8", "surrogatepass") if isinstance(mutant, str) else mutant
    for finding in result.findings:
        assert finding.code in CODES, finding
        assert finding.severity is CODES[finding.code].severity, finding
        assert finding.message and finding.hint, finding
        assert finding.file == name, finding
        if raw.strip() and finding.code not in WHOLE_FILE:
            assert finding.line is not None and finding.column is not None, finding
            assert finding.line >= 1 and finding.column >= 1, finding
    if result.procedure is None:
        return False
    # What loaded can be summarised (critical path included) without raising either.
    procedure_summary = summarise(result.procedure)
    assert procedure_summary["key"] == result.procedure.key
    return True


def test_the_library_is_there() -> None:
    assert len(LIBRARY) >= 10


def test_mutants_of_the_library_give_findings_never_tracebacks() -> None:
    rng = random.Random(SEED)
    originals = _originals()
    # Most picks are procedure files, so that many mutants get past the model
    # and through the whole-procedure checks; the other YAML kinds add variety.
    found = set(discover([ROOT / "procedures"]))
    procedures = [o for o in originals if o[0] in found]
    start = time.perf_counter()
    kinds: dict[str, int] = {}
    checked = 0
    for number in range(MUTANTS):
        path, text, data = rng.choice(procedures if rng.random() < 0.75 else originals)
        description, mutant = _mutant(rng, text, data)
        name = f"{path.relative_to(ROOT)}#{number}"
        try:
            checked += _check(name, mutant)
        except Exception as exc:  # report the mutant, so that it can be rebuilt
            pytest.fail(f"mutant {number} ({description}) of {path.name}: {exc!r}")
        for part in description.split("+"):
            kinds[part] = kinds.get(part, 0) + 1
    elapsed = time.perf_counter() - start
    print(
        f"{MUTANTS} mutants in {elapsed:.1f} s, {checked} through the whole-procedure "
        f"checks: {dict(sorted(kinds.items()))}"
    )
    assert set(kinds) >= {m.__name__ for m in TEXT_MUTATIONS + DATA_MUTATIONS}
    assert checked >= MUTANTS // 20  # the checks are fuzzed too, not only the reader
    assert elapsed < BUDGET_S, f"{MUTANTS} mutants took {elapsed:.1f} s"
