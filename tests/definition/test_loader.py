"""Loading procedures: samples, pydantic errors located, discovery, strict reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from procflow.checks import CODES
from procflow.definition.loader import (
    discover,
    is_procedure_text,
    load_procedure,
    read_procedure,
)
from procflow.errors import DefinitionError

from .conftest import BROKEN, ROOT

MINIMAL = """\
procflow: 1
id: test.minimal
version: "1"
name: Thủ tục tối thiểu
legal_basis:
  - number: 01/2025/NĐ-CP
    date: 2025-01-01
effective_from: 2025-07-01
time_limit: 1 working days
agencies:
  - id: desk
    name: Một cửa
    desk: true
steps:
  - id: receive
    name: Tiếp nhận
    kind: reception
    agency: desk
    time: 4 working hours
    outcomes:
      no: refused
      on: returned
"""


def test_samples_validate_clean(samples: list[Path]) -> None:
    assert len(samples) >= 2
    for path in samples:
        result = load_procedure(path)
        assert result.ok, "\n".join(map(str, result.findings))
        assert result.errors == []


def test_minimal_procedure_keeps_no_and_on_as_triggers() -> None:
    result = load_procedure("m.yaml", text=MINIMAL)
    assert result.ok, result.findings
    proc = result.procedure
    assert proc is not None
    assert list(proc.steps[0].outcomes) == ["no", "on"]
    assert str(proc.effective_from) == "2025-07-01"
    assert str(proc.legal_basis[0].date) == "2025-01-01"
    assert proc.name.vi == "Thủ tục tối thiểu"


def test_cutoff_is_read_as_a_time_not_a_number() -> None:
    text = MINIMAL.replace(
        "time_limit: 1 working days", "time_limit:\n  value: 0\n  unit: same_day\n  cutoff: 15:00"
    )
    proc = read_procedure("m.yaml", text=text)
    assert proc.time_limit.cutoff is not None
    assert proc.time_limit.cutoff.isoformat() == "15:00:00"


def test_several_errors_are_reported_together() -> None:
    text = (
        MINIMAL.replace('version: "1"', "version: 2025.1")
        .replace("    kind: reception\n", "    kind: receptoin\n")
        .replace("    desk: true\n", "    desk: true\n    levle: commune\n")
        .replace("date: 2025-01-01", "date: 2025-02-30")
    )
    result = load_procedure("m.yaml", text=text)
    got = [(f.code, f.line, f.key_path) for f in result.findings]
    assert got == [
        ("wrong-type", 3, "version"),
        ("wrong-type", 7, "legal_basis[0].date"),
        ("unknown-key", 14, "agencies[0].levle"),
        ("invalid-choice", 18, "steps[0].kind"),
    ]
    unknown = result.findings[2]
    assert unknown.hint is not None and "did you mean 'level'" in unknown.hint
    assert result.findings[0].hint is not None and 'version: "2025.1"' in result.findings[0].hint


def test_every_pydantic_error_is_mapped_to_a_line() -> None:
    text = """\
procflow: 2
id: Bad Id
name: {vi: "", en: 3}
time_limit: {value: -1, unit: fortnights, cutoff: "25:00"}
agencies: []
steps:
  - 5
  - id: s
    name: x
    kind: review
    agency: a
    outcomes:
      go: 7
      Bad-Trigger: returned
rules:
  max_reappointments: many
