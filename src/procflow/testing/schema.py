"""The JSON Schema of a test scenario file, for editors (:mod:`procflow.schemas`).

Scenarios write instants loosely (``2026-03-04T09:00``, seconds and zone
optional), times after the step before (``at: +2 working days``),
classifications in any case, and ``receive:`` or ``sweep:`` alone: the
pydantic models read those through "before" validators that their schema
cannot show, so they are added here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from procflow.definition.schema import document
from procflow.testing.scenario import Scenario


def _any_case(word: str) -> str:
    """A regex piece matching ``word`` in any case (JSON Schema patterns take no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


_INSTANT_PATTERN = (
    r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?\s*$"
)
"""An instant as scenarios write it: ``2026-03-04T09:00``, seconds and zone
optional (JSON Schema's ``date-time`` format, which editors check, wants both)."""

_RELATIVE_UNITS = "|".join(
    _any_case(unit).replace(" ", r"\s+")
    for unit in (
        "working days",
        "working day",
        "working hours",
        "working hour",
        "working minutes",
        "working minute",
        "calendar days",
        "calendar day",
        "days",
        "day",
        "hours",
        "hour",
        "minutes",
        "minute",
    )
)
_RELATIVE_PATTERN = (
    rf"^\s*\+\s*[0-9]+(\.[0-9]+)?\s+({_RELATIVE_UNITS})"
    rf"(\s+{_any_case('at')}\s+[0-9]{{1,2}}:[0-9]{{2}})?\s*$"
)
"""``+2 working days``, ``+30 minutes``, ``+1 working day at 08:00``
(procflow.testing.when.UNITS; the loader ignores case)."""

_TIMELINESS = ("early", "on_time", "late", "open")


def _timeliness_pattern() -> str:
    """The classifications as the loader reads them: any case, ``on time``/``on-time``."""
    words = [_any_case(w).replace("_", "[ _-]") for w in _TIMELINESS]
    return rf"^\s*({'|'.join(words)})\s*$"


def _walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    """Call ``visit`` on every mapping of a schema as it was before any visit
    (so a visit may add mappings without their being visited in turn)."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    for mapping in found:
        visit(mapping)


def _loose_instants(node: dict[str, Any]) -> None:
    if node.get("format") == "date-time":
        del node["format"]
        node["pattern"] = _INSTANT_PATTERN


def _loose_timeliness(node: dict[str, Any]) -> None:
    if node.get("enum") == list(_TIMELINESS):
        enum = node.pop("enum")
        node.pop("type", None)
        node["anyOf"] = [
            {"type": "string", "enum": enum},
            {"type": "string", "pattern": _timeliness_pattern()},
        ]


def scenario_schema() -> dict[str, Any]:
    """The schema of a test scenario file (``procflow test`` checks the rest)."""
    schema = copy.deepcopy(Scenario.model_json_schema(mode="validation"))
    defs: dict[str, Any] = schema["$defs"]
    defs.pop("RelativeTime", None)
    step = defs["Step"]["properties"]
    step["at"]["anyOf"] = [
        {"type": "string", "pattern": _INSTANT_PATTERN, "description": "An instant."},
        {
            "type": "string",
            "pattern": _RELATIVE_PATTERN,
            "description": "After the previous step: '+2 working days', '+30 minutes', "
            "'+1 working day at 08:00'.",
        },
        {"type": "null"},
    ]
    # ``receive:`` alone (null) or ``receive: true`` receives with no particulars;
    # ``sweep:`` alone (null) or ``sweep: true`` runs the sweep (false is refused).
    step["receive"]["anyOf"].insert(1, {"const": True})
    step["sweep"]["anyOf"] = [{"const": True}, {"type": "null"}]
    calendar = schema["properties"]["calendar"]
    items = calendar.pop("items")
    calendar.pop("type")
    calendar["anyOf"] = [{"type": "string"}, {"type": "array", "items": items}]
    _walk(schema, _loose_instants)
    _walk(schema, _loose_timeliness)
    return document(
        "scenario",
        "procflow test scenario",
        "A story told to the real engine: which procedure, when the dossier arrives, who "
        "does what and when, and what must be true after each step. Run it with procflow "
        "test. See docs/testing.md.",
        schema,
    )
