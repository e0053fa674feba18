"""The JSON Schema of a procedure file, and what every kind's schema shares.

:mod:`procflow.schemas` gives editors a schema per kind of YAML file; each
kind's is made beside the models it describes (this module: procedures and
calendar overlays; :mod:`procflow.testing.schema`, :mod:`procflow.simulation.schema`).
Each is derived from the pydantic models its loader validates with, so it
never drifts from what the loader accepts, with one adjustment: the models
accept short forms through "before" validators (``time: 3 working days``,
``name: Đăng ký khai sinh``, ``approve: signing``) that pydantic cannot see,
so those are added here.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from procflow.definition.model import LANGUAGE_VERSION, Procedure

SCHEMA_ID = f"urn:procflow:schema:procedure:v{LANGUAGE_VERSION}"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def schema_id(kind: str) -> str:
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


def plain_key_names(schema: dict[str, Any]) -> None:
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


def settled(node: Any) -> Any:
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
            k: settled(v)
            for k, v in node.items()
            if not (k == "additionalProperties" and v is True)
        }
    if isinstance(node, list):
        return [settled(v) for v in node]
    if isinstance(node, float) and node.is_integer() and abs(node) < 2**53:
        return int(node)
    return node


def wrap_short_forms(defs: dict[str, Any], short_forms: dict[str, dict[str, Any]]) -> None:
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


def document(kind: str, title: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` as the file an editor reads: its ``$schema``, ``$id``, title
    and description first."""
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


def procedure_schema() -> dict[str, Any]:
    """The schema of a procedure file (``procflow validate`` checks the rest)."""
    schema = copy.deepcopy(Procedure.model_json_schema(mode="validation"))
    defs: dict[str, Any] = schema.get("$defs", {})
    wrap_short_forms(defs, _SHORT_FORMS)
    duration = defs.get("Duration", {}).get("anyOf", [{}, {}])[1]
    cutoff = duration.get("properties", {}).get("cutoff")
    if cutoff is not None:
        # YAML gives '15:00'; JSON Schema's "time" format wants seconds and a zone.
        cutoff["anyOf"] = [
            {"type": "string", "pattern": r"^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"},
            {"type": "null"},
        ]
    return document(
        "procedure",
        "procflow procedure (thủ tục hành chính)",
        "One version of one Vietnamese administrative procedure, as procflow runs it. "
        "See docs/procedure-language.md.",
        schema,
    )


def calendar_schema() -> dict[str, Any]:
    """The schema of a calendar overlay file."""
    from procflow.calendar.schema import OverlayFile

    schema = copy.deepcopy(OverlayFile.model_json_schema(mode="validation"))
    schema["properties"]["years"]["propertyNames"] = {"pattern": "^[0-9]{4}$"}
    return document(
        "calendar",
        "procflow calendar overlay",
        "Days off, worked days and swaps on top of the statutory holidays: the national "
        "calendar or a province's. See docs/calendar.md.",
        schema,
    )
