"""JSON Schemas of procflow's YAML files, for editors.

With a schema, VS Code's YAML extension (and any editor speaking the
yaml-language-server protocol) offers completion, hover help from the field
descriptions, and inline errors while a reform officer types. There is one
per kind of file (:data:`SCHEMA_KINDS`): procedures, test scenarios,
simulation scenarios and calendar overlays. Each is derived from the pydantic
models its loader validates with, so it never drifts from what the loader
accepts, with one adjustment: the models accept short forms through "before"
validators (``time: 3 working days``, ``name: Đăng ký khai sinh``,
``approve: signing``, ``at: +2 working days``, ``receive:``) that pydantic
cannot see, so those are added here.

A schema only checks what a single field can know; cross-references,
reachability and the time budget need ``procflow validate`` (or
``procflow test`` for scenarios).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, Literal, get_args

from procflow.definition.model import LANGUAGE_VERSION, Procedure

__all__ = ["SCHEMA_FILES", "SCHEMA_ID", "SCHEMA_KINDS", "SchemaKind", "json_schema", "schema_id"]

SchemaKind = Literal["procedure", "scenario", "simulation", "calendar"]
SCHEMA_KINDS: tuple[SchemaKind, ...] = get_args(SchemaKind)

SCHEMA_FILES: dict[SchemaKind, str] = {kind: f"docs/{kind}.schema.json" for kind in SCHEMA_KINDS}
"""Where the repository keeps each schema, for the ``yaml-language-server``
header of its files; ``procflow schema --kind KIND -o FILE`` writes them."""

SCHEMA_ID = f"urn:procflow:schema:procedure:v{LANGUAGE_VERSION}"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def schema_id(kind: SchemaKind) -> str:
    """``urn:procflow:schema:KIND:v1``: each file format is at version 1."""
    return f"urn:procflow:schema:{kind}:v1"


_DURATION_PATTERN = (
    r"^\s*(?:[0-9]+(?:\.[0-9]+)?\s*(?:working[ _]days?|working[ _]hours?|calendar[ _]days?)"
    r"|same[ _]day|trong ngày)\s*$"
)

_SHORT_FORMS: dict[str, dict[str, Any]] = {
    "Text": {
        "type": "string",
        "minLength": 1,
        "description": "Short form: the Vietnamese text alone.",
    },
    "Duration": {
        "type": "string",
        "pattern": _DURATION_PATTERN,
        "description": "Short form: '3 working days', '4 working hours', '15 calendar days', "
        "'same day'.",
        "examples": ["3 working days", "4 working hours", "15 calendar days", "same day"],
    },
    "Outcome": {
        "type": "string",
        "minLength": 1,
        "description": "Short form: the next step id, or an end (returned, refused, withdrawn, "
        "stopped).",
    },
}


def json_schema(kind: SchemaKind = "procedure") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a ``kind`` file, as a dict."""
    try:
        build = _BUILDERS[kind]
    except KeyError:
        raise ValueError(
            f"no schema of kind {kind!r}; choose one of: {', '.join(SCHEMA_KINDS)}"
        ) from None
    settled: dict[str, Any] = _settled(build())
    _plain_key_names(settled)
    return settled


def _plain_key_names(schema: dict[str, Any]) -> None:
    """Write the allowed keys of a mapping keyed by an enum (``propertyNames``)
    as the plain list of names, the same whatever pydantic release wrote the
    schema: pydantic 2.10 spells the enum out there, later releases refer to
    it in ``$defs``. A definition no longer referred to is dropped."""
    defs: dict[str, Any] = schema.get("$defs", {})

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            names = node.get("propertyNames")
            if isinstance(names, dict):
                ref = names.get("$ref", "")
                target = defs.get(ref.rpartition("/")[2], {}) if ref else names
                if "enum" in target:
                    node["propertyNames"] = {"enum": list(target["enum"])}
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    text = json.dumps(schema)
    for name in list(defs):
        if f'"#/$defs/{name}"' not in text:
            del defs[name]


