"""The documentation stays true: every finding code documented, examples valid."""

from __future__ import annotations

import json
import re

from procflow.checks import CODES
from procflow.definition.loader import load_procedure
from procflow.schemas import json_schema

from .conftest import ROOT

DOC = ROOT / "docs" / "procedure-language.md"


def test_every_finding_code_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \| (?:error|warning|info) \|", text, re.M))
    assert documented == set(CODES)
    for code, info in CODES.items():
        row = re.search(rf"^\| `{code}` \| (\w+) \|", text, re.M)
        assert row is not None and row.group(1) == info.severity.value, code


def test_the_complete_example_validates_clean() -> None:
    text = DOC.read_text(encoding="utf-8")
    example = text.split("## A complete small example", 1)[1].split("```yaml\n", 1)[1]
    example = example.split("```", 1)[0]
    result = load_procedure("example.yaml", text=example)
    assert result.ok and result.findings == [], [str(f) for f in result.findings]


def test_committed_schema_is_up_to_date() -> None:
    committed = json.loads((ROOT / "docs" / "procedure.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run: procflow schema -o docs/procedure.schema.json"


def test_samples_and_example_satisfy_the_json_schema() -> None:
    import pytest

    jsonschema = pytest.importorskip("jsonschema")
    from procflow.definition.loader import discover
    from procflow.definition.yamlio import read_yaml

    validator = jsonschema.Draft202012Validator(json_schema())
    for path in discover([ROOT / "procedures"]):
        data = read_yaml(path).data
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], (path, errors)
    broken = read_yaml(ROOT / "tests/definition/broken/invalid-choice.yaml").data
    assert list(validator.iter_errors(broken))
