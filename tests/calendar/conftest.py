"""Fixtures and hypothesis profiles of the calendar tests.

Profiles: ``ci`` (50 examples) and ``dev`` (200 examples), chosen with the
``HYPOTHESIS_PROFILE`` environment variable (default ``dev``). Profiles
registered elsewhere (tests/conftest.py) are left alone, and then so is the
choice of profile.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from procflow.calendar import WorkCalendar


def _register(name: str, max_examples: int) -> bool:
    try:
        settings.get_profile(name)
        return False
    except Exception:  # InvalidArgument: not registered yet
        settings.register_profile(
            name,
            max_examples=max_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        return True


# Load a profile only if this file registered one, i.e. when no shared
# conftest has set the profiles up already.
if _register("ci", 50) | _register("dev", 200):
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """The shipped national calendar (holidays VN + vn.yaml)."""
    return WorkCalendar.vietnam()
