"""The graph, the critical path and a few rules, on small hand-made procedures."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest

from procflow.calendar import WorkCalendar
from procflow.checks import check_procedure, critical_path, procedure_graph
from procflow.checks.graph import step_flow, working_day_hours
from procflow.definition.loader import load_procedure
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
    # 4 working hours, on the standard calendar's working day (7.5 h)
    assert graph.nodes["b"]["days"] == pytest.approx(4 / 7.5)
    assert graph.nodes["sup"]["days"] == 0.0
    assert step_flow(p).back_edges() == [("sup", "b")]
    assert codes(p) == []


def test_critical_path_takes_the_longest_branch_and_skips_applicant_time() -> None:
    p = proc(
        [
            step("a", "reception", "0.5 working days", short="c", long="b"),
            step("b", time="2 working days", next="c", ask="sup"),
            step("sup", "applicant", "30 working days", resubmit="b"),
            step("c", "return", "0.5 working days", give="returned"),
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


def test_same_day_fits_the_calendars_working_day_not_eight_hours() -> None:
    # The standard calendar's office hours (07:30-11:30, 13:30-17:00) make a
    # working day of 7.5 h: 4 + 4 working hours cannot be done the same day.
    def same_day(first: str, second: str) -> Procedure:
        return proc(
            [
                step("a", "reception", first, go="b"),
                step("b", time=second, go="returned"),
            ],
            limit="same day",
        )

    assert codes(same_day("4 working hours", "3.5 working hours")) == []
    (finding,) = check_procedure(same_day("4 working hours", "4 working hours"))
    assert finding.code == "time-overrun" and finding.is_error
    assert finding.path == ("time_limit",)
    assert "takes 8 working hours, 0.5 over the statutory total of same day" in finding.message
    assert "a working day is 7.5 working hours on the calendar" in finding.message
    assert "07:30-11:30, 13:30-17:00" in finding.message
    assert finding.hint is not None
    assert "at most 7.5 working hours, 0.5 working hours less" in finding.hint
    assert "raise time_limit" in finding.hint
    over = proc(
        [
            step("a", "reception", "5 working hours", go="b"),
            step("b", time="5 working hours", go="returned"),
        ],
        limit="same day",
    )
    assert codes(over) == ["time-overrun"]
    long_step = proc([step("a", "reception", "2 working days", go="returned")], limit="same day")
    assert sorted(codes(long_step)) == ["time-overrun", "unit-mismatch"]


def test_one_step_of_eight_hours_is_longer_than_a_same_day() -> None:
    p = proc([step("a", "reception", "8 working hours", go="returned")], limit="same day")
    found = {f.code: f for f in check_procedure(p)}
    assert set(found) == {"unit-mismatch", "time-overrun"}
    mismatch = found["unit-mismatch"]
    assert mismatch.path == ("steps", 0, "time")
    assert "1 working day at most; a working day is 7.5 working hours" in mismatch.message
    assert (
        codes(proc([step("a", "reception", "7.5 working hours", go="returned")], "same day")) == []
    )


def test_one_working_day_limit_counts_hours_on_the_calendar() -> None:
    def one_day(first: str, second: str) -> Procedure:
        return proc(
            [
                step("a", "reception", first, go="b"),
                step("b", time=second, go="returned"),
            ],
            limit="1 working day",
        )

    assert codes(one_day("4 working hours", "3.5 working hours")) == []
    assert critical_path(one_day("4 working hours", "3.5 working hours")).days == 1.0
    (finding,) = check_procedure(one_day("4 working hours", "4 working hours"))
    assert finding.code == "time-overrun"
    assert "takes 1.06667 working days (8 working hours)" in finding.message
    assert "statutory total of 1 working day (7.5 working hours)" in finding.message
    assert "a working day is 7.5 working hours on the calendar" in finding.message
    assert finding.hint is not None and "at most 1 working day (7.5 working hours)" in finding.hint
    # Days alone need no day length: the message stays in days.
    (days,) = check_procedure(
        proc([step("a", "reception", "2 working days", go="returned")], limit="1 working day")
    )
    assert "working hours" not in days.message


SAME_DAY_FILE = textwrap.dedent(
    """\
    procflow: 1
    id: t.same-day
    version: "1"
    name: Thử
    legal_basis: [{number: 1/2025/NĐ-CP}]
    time_limit:
      value: 0
      unit: same_day
      cutoff: "15:00"
    agencies:
      - {id: desk, name: Một cửa, desk: true}
    steps:
      - {id: a, name: a, kind: reception, agency: desk, time: 4 working hours, outcomes: {go: b}}
      - {id: b, name: b, kind: return, agency: desk, time: HOURS, outcomes: {give: returned}}
    """
)


def test_same_day_file_of_eight_hours_is_reported_where_the_limit_is() -> None:
    bad = load_procedure("same-day.yaml", text=SAME_DAY_FILE.replace("HOURS", "4 working hours"))
    (finding,) = bad.errors
    assert finding.code == "time-overrun"
    line = SAME_DAY_FILE.splitlines().index("time_limit:") + 1
    assert (finding.file, finding.line, finding.column) == ("same-day.yaml", line, 1)
    assert finding.path == ("time_limit",)
    assert "7.5 working hours on the calendar" in finding.message
    good = load_procedure("same-day.yaml", text=SAME_DAY_FILE.replace("HOURS", "3.5 working hours"))
    assert good.findings == []


def test_a_calendar_with_other_office_hours_changes_the_verdict() -> None:
    eight = WorkCalendar(office_hours=["07:00-11:00", "13:00-17:00"], years=(2025, 2026))
    seven = WorkCalendar(office_hours=["08:00-11:00", "13:00-17:00"], years=(2025, 2026))
    assert working_day_hours(eight) == 8.0 and working_day_hours(seven) == 7.0
    full = proc(
        [step("a", "reception", go="b"), step("b", go="returned")],  # 4 + 4 working hours
        limit="same day",
    )
    assert codes(full) == ["time-overrun"]
    assert check_procedure(full, calendar=eight) == []
    assert critical_path(full, calendar=eight).days == 1.0
    assert procedure_graph(full, calendar=eight).nodes["a"]["days"] == 0.5
    short = proc(
        [step("a", "reception", go="b"), step("b", time="3.5 working hours", go="returned")],
        limit="same day",
    )
    assert check_procedure(short) == []
    (finding,) = check_procedure(short, calendar=seven)
    assert finding.code == "time-overrun"
    assert "a working day is 7 working hours on the calendar" in finding.message
    assert "08:00-11:00, 13:00-17:00" in finding.message


def test_the_working_day_is_the_standard_calendars() -> None:
    assert working_day_hours() == WorkCalendar.vietnam().day_seconds / 3600
    assert working_day_hours(WorkCalendar.vietnam()) == working_day_hours()


def test_checks_load_the_calendar_only_for_times_in_hours() -> None:
    # procflow --help and one-shot commands must not pay for the calendar:
    # importing the checks does not load it, nor does checking a procedure
    # whose times are all in days.
    code = textwrap.dedent(
        """\
        import sys
        import procflow.checks, procflow.checks.rules
        assert "procflow.calendar.workcalendar" not in sys.modules
        from procflow.checks import check_procedure
        from procflow.definition.model import Procedure
        step = {"id": "a", "name": "a", "kind": "reception", "agency": "d",
                "time": "1 working day", "outcomes": {"go": "returned"}}
        data = {"id": "t.p", "version": "1", "name": "p", "time_limit": "2 working days",
                "legal_basis": [{"number": "1"}], "steps": [step],
                "agencies": [{"id": "d", "name": "d", "desk": True}]}
        assert check_procedure(Procedure.model_validate(data)) == []
        assert "procflow.calendar.workcalendar" not in sys.modules
        step["time"] = "4 working hours"
        assert check_procedure(Procedure.model_validate(data)) == []
        assert "procflow.calendar.workcalendar" in sys.modules
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)


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
