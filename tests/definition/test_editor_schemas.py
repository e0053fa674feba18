"""The JSON Schemas editors use (issue 21): one per kind of YAML file, every
property described, the committed copies current, every shipped file naming its
schema and valid against it, and the schema agreeing with the loader on the
short forms it cannot see in the models."""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from procflow.cli.definition import register
from procflow.definition.yamlio import read_yaml
from procflow.schemas import SCHEMA_FILES, SCHEMA_KINDS, json_schema, schema_id
from procflow.testing.when import UNITS, parse_at

from .conftest import ROOT

HEADER = re.compile(r"\A# yaml-language-server: \$schema=(?P<path>\S+)\n")


@functools.cache
def _validator(kind: str) -> jsonschema.Draft202012Validator:
    # With formats checked, as editors check them ("date", and "date-time" if any).
    return jsonschema.Draft202012Validator(
        json_schema(kind),  # type: ignore[arg-type]
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def _undescribed(node: Any, where: str = "#") -> list[str]:
    """Every property of a schema (at any depth) that has no description."""
    out: list[str] = []
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            if not isinstance(prop, dict) or not prop.get("description"):
                out.append(f"{where}/properties/{name}")
        for key, value in node.items():
            out.extend(_undescribed(value, f"{where}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_undescribed(value, f"{where}/{index}"))
    return out


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_every_property_of_the_committed_schema_has_a_description(kind: str) -> None:
    committed = json.loads((ROOT / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))  # type: ignore[index]
    assert _undescribed(committed) == []


def test_the_walk_finds_a_missing_description() -> None:
    schema = {"properties": {"a": {"type": "string"}, "b": {"description": "x"}}}
    nested = {"$defs": {"X": schema}}
    assert _undescribed(nested) == ["#/$defs/X/properties/a"]


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_committed_schema_is_up_to_date(kind: str) -> None:
    committed = json.loads((ROOT / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))  # type: ignore[index]
    fix = f"run: procflow schema --kind {kind} -o docs/{kind}.schema.json"
    assert committed == json_schema(kind), fix  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(committed)
    assert committed["$id"] == schema_id(kind)  # type: ignore[arg-type]


def _kind_of(path: Path, data: Any) -> str:
    """What a shipped YAML file is, by its content (as the loaders tell them apart)."""
    assert isinstance(data, dict), path
    scenario = data.get("scenario")
    if isinstance(scenario, str):
        return "scenario"
    if "simulation" in data:
        return "simulation"
    if "steps" in data or "procflow" in data:
        return "procedure"
    assert "version" in data and "name" in data, f"{path}: what kind of file is this?"
    return "calendar"


SHIPPED = sorted(p for p in (ROOT / "procedures").rglob("*.yaml"))


def test_every_kind_is_shipped() -> None:
    kinds = {_kind_of(p, read_yaml(p).data) for p in SHIPPED}
    assert kinds == set(SCHEMA_KINDS)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT / "procedures")))
def test_shipped_file_names_its_schema_and_is_valid(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = read_yaml(path).data
    kind = _kind_of(path, data)
    header = HEADER.match(text)
    wanted = os.path.relpath(ROOT / SCHEMA_FILES[kind], path.parent)  # type: ignore[index]
    assert header, f"{path}: add the first line '# yaml-language-server: $schema={wanted}'"
    named = (path.parent / header["path"]).resolve()
    assert named == (ROOT / SCHEMA_FILES[kind]).resolve(), (path, header["path"])  # type: ignore[index]
    errors = [f"{list(e.path)}: {e.message}" for e in _validator(kind).iter_errors(data)]
    assert errors == [], errors


@pytest.mark.parametrize(
    ("kind", "text", "where"),
    [
        (
            "scenario",
            "scenario: x\nprocedure: p.yaml\nstart: 2026-03-04T09:00\n"
            "steps:\n  - {at: +2 workign days, fire: forward}\n",
            ["steps", 0, "at"],
        ),
        (
            "scenario",
            "scenario: x\nprocedure: p.yaml\nstart: 2026-03-04\nsteps:\n  - receive:\n",
            ["start"],
        ),
        (
            "scenario",
            "scenario: x\nprocedure: p.yaml\nstart: 2026-03-04T09:00\n"
            "steps:\n  - {receive: , expect: {timeliness: in time}}\n",
            ["steps", 0, "expect", "timeliness"],
        ),
        (
            "simulation",
            "simulation: 1\ndossiers: 5\narrivals: {per_working_day: 2}\n"
            "officers: {desk: 1}\nsteps: {a: {work: {fixed: 1, exponential: 2}}}\n",
            ["steps", "a", "work"],
        ),
        (
            "simulation",
            "simulation: 1\ndossiers: 5\n"
            "arrivals: {per_working_day: 2, monthly_profile: {13: 1.2}}\nofficers: {desk: 1}\n",
            ["arrivals", "monthly_profile"],
        ),
        ("calendar", "version: 1\nname: x\nyears: {26: {}}\n", ["years"]),
        ("calendar", "version: 1\nname: x\nweekend: [saturday]\n", ["weekend", 0]),
    ],
)
def test_schema_flags_mistakes_where_they_are(kind: str, text: str, where: list[Any]) -> None:
    data = read_yaml("x.yaml", text=text).data
    errors = list(_validator(kind).iter_errors(data))
    assert errors, text
    # Under an anyOf the error names the alternative's key inside its context.
    found: list[Any] = []
    stack = list(errors)
    while stack:
        error = stack.pop()
        found.append(error)
        stack.extend(error.context or ())
    assert any(list(e.absolute_path) == where for e in found), [
        (list(e.absolute_path), e.message) for e in found
    ]


_WORDS = [*sorted(UNITS), "weeks", "working weeks", "calendar hours", "workday"]


_RELATIVE_AT = json_schema("scenario")["$defs"]["Step"]["properties"]["at"]["anyOf"][1]["pattern"]


@given(
    number=st.sampled_from(["2", "0.5", "10", "1.", "x", ""]),
    unit=st.sampled_from(_WORDS),
    upper=st.booleans(),
    tod=st.sampled_from(["", " at 08:00", " at 8:30", " at 0800", " AT 09:15"]),
)
def test_relative_at_pattern_agrees_with_the_loader(
    number: str, unit: str, upper: bool, tod: str
) -> None:
    """The schema accepts an ``at: +N unit`` exactly when the loader does (times of
    day the loader accepts but cannot use, like 25:00, aside)."""
    text = f"+{number} {unit.upper() if upper else unit}{tod}"
    try:
        parse_at(text)
        loader = True
    except ValueError:
        loader = False
    pattern = _RELATIVE_AT
    assert (re.match(pattern, text) is not None) == loader, text


@pytest.fixture
def cli() -> click.Group:
    group = click.Group()
    register(group)
    return group


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_procflow_schema_kind(cli: click.Group, kind: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "--kind", kind])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["$id"] == schema_id(kind)  # type: ignore[arg-type]
    target = tmp_path / f"{kind}.schema.json"
    result = CliRunner().invoke(cli, ["schema", "--kind", kind, "-o", str(target)])
    assert result.exit_code == 0
    committed = (ROOT / SCHEMA_FILES[kind]).read_text(encoding="utf-8")  # type: ignore[index]
    assert target.read_text(encoding="utf-8") == committed


def test_procflow_schema_refuses_an_unknown_kind(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["schema", "--kind", "report"])
    assert result.exit_code == 2
    assert "'report' is not one of" in result.output and "Traceback" not in result.output
