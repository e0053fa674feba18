"""Load procedure files: YAML -> pydantic model -> whole-procedure checks.

A reform officer editing a procedure wants every problem of the file in one
run, each pointing at a line. So :func:`load_procedure` never raises on a bad
file: it reads the YAML strictly (:mod:`procflow.definition.yamlio`),
validates it with the pydantic models, turns *every* pydantic error into a
:class:`~procflow.findings.Finding` located through the source map, with a
message and a fix hint, and, when the model is valid, runs the checks of
:mod:`procflow.checks`. :func:`read_procedure` is the strict variant for code
that just needs a usable procedure: it raises :class:`DefinitionError`.

Which files are procedure files (:func:`discover`): a ``.yaml``/``.yml``
file whose text has a top-level ``procflow:`` or ``steps:`` key, outside
folders named ``calendars``, ``tests``, ``scenarios``, ``simulations`` or starting with a dot.
Files named explicitly are always taken.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from procflow.definition.cache import LoadCache
from procflow.definition.located import data_path, fields_at, show_path, value_at
from procflow.definition.model import Procedure
from procflow.definition.yamlio import MAX_BYTES, KeyPath, SourceMap, read_yaml
from procflow.errors import DefinitionError
from procflow.findings import Finding, Severity

__all__ = [
    "SKIP_DIRS",
    "LoadResult",
    "discover",
    "is_procedure_text",
    "load_procedure",
    "read_procedure",
]

SKIP_DIRS = frozenset({"calendars", "tests", "scenarios", "simulations"})
"""Folders :func:`discover` does not enter: they hold other kinds of YAML."""

_PROCEDURE_KEY = re.compile(r"^(?:procflow|steps)[ \t]*:", re.MULTILINE)


@dataclass
class LoadResult:
    """What loading one procedure file gave: the model (if usable) and findings.

    ``procedure`` is None when any error was found before or during model
    validation; after the checks it is kept even when they report errors, so
    that tools such as ``procflow show`` can still describe the procedure.
    Use :attr:`ok` to know whether it may be run.
    """

    procedure: Procedure | None
    findings: list[Finding]
    file: str
    source_map: SourceMap = field(default_factory=SourceMap, repr=False)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        """True when the procedure loaded and no finding is an error."""
        return self.procedure is not None and not self.errors


def load_procedure(
    source: str | Path,
    *,
    text: str | bytes | None = None,
    checks: bool = True,
    max_bytes: int = MAX_BYTES,
    cache: LoadCache | None = None,
) -> LoadResult:
    """Load and check one procedure file; never raises on bad content.

    ``source`` is the file path, or only the name shown in findings when
    ``text`` gives the content. ``checks=False`` skips the whole-procedure
    checks (the model is still validated). With a ``cache``
    (:class:`~procflow.definition.cache.LoadCache`), a file whose bytes were
    loaded before comes back without being parsed or checked again; such a
    result has an empty source map, its findings keep their lines.
    """
    name = str(source)
    raw: bytes | None = None
    if cache is not None and checks:
        if text is None:
            try:
                if Path(source).stat().st_size <= max_bytes:
                    raw = Path(source).read_bytes()
            except OSError:
                raw = None
        else:
            raw = text.encode("utf-8") if isinstance(text, str) else text
        if raw is not None:
            hit = cache.get(raw, name)
            if hit is not None:
                return LoadResult(hit[0], hit[1], name)
            text = raw
    result = _load(source, name, text, checks, max_bytes)
    if cache is not None and raw is not None and result.procedure is not None:
        cache.put(raw, result.procedure, result.findings)
    return result


def _load(
    source: str | Path, name: str, text: str | bytes | None, checks: bool, max_bytes: int
) -> LoadResult:
    doc = read_yaml(source, text=text, max_bytes=max_bytes)
    if doc.findings:
        return LoadResult(None, doc.findings, name, doc.source_map)
    data = doc.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {_kind(data)}"
        pos = doc.source_map.locate(())
        return LoadResult(
            None,
            [
                Finding(
                    Severity.ERROR,
                    "not-a-procedure",
                    f"a procedure file must be a mapping of keys (id:, name:, steps: ...), "
                    f"but this is {got}",
                    file=name,
                    line=pos[0] if pos else None,
                    column=pos[1] if pos else None,
                    hint="start from a sample such as "
                    "procedures/civil-status/birth-registration.yaml",
                )
            ],
            name,
            doc.source_map,
        )
    try:
        procedure = Procedure.model_validate(data)
    except pydantic.ValidationError as exc:
        findings = _pydantic_findings(exc, data, doc.source_map, name)
        return LoadResult(None, _sorted(findings), name, doc.source_map)
    findings = []
    if checks:
        from procflow.checks.rules import check_procedure

        findings = check_procedure(procedure, file=name, source_map=doc.source_map)
    return LoadResult(procedure, findings, name, doc.source_map)


def read_procedure(
    path: str | Path, *, text: str | bytes | None = None, cache: LoadCache | None = None
) -> Procedure:
    """Load a procedure that must be usable; raise :class:`DefinitionError` if not.

    Warnings do not stop it; the error lists every error of the file. With a
    ``cache``, a file read before (same bytes) skips YAML, model and checks.
    """
    result = load_procedure(path, text=text, cache=cache)
    if result.procedure is None or result.errors:
        raise DefinitionError(result.findings, result.file)
    return result.procedure


def is_procedure_text(text: str) -> bool:
    """Whether YAML text looks like a procedure: a top-level procflow: or steps: key."""
    return _PROCEDURE_KEY.search(text) is not None


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into the procedure files to load, sorted, no duplicates.

    Folders are searched recursively for ``*.yaml``/``*.yml`` files that
    :func:`is_procedure_text` accepts, skipping :data:`SKIP_DIRS` and hidden
    folders. A file given by name is always included, whatever its content,
    so that ``procflow validate some.yaml`` reports on it. Paths that do not
    exist are the caller's business (the CLI refuses them as usage errors).
    """
    found: dict[Path, None] = {}
    for item in paths:
        path = Path(item)
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                if candidate.suffix not in (".yaml", ".yml") or not candidate.is_file():
                    continue
                parts = candidate.relative_to(path).parts[:-1]
                if any(p in SKIP_DIRS or p.startswith(".") for p in parts):
                    continue
                try:
                    with candidate.open("rb") as handle:
                        head = handle.read(MAX_BYTES).decode("utf-8", errors="replace")
                except OSError:
                    found.setdefault(candidate)  # let the loader report it
                    continue
                if is_procedure_text(head):
                    found.setdefault(candidate)
        else:
            found.setdefault(path)
    return list(found)


