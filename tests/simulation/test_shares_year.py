"""Issue 19, rule 1: over a simulated year, the control slip and the
accountability report give the same per-agency figures on every dossier.

The commune desk's year of the under-6 bundle
(procedures/lien-thong/simulations/commune-desk-2026.yaml, about 1,500
dossiers through Tết) runs through the real engine into an SQLite results
database. For each dossier the engine builds its control slip; the report
reads the same database on its own path (stored rows, its own working-time
arithmetic) and keeps each dossier's figures (``per_dossier=True``). They must
agree dossier by dossier and agency by agency, and the report's sums must be
the sums of the slips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.compiler import CompiledProcedure, compile_procedure
from procflow.definition.loader import read_procedure
from procflow.engine import Engine
from procflow.model.slips import ControlSlip
from procflow.reports import build_report
from procflow.reports.report import Report
from procflow.simulation import Simulation, read_scenario
from procflow.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "procedures" / "lien-thong" / "simulations" / "commune-desk-2026.yaml"
CAL = WorkCalendar.vietnam()


@pytest.fixture(scope="module")
def year(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[SQLiteStore, CompiledProcedure, dict[str, ControlSlip], Report]]:
    scenario, procedure_file = read_scenario(SCENARIO)
    assert procedure_file is not None
    proc = compile_procedure(read_procedure(procedure_file))
    db = tmp_path_factory.mktemp("shares") / "year.db"
    Simulation(scenario, proc, CAL, out=str(db)).run()
    store = SQLiteStore(db)
    engine = Engine(store, Catalogue([proc]), CAL)
    slips = {code: engine.control_slip(code) for code in store.codes()}
    report = build_report(store, calendar=CAL, procedures=[proc], per_dossier=True)
    yield store, proc, slips, report
    store.close()


def _slip_row(slip: ControlSlip) -> dict[str, Any]:
    return {
        "agencies": {a.agency: a.to_dict() for a in slip.agencies},
        "ready_at": slip.ready_at.isoformat() if slip.ready_at else None,
        "returned_at": slip.returned_at.isoformat() if slip.returned_at else None,
        "result_counts": slip.result_counts,
        "collected_after_due": slip.collected_after_due,
        "ready_by_due": slip.ready_by_due,
        "collection_seconds": slip.collection_seconds,
    }


def test_every_dossier_has_the_same_figures_on_its_slip_and_in_the_report(year: Any) -> None:
    store, _, slips, report = year
    rows = report.accountability.dossiers
    closed = {d["code"] for d in store.iter_dossier_dicts() if d["closed_at"] is not None}
    assert len(slips) > 1000 and set(rows) == closed
    for code in closed:
        assert rows[code] == _slip_row(slips[code]), code
    # The year is not trivial: agencies over their shares, and agencies that
    # ran over a step and were charged less than its lateness (saved later).
    uses = [a for code in closed for a in slips[code].agencies]
    assert any(a.overrun_seconds > 0 for a in uses)
    assert any(a.step_late_seconds > 0 and a.overrun_seconds < a.step_late_seconds for a in uses)


def test_the_report_sums_are_the_sums_of_the_slips(year: Any) -> None:
    store, _, slips, report = year
    closed = [d for d in store.iter_dossier_dicts() if d["closed_at"] is not None]
    used: dict[str, float] = defaultdict(float)
    over: dict[str, float] = defaultdict(float)
    classes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    scored: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in closed:
        for a in slips[d["code"]].agencies:
            assert a.timeliness is not None  # every agency here has a share
            used[a.agency] += a.used_seconds
            over[a.agency] += a.overrun_seconds
            classes[a.agency][a.timeliness.value] += 1
            if d["outcome"] in ("returned", "refused"):
                scored[a.agency][a.timeliness.value] += 1
    agencies = report.accountability.agencies
    assert set(agencies) == set(used)
    for agency, account in agencies.items():
        assert account.share_used_seconds == pytest.approx(used[agency])
        assert account.share_overrun_seconds == pytest.approx(over[agency])
        got = {"early": account.share_early, "on_time": account.share_on_time}
        got["late"] = account.share_late
        assert got == {k: classes[agency].get(k, 0) for k in got}
        score = report.scores.by_agency[agency]
        judged = {"early": score.early, "on_time": score.on_time, "late": score.late}
        assert judged == {k: scored[agency].get(k, 0) for k in judged}


def test_the_parallel_pass_gives_the_same_figures(year: Any) -> None:
    store, proc, _, report = year
    two = build_report(store, calendar=CAL, procedures=[proc], per_dossier=True, workers=2)
    assert two.accountability.dossiers == report.accountability.dossiers
    a, b = report.accountability.to_dict(), two.accountability.to_dict()
    assert b["collection"] == pytest.approx(a["collection"])
    assert b["shares"] == a["shares"]
    for x, y in zip(a["agencies"], b["agencies"], strict=True):
        assert y == pytest.approx(x)
