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

import datetime as _dt
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from procflow.errors import CalendarError

__all__ = [
    "DayEntry",
    "Overlay",
    "OverlayFile",
    "SwapEntry",
    "YearBlock",
    "load_overlay",
    "parse_overlay",
]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- a YAML loader that keeps strings strings ---------------------------------


class _StrictLoader(yaml.SafeLoader):
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


# --- the schema -----------------------------------------------------------------


def _iso_date(value: Any) -> date:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-01-02 "
            "(quote nothing, use no slashes)"
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DayEntry(_Model):
    """One date that is off (``days_off``) or worked (``working_days``)."""

    date: _dt.date
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    confirmed: StrictBool
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> _dt.date:
        return _iso_date(v)


class SwapEntry(_Model):
    """A swap (hoán đổi): ``day_off`` becomes a day off, ``working_day`` is worked."""

    day_off: date
    working_day: date
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    confirmed: StrictBool
    note: str | None = None

    @field_validator("day_off", "working_day", mode="before")
    @classmethod
    def _date(cls, v: Any) -> date:
        return _iso_date(v)


class YearBlock(_Model):
    note: str | None = None
    days_off: list[DayEntry] = Field(default_factory=list)
    working_days: list[DayEntry] = Field(default_factory=list)
    swaps: list[SwapEntry] = Field(default_factory=list)


class Base(_Model):
    """Where the statutory holidays come from: the ``holidays`` package."""

    holidays: str = Field(min_length=2, description="country code, e.g. VN")
    subdiv: str | None = None


class OverlayFile(_Model):
    version: Literal[1]
    name: str = Field(min_length=1)
    description: str | None = None
    base: Base | None = None
    timezone: str | None = None
    weekend: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] | None = None
    office_hours: list[str] | None = None
    same_day_cutoff: str | None = None
    years: dict[int, YearBlock] = Field(default_factory=dict)


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
    spec: OverlayFile
    days: tuple[OverlayDay, ...]

    @property
    def name(self) -> str:
        return self.spec.name


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


def parse_overlay(text: str, path: str = "<overlay>") -> Overlay:
    """Validate overlay YAML ``text``; ``path`` names it in error messages."""
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
        data = yaml.load(text, Loader=_StrictLoader)  # strict SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise _fail(path, line, "YAML", f"{problem}; fix the syntax at that line") from None
    lines = _line_map(node)
    if not isinstance(data, dict):
        raise _fail(
            path, 1, "(document)", "an overlay is a mapping with at least 'version: 1' and 'name'"
        )
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

    days: list[OverlayDay] = []
    seen: dict[date, str] = {}

    def add(d: date, kind: Kind, e: DayEntry | SwapEntry, loc: tuple[Any, ...]) -> None:
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

    for year, block in sorted(spec.years.items()):
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
    return Overlay(path, spec, tuple(days))


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
