"""The benchmark scripts in bench/, imported as modules for the tests here.

bench/ is no package: its scripts import each other by name (``lean_full``
imports ``bench_engine``), so bench/ goes on ``sys.path`` while one is
imported, and off again after, so that no other test finds its modules.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench_module(name: str) -> ModuleType:
    """The bench script ``name`` (``bench/<name>.py``) as a module."""
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))