def _settled(node: Any) -> Any:
    """The schema in one form whatever pydantic release wrote it.

    Releases differ in what they spell out: pydantic 2.10 leaves out the
    ``"additionalProperties": true`` of a free mapping that later releases
    write, although it is JSON Schema's default and means nothing more. It
    is dropped here, so the committed schemas do not depend on pydantic's
    version (editors read both forms alike), and whole-number bounds are
    written as integers (``0``, not ``0.0``) for the same reason.
    """
    if isinstance(node, dict):
        return {
            k: _settled(v)
            for k, v in node.items()
            if not (k == "additionalProperties" and v is True)
        }
    if isinstance(node, list):
        return [_settled(v) for v in node]
    if isinstance(node, float) and node.is_integer() and abs(node) < 2**53:
        return int(node)
    return node


def _wrap_short_forms(defs: dict[str, Any], short_forms: dict[str, dict[str, Any]]) -> None:
    """Let each model named in ``short_forms`` also be written in its short form."""
    for name, short in short_forms.items():
        if name not in defs:  # pragma: no cover - the models always define them
            continue
        full = defs[name]
        title = full.pop("title", name)
        description = full.pop("description", None)
        wrapped: dict[str, Any] = {"title": title, "anyOf": [short, full]}
        if description:
            wrapped["description"] = description
        defs[name] = wrapped


def _document(
    kind: SchemaKind, title: str, description: str, schema: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": SCHEMA_ID if kind == "procedure" else schema_id(kind),
        "title": title,
        "description": description,
    }
    schema.pop("title", None)
    schema.pop("description", None)
    out.update(schema)
    return out


def _procedure() -> dict[str, Any]:
    schema = copy.deepcopy(Procedure.model_json_schema(mode="validation"))
    defs: dict[str, Any] = schema.get("$defs", {})
    _wrap_short_forms(defs, _SHORT_FORMS)
    duration = defs.get("Duration", {}).get("anyOf", [{}, {}])[1]
    cutoff = duration.get("properties", {}).get("cutoff")
    if cutoff is not None:
        # YAML gives '15:00'; JSON Schema's "time" format wants seconds and a zone.
        cutoff["anyOf"] = [
            {"type": "string", "pattern": r"^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"},
            {"type": "null"},
        ]
    return _document(
        "procedure",
        "procflow procedure (thủ tục hành chính)",
        "One version of one Vietnamese administrative procedure, as procflow runs it. "
        "See docs/procedure-language.md.",
        schema,
    )


# --- the other kinds of file --------------------------------------------------------------


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


def _scenario() -> dict[str, Any]:
    from procflow.testing.scenario import Scenario

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
    return _document(
        "scenario",
        "procflow test scenario",
        "A story told to the real engine: which procedure, when the dossier arrives, who "
        "does what and when, and what must be true after each step. Run it with procflow "
        "test. See docs/testing.md.",
        schema,
    )


def _simulation() -> dict[str, Any]:
    from procflow.simulation.scenario import Scenario

    schema = copy.deepcopy(Scenario.model_json_schema(mode="validation", by_alias=True))
    defs: dict[str, Any] = schema["$defs"]
    distribution = defs["Distribution"]
    distribution["minProperties"] = 1
    distribution["maxProperties"] = 1
    _wrap_short_forms(
        defs,
        {
            "Distribution": {
                "type": "number",
                "minimum": 0,
                "description": "Short form: a number of working hours, always the same.",
            }
        },
    )
    profile = defs["Arrivals"]["properties"]["monthly_profile"]
    profile["propertyNames"] = {"pattern": "^([1-9]|1[0-2])$"}
    return _document(
        "simulation",
        "procflow simulation scenario",
        "Load and staffing for procflow simulate: how many dossiers arrive, how long each "
        "step's work takes, how many officers each agency has. See docs/simulation.md.",
        schema,
    )


def _calendar() -> dict[str, Any]:
    from procflow.calendar.schema import OverlayFile

    schema = copy.deepcopy(OverlayFile.model_json_schema(mode="validation"))
    schema["properties"]["years"]["propertyNames"] = {"pattern": "^[0-9]{4}$"}
    return _document(
        "calendar",
        "procflow calendar overlay",
        "Days off, worked days and swaps on top of the statutory holidays: the national "
        "calendar or a province's. See docs/calendar.md.",
        schema,
    )


_BUILDERS: dict[SchemaKind, Callable[[], dict[str, Any]]] = {
    "procedure": _procedure,
    "scenario": _scenario,
    "simulation": _simulation,
    "calendar": _calendar,
}
