"""Property tests: valid procedures load clean and compile; broken ones give
findings, never exceptions."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procflow.checks import critical_path
from procflow.definition.loader import load_procedure

from .strategies import to_yaml, valid_procedures

try:
    from procflow.compiler import compile_procedure
except ImportError:  # pragma: no cover - the compiler is optional for these tests
    compile_procedure = None

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(suppress_health_check=_SLOW)
@given(valid_procedures())
def test_valid_procedures_load_without_errors(data: dict[str, Any]) -> None:
    text = to_yaml(data)
    result = load_procedure("generated.yaml", text=text)
    assert result.errors == [], "\n".join(map(str, result.errors)) + "\n" + text
    proc = result.procedure
    assert proc is not None
    # Vietnamese names come back exactly as written
    assert [s.name.vi for s in proc.steps] == [
        s["name"] if isinstance(s["name"], str) else s["name"]["vi"] for s in data["steps"]
    ]
    # ids and triggers such as no/on/off/yes stay strings
    assert [a.id for a in proc.agencies] == [a["id"] for a in data["agencies"]]
    assert [list(s.outcomes) for s in proc.steps] == [list(s["outcomes"]) for s in data["steps"]]
    path = critical_path(proc)
    assert path.steps and path.steps[0] == proc.start_step
    assert path.overrun == 0
    if compile_procedure is not None:
        compiled = compile_procedure(proc)
        assert compiled.initial == proc.start_step


def _agency_steps(data: dict[str, Any]) -> list[int]:
    return [i for i, s in enumerate(data["steps"]) if s["kind"] != "applicant"]


MUTATIONS = [
    "drop-reference",
    "rename-agency",
    "add-cycle",
    "duplicate-step",
    "duplicate-agency",
    "unknown-start",
    "drop-time-limit",
    "bad-kind",
    "no-legal-basis",
    "overrun",
]


def _mutate(data: dict[str, Any], how: str, pick: int) -> set[str]:
    """Break ``data`` in place; return the codes of which one must be reported."""
    steps = data["steps"]
    chain = _agency_steps(data)
    step = steps[chain[pick % len(chain)]]
    if how == "drop-reference":
        trigger = next(iter(step["outcomes"]))
        step["outcomes"][trigger] = "no-such-step"
        return {"unknown-step"}
    if how == "rename-agency":
        old = data["agencies"][0]["id"]
        data["agencies"][0]["id"] = old + "-renamed"
        return {"unknown-agency"}
    if how == "add-cycle":
        last = steps[chain[-2]]  # the last agency step before the return step
        last["outcomes"]["back"] = steps[0]["id"]
        return {"illegal-cycle"}
    if how == "duplicate-step":
        steps.append(copy.deepcopy(step))
        return {"duplicate-step"}
    if how == "duplicate-agency":
        data["agencies"].append(copy.deepcopy(data["agencies"][pick % len(data["agencies"])]))
        return {"duplicate-agency"}
    if how == "unknown-start":
        data["start"] = "nowhere"
        return {"unknown-step"}
    if how == "drop-time-limit":
        del data["time_limit"]
        return {"missing-key"}
    if how == "bad-kind":
        step["kind"] = "approve"
        return {"invalid-choice"}
    if how == "no-legal-basis":
        data["legal_basis"] = []
        return {"missing-legal-basis"}
    if how == "overrun":
        step["time"] = "400 working days"
        return {"time-overrun"}
    raise AssertionError(how)  # pragma: no cover


@settings(suppress_health_check=_SLOW)
@given(valid_procedures(), st.sampled_from(MUTATIONS), st.integers(0, 100))
def test_broken_procedures_give_findings_never_exceptions(
    data: dict[str, Any], how: str, pick: int
) -> None:
    expected = _mutate(data, how, pick)
    result = load_procedure("broken.yaml", text=to_yaml(data))
    codes = {f.code for f in result.errors}
    assert expected <= codes, "\n".join(map(str, result.findings))
    assert not result.ok
    for finding in result.errors:
        assert finding.line is not None, str(finding)


@settings(suppress_health_check=_SLOW)
@given(valid_procedures(), st.data())
def test_text_damage_never_raises(data: dict[str, Any], draw: st.DataObject) -> None:
    text = to_yaml(data)
    at = draw.draw(st.integers(0, len(text)))
    junk = draw.draw(
        st.one_of(
            st.text(max_size=8),
            st.sampled_from(["\t", ": ", "- ", "*x", "&a ", "!!python/object ", "---\n", "\n  "]),
        )
    )
    cut = draw.draw(st.integers(0, 10))
    damaged = text[:at] + junk + text[at + cut :]
    result = load_procedure("damaged.yaml", text=damaged)
    for finding in result.findings:
        assert finding.code and finding.message


@given(st.text(max_size=200))
def test_any_text_never_raises(text: str) -> None:
    result = load_procedure("any.yaml", text=text)
    assert result.procedure is None or result.findings is not None


@given(st.binary(max_size=200))
def test_any_bytes_never_raise(raw: bytes) -> None:
    load_procedure("any.yaml", text=raw)


@pytest.mark.parametrize("how", MUTATIONS)
def test_each_mutation_on_a_sample(how: str) -> None:
    """The mutations on a fixed sample, so a failure is easy to read."""
    import yaml

    from .conftest import ROOT

    path = ROOT / "procedures" / "lien-thong" / "child-under-6.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["effective_from"] = str(data["effective_from"])
    for doc in data["legal_basis"]:
        doc["date"] = str(doc["date"])
    expected = _mutate(data, how, 1)
    result = load_procedure("sample.yaml", text=to_yaml(data))
    assert expected <= {f.code for f in result.errors}


# --- any procedure the model accepts: the checks must never raise -------------

_IDS = ["a", "b", "c", "returned", "refused", "x"]
_AGENCIES = ["desk", "police", "tax"]
_TIMES = [
    None,
    "0 working days",
    "1 working days",
    "3 working hours",
    "2 calendar days",
    "same day",
    {"value": 0.5, "unit": "working_days"},
]


@st.composite
def any_model_procedures(draw: st.DrawFn) -> dict[str, Any]:
    steps = []
    for _ in range(draw(st.integers(1, 6))):
        outcomes: dict[str, Any] = {}
        for trigger in draw(st.lists(st.sampled_from(["go", "no", "on", "back"]), max_size=3)):
            targets = draw(st.lists(st.sampled_from([*_IDS, "stopped", "withdrawn"]), max_size=3))
            branches = [
                {
                    "to": t,
                    **({"when": "f"} if draw(st.booleans()) else {}),
                    **({"unless": "g"} if draw(st.booleans()) else {}),
                }
                for t in targets
            ]
            outcomes[trigger] = (
                branches
                if len(branches) != 1
                else draw(st.sampled_from([branches[0], branches[0]["to"], branches]))
            )
        step: dict[str, Any] = {
            "id": draw(st.sampled_from(_IDS)),
            "name": "Bước",
            "kind": draw(
                st.sampled_from(
                    [
                        "reception",
                        "review",
                        "processing",
                        "approval",
                        "handoff",
                        "applicant",
                        "return",
                    ]
                )
            ),
            "agency": draw(st.sampled_from([*_AGENCIES, "nobody"])),
            "outcomes": outcomes,
        }
        if draw(st.booleans()):
            step["to_agency"] = draw(st.sampled_from([*_AGENCIES, "nobody"]))
        time = draw(st.sampled_from(_TIMES))
        if time is not None:
            step["time"] = time
        if draw(st.booleans()):
            step["clock"] = draw(st.sampled_from(["run", "pause", "restart"]))
        steps.append(step)
    agencies = [
        {
            "id": draw(st.sampled_from(_AGENCIES)),
            "name": "Cơ quan",
            **({"desk": True} if draw(st.booleans()) else {}),
            **({"share": draw(st.sampled_from(_TIMES[1:]))} if draw(st.booleans()) else {}),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    data: dict[str, Any] = {
        "id": "t.any",
        "version": "1",
        "name": "Thủ tục",
        "time_limit": draw(st.sampled_from([*_TIMES[1:], "15 calendar days", "0 working days"])),
        "agencies": agencies,
        "steps": steps,
    }
    if draw(st.booleans()):
        data["legal_basis"] = [{"number": "1/2025/NĐ-CP"}]
    if draw(st.booleans()):
        data["start"] = draw(st.sampled_from(_IDS))
    return data


@settings(suppress_health_check=_SLOW)
@given(any_model_procedures())
def test_checks_never_raise_on_any_model_valid_procedure(data: dict[str, Any]) -> None:
    from procflow.checks import check_procedure, procedure_graph
    from procflow.definition.model import Procedure
    from procflow.definition.summary import summarise

    proc = Procedure.model_validate(data)
    text = to_yaml(data)
    result = load_procedure("any.yaml", text=text)
    assert result.procedure == proc
    for finding in result.findings:
        assert finding.line is not None, str(finding)
    assert check_procedure(proc) is not None
    summarise(proc)
    procedure_graph(proc)
    path = critical_path(proc)
    assert path.overrun >= 0
