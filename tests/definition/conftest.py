"""Shared set-up for the definition tests: hypothesis profiles and paths.

Profiles: "dev" (300 examples, the default for local runs) and "ci" (50,
bounded so the whole suite stays fast). Choose with HYPOTHESIS_PROFILE=ci.
Registration is guarded because other test folders may register the same
names first.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

_PROFILES = {"ci": 50, "dev": 300}
for _name, _examples in _PROFILES.items():
    try:
        settings.get_profile(_name)
    except Exception:  # hypothesis raises InvalidArgument for an unknown profile
        settings.register_profile(_name, max_examples=_examples, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "procedures").rglob("*.yaml"))
BROKEN = Path(__file__).with_name("broken")


@pytest.fixture
def samples() -> list[Path]:
    # The procedure files, as `procflow validate procedures/` finds them
    # (calendars, scenario tests and simulations are other kinds of YAML).
    from procflow.definition.loader import discover

    return discover([ROOT / "procedures"])
