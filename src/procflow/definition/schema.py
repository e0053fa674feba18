"""The JSON Schema of the procedure language, for editors.

With the schema, VS Code's YAML extension (and any editor speaking the
yaml-language-server protocol) offers completion, hover help from the field
descriptions, and inline errors while a reform officer types. It is derived
from the pydantic models, so it never drifts from what the loader accepts,
with one adjustment: the models accept short forms through "before"
validators (``time: 3 working days``, ``name: Đăng ký khai sinh``,
``approve: signing``) that pydantic cannot see, so those are added here.

The schema only checks what a single field can know; cross-references,
reachability and the time budget need ``procflow validate``.
"""

from __future__ import annotations

import copy
from typing import Any

from procflow.definition.model import LANGUAGE_VERSION, Procedure

__all__ = ["SCHEMA_ID", "json_schema"]

SCHEMA_ID = f"urn:procflow:schema:procedure:v{LANGUAGE_VERSION}"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

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


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a procedure file, as a dict."""
    schema = copy.deepcopy(Procedure.model_json_schema(mode="validation"))
    defs: dict[str, Any] = schema.get("$defs", {})
    for name, short in _SHORT_FORMS.items():
        if name not in defs:  # pragma: no cover - the models always define them
            continue
        full = defs[name]
        title = full.pop("title", name)
        description = full.pop("description", None)
        wrapped: dict[str, Any] = {"title": title, "anyOf": [short, full]}
        if description:
            wrapped["description"] = description
        defs[name] = wrapped
    duration = defs.get("Duration", {}).get("anyOf", [{}, {}])[1]
    cutoff = duration.get("properties", {}).get("cutoff")
    if cutoff is not None:
        # YAML gives '15:00'; JSON Schema's "time" format wants seconds and a zone.
        cutoff["anyOf"] = [
            {"type": "string", "pattern": r"^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"},
            {"type": "null"},
        ]
    out: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "procflow procedure (thủ tục hành chính)",
        "description": (
            "One version of one Vietnamese administrative procedure, as procflow runs it. "
            "See docs/procedure-language.md."
        ),
    }
    schema.pop("title", None)
    schema.pop("description", None)
    out.update(schema)
    return out
