"""An on-disk cache of checked procedures, keyed by the file's exact bytes.

Reading YAML is the slow part of loading a catalogue (libyaml builds a
Python node for every scalar), and a catalogue of thousands of procedure
files changes a few files at a time. So :func:`~procflow.definition.loader.load_procedure`
can keep, per file content, the validated procedure and its findings, and
skip the YAML, the model validation and the checks when the same bytes come
back.

* The key is the SHA-256 of the file's bytes plus a *code salt*: the hash of
  the source of the modules that decide the result (models, reader, loader,
  checks). Editing a rule, or upgrading procflow, invalidates every entry;
  nothing needs to be cleared by hand.
* Entries are JSON (the procedure as pydantic dumps it, and the findings),
  never pickle, so a cache folder cannot be used to run code.
* Only files whose model validated are cached (with their findings, errors
  included); files with YAML or model errors are re-read each time, which
  costs little since they are few.
* Writes go to a temporary file renamed into place, so concurrent processes
  never read half an entry; an unreadable entry is treated as a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pydantic

from procflow.definition.model import Procedure
from procflow.findings import Finding, Severity

__all__ = ["CACHE_FORMAT", "LoadCache", "code_salt"]

CACHE_FORMAT = 1

_DECIDING_MODULES = (
    "procflow.definition.model",
    "procflow.definition.yamlio",
    "procflow.definition.loader",
    "procflow.definition.located",
    "procflow.checks.codes",
    "procflow.checks.graph",
    "procflow.checks.rules",
    "procflow.calendar.units",
    "procflow.calendar.units",  # DEFAULT_YEARS, named in duration findings
    "procflow.compiler.compiled",  # ENGINE_TRIGGERS: the trigger names refused
    # The length of a working day, which the time checks convert hours with.
    "procflow.calendar.hours",
    "procflow.calendar.workcalendar",
)
_DECIDING_FILES = ("calendar/data/vn.yaml",)  # the standard calendar's office hours


@cache
def code_salt() -> str:
    """A hash of the code that decides a load result (computed once per process)."""
    import importlib.util

    digest = hashlib.sha256(f"procflow-cache-{CACHE_FORMAT}".encode())
    for name in _DECIDING_MODULES:
        # Located, not imported: the salt must not load the calendar or the
        # compiler for a command that only reads the cache.
        spec = importlib.util.find_spec(name)
        source = spec.origin if spec is not None else None
        digest.update(name.encode())
        if source:
            with contextlib.suppress(OSError):
                digest.update(Path(source).read_bytes())
    package = Path(__file__).resolve().parents[1]
    for name in _DECIDING_FILES:
        digest.update(name.encode())
        with contextlib.suppress(OSError):
            digest.update((package / name).read_bytes())
    return digest.hexdigest()[:16]


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    return {
        "severity": finding.severity.value,
        "code": finding.code,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "path": list(finding.path),
        "hint": finding.hint,
    }


def _finding_from_json(data: dict[str, Any], file: str) -> Finding:
    return Finding(
        severity=Severity(data["severity"]),
        code=data["code"],
        message=data["message"],
        file=file,
        line=data["line"],
        column=data["column"],
        path=tuple(data["path"]),
        hint=data["hint"],
    )


class LoadCache:
    """A folder of cached load results; safe to share between processes.

    The folder is created (private to the user) on first write. Findings come
    back with the file name of the current load, so a file moved or renamed
    with the same content still reports under its new name.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0

    def key(self, raw: bytes) -> str:
        return hashlib.sha256(code_salt().encode() + b"\0" + raw).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, raw: bytes, file: str) -> tuple[Procedure, list[Finding]] | None:
        """The cached procedure and findings for these bytes, or None."""
        try:
            data = json.loads(self._path(self.key(raw)).read_bytes())
            procedure = Procedure.model_validate(data["procedure"])
            findings = [_finding_from_json(f, file) for f in data["findings"]]
        except (OSError, ValueError, KeyError, TypeError, pydantic.ValidationError):
            self.misses += 1
            return None
        self.hits += 1
        return procedure, findings

    def put(self, raw: bytes, procedure: Procedure, findings: list[Finding]) -> None:
        """Store a result; failures to write are ignored (the cache is an optimisation)."""
        path = self._path(self.key(raw))
        payload = json.dumps(
            {
                "format": CACHE_FORMAT,
                "procedure": procedure.model_dump(mode="json", exclude_defaults=True),
                "findings": [_finding_to_json(f) for f in findings],
            },
            ensure_ascii=False,
        ).encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            return
