"""``procflow report`` and ``procflow export`` registered into a fresh click group."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
from click.testing import CliRunner
from reportcase import Case

from procflow.cli import export as export_cmds
from procflow.cli import report as report_cmds


def _cli() -> click.Group:
    group = click.Group()
    report_cmds.register(group)
    export_cmds.register(group)
    return group


PERIOD = ["--from", "2026-02-01", "--to", "2026-03-31"]


def test_report_json(case: Case) -> None:
    result = CliRunner().invoke(_cli(), ["report", case.url, *PERIOD, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rates"]["total"]["rate"] == 0.75
    assert data["accountability"]["late_handoffs"][0]["from"] == "commune-pc"


def test_report_table_and_points(case: Case) -> None:
    result = CliRunner().invoke(_cli(), ["report", case.url, *PERIOD, "--points", "2,1,0"])
    assert result.exit_code == 0, result.output
    assert "75.00%" in result.output and "residence" in result.output
    bad = CliRunner().invoke(_cli(), ["report", case.url, "--points", "x"])
    assert bad.exit_code != 0 and "--points" in bad.output
    bad = CliRunner().invoke(_cli(), ["report", case.url, "--from", "2026-13-01"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_report_csv(case: Case) -> None:
    result = CliRunner().invoke(_cli(), ["report", case.url, *PERIOD, "--format", "csv"])
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["section", "group_by", "group", "metric", "value"]
    assert ["rates", "all", "all", "rate", "0.75"] in rows
    assert ["accountability", "agency", "commune-police", "late_seconds", "82350.0"] in rows


def test_report_html_is_self_contained(case: Case, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    procedures = str(Path(__file__).resolve().parents[2] / "procedures")
    html_en = ["--format", "html", "--lang", "en", "--procedures", procedures]
    result = CliRunner().invoke(_cli(), ["report", case.url, *PERIOD, *html_en, "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    # Rate over time, backlog, held, late by agency, time per step; and the
    # process diagram of each of the case's two procedures.
    assert html.count("<svg") == 7
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "75.00%" in html


def test_export_cli(case: Case, tmp_path: Path) -> None:
    # XES has a start and a complete per step stay and an event per outcome
    # (77 <event>s for the 40 stored events); OCEL and CSV one per stored event.
    for fmt, events in (("xes", 77), ("ocel", 40), ("csv", 40)):
        out = tmp_path / f"log.{fmt}"
        result = CliRunner().invoke(_cli(), ["export", case.url, "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert f"9 cases, {events} events" in result.output
    result = CliRunner().invoke(_cli(), ["export", case.url, "--format", "csv"])
    assert result.output.startswith("case:concept:name,concept:name,time:timestamp")
    result = CliRunner().invoke(_cli(), ["export", case.url, "--format", "pdf"])
    assert result.exit_code != 0
