"""Fixtures and hypothesis profiles of the calendar tests.

Profiles: ``ci`` (50 examples) and ``dev`` (200 examples), chosen with the
``HYPOTHESIS_PROFILE`` environment variable (default ``dev``). A profile of
the same name registered elsewhere (e.g. by the lead's tests/conftest.py) is
left alone.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from procflow.calendar import WorkCalendar


def _register(name: str, max_examples: int) -> None:
    try:
        settings.get_profile(name)
    except Exception:  # InvalidArgument: not registered yet
        settings.register_profile(
            name,
            max_examples=max_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )


_register("ci", 50)
_register("dev", 200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """The shipped national calendar (holidays VN + vn.yaml)."""
    return WorkCalendar.vietnam()
