"""Calendar overlay files: the yearly decisions the ``holidays`` package lacks.

Each year the Prime Minister decides the public sector's holidays and swaps
working days (hoán đổi ngày làm việc); the decision is published as a dispatch
of the Government Office (e.g. 2450/VPCP-KGVX) and announced by the ministry
in charge. An overlay file records such decisions, per year, so that an
officer can add next year's without touching code::

    version: 1
    name: Viet Nam, public sector
    years:
      2026:
        swaps:
          - day_off: 2026-01-02
            working_day: 2026-01-10
            name: Tết Dương lịch, hoán đổi
            source: 12729/VPCP-KGVX (25/12/2025)
            confirmed: true
        days_off:
          - date: 2026-02-16
            name: Tết Nguyên đán
            source: 9859/VPCP-KGVX (13/10/2025); 9441/TB-BNV (16/10/2025)
            confirmed: true

Every entry names its ``source`` and says whether it is ``confirmed``
against that source. The file may also set ``timezone``, ``weekend``,
``office_hours`` and ``same_day_cutoff``; ``base`` selects the country of the
``holidays`` package (only the national file needs it).

Parsing is deliberately strict: YAML's ``no``/``on``/``yes``/``off`` stay
strings (only ``true``/``false`` are booleans), dates are never converted by
YAML but validated here as ISO ``YYYY-MM-DD``, duplicate keys are errors, and
unknown keys are errors (a typo must not silently drop a holiday). Every
error names the file, the line and the field, and says how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import yaml

from procflow.errors import CalendarError

if TYPE_CHECKING:
    from procflow.calendar.schema import Base, DayEntry, OverlayFile, SwapEntry, YearBlock

__all__ = [
    "DayEntry",
    "Overlay",
    "OverlayBase",
    "OverlayFile",
    "OverlaySettings",
    "SwapEntry",
    "YearBlock",
    "iso_date",
    "load_overlay",
    "parse_overlay",
]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- a YAML loader that keeps strings strings ---------------------------------


# libyaml's parser and composer when PyYAML has them (several times faster:
# the national overlay is read on every start of a command that needs the
# calendar); the resolver and constructor are Python's either way.
if TYPE_CHECKING:  # the same interface: type-checked as the pure-Python one
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """SafeLoader where only true/false are booleans and dates stay strings."""


_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key] + 1}); "
                "merge the two entries into one",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line_map(node: yaml.Node | None) -> dict[tuple[Any, ...], int]:
    """Map each key path of the document to its 1-based line number."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(n: yaml.Node, path: tuple[Any, ...]) -> None:
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key: Any = k.value
                if isinstance(k, yaml.ScalarNode) and k.tag.endswith(":int"):
                    try:
                        key = int(k.value)
                    except ValueError:
                        key = k.value
                lines[(*path, key)] = k.start_mark.line + 1
                walk(v, (*path, key))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, (*path, i))

    if node is not None:
        walk(node, ())
    return lines


# --- the schema, checked by hand ----------------------------------------------------
#
# The pydantic models of the schema (procflow.calendar.schema) are the
# authority on what an overlay may say, but importing pydantic and building
# the models cost about 0.15 s of CPU, paid by every command that loads the
# shipped vn.yaml. So a document is first checked here, by a validator that
# accepts only what the models accept and yields the values they would yield:
# strings that need no stripping, real booleans, ISO dates, lists, no unknown
# or missing field. Anything else (a mistake, or merely something unusual,
# such as a name with blanks around it) goes to the models, which accept it
# or word the errors. tests/calendar/test_overlay_fast.py checks the two agree.


