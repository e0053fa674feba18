"""The graph, the critical path and a few rules, on small hand-made procedures."""

from __future__ import annotations

from typing import Any

from procflow.checks import check_procedure, critical_path, procedure_graph
from procflow.checks.graph import step_flow
from procflow.definition.model import Procedure


def proc(steps: list[dict[str, Any]], limit: str = "3 working days", **extra: Any) -> Procedure:
    data: dict[str, Any] = {
        "id": "t.p",
        "version": "1",
        "name": "Thử",
        "legal_basis": [{"number": "1/2025/NĐ-CP"}],
        "time_limit": limit,
        "agencies": [{"id": "desk", "name": "Một cửa", "desk": True}],
        "steps": steps,
        **extra,
    }
    return Procedure.model_validate(data)


def step(
    sid: str, kind: str = "review", time: str | None = "4 working hours", **outcomes: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": sid,
        "name": sid,
        "kind": kind,
        "agency": "desk",
        "outcomes": outcomes,
    }
    if time:
        data["time"] = time
    return data


def codes(p: Procedure) -> list[str]:
    return [f.code for f in check_procedure(p)]


def test_graph_nodes_edges_and_triggers() -> None:
    p = proc(
        [
            step("a", "reception", go="b", also="b"),
            step("b", ask="sup", done="returned"),
            step("sup", "applicant", None, resubmit="b"),
        ]
    )
    graph = procedure_graph(p)
    assert set(graph.nodes) == {"a", "b", "sup", "returned", "refused", "withdrawn", "stopped"}
    assert graph.edges["a", "b"]["triggers"] == ["go", "also"]
    assert graph.nodes["returned"]["terminal"] is True
    assert graph.nodes["b"]["days"] == 0.5
    assert graph.nodes["sup"]["days"] == 0.0
    assert step_flow(p).back_edges() == [("sup", "b")]
    assert codes(p) == []


def test_critical_path_takes_the_longest_branch_and_skips_applicant_time() -> None:
    p = proc(
        [
            step("a", "reception", short="c", long="b"),
            step("b", time="2 working days", next="c", ask="sup"),
            step("sup", "applicant", "30 working days", resubmit="b"),
            step("c", "return", "4 working hours", give="returned"),
        ]
    )
    path = critical_path(p)
    assert path.steps == ("a", "b", "c")
    assert path.days == 3.0 and path.limit == 3.0 and path.overrun == 0
    assert path.total_working_days == 3.0
    assert codes(p) == []


def test_overrun_reports_path_and_amount() -> None:
    p = proc([step("a", "reception", "4 working days", go="returned")])
    (finding,) = check_procedure(p)
    assert finding.code == "time-overrun"
    assert "4 working days, 1 over" in finding.message and "a" in finding.message


def test_calendar_day_procedure_counts_calendar_days() -> None:
    p = proc(
        [
            step("a", "reception", "5 calendar days", go="b"),
            step("b", "return", "10 calendar days", go="returned"),
        ],
        limit="15 calendar days",
    )
    path = critical_path(p)
    assert path.days == 15 and path.unit.value == "calendar_days"
    assert path.total_working_days is None
    assert codes(p) == []
    mixed = proc(
        [step("a", "reception", "1 working days", go="returned")], limit="15 calendar days"
    )
    assert codes(mixed) == ["unit-mismatch"]


def test_same_day_allows_eight_working_hours() -> None:
    ok = proc([step("a", "reception", "8 working hours", go="returned")], limit="same day")
    assert codes(ok) == []
    over = proc(
        [
            step("a", "reception", "5 working hours", go="b"),
            step("b", time="5 working hours", go="returned"),
        ],
        limit="same day",
    )
    assert codes(over) == ["time-overrun"]
    long_step = proc([step("a", "reception", "2 working days", go="returned")], limit="same day")
    assert codes(long_step) == ["unit-mismatch", "time-overrun"] or sorted(codes(long_step)) == [
        "time-overrun",
        "unit-mismatch",
    ]


def test_applicant_loop_is_allowed_but_agency_loop_is_not() -> None:
    ok = proc(
        [
            step("a", "reception", go="sup"),
            step("sup", "applicant", None, back="a", done="returned"),
        ]
    )
    assert "illegal-cycle" not in codes(ok)
    bad = proc([step("a", "reception", go="b"), step("b", back="a", done="returned")])
    assert codes(bad) == ["illegal-cycle"]
    self_loop = proc([step("a", "reception", again="a", done="returned")])
    assert codes(self_loop) == ["illegal-cycle"]


def test_loop_through_applicant_with_inner_agency_cycle_is_still_caught() -> None:
    p = proc(
        [
            step("a", "reception", go="b"),
            step("b", ask="sup", check="c", done="returned"),
            step("c", back="b"),
            step("sup", "applicant", None, resubmit="b"),
        ]
    )
    assert codes(p) == ["illegal-cycle"]


def test_critical_path_survives_illegal_cycles_and_missing_returned() -> None:
    looped = proc([step("a", "reception", go="b"), step("b", back="a", done="returned")])
    assert critical_path(looped).steps in (("a", "b"),)
    refused_only = proc([step("a", "reception", go="refused")])
    path = critical_path(refused_only)
    assert path.steps == () and not path.reaches_end
    assert "returned-unreachable" in codes(refused_only)


def test_start_key_and_unknown_start() -> None:
    p = proc([step("a", "reception", go="returned"), step("b", go="a")], start="b")
    assert critical_path(p).steps == ("b", "a")
    assert codes(p) == []
    bad = proc([step("a", "reception", go="returned")], start="returned")
    assert codes(bad) == ["unknown-step"]


def test_findings_without_source_map_have_paths_but_no_lines() -> None:
    p = proc([step("a", "reception", go="nowhere")])
    (finding,) = check_procedure(p, file="x.yaml")
    assert finding.code == "unknown-step"
    assert finding.path == ("steps", 0, "outcomes", "go")
    assert finding.line is None and finding.file == "x.yaml"


def test_duplicates_and_reserved_ids_do_not_break_the_graph() -> None:
    p = proc(
        [
            step("a", "reception", go="a2"),
            step("a2", go="returned"),
            step("a2", go="a"),
            step("returned", go="a"),
        ]
    )
    found = codes(p)
    assert "duplicate-step" in found and "reserved-step-id" in found
    assert procedure_graph(p).nodes["a2"]["index"] == 1
