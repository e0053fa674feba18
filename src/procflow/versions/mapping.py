"""The migration mapping: which step of the new version each step of the old
one becomes, written in YAML by the officer who migrates::

    migration: 1
    procedure: vn.example.household-registration
    from: "2021-01"
    to: "2025-07"
    reason: Decree 125/2025 moves registration to the commune from 2025-07-01
    basis: Quyết định 123/QĐ-UBND
    keep_due: true            # default; per step below
    states:
      reception: reception
      review: appraisal                  # renamed step
      supplement: supplement
      approval: {to: signing, keep_due: false, note: new signing step}
      return: return

The file is read with :mod:`procflow.definition.yamlio` (strict YAML), so
every problem comes back as a finding with its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from procflow.definition.yamlio import KeyPath, SourceMap, read_yaml
from procflow.errors import DefinitionError
from procflow.findings import Finding, Severity

__all__ = ["MappingFile", "MigrationMapping", "StateTarget", "load_mapping", "parse_mapping"]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True
    )


class StateTarget(_Model):
    """Where dossiers in one step of the old version go.

    Write ``old_step: new_step``, or a mapping with ``to:`` and overrides.
    """

    to: str = Field(min_length=1, description="A step of the new version.")
    keep_due: bool | None = Field(
        default=None,
        description=(
            "false: recompute the statutory due date from the receipt with the new "
            "version's time limit (pauses still count). Default: the file's keep_due."
        ),
    )
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"to": value}
        return value


def _version_text(value: Any) -> Any:
    # ``from: 2025`` reads as a number; a version label is text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


class MappingFile(_Model):
    """A migration mapping file (the YAML above)."""

    migration: Literal[1] = Field(default=1, description="Version of the mapping format.")
    procedure: str = Field(min_length=1, description="The procedure id.")
    from_version: str = Field(alias="from", min_length=1, description="The version migrated from.")
    to_version: str = Field(alias="to", min_length=1, description="The version migrated to.")
    reason: str | None = Field(default=None, description="Why, in words (recorded in events).")
    basis: str | None = Field(
        default=None, description="The decision ordering the migration (recorded in events)."
    )
    keep_due: bool = Field(
        default=True,
        description="Keep each dossier's statutory due date (the default), unless a step says so.",
    )
    states: dict[str, StateTarget] = Field(
        min_length=1, description="old step: new step (or {to: ..., keep_due: ...})."
    )

    _versions = field_validator("from_version", "to_version", mode="before")(_version_text)


@dataclass
class MigrationMapping:
    """A loaded mapping: the model, its file and where each key is in it."""

    model: MappingFile
    file: str = "<mapping>"
    source_map: SourceMap = field(default_factory=SourceMap, repr=False)

    @property
    def procedure_id(self) -> str:
        return self.model.procedure

    @property
    def from_version(self) -> str:
        return self.model.from_version

    @property
    def to_version(self) -> str:
        return self.model.to_version

    def target(self, state: str) -> StateTarget | None:
        return self.model.states.get(state)

    def keep_due(self, state: str) -> bool:
        target = self.model.states.get(state)
        if target is not None and target.keep_due is not None:
            return target.keep_due
        return self.model.keep_due

    def finding(
        self,
        code: str,
        message: str,
        path: KeyPath = (),
        *,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
        prefer_key: bool | None = None,
    ) -> Finding:
        """A finding about ``path`` of this file, with its line and column."""
        pos = self.source_map.locate(path, prefer_key=prefer_key)
        return Finding(
            severity,
            code,
            message,
            file=self.file,
            line=pos[0] if pos else None,
            column=pos[1] if pos else None,
            path=path,
            hint=hint,
        )


_ALIASES = {"from_version": "from", "to_version": "to"}


def _findings(exc: pydantic.ValidationError, data: Any, sm: SourceMap, file: str) -> list[Finding]:
    out = []
    for err in exc.errors(include_url=False):
        loc = [_ALIASES.get(str(p), p) if isinstance(p, str) else p for p in err["loc"]]
        # Drop union/model tags pydantic adds ("StateTarget", "str"...) that are not in the data.
        path: list[str | int] = []
        current = data
        for part in loc:
            in_dict = isinstance(current, dict) and part in current
            in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
            if in_dict or in_list:
                path.append(part)
                current = current[part]
            elif err["type"] == "missing" and part == loc[-1]:
                path.append(part)
        where = ".".join(str(p) for p in path) or "the file"
        kind = err["type"]
        msg = str(err["msg"]).removeprefix("Value error, ")
        hint = None
        if kind == "missing":
            code, message = "missing-key", f"the mapping lacks the required key {path[-1]!r}"
            hint = f"add '{path[-1]}:'"
            pos = sm.locate(tuple(path[:-1]))
        elif kind == "extra_forbidden":
            parent = ".".join(str(p) for p in path[:-1]) or "the file"
            code, message = "unknown-key", f"unknown key {str(path[-1])!r} in {parent}"
            hint = (
                "allowed keys: migration, procedure, from, to, reason, basis, keep_due, states"
                if len(path) == 1
                else "a step's mapping takes: to, keep_due, note"
            )
            pos = sm.locate(tuple(path), prefer_key=True)
        elif len(path) == 2 and path[0] == "states" and kind in ("model_type", "dict_type"):
            code = "wrong-type"
            message = f"{where}: expected a step of the new version, or {{to: step, keep_due: ...}}"
            hint = "write e.g. 'review: appraisal'"
            pos = sm.locate(tuple(path))
        else:
            code, message = "invalid-value", f"{where}: {msg}"
            if kind == "literal_error" and path == ["migration"]:
                hint = "this procflow reads mapping format 1: write 'migration: 1'"
            pos = sm.locate(tuple(path))
        out.append(
            Finding(
                Severity.ERROR,
                code,
                message,
                file=file,
                line=pos[0] if pos else None,
                column=pos[1] if pos else None,
                path=tuple(path),
                hint=hint,
            )
        )
    return sorted(out, key=lambda f: (f.line is None, f.line or 0, f.column or 0))


def parse_mapping(source: str | Path, *, text: str | bytes | None = None) -> MigrationMapping:
    """Read a mapping file (or ``text`` named ``source``); raise
    :class:`~procflow.errors.DefinitionError` listing every problem, each
    with its file and line."""
    name = str(source)
    doc = read_yaml(source, text=text)
    if doc.findings:
        raise DefinitionError(doc.findings, name)
    if not isinstance(doc.data, dict):
        raise DefinitionError(
            [
                Finding(
                    Severity.ERROR,
                    "not-a-mapping",
                    "a migration mapping must be a mapping of keys (procedure:, from:, to:, "
                    "states: ...)",
                    file=name,
                    line=1,
                    hint="start from examples/versions/mapping.yaml",
                )
            ],
            name,
        )
    try:
        model = MappingFile.model_validate(doc.data)
    except pydantic.ValidationError as exc:
        raise DefinitionError(_findings(exc, doc.data, doc.source_map, name), name) from None
    return MigrationMapping(model, name, doc.source_map)


def load_mapping(path: str | Path) -> MigrationMapping:
    """Read the mapping file at ``path``; see :func:`parse_mapping`."""
    return parse_mapping(path)