effective_from: 2025-07-01
effective_to: 2025-01-01
"""
    result = load_procedure("m.yaml", text=text)
    assert result.procedure is None
    assert result.findings
    for finding in result.findings:
        assert finding.line is not None, str(finding)
        assert finding.code in CODES
        assert "Input should" not in finding.message or finding.code == "invalid-value"
    codes = {f.code for f in result.findings}
    assert {"invalid-choice", "invalid-id", "wrong-type", "missing-key"} <= codes


def test_effective_dates_out_of_order_point_at_effective_to() -> None:
    text = MINIMAL.replace(
        "effective_from: 2025-07-01", "effective_from: 2025-07-01\neffective_to: 2025-01-01"
    )
    result = load_procedure("m.yaml", text=text)
    assert [(f.code, f.line) for f in result.findings] == [("invalid-value", 9)]


def test_union_type_errors_are_said_once() -> None:
    text = MINIMAL.replace("      on: returned", "      on: 5")
    result = load_procedure("m.yaml", text=text)
    assert [(f.code, f.line) for f in result.findings] == [("wrong-type", 22)]
    assert "step id" in result.findings[0].message


def test_not_a_mapping() -> None:
    for text in ("", "- a\n- b\n", "just text\n"):
        result = load_procedure("m.yaml", text=text)
        assert [f.code for f in result.findings] == ["not-a-procedure"]


def test_read_procedure_raises_definition_error_with_every_error() -> None:
    text = MINIMAL.replace("agency: desk", "agency: nobody").replace(
        "legal_basis:\n  - number: 01/2025/NĐ-CP\n    date: 2025-01-01\n", ""
    )
    with pytest.raises(DefinitionError) as info:
        read_procedure("m.yaml", text=text)
    codes = sorted(f.code for f in info.value.findings if f.is_error)
    assert codes == ["missing-legal-basis", "unknown-agency"]
    assert "m.yaml:" in str(info.value)


def test_read_procedure_accepts_warnings() -> None:
    text = MINIMAL.replace("    time: 4 working hours\n", "")
    assert read_procedure("m.yaml", text=text).id == "test.minimal"


def test_discover_expands_folders_and_skips_other_yaml(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "p.yaml").write_text(MINIMAL)
    (tmp_path / "a" / "q.yml").write_text("steps: []\n")
    (tmp_path / "a" / "notes.yaml").write_text("title: not a procedure\n")
    (tmp_path / "a" / "readme.txt").write_text(MINIMAL)
    for skipped in ("calendars", "tests", "scenarios", ".hidden"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "x.yaml").write_text(MINIMAL)
    explicit = tmp_path / "a" / "notes.yaml"
    found = discover([tmp_path, explicit, tmp_path / "a" / "p.yaml"])
    assert found == [tmp_path / "a" / "p.yaml", tmp_path / "a" / "q.yml", explicit]


def test_discover_on_the_repository_finds_the_samples() -> None:
    found = discover([ROOT / "procedures"])
    assert {p.name for p in found} >= {"birth-registration.yaml", "child-under-6.yaml"}
    assert all("calendars" not in p.parts for p in found)


def test_is_procedure_text() -> None:
    assert is_procedure_text("# c\nprocflow: 1\n")
    assert is_procedure_text("id: x\nsteps:\n")
    assert not is_procedure_text("holidays:\n  steps: 1\n")


def test_every_code_emitted_by_the_broken_files_is_catalogued() -> None:
    for path in BROKEN.glob("*.yaml"):
        for finding in load_procedure(path).findings:
            assert finding.code in CODES, finding.code
            assert finding.severity is CODES[finding.code].severity, finding.code


def test_cache_returns_the_same_result_without_parsing(tmp_path: Path) -> None:
    from procflow.definition.cache import LoadCache

    cache = LoadCache(tmp_path / "cache")
    paths = [*discover([ROOT / "procedures"]), BROKEN / "step-no-time.yaml"]
    for path in paths:
        first = load_procedure(path, cache=cache)
        second = load_procedure(path, cache=cache)
        assert first.procedure is not None
        assert second.procedure == first.procedure
        assert second.findings == first.findings
    assert cache.hits == len(paths) and cache.misses == len(paths)
    # a file with model errors is not cached, and still reported
    bad = load_procedure(BROKEN / "missing-key.yaml", cache=cache)
    again = load_procedure(BROKEN / "missing-key.yaml", cache=cache)
    assert bad.findings == again.findings and again.procedure is None
    # the same bytes under another name report under that name
    moved = tmp_path / "moved.yaml"
    moved.write_bytes((BROKEN / "step-no-time.yaml").read_bytes())
    result = load_procedure(moved, cache=cache)
    assert result.findings[0].file == str(moved)
    assert cache.hits == len(paths) + 1


def test_cache_survives_a_corrupt_entry(tmp_path: Path) -> None:
    from procflow.definition.cache import LoadCache

    cache = LoadCache(tmp_path)
    path = ROOT / "procedures" / "civil-status" / "birth-registration.yaml"
    load_procedure(path, cache=cache)
    for entry in tmp_path.rglob("*.json"):
        entry.write_text("{not json")
    assert load_procedure(path, cache=cache).ok
