"""JSON Schemas of procflow's YAML files, for editors.

With a schema, VS Code's YAML extension (and any editor speaking the
yaml-language-server protocol) offers completion, hover help from the field
descriptions, and inline errors while a reform officer types. There is one
per kind of file (:data:`SCHEMA_KINDS`): procedures, test scenarios,
simulation scenarios and calendar overlays, each made beside the models its
loader validates with (:mod:`procflow.definition.schema`,
:mod:`procflow.testing.schema`, :mod:`procflow.simulation.schema`); this
module names the kinds and settles each schema into one form, whatever
pydantic release wrote it.

A schema only checks what a single field can know; cross-references,
reachability and the time budget need ``procflow validate`` (or
``procflow test`` for scenarios).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, get_args

from procflow.definition.schema import (
    SCHEMA_ID,
    calendar_schema,
    plain_key_names,
    procedure_schema,
    schema_id,
    settled,
)

__all__ = ["SCHEMA_FILES", "SCHEMA_ID", "SCHEMA_KINDS", "SchemaKind", "json_schema", "schema_id"]

SchemaKind = Literal["procedure", "scenario", "simulation", "calendar"]
SCHEMA_KINDS: tuple[SchemaKind, ...] = get_args(SchemaKind)

SCHEMA_FILES: dict[SchemaKind, str] = {kind: f"docs/{kind}.schema.json" for kind in SCHEMA_KINDS}
"""Where the repository keeps each schema, for the ``yaml-language-server``
header of its files; ``procflow schema --kind KIND -o FILE`` writes them."""


def _scenario() -> dict[str, Any]:
    from procflow.testing.schema import scenario_schema  # the engine comes with it

    return scenario_schema()


def _simulation() -> dict[str, Any]:
    from procflow.simulation.schema import simulation_schema

    return simulation_schema()


_BUILDERS: dict[SchemaKind, Callable[[], dict[str, Any]]] = {
    "procedure": procedure_schema,
    "scenario": _scenario,
    "simulation": _simulation,
    "calendar": calendar_schema,
}


def json_schema(kind: SchemaKind = "procedure") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a ``kind`` file, as a dict."""
    try:
        build = _BUILDERS[kind]
    except KeyError:
        raise ValueError(
            f"no schema of kind {kind!r}; choose one of: {', '.join(SCHEMA_KINDS)}"
        ) from None
    out: dict[str, Any] = settled(build())
    plain_key_names(out)
    return out
