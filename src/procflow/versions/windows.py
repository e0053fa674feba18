"""Effective windows: exactly one version of a procedure in force on each day.

A dossier is received under the version in force on its day of receipt
(``effective_from`` .. ``effective_to``, both days included, an open end
meaning "no limit"). Two versions in force on the same day make receipt
ambiguous; a day between two versions with none in force means dossiers
cannot be received at all. Both are errors, reported as findings naming
both versions and their files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from procflow.definition.window import VersionWindow, ambiguity_message
from procflow.findings import Finding, Severity

if TYPE_CHECKING:
    from procflow.catalogue import Catalogue

__all__ = [
    "VersionWindow",
    "ambiguity_message",
    "check_paths",
    "check_versions",
    "check_windows",
]

_DAY = dt.timedelta(days=1)


def _start(w: VersionWindow) -> dt.date:
    return w.effective_from or dt.date.min


def _end(w: VersionWindow) -> dt.date:
    return w.effective_to or dt.date.max


def _fmt(day: dt.date) -> str:
    return "the beginning" if day == dt.date.min else ("no end" if day == dt.date.max else str(day))


def check_versions(windows: Iterable[VersionWindow]) -> list[Finding]:
    """Findings for overlapping, gapped or duplicated windows, per procedure id."""
    by_id: dict[str, list[VersionWindow]] = {}
    for w in windows:
        by_id.setdefault(w.procedure_id, []).append(w)
    findings: list[Finding] = []
    for pid in sorted(by_id):
        versions = sorted(by_id[pid], key=lambda w: (_start(w), _end(w), w.version))
        findings.extend(_duplicates(pid, versions))
        unique: dict[str, VersionWindow] = {}
        for w in versions:
            unique.setdefault(w.version, w)
        versions = list(unique.values())
        findings.extend(_overlaps(pid, versions))
        findings.extend(_gaps(pid, versions))
    return findings


def _finding(code: str, message: str, at: VersionWindow, hint: str | None) -> Finding:
    return Finding(
        Severity.ERROR,
        code,
        message,
        file=at.file,
        line=at.line,
        path=("effective_from",) if at.line else (),
        hint=hint,
    )


def _duplicates(pid: str, versions: list[VersionWindow]) -> list[Finding]:
    seen: dict[str, VersionWindow] = {}
    out: list[Finding] = []
    for w in versions:
        first = seen.get(w.version)
        if first is None:
            seen[w.version] = w
            continue
        out.append(
            _finding(
                "duplicate-version",
                f"{pid}: version {w.version!r} is defined twice, in {first.file or '?'} and "
                f"{w.file or '?'}; the catalogue would keep only one of them",
                w,
                "give the newer file its own version label (e.g. '2025-07')",
            )
        )
    return out


def _overlaps(pid: str, versions: list[VersionWindow]) -> list[Finding]:
    out: list[Finding] = []
    for i, a in enumerate(versions):
        for b in versions[i + 1 :]:
            if a.version == b.version:
                continue
            start, end = max(_start(a), _start(b)), min(_end(a), _end(b))
            if start > end:
                continue
            if end == dt.date.max:
                days = f"from {_fmt(start)} on"
            elif start == end:
                days = f"on {start}"
            else:
                days = f"from {_fmt(start)} to {_fmt(end)}"
            # a starts no later than b: the fix is to end a the day before b starts.
            hint = (
                f"end {a.label} on {_start(b) - _DAY} (effective_to), or start "
                f"{b.label} after {a.effective_to} (effective_from)"
                if b.effective_from is not None and a.effective_to is not None
                else (
                    f"set effective_to: {_start(b) - _DAY} in {a.label}"
                    if b.effective_from is not None
                    else "give each version effective_from / effective_to dates that do not overlap"
                )
            )
            out.append(
                _finding(
                    "version-overlap",
                    f"{pid}: {a.label} ({a.span}) and {b.label} ({b.span}) are both in force "
                    f"{days}; a dossier received then would match both",
                    b,
                    hint,
                )
            )
    return out


def _gaps(pid: str, versions: list[VersionWindow]) -> list[Finding]:
    out: list[Finding] = []
    if not versions:
        return out
    covered_to = _end(versions[0])
    last = versions[0]
    for w in versions[1:]:
        if covered_to == dt.date.max:
            break
        if _start(w) > covered_to + _DAY:
            first_gap, last_gap = covered_to + _DAY, _start(w) - _DAY
            days = f"on {first_gap}" if first_gap == last_gap else f"from {first_gap} to {last_gap}"
            out.append(
                _finding(
                    "version-gap",
                    f"{pid}: no version is in force {days}, between {last.label} "
                    f"(ends {last.effective_to}) and {w.label} (starts {w.effective_from}); "
                    "dossiers could not be received on those days",
                    w,
                    f"start {w.label} on {covered_to + _DAY} (effective_from), or end "
                    f"{last.label} on {last_gap} (effective_to)",
                )
            )
        if _end(w) > covered_to:
            covered_to, last = _end(w), w
    return out


def check_windows(
    catalogue: Catalogue, files: Mapping[str, str | tuple[str, int | None]] | None = None
) -> list[Finding]:
    """Check the windows of every procedure in ``catalogue``.

    ``files`` may map ``id@version`` keys to the file (or ``(file, line)``)
    each version came from, so that messages name them.
    """
    files = files or {}
    windows = []
    for compiled in catalogue:
        where = files.get(compiled.key)
        file, line = (where, None) if isinstance(where, str) or where is None else where
        windows.append(VersionWindow.of(compiled.procedure, file, line))
    return check_versions(windows)


def check_paths(paths: Iterable[str | Path]) -> list[Finding]:
    """Load the procedure files under ``paths`` and check their windows, with
    each finding pointing at the ``effective_from`` line of the file concerned.
    Files that do not load are left to ``procflow validate``."""
    from procflow.definition.loader import discover, load_procedure

    windows = []
    for path in discover([Path(p) for p in paths]):
        result = load_procedure(path, checks=False)
        if result.procedure is None:
            continue
        pos = result.source_map.locate(("effective_from",)) or result.source_map.locate(
            ("version",)
        )
        windows.append(VersionWindow.of(result.procedure, str(path), pos[0] if pos else None))
    return check_versions(windows)
