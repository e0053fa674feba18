"""The report judges agencies against their shares when given the procedure
files (issue 19, rule 1), on the hand-computed case of reportcase.py.

Every agency of the under-6 bundle has a share of 1 working day (27,000 s).

* D2 (across Tết): the commune People's Committee held reception Thu 12/02
  10:00-10:30 (1,800 s), birth-registration 10:30 -> Fri 13/02 08:30 (3,600 +
  12,600 + 3,600 = 19,800 s) and to-police Fri 08:30 -> Mon 23/02 08:00
  (10,800 + 12,600 + 1,800 = 25,200 s): 46,800 s, charged 19,800 s over its
  share, where its two late steps add up to 6,300 + 18,450 = 24,750 s.
* D3 (apology): the police held residence Mon 09/03 10:30 -> Fri 13/03 09:00
  (16,200 + 3 x 27,000 + 5,400 = 102,600 s) and to-insurance 09:00-09:30
  (1,800 s): 104,400 s, charged 77,400 s, where the residence step alone
  was 82,350 s late.
* D1: the police used 3,600 + 1,800 = 5,400 s: on time (a 1-day share has
  no whole day to spare, so it is never early).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click
from click.testing import CliRunner
from reportcase import QUERY, Case, _load

from procflow.calendar import WorkCalendar
from procflow.cli import report as report_cmds
from procflow.reports import build_report

ROOT = Path(__file__).resolve().parents[2]
PROCEDURES = [
    _load("procedures/lien-thong/child-under-6.yaml"),
    _load("procedures/civil-status/birth-registration.yaml"),
]


def test_agencies_are_charged_their_net_over_run(case: Case, calendar: WorkCalendar) -> None:
    report = build_report(
        case.store, QUERY, calendar=calendar, procedures=PROCEDURES, per_dossier=True
    )
    rows = report.accountability.dossiers
    d2 = rows[case.codes["D2"]]["agencies"]["commune-pc"]
    assert (d2["used_seconds"], d2["overrun_seconds"], d2["step_late_seconds"]) == (
        46800.0,
        19800.0,
        24750.0,
    )
    d3 = rows[case.codes["D3"]]["agencies"]["commune-police"]
    assert (d3["used_seconds"], d3["overrun_seconds"], d3["timeliness"]) == (
        104400.0,
        77400.0,
        "late",
    )
    d1 = rows[case.codes["D1"]]["agencies"]["commune-police"]
    assert (d1["used_seconds"], d1["timeliness"]) == (5400.0, "on_time")
    # Each is the figure of the dossier's own control slip.
    for key in ("D1", "D2", "D3"):
        slip = case.engine.control_slip(case.codes[key])
        assert rows[case.codes[key]]["agencies"] == {a.agency: a.to_dict() for a in slip.agencies}
    acc = report.accountability
    police = acc.agencies["commune-police"]
    assert (police.share_dossiers, police.share_overrun_seconds) == (3, 77400.0)
    assert (police.share_on_time, police.share_late, police.late_dossiers_over_share) == (2, 1, 1)
    # Only D3 was resolved late, and the police over-ran their share in it.
    assert (acc.late_dossiers, acc.unattributed_by_share) == (1, 0)
    # D1, D2, D3, D8 (birth registration) and D9 (withdrawn) closed in the period.
    assert (acc.share_dossiers, acc.unknown_procedure) == (5, 0)


def test_scores_judge_an_agency_by_its_share_when_the_procedure_is_known(
    case: Case, calendar: WorkCalendar
) -> None:
    by_steps = build_report(case.store, QUERY, calendar=calendar).scores.by_agency
    by_share = build_report(
        case.store, QUERY, calendar=calendar, procedures=PROCEDURES
    ).scores.by_agency
    # Social insurance: D1's steps were early, but it used part of its one-day
    # share: on time; D2 and D3 on time either way.
    si_steps, si_share = by_steps["social-insurance"], by_share["social-insurance"]
    assert (si_steps.early, si_steps.on_time) == (1, 2)
    assert (si_share.early, si_share.on_time, si_share.late) == (0, 3, 0)
    # The police: late in D3 by either rule, on time in D1 and D2.
    police = by_share["commune-police"]
    assert (police.on_time, police.late) == (2, 1)


def test_dossiers_of_a_procedure_not_given_are_counted_apart(
    case: Case, calendar: WorkCalendar
) -> None:
    report = build_report(case.store, QUERY, calendar=calendar, procedures=PROCEDURES[:1])
    acc = report.accountability
    assert (acc.share_dossiers, acc.unknown_procedure) == (4, 1)  # D8 is a birth registration
    assert acc.to_dict()["shares"]["unknown_procedure"] == 1


def test_the_csv_and_json_reports_carry_the_share_figures(case: Case) -> None:
    group = click.Group()
    report_cmds.register(group)
    period = ["--from", "2026-02-01", "--to", "2026-03-31"]
    args = ["report", case.url, *period, "--procedures", str(ROOT / "procedures")]
    result = CliRunner().invoke(group, [*args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    found = list(csv.reader(io.StringIO(result.output)))
    police = ["accountability", "agency", "commune-police"]
    assert [*police, "share_overrun_seconds", "77400.0"] in found
    assert [*police, "late_seconds", "82350.0"] in found  # the step figure stays
