"""Which YAML files are scenario files.

A scenario file is a ``.yaml``/``.yml`` file in a folder named ``tests`` (at
any depth) whose top-level ``scenario:`` key holds text (what the scenario
shows). Procedure files (top-level ``id:``, ``steps:``...) and calendar files
never have a ``scenario:`` key, so they are never taken for scenarios. The
simulator's files (``procedures/<group>/simulations/*.yaml``, ``scenario: 1``, a
format number) are not test scenarios either: they are outside ``tests``
folders and their ``scenario:`` is a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from procflow.testing.scenario import is_scenario_text

__all__ = ["SCENARIO_DIRS", "find_scenarios", "is_scenario_file", "looks_like_scenario_path"]

SCENARIO_DIRS = frozenset({"tests"})
_HEAD_BYTES = 64 * 1024


def looks_like_scenario_path(path: Path) -> bool:
    """The cheap test on the path alone (no file read)."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    return any(part in SCENARIO_DIRS for part in path.parent.parts)


def is_scenario_file(path: Path) -> bool:
    """A scenario by path and content (reads at most the first 64 KiB)."""
    if not looks_like_scenario_path(path):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    return is_scenario_text(head)


def find_scenarios(paths: Iterable[str | Path]) -> list[Path]:
    """Scenario files under ``paths``, sorted; a file named explicitly is always taken."""
    found: dict[Path, None] = {}
    for item in paths:
        path = Path(item)
        if path.is_dir():
            for candidate in sorted(path.rglob("*.y*ml")):
                if any(p.startswith(".") for p in candidate.relative_to(path).parts[:-1]):
                    continue
                if candidate.is_file() and is_scenario_file(candidate):
                    found.setdefault(candidate)
        else:
            found.setdefault(path)
    return list(found)
