"""Load procedure files: YAML -> pydantic model -> whole-procedure checks.

A reform officer editing a procedure wants every problem of the file in one
run, each pointing at a line. So :func:`load_procedure` never raises on a bad
file: it reads the YAML strictly (:mod:`procflow.definition.yamlio`),
validates it with the pydantic models, turns *every* pydantic error into a
:class:`~procflow.findings.Finding` located through the source map, with a
message and a fix hint, and, when the model is valid, runs the checks of
:mod:`procflow.checks`. :func:`read_procedure` is the strict variant for code
that just needs a usable procedure: it raises :class:`DefinitionError`.

A file can hold tens of thousands of problems (a hostile or mangled 1 MiB
file); a list that long helps nobody and costs time. So every step is
linear in the size of the file, and :func:`load_procedure` keeps at most
``max_findings`` findings (:data:`DEFAULT_MAX_FINDINGS`), errors first, and
ends the list with one ``too-many-findings`` remark counting the rest by
code. Messages are only written for the findings kept; the rest are counted.

Which files are procedure files (:func:`discover`): a ``.yaml``/``.yml``
file whose text has a top-level ``procflow:`` or ``steps:`` key, outside
folders named ``calendars``, ``tests``, ``scenarios``, ``simulations`` or starting with a dot.
Files named explicitly are always taken.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from procflow.checks.codes import CODES
from procflow.definition.cache import LoadCache
from procflow.definition.located import data_path, fields_at, show_path, value_at
from procflow.definition.model import FieldProblem, Procedure, is_reserved_trigger
from procflow.definition.yamlio import MAX_BYTES, KeyPath, SourceMap, gc_paused, read_yaml
from procflow.errors import DefinitionError
from procflow.findings import Finding, Severity

__all__ = [
    "DEFAULT_MAX_FINDINGS",
    "SKIP_DIRS",
    "LoadResult",
    "discover",
    "is_procedure_text",
    "load_procedure",
    "read_procedure",
]

SKIP_DIRS = frozenset({"calendars", "tests", "scenarios", "simulations"})
"""Folders :func:`discover` does not enter: they hold other kinds of YAML."""

DEFAULT_MAX_FINDINGS = 200
"""Findings :func:`load_procedure` keeps per file by default; the rest are counted.

