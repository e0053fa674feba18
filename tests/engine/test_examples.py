"""The embedding example runs as a user would run it, and tells the right story.

``examples/lien_thong.py`` is run in a subprocess (both stores); the checks
read its printed output: the late agency, the per-agency hours of the
control slip, the supplement pause, the sweep's overdue event and the final
classification. A change to the engine that breaks the attribution of late
time, the pause, or the classification fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "lien_thong.py"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_example(*args: str) -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "150"}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return ANSI.sub("", proc.stdout)


def agency_hours(out: str) -> dict[str, tuple[float, float]]:
    """The rows of the per-agency table: agency -> (used h, late h)."""
    section = out.split("Working hours per agency", 1)[1]
    rows = re.findall(r"│ (\S+)\s+│\s+([\d.]+) │\s+([\d.]+) │", section)
    return {agency: (float(used), float(late)) for agency, used, late in rows}


@pytest.fixture(scope="module", params=["sqlite", "memory"])
def output(request: pytest.FixtureRequest) -> str:
    return run_example("--store", request.param)


def test_the_police_are_the_late_agency(output: str) -> None:
    hours = agency_hours(output)
    assert set(hours) == {"commune-pc", "commune-police", "social-insurance"}
    police_used, police_late = hours["commune-police"]
    assert police_late > 8.0  # they held it about two working days past 0.75 of a day
    assert police_used > police_late
    assert hours["commune-pc"][1] == 0.0
    assert hours["social-insurance"][1] == 0.0
    late_lines = [ln for ln in output.splitlines() if ln.startswith("Late hand-off:")]
    assert len(late_lines) == 1
    assert "commune-police" in late_lines[0]
    assert f"{police_late:.2f} working hours" in late_lines[0]


def test_the_control_slip_marks_the_late_step_only(output: str) -> None:
    rows = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 9 and cells[0] and cells[0] != "step":
            rows.setdefault(cells[0], []).append(cells)
    assert [r[-1] for r in rows["residence"]] == ["late (quá hạn)"]
    assert float(rows["residence"][0][7]) > 0
    assert len(rows["birth-registration"]) == 2  # visited before and after the supplement
    for step, visits in rows.items():
        if step != "residence":
            assert all("late" not in v[-1] for v in visits), (step, visits)
            assert all(float(v[7]) == 0.0 for v in visits), (step, visits)
    assert rows["to-police"][0][2] == "commune-police"
    assert rows["to-insurance"][0][2] == "social-insurance"


def test_events_show_the_pause_resume_and_sweep(output: str) -> None:
    events = [ln for ln in output.splitlines() if re.match(r"\s+#\d+\s", ln)]
    types = [ln.split()[4] for ln in events]
    assert types[0] == "received"
    assert types[-1] == "returned"
    assert types.count("paused") == 1 and types.count("resumed") == 1
    assert types.index("paused") < types.index("resumed")
    overdue = [ln for ln in events if " overdue " in ln]
    assert overdue and "held by commune-police" in overdue[0]
    assert "missing: Giấy chứng sinh" in output


def test_classification_and_verify(output: str) -> None:
    # The results were back at the desk on Friday at 15:30, before the 17:00 due
    # time, and collected on Monday: on time (issue 19, rule 3).
    assert re.search(r"^Classification: returned on time \(đúng hạn\)$", output, re.M)
    appointment = re.search(r"appointment (\w{3} \d\d/\d\d \d\d:\d\d)", output)
    moved = re.search(r"Statutory due date \(after the supplement pause\): (.+?);", output)
    assert appointment and moved
    assert appointment.group(1) != moved.group(1)  # the pause moved the due date
    assert re.search(r"^verify: ok \(12 events", output, re.M)