# --- pydantic errors -> findings ------------------------------------------------


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.line is None, f.line or 0, f.column or 0))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "empty value"
    return "number"


_FRIENDLY_TYPES = {
    "Text": "a name: plain text (Vietnamese) or {vi: ..., en: ...}",
    "Duration": "a duration such as '3 working days', '4 working hours', '15 calendar days', "
    "'same day' or {value: 3, unit: working_days}",
    "Outcome": "a step id or end (e.g. 'approve: signing'), a mapping {to: ..., when: ...}, "
    "or a list of such mappings",
    "LegalDocument": "a legal document: {number: ..., date: YYYY-MM-DD}",
    "Agency": "an agency: {id: ..., name: ..., level: ...}",
    "Step": "a step: {id: ..., name: ..., kind: ..., agency: ..., outcomes: ...}",
    "Document": "a document: {name: ..., form: original}",
    "Fee": "a fee: {name: ..., amount: 0}",
    "Rules": "a mapping of rule settings",
}


def _pydantic_findings(
    exc: pydantic.ValidationError, data: dict[str, Any], source_map: SourceMap, file: str
) -> list[Finding]:
    errors = exc.errors(include_url=False)
    grouped: dict[KeyPath, list[tuple[dict[str, Any], list[str]]]] = {}
    for details in errors:
        path, extra = data_path(tuple(details["loc"]), data)
        if details["type"] == "missing" and extra:
            path = (*path, extra[-1])
            extra = extra[:-1]
        grouped.setdefault(path, []).append((dict(details), extra))

    findings: list[Finding] = []
    paths = list(grouped)
    for path, items in grouped.items():
        # A value that fits no member of a union (Outcome | list[Outcome]) gives
        # one type error per member: say it once, in words. When a deeper error
        # exists, the value chose its member and the type errors are noise.
        deeper = any(p[: len(path)] == path and len(p) > len(path) for p in paths)
        type_errors = [(e, x) for e, x in items if x and _is_type_error(e["type"])]
        others = [(e, x) for e, x in items if (e, x) not in type_errors]
        if type_errors and (deeper or others):
            items = others
        elif len(type_errors) > 1:
            items = [type_errors[0]]
        for err, extra in items:
            findings.append(_finding_for(err, path, data, source_map, file, "[key]" in extra))
    return findings