A real file has a handful; past a few hundred, the first ones are all a
reform officer can act on (fixing them usually fixes the rest), and writing
out 50,000 messages for a hostile file would take longer than reading it.
"""

_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

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
    omitted: dict[str, int] = field(default_factory=dict)
    """Findings left out by the ``max_findings`` cap, counted by code (empty if none).

    Their severities do not change :attr:`ok`: the findings kept are chosen
    errors first, so a file with any error keeps at least one.
    """

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
    max_findings: int | None = DEFAULT_MAX_FINDINGS,
) -> LoadResult:
    """Load and check one procedure file; never raises on bad content.

    ``source`` is the file path, or only the name shown in findings when
    ``text`` gives the content. ``checks=False`` skips the whole-procedure
    checks (the model is still validated). With a ``cache``
    (:class:`~procflow.definition.cache.LoadCache`), a file whose bytes were
    loaded before comes back without being parsed or checked again; such a
    result has an empty source map, its findings keep their lines.

    At most ``max_findings`` findings are kept (None: all), errors first,
    then warnings, then remarks, each group in file order; when some are
    left out, a last ``too-many-findings`` remark counts them by code and
    :attr:`LoadResult.omitted` holds the counts.
    """
    if max_findings is not None and max_findings < 1:
        raise ValueError(f"max_findings must be at least 1 (or None), not {max_findings}")
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
            raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
        if raw is not None:
            hit = cache.get(raw, name)
            if hit is not None:
                return _capped(LoadResult(hit[0], hit[1], name), max_findings)
            text = raw
    with gc_paused():  # linear time on large files: see gc_paused
        result = _load(source, name, text, checks, max_bytes, max_findings)
    if cache is not None and raw is not None and result.procedure is not None:
        cache.put(raw, result.procedure, result.findings)
    return _capped(result, max_findings)


def _capped(result: LoadResult, limit: int | None) -> LoadResult:
    """``result`` with at most ``limit`` findings plus a count of the others.

    Kept: the most severe first, then in file order (the order the list is
    already in), so the verdict (:attr:`LoadResult.ok`, ``--strict``) is the
    same as on the whole list. Linear but for sorting ``limit`` indexes.
    """
    findings = result.findings
    if limit is None or len(findings) <= limit or result.omitted:
        return result
    order = sorted(range(len(findings)), key=lambda i: _SEVERITY_RANK[findings[i].severity])
    kept = sorted(order[:limit])
    left = order[limit:]
    omitted = Counter(findings[i].code for i in left)
    first = findings[min(left)]
    summary = _too_many(result.file, omitted, (first.line, first.column), first.path)
    result.findings = [findings[i] for i in kept] + [summary]
    result.omitted = dict(omitted)
    return result


def _too_many(
    file: str,
    omitted: Counter[str],
    where: tuple[int | None, int | None],
    path: KeyPath,
) -> Finding:
    """The remark ending a capped list: how many more, of which kinds, where the first is."""
    total = sum(omitted.values())
    kinds = ", ".join(f"{count:,} {code}" for code, count in omitted.most_common(8))
    if len(omitted) > 8:
        kinds += f" and {len(omitted) - 8} more kinds"
    at = f"; the first of them is on line {where[0]}" if where[0] is not None else ""
    return Finding(
        Severity.INFO,
        "too-many-findings",
        f"… and {total:,} more findings, not shown: {kinds}{at}",
        file=file,
        line=where[0],
        column=where[1],
        path=path,
        hint="fix the findings shown and validate again; they are often the cause of the rest",
    )


def _load(
    source: str | Path,
    name: str,
    text: str | bytes | None,
    checks: bool,
    max_bytes: int,
    max_findings: int | None,
) -> LoadResult:
    doc = read_yaml(source, text=text, max_bytes=max_bytes)
    if doc.findings:
        return LoadResult(None, doc.findings, name, doc.source_map)
    data = doc.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {_kind(data)}"
        pos = doc.source_map.locate(()) or (1, 1)  # an empty document: the file's start
        return LoadResult(
            None,
            [
                Finding(
                    Severity.ERROR,
                    "not-a-procedure",
                    f"a procedure file must be a mapping of keys (id:, name:, steps: ...), "
                    f"but this is {got}",
                    file=name,
                    line=pos[0],
                    column=pos[1],
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
        findings, omitted = _pydantic_findings(exc, data, doc.source_map, name, max_findings)
        return LoadResult(None, findings, name, doc.source_map, omitted)
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
    exc: pydantic.ValidationError,
    data: dict[str, Any],
    source_map: SourceMap,
    file: str,
    limit: int | None = None,
) -> tuple[list[Finding], dict[str, int]]:
    """One finding per pydantic error, in file order; past ``limit``, only counted.

    Every error is classified and located (cheap, through the source map's
    index), then sorted; messages and hints (``difflib`` suggestions...) are
    written for the first ``limit`` only, and the rest summed up in a
    ``too-many-findings`` remark. Returns the findings and the omitted counts.
    """
    # The input of each error is not needed (the data is at hand), and
    # converting it back to Python costs as much as the rest for large files.
    errors = exc.errors(include_url=False, include_input=False)
    grouped: dict[KeyPath, list[tuple[dict[str, Any], list[str]]]] = {}
    for details in errors:
        path, extra = data_path(details["loc"], data)
        if details["type"] == "missing" and extra:
            path = (*path, extra[-1])
            extra = extra[:-1]
        items = grouped.get(path)
        if items is None:
            grouped[path] = [(dict(details), extra)]
        else:
            items.append((dict(details), extra))

    # Every path that has a deeper error under it, found once (a scan of all
    # paths for each path made 16,000 unknown keys take minutes).
    has_deeper: set[KeyPath] = set()
    for path in grouped:
        for cut in range(len(path)):
            has_deeper.add(path[:cut])

    pending: list[tuple[tuple[bool, int, int], int, _Placed]] = []
    for path, items in grouped.items():
        # A value that fits no member of a union (Outcome | list[Outcome]) gives
        # one type error per member: say it once, in words. When a deeper error
        # exists, the value chose its member and the type errors are noise.
        if len(items) > 1 or path in has_deeper:
            type_errors = [(e, x) for e, x in items if x and _is_type_error(e["type"])]
            others = [(e, x) for e, x in items if not (x and _is_type_error(e["type"]))]
            if type_errors and (path in has_deeper or others):
                items = others
            elif len(type_errors) > 1:
                items = [type_errors[0]]
        for err, extra in items:
            placed = _place(err, path, data, "[key]" in extra)
            pos = source_map.locate(placed.path, prefer_key=placed.prefer_key)
            order = (pos is None, pos[0] if pos else 0, pos[1] if pos else 0)
            pending.append((order, len(pending), placed))
    pending.sort(key=lambda item: (item[0], item[1]))
    keep = pending if limit is None else pending[:limit]
    findings = [_finding_for(placed, data, source_map, file) for _, _, placed in keep]
    omitted: Counter[str] = Counter()
    if limit is not None and len(pending) > limit:
        omitted.update(placed.code for _, _, placed in pending[limit:])
        order, _, first = pending[limit]
        where = (None, None) if order[0] else (order[1], order[2])
        findings.append(_too_many(file, omitted, where, first.path))
    return findings, dict(omitted)


@dataclass(frozen=True, slots=True)
class _Placed:
    """A pydantic error with its finding code and location decided, message not yet written."""

    err: dict[str, Any]
    code: str
    path: KeyPath
    prefer_key: bool | None
    is_key: bool


def _place(err: dict[str, Any], path: KeyPath, data: Any, is_key: bool) -> _Placed:
    """The code and the place of the finding for ``err``: cheap, done for every error."""
    kind = err["type"]
    problem = (err.get("ctx") or {}).get("error")
    prefer_key: bool | None = None
    if is_key:
        # The mapping key itself is wrong (outcomes: {Bad-Trigger: ...}).
        prefer_key = True
        if path and isinstance(path[-1], str) and is_reserved_trigger(path[-1]):
            code = "trigger-reserved"
        elif kind == "string_pattern_mismatch":
            code = "invalid-id"
        else:
            code = "invalid-value"
    elif kind == "missing":
        code = "missing-key"
    elif kind == "extra_forbidden":
        code = "unknown-key"
        prefer_key = True
    elif kind in ("enum", "literal_error"):
        code = "invalid-choice"
    elif kind == "string_pattern_mismatch":
        code = "invalid-id"
    elif kind == "value_error":
        code = "invalid-value"
        if isinstance(problem, FieldProblem) and problem.key is not None:
            if isinstance(value_at(data, path), dict) and problem.key in value_at(data, path):
                path = (*path, problem.key)
        elif path == () and "effective_to" in str(err["msg"]) and "effective_to" in data:
            path = ("effective_to",)
    elif kind.endswith("_type") or kind.endswith("_parsing") or kind == "union_tag_invalid":
        code = "wrong-type"
    else:
        code = "invalid-value"
    return _Placed(err, code, path, prefer_key, is_key)


def _short(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut in the middle when long, so a message stays one readable line."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return text[: limit // 2] + " … " + text[-(limit // 4) :]


def _is_type_error(kind: str) -> bool:
    return kind.endswith("_type") or kind == "union_tag_invalid"


def _finding_for(placed: _Placed, data: Any, source_map: SourceMap, file: str) -> Finding:
    """The finding for one placed error: message and hint written out."""
    err, code, path = placed.err, placed.code, placed.path
    kind = err["type"]
    msg = str(err["msg"])
    ctx = err.get("ctx") or {}
    problem = ctx.get("error")
    where = show_path(path)
    key = str(path[-1]) if path else ""
    hint: str | None = problem.hint if isinstance(problem, FieldProblem) else None
    if placed.is_key:
        if code == "trigger-reserved":
            message = (
                f"{show_path(path[:-1])}: the trigger name {key!r} is reserved: the engine "
                "adds 'withdraw' and 'stop' to every step, with their own rules on who may "
                "fire them"
            )
            hint = (
                "rename the trigger (e.g. 'cancel' or 'halt'); the engine already offers "
                "'withdraw' and 'stop' on every step, leading to 'withdrawn' and 'stopped'"
            )
        else:
            message = f"{show_path(path[:-1])}: {_short(key)} is not a valid name here"
            if code == "invalid-id":
                hint = (
                    "trigger names use lower-case letters a-z, digits and '_', "
                    "e.g. 'request_supplement'"
                )
            else:
                message += f" ({msg.removeprefix('Value error, ')})"
                hint = hint or (
                    "write a short name: lower-case letters a-z, digits and '_', "
                    "at most 64 characters, e.g. 'request_supplement'"
                )
    elif code == "missing-key":
        parent = path[:-1]
        message = f"{show_path(parent)} lacks the required key {key!r}"
        fields = fields_at(Procedure, parent)
        description = None
        if fields and key in fields:
            description = fields[key].description
        hint = f"add '{key}:'" + (f" ({description})" if description else "")
    elif code == "unknown-key":
        message = f"unknown key {_short(key)} in {show_path(path[:-1])}"
        fields = fields_at(Procedure, path[:-1])
        if fields:
            close = difflib.get_close_matches(key[:200], list(fields), n=1, cutoff=0.6)
            allowed = ", ".join(fields)
            hint = (f"did you mean {close[0]!r}? " if close else "") + f"allowed keys: {allowed}"
        else:
            hint = "remove it or check its spelling"
    elif code == "invalid-choice":
        got = value_at(data, path)
        allowed = msg.replace("Input should be", "expected")
        message = f"{where}: {_short(got)} is not allowed; {allowed}"
        hint = "use one of the values listed" + (
            "; this procflow reads language version 1" if path == ("procflow",) else ""
        )
    elif code == "invalid-id":
        got = value_at(data, path)
        message = f"{where}: {_short(got)} is not a valid id"
        hint = (
            "ids are lower-case: letters a-z, digits, '-' and '_', starting with a letter, "
            "e.g. 'commune-pc'"
        )
        if "." in str(ctx.get("pattern", "")):
            hint += " (procedure ids may also contain '.')"
    elif kind == "value_error":
        message = f"{where}: {msg.removeprefix('Value error, ')}"
        if path == () or (path == ("effective_to",) and "effective_to" in message):
            message = msg.removeprefix("Value error, ")
        if hint is None:
            hint = "see the message: change the value so that it follows the rule"
    elif code == "wrong-type":
        got = value_at(data, path)
        expected = _FRIENDLY_TYPES.get(str(ctx.get("class_name", "")))
        if expected is None and kind in ("model_type", "dict_type"):
            expected = "a mapping (key: value lines)"
        if expected is None:
            expected = msg.replace("Input should be ", "")
        message = f"{where}: expected {expected}, got {_kind(got)} {_short(got)}"[:300]
        if kind == "string_type":
            hint = f'quote the value to keep it as text, e.g. {key or "value"}: "{_short(got)}"'
        elif kind.startswith("date"):
            hint = "write dates as YYYY-MM-DD, e.g. 2025-07-01"
        elif kind.startswith("bool"):
            hint = "write true or false"
        elif kind.startswith(("float", "int")):
            hint = "write a number, without units or thousands separators"
        elif kind == "list_type":
            hint = "write a list: one item per line, each starting with '- '"
        else:
            hint = "write the value in the form expected"
    else:
        got = value_at(data, path) if path else None
        message = f"{where}: {msg}"
        if kind == "too_short" and isinstance(got, list):
            hint = "add at least one item"
        elif kind == "string_too_short":
            hint = "write the text, or remove the key if it is optional"
        elif hint is None:
            hint = "see the message: change the value so that it follows the rule"
    pos = source_map.locate(path, prefer_key=placed.prefer_key)
    return Finding(
        Severity.ERROR,
        code,
        message,
        file=file,
        line=pos[0] if pos else None,
        column=pos[1] if pos else None,
        path=path,
        hint=hint or CODES[code].fix,  # never without a fix, whatever pydantic said
    )
