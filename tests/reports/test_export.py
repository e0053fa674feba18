"""The exports, read back by pm4py and compared with procflow's own figures."""

from __future__ import annotations

import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from reportcase import CHILD, Case

from procflow.export import ExportOptions, activity_of, export, formats

# 9 dossiers: D2 9 events, D1 11, D8 3, D4 1, D5 1, D9 2, D3 10, D6 2, D7 1.
EVENTS = 40
CASES = 9


def _expected_dfg(case: Case) -> Counter[tuple[str, str]]:
    """Directly-follows counts from the engine's own histories."""
    dfg: Counter[tuple[str, str]] = Counter()
    for code in case.codes.values():
        acts = [activity_of(e) for e in case.engine.history(code)]
        dfg.update(itertools.pairwise(acts))
    return dfg


def _durations(case: Case) -> dict[str, float]:
    out = {}
    for code in case.codes.values():
        events = case.engine.history(code)
        out[code] = (events[-1].at - events[0].at).total_seconds()
    return out


def test_formats_are_discovered() -> None:
    assert set(formats()) >= {"xes", "ocel", "csv"}


def test_xes_is_well_formed_and_complete(case: Case) -> None:
    buf = io.StringIO()
    stats = export(case.store, "xes", buf)
    assert (stats.cases, stats.events) == (CASES, EVENTS)
    root = ET.fromstring(buf.getvalue())
    ns = {"x": "http://www.xes-standard.org/"}
    traces = root.findall("x:trace", ns)
    assert len(traces) == CASES
    d3 = next(
        t
        for t in traces
        if t.find("x:string[@key='concept:name']", ns).get("value")  # type: ignore[union-attr]
        == case.codes["D3"]
    )
    assert d3.find("x:string[@key='procflow:lateness']", ns).get("value") == "late"  # type: ignore[union-attr]
    assert d3.find("x:int[@key='procflow:apologies']", ns).get("value") == "1"  # type: ignore[union-attr]
    residence = [
        e
        for e in d3.findall("x:event", ns)
        if e.find("x:string[@key='concept:name']", ns).get("value") == "residence"  # type: ignore[union-attr]
    ]
    assert len(residence) == 1
    ev = residence[0]
    assert ev.find("x:string[@key='org:group']", ns).get("value") == "commune-police"  # type: ignore[union-attr]
    assert ev.find("x:float[@key='procflow:late_seconds']", ns).get("value") == "82350.0"  # type: ignore[union-attr]
    assert ev.find("x:date[@key='procflow:step_due']", ns) is not None


def test_procedure_filter_and_alerts(case: Case) -> None:
    stats = export(case.store, "csv", io.StringIO(), ExportOptions(procedure=CHILD))
    assert stats.cases == CASES - 1  # D8 is a birth registration


def test_csv_has_pm4py_columns(case: Case) -> None:
    buf = io.StringIO()
    export(case.store, "csv", buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert len(rows) == EVENTS
    for col in ("case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:group"):
        assert col in rows[0]
    d1 = [r for r in rows if r["case:concept:name"] == case.codes["D1"]]
    assert [r["concept:name"] for r in d1][:4] == [
        "received",
        "reception",
        "birth-registration",
        "supplement",
    ]
    assert {r["case:procflow:supplements"] for r in d1} == {"1"}


@pytest.fixture(scope="module")
def pm4py() -> object:
    return pytest.importorskip("pm4py")


def test_pm4py_reads_the_xes(case: Case, tmp_path: Path, pm4py: object) -> None:
    import pm4py as pm

    path = tmp_path / "log.xes"
    with path.open("w", encoding="utf-8") as out:
        export(case.store, "xes", out)
    df = pm.read_xes(str(path))
    assert df["case:concept:name"].nunique() == CASES
    assert len(df) == EVENTS
    dfg, _, _ = pm.discover_dfg(df)
    assert Counter(dfg) == _expected_dfg(case)
    durations = _durations(case)
    got = pm.get_all_case_durations(df)
    assert sorted(got) == pytest.approx(sorted(durations.values()))
    assert max(got) == durations[case.codes["D2"]]  # 12/02 10:00 -> 24/02 09:00


def test_pm4py_reads_the_csv(case: Case, pm4py: object) -> None:
    import pandas as pd
    import pm4py as pm

    buf = io.StringIO()
    export(case.store, "csv", buf)
    df = pd.read_csv(io.StringIO(buf.getvalue()))
    df = pm.format_dataframe(df)
    assert df["case:concept:name"].nunique() == CASES
    dfg, _, _ = pm.discover_dfg(df)
    assert Counter(dfg) == _expected_dfg(case)


def test_pm4py_reads_the_ocel(case: Case, tmp_path: Path, pm4py: object) -> None:
    import pm4py as pm

    path = tmp_path / "log.jsonocel"
    with path.open("w", encoding="utf-8") as out:
        stats = export(case.store, "ocel", out)
    raw = json.loads(path.read_text("utf-8"))
    assert len(raw["events"]) == EVENTS
    ocel = pm.read_ocel2_json(str(path))
    assert len(ocel.events) == EVENTS
    types = Counter(ocel.objects["ocel:type"])
    # 9 dossiers, 9 applicants, 3 agencies.
    assert types == {"dossier": 9, "applicant": 9, "agency": 3}
    assert stats.objects == 21
    # Every event is related to its dossier; the D3 events to D3.
    rel = ocel.relations
    dossier_rel = rel[rel["ocel:type"] == "dossier"]
    assert len(dossier_rel) == EVENTS
    assert (dossier_rel["ocel:oid"] == case.codes["D3"]).sum() == 10
    # Hand-offs to another agency: D1, D2, D3 each have three.
    handed = rel[rel["ocel:qualifier"] == "handed to"]
    assert len(handed) == 9
