"""Pydantic errors, located: from a model's error ``loc`` to file, line and key.

Every YAML file procflow reads (procedures, calendars, test scenarios,
simulation scenarios, migration mappings) is validated by a pydantic model
and must report each problem at its line with a key path and a hint. The
path arithmetic is the same for all of them, so it lives here once.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

import pydantic
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from procflow.definition.yamlio import KeyPath, SourceMap
from procflow.findings import Finding, Severity


def data_path(loc: tuple[int | str, ...], data: Any) -> tuple[KeyPath, list[str]]:
    """Split a pydantic ``loc`` into the path inside the data and the leftovers.

    Leftovers are union-member tags (``'Outcome'``, ``'list[Outcome]'``) and,
    for missing keys, the missing key itself.
    """
    path: list[str | int] = []
    extra: list[str] = []
    current = data
    for part in loc:
        # Runs once per error, tens of thousands of times on a bad 1 MiB file:
        # each test is made once, in the cheapest order.
        if isinstance(current, dict):
            if isinstance(part, str) and part in current:
                path.append(part)
                current = current[part]
                continue
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
            continue
        extra.append(str(part))
    return tuple(path), extra


def value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def show_path(path: KeyPath, empty: str = "the file") -> str:
    """``steps[2].outcomes`` for ``("steps", 2, "outcomes")``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or empty


def unwrap(tp: Any) -> list[Any]:
    """The members of ``Annotated``/``Union`` types, flattened."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return unwrap(typing.get_args(tp)[0])
    if origin is typing.Union or origin is types.UnionType:
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(unwrap(arg))
        return out
    return [tp]


def fields_at(model: type[BaseModel], path: KeyPath) -> dict[str, FieldInfo] | None:
    """The fields of the model expected at ``path`` under ``model`` (for "did you mean")."""
    candidates: list[Any] = [model]
    for part in path:
        following: list[Any] = []
        for tp in candidates:
            for option in unwrap(tp):
                if isinstance(option, type) and issubclass(option, BaseModel):
                    info = option.model_fields.get(str(part))
                    if info is not None:
                        following.append(info.annotation)
                else:
                    origin = typing.get_origin(option)
                    args = typing.get_args(option)
                    if origin is list and args and isinstance(part, int):
                        following.append(args[0])
                    elif origin is dict and len(args) == 2 and isinstance(part, str):
                        following.append(args[1])
        candidates = following
    for tp in candidates:
        for option in unwrap(tp):
            if isinstance(option, type) and issubclass(option, BaseModel):
                return dict(option.model_fields)
    return None


def validation_findings(
    exc: pydantic.ValidationError,
    data: Any,
    source_map: SourceMap,
    file: str,
    model: type[BaseModel],
    *,
    what: str = "the file",
) -> list[Finding]:
    """One finding per problem, at its line: unknown keys (with "did you
    mean"), missing keys, and invalid values. A value that fits no member of
    a union gives one error per member; only the first is kept."""
    out: dict[tuple[KeyPath, str], Finding] = {}
    for err in exc.errors(include_url=False):
        path, extra = data_path(tuple(err["loc"]), data)
        kind = err["type"]
        if kind == "missing" and extra:
            path = (*path, extra[-1])
        key = str(path[-1]) if path else ""
        hint: str | None = None
        prefer_key: bool | None = None
        if kind == "extra_forbidden":
            code = "unknown-key"
            prefer_key = True
            message = f"unknown key {key!r} in {show_path(path[:-1], what)}"
            allowed = list(fields_at(model, path[:-1]) or {})
            if allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = (f"did you mean {close[0]!r}? " if close else "") + (
                    "allowed keys: " + ", ".join(allowed)
                )
        elif kind == "missing":
            code = "missing-key"
            message = f"{show_path(path[:-1], what)} lacks the required key {key!r}"
        else:
            code = "invalid-value"
            msg = str(err["msg"]).removeprefix("Value error, ")
            message = f"{show_path(path, what)}: {msg}"
            if kind.endswith("_type") or kind in ("literal_error", "enum"):
                value = value_at(data, path)
                message = f"{show_path(path, what)}: {value!r} is not valid here ({msg})"
        slot = (path, code + (key if kind == "extra_forbidden" else ""))
        if slot in out:
            continue
        pos = source_map.locate(path, prefer_key=prefer_key)
        out[slot] = Finding(
            Severity.ERROR,
            code,
            message,
            file=file,
            line=pos[0] if pos else None,
            column=pos[1] if pos else None,
            path=path,
            hint=hint,
        )
    seen: set[KeyPath] = set()
    findings: list[Finding] = []
    for (path, code), finding in out.items():
        if code == "invalid-value" and path in seen:
            continue
        seen.add(path)
        findings.append(finding)
    return sorted(findings, key=lambda f: (f.line or 0, f.column or 0))
