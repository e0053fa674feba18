"""A safe, strict YAML reader for procedure files.

Why not ``yaml.safe_load``? Because YAML 1.1 quietly changes what a reform
officer wrote: ``no``, ``on``, ``off``, ``yes`` become booleans (a trigger
called ``no`` turns into ``False``), ``2025-07-01`` becomes a date before the
model has a say, ``15:00`` becomes the integer 900 (sexagesimal), aliases can
blow a small file up into gigabytes, and tags such as ``!!python/object`` ask
the loader to build arbitrary objects. None of that belongs in a procedure file.

So this module lets libyaml (the C parser and composer, when PyYAML was built
with it) do the fast part, turning text into a tree of nodes, and builds plain
Python data from that tree itself, with deliberately few types:

* ``str``, ``int``, ``float``, ``bool`` (only ``true``/``false``), ``None``
  (``null``, ``~`` or empty), ``list`` and ``dict`` with string keys;
* every other plain scalar stays the string that was written: ``no``, ``on``,
  ``2025-07-01``, ``15:00``, ``1_000``, ``.inf``; the pydantic models parse
  dates and times on purpose, where a date is expected;
* any explicit tag other than ``!!str``, ``!!seq`` and ``!!map`` is refused,
  and so is every alias (``*name``), which also rules out alias bombs;
* duplicate keys are an error naming both lines;
* files over :data:`MAX_BYTES`, files that are not UTF-8, and streams with
  more than one document are refused with a clear message.

Problems come back as :class:`~procflow.findings.Finding` objects with a line
and column, never as a traceback. Alongside the data comes a
:class:`SourceMap` from key paths to positions, so that later stages (pydantic
validation, the checks) can point at the line a problem is on.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from procflow.findings import Finding, Severity

try:  # the C parser and composer: several times faster than the pure-Python one
    from yaml._yaml import CParser as _Parser

    WITH_LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

    WITH_LIBYAML = False

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "WITH_LIBYAML",
    "KeyPath",
    "Position",
    "SourceMap",
    "YamlDocument",
    "gc_paused",
    "parse_yaml",
    "read_yaml",
]

MAX_BYTES = 1024 * 1024
"""Largest procedure file accepted (1 MiB); real ones are a few KiB."""

MAX_DEPTH = 64
"""Deepest nesting accepted; a procedure file needs about 6 levels."""

KeyPath = tuple[str | int, ...]
Position = tuple[int, int]
"""(line, column), both counted from 1 as editors show them."""

_PLAIN = "!plain"  # our marker tag: an untagged plain scalar, resolved below
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

_SPECIAL: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_NUMBER_START = frozenset("0123456789+-.")

# Below this many characters that could open a nesting level, libyaml's
# recursive composer is known to be safe; above it, measure the depth first
# with the (non-recursive) event parser. libyaml crashes near 500,000 levels.
_DEPTH_SCAN_THRESHOLD = 5000
_NESTING_CHARS = "[{-:?"


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of one file.

    Reading a file builds a burst of long-lived objects (libyaml nodes, the
    data, pydantic's errors, findings), and each of the collector's full
    passes meanwhile walks all of them: on a 1 MiB file that made reading
    several times slower than linear (a valid 1 MiB procedure: 2.6 s with
    the collector, 0.5 s without). Nothing of a file's reading is cyclic
    garbage worth collecting early, and the memory is bounded by
    :data:`MAX_BYTES`. Nested uses, and a collector the caller disabled,
    are left alone; the collector is back on when the block ends, raised
    or not.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _resolve_plain(value: str) -> Any:
    """The YAML 1.2 core schema, minus everything surprising."""
    if value in _SPECIAL:
        return _SPECIAL[value]
    if value[0] in _NUMBER_START and len(value) <= 64:
        if _INT_RE.match(value):
            return int(value)
        if _FLOAT_RE.match(value):
            return float(value)
    return value


class _Loader(_Parser, BaseResolver):
    """libyaml's parser and composer with a resolver that resolves nothing.

    Untagged plain scalars get the marker tag ``!plain`` so that
    :func:`_resolve_plain` can tell them from quoted or ``!!str`` ones.
    """

    def __init__(self, text: str) -> None:
        _Parser.__init__(self, text)
        BaseResolver.__init__(self)

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # Called by libyaml for every untagged node: keep it minimal.
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    # Path resolvers are not used; C callables cost less than Python no-ops,
    # and libyaml calls these for every collection node.
    descend_resolver = slice  # type: ignore[assignment]  # takes (parent, index)
    ascend_resolver = tuple  # type: ignore[assignment]  # takes nothing


class _Abort(Exception):
    """Stops the walk on a problem that makes the rest meaningless."""


@dataclass
class SourceMap:
    """Where each key and value of a YAML document is, by key path.

    A key path is a tuple of mapping keys and list indexes, e.g.
    ``("steps", 2, "outcomes", "approve")``. Positions are ``(line, column)``
    counted from 1. Lookups walk the node tree along the path, so nothing is
    built up front: most files in a catalogue are clean and never ask.

    A mapping is indexed (key -> entry) the first time a lookup passes
    through it, so each lookup costs O(length of the path), not O(size of
    the mappings on the way): a hostile file with 50,000 keys in one mapping
    and a finding on each stays linear instead of quadratic.
    """

    root: Node | None = None
    _index: dict[int, dict[str, tuple[Node, Node]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _indexed: Node | None = field(default=None, init=False, repr=False, compare=False)
    """The root ``_index`` was built under (a new ``root`` starts a new index)."""

    def _entries(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        """The (key node, value node) of each scalar key of ``node``; the first of twins wins."""
        index = self._index.get(id(node))
        if index is None:
            # Reversed, so that for a duplicated key the first entry is kept,
            # as the linear scan this replaces did. The node tree lives as long
            # as ``root``, so ``id(node)`` cannot be reused meanwhile.
            index = {
                key_node.value: (key_node, value_node)
                for key_node, value_node in reversed(node.value)
                if isinstance(key_node, ScalarNode)
            }
            self._index[id(node)] = index
        return index

    def _walk(self, path: KeyPath) -> tuple[Node | None, Node | None, bool]:
        """(key node, value node) of the longest prefix of ``path`` in the file.

        The third item says whether that prefix is the whole path. The key
        node is None for the root and for list items; the value node is None
        only when there is no document.
        """
        node = self.root
        if node is None:
            return None, None, False
        if self._indexed is not node:
            self._index.clear()  # ids of another tree's nodes may be reused
            self._indexed = node
        key_node: Node | None = None
        for part in path:
            kind = type(node)
            if kind is MappingNode and type(part) is str:
                entry = self._entries(node).get(part)  # type: ignore[arg-type]
                if entry is None:
                    return key_node, node, False
                key_node, node = entry
            elif kind is SequenceNode and type(part) is int and 0 <= part < len(node.value):
                key_node, node = None, node.value[part]
            else:
                return key_node, node, False
        return key_node, node, True

    def value(self, path: KeyPath) -> Position | None:
        """Where the value at ``path`` starts, or None when there is no such path."""
        _, node, complete = self._walk(path)
        return _pos(node) if complete and node is not None else None

    def key(self, path: KeyPath) -> Position | None:
        """Where the key of the mapping entry at ``path`` is (None for list items)."""
        key_node, _, complete = self._walk(path)
        return _pos(key_node) if complete and key_node is not None else None

    def locate(self, path: KeyPath, *, prefer_key: bool | None = None) -> Position | None:
        """The best position for a finding about ``path``.

        By default that is the value for a scalar and the key for a list or
        mapping (``agencies:`` rather than its first item); ``prefer_key``
        forces one or the other. Falls back to the nearest ancestor that
        exists in the file, so a finding about a missing key points at the
        mapping that lacks it.
        """
        key_node, node, _ = self._walk(path)
        if node is None:
            return None
        use_key = (
            prefer_key if prefer_key is not None else isinstance(node, MappingNode | SequenceNode)
        )
        if use_key and key_node is not None:
            return _pos(key_node)
        return _pos(node)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self.value(path) is not None


@dataclass
class YamlDocument:
    """The result of reading one YAML file: data, positions and problems.

    ``data`` is None when ``findings`` holds an error: a file that cannot be
    read as YAML is not passed on half-read.
    """

    data: Any
    source_map: SourceMap
    findings: list[Finding]
    file: str | None = None

    @property
    def ok(self) -> bool:
        return not any(f.is_error for f in self.findings)


def _finding(
    code: str,
    message: str,
    file: str | None,
    pos: Position | None,
    hint: str | None = None,
    path: KeyPath = (),
) -> Finding:
    return Finding(
        severity=Severity.ERROR,
        code=code,
        message=message,
        file=file,
        line=pos[0] if pos else None,
        column=pos[1] if pos else None,
        path=path,
        hint=hint,
    )


def _pos(node: Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Builds plain data from a node tree, collecting every problem it meets."""

    def __init__(self, file: str | None, check_aliases: bool) -> None:
        self.file = file
        self.findings: list[Finding] = []
        self.seen: set[int] | None = set() if check_aliases else None

    def error(self, code: str, message: str, node: Node, hint: str | None, path: KeyPath) -> None:
        self.findings.append(_finding(code, message, self.file, _pos(node), hint, path))

    def build(self, node: Node, path: KeyPath, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.error(
                "yaml-too-deep",
                f"the file nests more than {MAX_DEPTH} levels deep",
                node,
                "a procedure needs only a few levels; check the indentation",
                path,
            )
            raise _Abort
        if self.seen is not None:
            if id(node) in self.seen:
                raise _Abort  # an alias: reported with its own position by the caller
            self.seen.add(id(node))
        tag = node.tag
        if isinstance(node, ScalarNode):
            if tag == _PLAIN:
                return _resolve_plain(node.value)
            if tag == _STR:
                return node.value
            return self._bad_tag(node, path)
        if isinstance(node, MappingNode):
            if tag != _MAP:
                return self._bad_tag(node, path)
            out: dict[str, Any] = {}
            fast = self.seen is None  # no alias possible: scalars can be read inline
            first_keys: dict[str, Node] | None = None  # built at the first duplicate only
            for key_node, value_node in node.value:
                if type(key_node) is not ScalarNode or key_node.tag not in (_PLAIN, _STR):
                    self.error(
                        "yaml-complex-key",
                        "a key must be a plain word or a quoted string",
                        key_node,
                        "write keys as 'name:'; lists and mappings cannot be keys",
                        path,
                    )
                    continue
                key = key_node.value
                if self.seen is not None:
                    self.seen.add(id(key_node))
                if key in out:
                    if first_keys is None:
                        first_keys = _first_keys(node)
                    self._duplicate(first_keys[key], key_node, key, path)
                    continue
                if fast and type(value_node) is ScalarNode:
                    value_tag = value_node.tag
                    if value_tag == _PLAIN:
                        out[key] = _resolve_plain(value_node.value)
                        continue
                    if value_tag == _STR:
                        out[key] = value_node.value
                        continue
                out[key] = self.build(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, SequenceNode):
            if tag != _SEQ:
                return self._bad_tag(node, path)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return None  # pragma: no cover - there are no other node kinds

    def _duplicate(self, first: Node, key_node: Node, key: str, path: KeyPath) -> None:
        self.error(
            "duplicate-key",
            f"key {_short_text(key)} appears twice in this mapping: on line {_pos(first)[0]} "
            f"and on line {_pos(key_node)[0]}",
            key_node,
            "keep one of the two; YAML would silently keep only the last",
            (*path, key),
        )

    def _bad_tag(self, node: Node, path: KeyPath) -> None:
        self.error(
            "yaml-tag",
            f"the tag {_short_tag(node.tag)!r} is not allowed in procedure files",
            node,
            "remove the tag; write plain values (quote a value to keep it text)",
            path,
        )
        return None


def _first_keys(mapping: MappingNode) -> dict[str, Node]:
    """The first key node of each scalar key of ``mapping``.

    Built once per mapping, at its first duplicate, so that reporting every
    duplicate of a mapping is linear (a scan per duplicate made 58,000
    duplicates of one key take minutes).
    """
    first: dict[str, Node] = {}
    for key_node, _ in mapping.value:
        if isinstance(key_node, ScalarNode):
            first.setdefault(key_node.value, key_node)
    return first


def _short_text(text: str, limit: int = 60) -> str:
    """``repr(text)``, cut in the middle when long: messages stay readable and small."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[: limit // 2] + "…" + text[-limit // 4 :])


def _short_tag(tag: str) -> str:
    if tag.startswith("tag:yaml.org,2002:"):
        return "!!" + tag[len("tag:yaml.org,2002:") :]
    return tag


def _line_col_of_offset(data: bytes | str, offset: int) -> Position:
    if isinstance(data, bytes):
        line = data.count(b"\n", 0, offset) + 1
        col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    else:
        line = data.count("\n", 0, offset) + 1
        col = offset - (data.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _decode(raw: bytes, file: str | None) -> tuple[str | None, Finding | None]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col_of_offset(raw, exc.start)
        bad = raw[exc.start : exc.start + 1].hex().upper()
        return None, _finding(
            "yaml-encoding",
            f"the file is not UTF-8: byte 0x{bad} at offset {exc.start} "
            f"(line {line}, byte {col} of the line) cannot be decoded",
            file,
            (line, col),
            "save the file as UTF-8 (in most editors: 'Save with encoding' > UTF-8)",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


def _event_pos(event: yaml.Event) -> Position:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _max_depth_of(text: str) -> tuple[int, Position]:
    """Nesting depth, measured on parser events (libyaml's parser does not recurse)."""
    loader = _Loader(text)
    depth = deepest = 0
    where: Position = (1, 1)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > deepest:
                    deepest = depth
                    where = _event_pos(event)
                if deepest > MAX_DEPTH:
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return deepest, where


def _alias_finding(text: str, file: str | None) -> Finding:
    """Find the first alias with its own position (only run when one was met)."""
    loader = _Loader(text)
    pos: Position | None = None
    name = "name"
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                pos = _event_pos(event)
                name = str(event.anchor)
                break
    except yaml.YAMLError:  # pragma: no cover - the text already parsed once
        pass
    finally:
        loader.dispose()
    return _finding(
        "yaml-alias",
        f"aliases (*{name}) are not allowed in procedure files; write the value out",
        file,
        pos,
        "copy the anchored value where it is needed; anchors and aliases make files "
        "hard to read and can be abused to blow up memory",
    )


def _too_deep(file: str | None, where: Position | None) -> Finding:
    return _finding(
        "yaml-too-deep",
        f"the file nests more than {MAX_DEPTH} levels deep",
        file,
        where,
        "a procedure needs only a few levels; check the indentation",
    )


# libyaml 0.2.5 as bundled with PyYAML 6.0.4 stops at 1,000 levels in its scanner,
# before any event reaches the depth scan: its message is the only sign of why.
_LIBYAML_DEPTH_LIMIT = "maximum nesting depth"


def _syntax_finding(exc: yaml.YAMLError, text: str, file: str | None) -> Finding:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark is not None else None
        problem = exc.problem or "invalid YAML"
        if _LIBYAML_DEPTH_LIMIT in problem:
            return _too_deep(file, pos)
        if exc.context:
            problem = f"{exc.context}: {problem}"
        if "expected a single document" in str(exc):
            return _finding(
                "yaml-multiple-documents",
                "the file holds more than one YAML document ('---')",
                file,
                pos,
                "put each procedure version in its own file",
            )
        hint = "check the indentation and the punctuation on this line and the one above"
        lines = text.splitlines() if mark is not None else []
        line_text = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
        if "\t" in line_text[: (mark.column + 1) if mark is not None else None]:
            hint = "YAML does not allow tabs for indentation; use spaces"
        elif "mapping values are not allowed" in problem:
            hint = "a value containing ': ' must be quoted, e.g. name: \"A: B\""
        return _finding("yaml-syntax", f"invalid YAML: {problem}", file, pos, hint)
    if isinstance(exc, yaml.reader.ReaderError):
        pos = _line_col_of_offset(text, min(exc.position, len(text)))
        return _finding(
            "yaml-syntax",
            f"invalid character #x{exc.character:04x}: {exc.reason}",
            file,
            pos,
            "remove the control character (often pasted from a word processor)",
        )
    return _finding("yaml-syntax", f"invalid YAML: {exc}", file, None)  # pragma: no cover


def _too_large(size: int, max_bytes: int, file: str | None) -> YamlDocument:
    finding = _finding(
        "file-too-large",
        f"the file is {size:,} bytes; procedure files are limited to {max_bytes:,} bytes",
        file,
        None,
        "a procedure is a few KiB: check that the right file was given",
    )
    return YamlDocument(None, SourceMap(), [finding], file)


def parse_yaml(
    text: str | bytes, *, file: str | None = None, max_bytes: int = MAX_BYTES
) -> YamlDocument:
    """Read one YAML document strictly; never raises on bad input.

    ``text`` may be bytes (decoded as UTF-8, a byte-order mark is dropped) or
    an already decoded string. See the module docstring for what is accepted.
    """
    if isinstance(text, str):
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            # A lone surrogate (text decoded with errors="surrogateescape", say)
            # has no UTF-8 form: report it as the bytes it stands for would be.
            text = text.encode("utf-8", "surrogatepass")
            size = len(text)
    else:
        size = len(text)
    if size > max_bytes:
        return _too_large(size, max_bytes, file)
    with gc_paused():
        return _parse(text, file)


def _parse(text: str | bytes, file: str | None) -> YamlDocument:
    empty = SourceMap()
    if isinstance(text, bytes):
        decoded, problem = _decode(text, file)
        if problem is not None or decoded is None:
            return YamlDocument(None, empty, [problem] if problem else [], file)
        text = decoded
    elif text.startswith("\ufeff"):
        text = text[1:]

    try:
        if sum(text.count(c) for c in _NESTING_CHARS) > _DEPTH_SCAN_THRESHOLD:
            deepest, where = _max_depth_of(text)
            if deepest > MAX_DEPTH:
                return YamlDocument(None, empty, [_too_deep(file, where)], file)
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        return YamlDocument(None, empty, [_syntax_finding(exc, text, file)], file)

    source_map = SourceMap(root)
    if root is None:
        return YamlDocument(None, source_map, [], file)
    builder = _Builder(file, check_aliases="*" in text)
    try:
        data = builder.build(root, (), 1)
    except _Abort:
        if not builder.findings:  # the walk stopped on an alias
            builder.findings.append(_alias_finding(text, file))
        data = None
    if builder.findings:
        data = None
    return YamlDocument(data, source_map, builder.findings, file)


def read_yaml(
    source: str | Path, *, text: str | bytes | None = None, max_bytes: int = MAX_BYTES
) -> YamlDocument:
    """Read the YAML file ``source`` (or ``text``, named ``source``) strictly.

    The size is checked before the file is read into memory. An unreadable
    file is reported as a finding (``file-unreadable``), like any other problem.
    """
    name = str(source)
    if text is not None:
        return parse_yaml(text, file=name, max_bytes=max_bytes)
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return _too_large(size, max_bytes, name)
        raw = path.read_bytes()
    except OSError as exc:
        return YamlDocument(
            None,
            SourceMap(),
            [
                _finding(
                    "file-unreadable",
                    f"cannot read the file: {exc.strerror or exc}",
                    name,
                    None,
                    "check the path and the file's permissions",
                )
            ],
            name,
        )
    return parse_yaml(raw, file=name, max_bytes=max_bytes)