def iso_date(value: Any) -> date:
    """An ISO ``YYYY-MM-DD`` string as a date (YAML does not convert dates here)."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-01-02 "
            "(quote nothing, use no slashes)"
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None


# Named tuples rather than dataclasses: immutable, compared and printed all
# the same, and several times cheaper to define at import (a dataclass
# compiles its methods), which every command that loads vn.yaml pays.
class OverlayBase(NamedTuple):
    """``base:``: the ``holidays`` package country (and subdivision) under the file."""

    holidays: str
    subdiv: str | None = None


class OverlaySettings(NamedTuple):
    """The settings of an overlay file (``None``: the file does not set it)."""

    name: str
    description: str | None = None
    base: OverlayBase | None = None
    timezone: str | None = None
    weekend: tuple[str, ...] | None = None
    office_hours: tuple[str, ...] | None = None
    same_day_cutoff: str | None = None


# The plain values of a validated document.
class _Day(NamedTuple):
    date: date
    name: str
    source: str
    confirmed: bool
    note: str | None


class _Swap(NamedTuple):
    day_off: date
    working_day: date
    name: str
    source: str
    confirmed: bool
    note: str | None


class _Year(NamedTuple):
    days_off: list[_Day]
    working_days: list[_Day]
    swaps: list[_Swap]


class _Unsure(Exception):
    """The hand-written check cannot vouch for the document: the models decide."""


_TOP = frozenset(
    {
        "version",
        "name",
        "description",
        "base",
        "timezone",
        "weekend",
        "office_hours",
        "same_day_cutoff",
        "years",
    }
)
_BASE_KEYS = frozenset({"holidays", "subdiv"})
_YEAR_KEYS = frozenset({"note", "days_off", "working_days", "swaps"})
_DAY_KEYS = frozenset({"date", "name", "source", "confirmed", "note"})
_DAY_REQUIRED = frozenset({"date", "name", "source", "confirmed"})
_SWAP_KEYS = frozenset({"day_off", "working_day", "name", "source", "confirmed", "note"})
_SWAP_REQUIRED = frozenset({"day_off", "working_day", "name", "source", "confirmed"})
_WEEKDAYS = frozenset(WEEKDAY_NAMES)


def _mapping(value: Any, allowed: frozenset[str], required: frozenset[str]) -> dict[str, Any]:
    if type(value) is not dict or not value.keys() <= allowed or not required <= value.keys():
        raise _Unsure
    return value


def _text(value: Any, min_length: int = 0) -> str:
    # Unchanged by stripping (the models strip, and Python's notion of a
    # blank covers pydantic's), long enough, and valid Unicode.
    if type(value) is not str or len(value) < min_length or value != value.strip():
        raise _Unsure
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Unsure from None
    return value


def _opt_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _items(block: dict[str, Any], key: str) -> Iterator[Any]:
    value = block.get(key, [])
    if type(value) is not list:
        raise _Unsure
    return iter(value)


def _day(value: Any) -> _Day:
    e = _mapping(value, _DAY_KEYS, _DAY_REQUIRED)
    try:
        d = iso_date(e["date"])
    except ValueError:
        raise _Unsure from None
    confirmed = e["confirmed"]
    if type(confirmed) is not bool:
        raise _Unsure
    return _Day(d, _text(e["name"], 1), _text(e["source"], 1), confirmed, _opt_text(e.get("note")))


def _swap(value: Any) -> _Swap:
    e = _mapping(value, _SWAP_KEYS, _SWAP_REQUIRED)
    try:
        off, work = iso_date(e["day_off"]), iso_date(e["working_day"])
    except ValueError:
        raise _Unsure from None
    confirmed = e["confirmed"]
    if type(confirmed) is not bool:
        raise _Unsure
    return _Swap(
        off, work, _text(e["name"], 1), _text(e["source"], 1), confirmed, _opt_text(e.get("note"))
    )


def _quick(data: dict[Any, Any]) -> tuple[OverlaySettings, dict[int, _Year]]:
    """The document's settings and years, if it is plainly valid (else :class:`_Unsure`)."""
    top = _mapping(data, _TOP, frozenset({"version", "name"}))
    version = top["version"]
    if type(version) is not int or version != 1:
        raise _Unsure
    base = None
    if top.get("base") is not None:
        b = _mapping(top["base"], _BASE_KEYS, frozenset({"holidays"}))
        base = OverlayBase(_text(b["holidays"], 2), _opt_text(b.get("subdiv")))
    weekend = top.get("weekend")
    if weekend is not None:
        if type(weekend) is not list or not all(type(w) is str and w in _WEEKDAYS for w in weekend):
            raise _Unsure
        weekend = tuple(weekend)
    hours = top.get("office_hours")
    if hours is not None:
        if type(hours) is not list:
            raise _Unsure
        hours = tuple(_text(h) for h in hours)
    settings = OverlaySettings(
        name=_text(top["name"], 1),
        description=_opt_text(top.get("description")),
        base=base,
        timezone=_opt_text(top.get("timezone")),
        weekend=weekend,
        office_hours=hours,
        same_day_cutoff=_opt_text(top.get("same_day_cutoff")),
    )
    years: dict[int, _Year] = {}
    blocks = top.get("years", {})
    if type(blocks) is not dict:
        raise _Unsure
    for year, value in blocks.items():
        if type(year) is not int or not -(2**63) <= year < 2**63:
            raise _Unsure
        block = _mapping(value, _YEAR_KEYS, frozenset())
        _opt_text(block.get("note"))
        years[year] = _Year(
            [_day(e) for e in _items(block, "days_off")],
            [_day(e) for e in _items(block, "working_days")],
            [_swap(e) for e in _items(block, "swaps")],
        )
    return settings, years


