"""The JSON Schema of a simulation scenario file, for editors (:mod:`procflow.schemas`)."""

from __future__ import annotations

import copy
from typing import Any

from procflow.definition.schema import document, wrap_short_forms
from procflow.simulation.scenario import Scenario


def simulation_schema() -> dict[str, Any]:
    """The schema of a simulation scenario file."""
    schema = copy.deepcopy(Scenario.model_json_schema(mode="validation", by_alias=True))
    defs: dict[str, Any] = schema["$defs"]
    distribution = defs["Distribution"]
    distribution["minProperties"] = 1
    distribution["maxProperties"] = 1
    wrap_short_forms(
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
    return document(
        "simulation",
        "procflow simulation scenario",
        "Load and staffing for procflow simulate: how many dossiers arrive, how long each "
        "step's work takes, how many officers each agency has. See docs/simulation.md.",
        schema,
    )
