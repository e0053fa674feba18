"""``procflow simulate`` and ``procflow report`` tell the same story.

The simulation's summary adds up (every dossier received is early, on time,
late, withdrawn, stopped or still in progress) and uses the report's words
and counts on the database the run wrote; a report on that database is
taken as of the end of the simulated period, so dossiers the run finished
are not "in progress" because their simulated dates lie after today.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from procflow.cli.main import cli
from procflow.simulation.store import simulated_period
from procflow.store.url import open_store

ROOT = Path(__file__).resolve().parents[2]
PROC = str(ROOT / "procedures" / "lien-thong" / "child-under-6.yaml")
SCENARIO = str(ROOT / "procedures" / "lien-thong" / "simulations" / "commune-desk-2026.yaml")
# Years ahead, so that the simulated dossiers close after the wall clock's now
# (the calendar counts up to 2060).
FROM, TO = "2041-03-04", "2041-12-31"
DOSSIERS = 300
KEYS = ("early", "on_time", "late", "withdrawn", "stopped", "in_progress")


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    """One simulation written to a database: its JSON and its text summary."""
    folder = tmp_path_factory.mktemp("sim")
    db = folder / "sim.db"
    args = ("simulate", PROC, SCENARIO, "--dossiers", str(DOSSIERS), "--from", FROM, "--to", TO)
    data = json.loads(_invoke(*args, "--out", str(db), "--format", "json"))
    text = _invoke(*args)  # the same run (same seed), printed for people
    return db, data, text


def _report(db: Path, *extra: str) -> dict[str, Any]:
    return dict(
        json.loads(_invoke("report", str(db), "--workers", "1", "--format", "json", *extra))
    )


def test_the_summary_adds_up_and_says_so(run: tuple[Path, dict[str, Any], str]) -> None:
    _, data, text = run
    s = data["summary"]
    assert s["received"] == data["arrivals"] == DOSSIERS
    assert sum(s[k] for k in KEYS) + s["guided"] + s["refused_at_reception"] == s["received"]
    assert s["adds_up"] is True
    assert s["resolved"] == s["early"] + s["on_time"] + s["late"]
    # The old name is gone: late dossiers are not apologies.
    assert "apologies_needed" not in data
    assert s["apologised"] == 0 and s["late_without_apology"] == s["late"]
    # The text shows the sum as such, in the report's words.
    line = re.search(r"^(\d+) received = (.*)$", text, re.M)
    assert line, text
    terms = dict((w, int(n)) for n, w in re.findall(r"(\d+) ([a-z ]+?)(?: \+|$)", line.group(2)))
    assert int(line.group(1)) == sum(terms.values()) == DOSSIERS
    words = {"early", "on time", "late", "withdrawn", "stopped", "in progress"}
    assert words <= set(terms)
    assert "Apologised 0" in text and f"late without an apology: {s['late']}" in text
    assert "apologies needed" not in text


def test_the_summary_matches_the_report_on_its_database(
    run: tuple[Path, dict[str, Any], str],
) -> None:
    db, data, _ = run
    s = data["summary"]
    report = _report(db)
    total = report["rates"]["total"]
    assert report["dossiers_read"] == s["received"]
    for key in (*KEYS, "resolved", "apologised", "guided", "refused_at_reception"):
        assert total[key] == s[key], key
    assert total["rate"] == pytest.approx(s["rate"])
    # Printed for people, the report uses the same word for apologies given.
    text = _invoke("report", str(db), "--workers", "1")
    assert f"apologised {s['apologised']}" in text and "apologies " not in text


def test_a_simulation_is_reported_as_of_its_end(run: tuple[Path, dict[str, Any], str]) -> None:
    db, _, _ = run
    store = open_store(db, must_exist=True)
    try:
        period = simulated_period(store)
    finally:
        store.close()
    assert period is not None
    start, until = period
    assert start.date().isoformat() == FROM and until > start
    assert until > datetime.now(until.tzinfo)  # in the future: "now" would find dossiers open

    report = _report(db)
    assert datetime.fromisoformat(report["as_of"]) == until
    assert report["rates"]["total"]["in_progress"] == 0
    # --to caps the instant as for any database; --as-of still wins.
    capped = _report(db, "--to", "2041-03-05")
    assert capped["as_of"].startswith("2041-03-06T00:00:00")
    chosen = _report(db, "--as-of", "2041-03-04T12:00")
    assert chosen["as_of"] == "2041-03-04T12:00:00+07:00"
    assert chosen["rates"]["total"]["in_progress"] > 0


def test_other_databases_are_reported_as_of_now(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    store = open_store(db)
    try:
        assert simulated_period(store) is None  # a procflow database, not a simulation's
    finally:
        store.close()
    before = datetime.now().astimezone()
    report = _report(db)
    assert datetime.fromisoformat(report["as_of"]) >= before


def test_a_run_across_today_has_nothing_in_progress(tmp_path: Path) -> None:
    """The case that showed the bug: dossiers received before today and closed
    after it, in simulated time, were "in progress" as of the wall clock."""
    db = tmp_path / "now.db"
    start = (date.today() - timedelta(days=5)).isoformat()
    end = (date.today() + timedelta(days=30)).isoformat()
    args = ("simulate", PROC, SCENARIO, "--dossiers", "60", "--from", start, "--to", end)
    data = json.loads(_invoke(*args, "--out", str(db), "--format", "json"))
    assert data["summary"]["in_progress"] == 0
    total = _report(db)["rates"]["total"]
    assert total["in_progress"] == 0
    assert total["finished"] + total["guided"] + total["refused_at_reception"] == 60