def _from_model(spec: OverlayFile) -> tuple[OverlaySettings, dict[int, _Year]]:
    """The same plain values from a document the pydantic models accepted."""
    base: Base | None = spec.base
    settings = OverlaySettings(
        name=spec.name,
        description=spec.description,
        base=OverlayBase(base.holidays, base.subdiv) if base is not None else None,
        timezone=spec.timezone,
        weekend=tuple(spec.weekend) if spec.weekend is not None else None,
        office_hours=tuple(spec.office_hours) if spec.office_hours is not None else None,
        same_day_cutoff=spec.same_day_cutoff,
    )

    def day(e: DayEntry) -> _Day:
        return _Day(e.date, e.name, e.source, e.confirmed, e.note)

    def swap(e: SwapEntry) -> _Swap:
        return _Swap(e.day_off, e.working_day, e.name, e.source, e.confirmed, e.note)

    def year(b: YearBlock) -> _Year:
        return _Year(
            [day(e) for e in b.days_off],
            [day(e) for e in b.working_days],
            [swap(e) for e in b.swaps],
        )

    return settings, {y: year(b) for y, b in spec.years.items()}


# --- the loaded overlay ---------------------------------------------------------


Kind = Literal["day_off", "working_day"]


@dataclass(frozen=True, slots=True)
class OverlayDay:
    """One date an overlay sets, flattened (a swap gives two)."""

    date: date
    kind: Kind
    name: str
    source: str
    confirmed: bool
    file: str
    line: int
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Overlay:
    """A validated overlay file: its settings and its dated entries."""

    path: str
    settings: OverlaySettings
    days: tuple[OverlayDay, ...]
    _data: Any = field(default=None, repr=False, compare=False)
    _model: Any = field(default=None, repr=False, compare=False)
    years: tuple[int, ...] = ()
    """The years the file has a block for, in order, empty blocks included:
    a year whose decisions someone recorded (``years: 2027: {}`` says "checked:
    nothing beyond the statutory days"). See
    :meth:`~procflow.calendar.WorkCalendar.unrecorded_years`."""

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def spec(self) -> OverlayFile:
        """The file as the pydantic schema reads it (validated on first use)."""
        model = self._model
        if model is None:
            from procflow.calendar.schema import OverlayFile

            model = OverlayFile.model_validate(self._data)
            object.__setattr__(self, "_model", model)
        spec: OverlayFile = model
        return spec


def _fail(path: str, line: int | None, field: str, message: str) -> CalendarError:
    where = f"{path}:{line}" if line else path
    return CalendarError(f"{where}: {field}: {message}")


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    prev: Any = None
    for part in loc:
        if isinstance(part, int) and prev != "years":
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
        prev = part
    return out or "(document)"


