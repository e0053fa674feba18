"""Procedure versions: effective windows, migrating in-flight dossiers to a new
version, what changed between two versions, and recomputing due dates after
a calendar change. See docs/versions.md.
"""

from procflow.versions.clock import recompute_due
from procflow.versions.diff import Change, VersionDiff, diff_procedures
from procflow.versions.mapping import MigrationMapping, StateTarget, load_mapping
from procflow.versions.migrate import (
    DossierMove,
    MigrationRefused,
    MigrationReport,
    check_mapping,
    migrate,
)
from procflow.versions.recalc import DueChange, RecalcReport, recalc
from procflow.versions.windows import VersionWindow, check_paths, check_windows

__all__ = [
    "Change",
    "DossierMove",
    "DueChange",
    "MigrationMapping",
    "MigrationRefused",
    "MigrationReport",
    "RecalcReport",
    "StateTarget",
    "VersionDiff",
    "VersionWindow",
    "check_mapping",
    "check_paths",
    "check_windows",
    "diff_procedures",
    "load_mapping",
    "migrate",
    "recalc",
    "recompute_due",
]