def _is_type_error(kind: str) -> bool:
    return kind.endswith("_type") or kind == "union_tag_invalid"


def _finding_for(
    err: dict[str, Any],
    path: KeyPath,
    data: Any,
    source_map: SourceMap,
    file: str,
    is_key: bool = False,
) -> Finding:
    kind = err["type"]
    msg = str(err["msg"])
    ctx = err.get("ctx") or {}
    where = show_path(path)
    key = str(path[-1]) if path else ""
    hint: str | None = None
    prefer_key: bool | None = None
    if is_key:
        # The mapping key itself is wrong (outcomes: {Bad-Trigger: ...}).
        code = "invalid-id" if kind == "string_pattern_mismatch" else "invalid-value"
        prefer_key = True
        message = f"{show_path(path[:-1])}: {key!r} is not a valid name here"
        hint = "trigger names use lower-case letters a-z, digits and '_', e.g. 'request_supplement'"
        if kind != "string_pattern_mismatch":
            message += f" ({msg})"
            hint = None
    elif kind == "missing":
        code = "missing-key"
        parent = path[:-1]
        message = f"{show_path(parent)} lacks the required key {key!r}"
        fields = fields_at(Procedure, parent)
        description = None
        if fields and key in fields:
            description = fields[key].description
        hint = f"add '{key}:'" + (f" ({description})" if description else "")
    elif kind == "extra_forbidden":
        code = "unknown-key"
        prefer_key = True
        message = f"unknown key {key!r} in {show_path(path[:-1])}"
        fields = fields_at(Procedure, path[:-1])
        if fields:
            close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
            allowed = ", ".join(fields)
            hint = (f"did you mean {close[0]!r}? " if close else "") + f"allowed keys: {allowed}"
        else:
            hint = "remove it or check its spelling"
    elif kind in ("enum", "literal_error"):
        code = "invalid-choice"
        got = value_at(data, path)
        message = f"{where}: {got!r} is not allowed; {msg.replace('Input should be', 'expected')}"
        hint = "use one of the values listed" + (
            "; this procflow reads language version 1" if path == ("procflow",) else ""
        )
    elif kind == "string_pattern_mismatch":
        code = "invalid-id"
        got = value_at(data, path)
        message = f"{where}: {got!r} is not a valid id"
        hint = (
            "ids are lower-case: letters a-z, digits, '-' and '_', starting with a letter, "
            "e.g. 'commune-pc'"
        )
        if "." in str(ctx.get("pattern", "")):
            hint += " (procedure ids may also contain '.')"
    elif kind == "value_error":
        code = "invalid-value"
        message = f"{where}: {msg.removeprefix('Value error, ')}"
        if path == ():
            message = msg.removeprefix("Value error, ")
            if "effective_to" in message and "effective_to" in data:
                path = ("effective_to",)
    elif kind.endswith("_type") or kind.endswith("_parsing") or kind == "union_tag_invalid":
        code = "wrong-type"
        got = value_at(data, path)
        expected = _FRIENDLY_TYPES.get(str(ctx.get("class_name", "")))
        if expected is None and kind in ("model_type", "dict_type"):
            expected = "a mapping (key: value lines)"
        if expected is None:
            expected = msg.replace("Input should be ", "")
        message = f"{where}: expected {expected}, got {_kind(got)} {got!r}"[:300]
        if kind == "string_type":
            hint = f'quote the value to keep it as text, e.g. {key or "value"}: "{got}"'
        elif kind.startswith("date"):
            hint = "write dates as YYYY-MM-DD, e.g. 2025-07-01"
        elif kind.startswith("bool"):
            hint = "write true or false"
        elif kind.startswith(("float", "int")):
            hint = "write a number, without units or thousands separators"
        elif kind == "list_type":
            hint = "write a list: one item per line, each starting with '- '"
    else:
        code = "invalid-value"
        got = value_at(data, path) if path else None
        message = f"{where}: {msg}"
        if kind == "too_short" and isinstance(got, list):
            hint = "add at least one item"
        elif kind == "string_too_short":
            hint = "write the text, or remove the key if it is optional"
    pos = source_map.locate(path, prefer_key=prefer_key)
    return Finding(
        Severity.ERROR,
        code,
        message,
        file=file,
        line=pos[0] if pos else None,
        column=pos[1] if pos else None,
        path=path,
        hint=hint,
    )