def _validate(
    data: dict[Any, Any], path: str, lines: dict[tuple[Any, ...], int]
) -> tuple[OverlaySettings, dict[int, _Year], OverlayFile | None]:
    """Settings and years of ``data``: by the quick check, else by the models."""
    try:
        settings, years = _quick(data)
        return settings, years, None
    except _Unsure:
        pass
    from pydantic import ValidationError

    from procflow.calendar.schema import OverlayFile

    try:
        spec = OverlayFile.model_validate(data)
    except ValidationError as exc:
        messages = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            # pydantic adds the function name of a validator in the loc for unions;
            # keep only the path parts that exist in the document.
            line = None
            for cut in range(len(loc), -1, -1):
                if loc[:cut] in lines:
                    line = lines[loc[:cut]]
                    break
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown field; check its spelling (see docs/calendar.md for the fields)"
            elif err["type"] == "missing":
                msg = "this field is required"
            elif err["type"] == "bool_type":
                msg = f"{err['input']!r} is not true or false; write true or false"
            elif err["type"] == "literal_error" and loc == ("version",):
                msg = "only 'version: 1' is understood by this procflow"
            where = f"{path}:{line}" if line else path
            messages.append(f"{where}: {_field_path(loc)}: {msg}")
        raise CalendarError(
            f"{path}: {len(messages)} error(s) in calendar overlay\n" + "\n".join(messages)
        ) from None
    settings, years = _from_model(spec)
    return settings, years, spec


def parse_overlay(text: str, path: str = "<overlay>") -> Overlay:
    """Validate overlay YAML ``text``; ``path`` names it in error messages."""
    # One parse: the node tree gives the line of every key (for messages and
    # OverlayDay.line), and the data is constructed from that same tree.
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise _fail(path, line, "YAML", f"{problem}; fix the syntax at that line") from None
    finally:
        loader.dispose()
    lines = _line_map(node)
    if not isinstance(data, dict):
        raise _fail(
            path, 1, "(document)", "an overlay is a mapping with at least 'version: 1' and 'name'"
        )
    settings, years, spec = _validate(data, path, lines)

    days: list[OverlayDay] = []
    seen: dict[date, str] = {}

    def add(d: date, kind: Kind, e: _Day | _Swap, loc: tuple[Any, ...]) -> None:
        line = lines.get(loc, 0)
        field = _field_path(loc)
        if d.year != year:
            raise _fail(
                path,
                line,
                field,
                f"{d.isoformat()} is not in {year}; move the entry under 'years: {d.year}:'",
            )
        if d in seen:
            raise _fail(
                path,
                line,
                field,
                f"{d.isoformat()} is already set at {seen[d]}; keep one entry per date",
            )
        seen[d] = f"line {line}"
        days.append(OverlayDay(d, kind, e.name, e.source, e.confirmed, path, line, e.note))

    for year, block in sorted(years.items()):
        if not 1900 <= year <= 2200:
            raise _fail(path, lines.get(("years", year)), f"years.{year}", "not a plausible year")
        for i, entry in enumerate(block.days_off):
            add(entry.date, "day_off", entry, ("years", year, "days_off", i, "date"))
        for i, entry in enumerate(block.working_days):
            add(entry.date, "working_day", entry, ("years", year, "working_days", i, "date"))
        for i, swap in enumerate(block.swaps):
            loc = ("years", year, "swaps", i)
            if swap.day_off == swap.working_day:
                raise _fail(
                    path,
                    lines.get(loc),
                    _field_path(loc),
                    "day_off and working_day are the same date; a swap needs two dates",
                )
            add(swap.day_off, "day_off", swap, (*loc, "day_off"))
            add(swap.working_day, "working_day", swap, (*loc, "working_day"))
    days.sort(key=lambda d: d.date)
    return Overlay(path, settings, tuple(days), data, spec, tuple(sorted(years)))


def load_overlay(path: str | Path) -> Overlay:
    """Read and validate one overlay file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalendarError(
            f"{p}: calendar overlay file not found; check the path "
            "(the national file ships as procflow/calendar/data/vn.yaml)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(
            f"{p}: cannot read calendar overlay ({exc}); save it as UTF-8"
        ) from None
    return parse_overlay(text, str(p))


_SCHEMA_NAMES = frozenset({"Base", "DayEntry", "OverlayFile", "SwapEntry", "YearBlock"})


def __getattr__(name: str) -> Any:
    # The pydantic models, loaded on first use (PEP 562); see the schema section.
    if name in _SCHEMA_NAMES:
        from procflow.calendar import schema

        return getattr(schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
