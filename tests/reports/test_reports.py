"""Every figure of the report against the hand-computed case of reportcase.py.

Working seconds: a working day is 27,000 s (07:30-11:30, 13:30-17:00).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from reportcase import BIRTH, CHILD, QUERY, VN, Case, at

from procflow.calendar import WorkCalendar
from procflow.reports import ReportQuery, ScoringRule, WorkingTime, build_report, quantile
from procflow.reports.report import Report

DAY = 27000.0


@pytest.fixture(scope="module")
def report(case: Case, calendar: WorkCalendar) -> Report:
    return build_report(case.store, QUERY, calendar=calendar)


def test_engine_state_matches_the_story(case: Case) -> None:
    d1, d2, d3 = (case.engine.get(case.codes[k]) for k in ("D1", "D2", "D3"))
    # D1: paused a full working day, the due date moved Fri 06/03 -> Mon 09/03.
    assert d1.paused_seconds == DAY and d1.due_at == at(3, 9, 17)
    # D2: 3 working days from Thu 12/02 skip Tết (14-22/02): Fri 13, Mon 23, Tue 24.
    assert d2.due_at == at(2, 24, 17)
    # D3: statutory due Thu 12/03; apology promised Mon 16/03; judged late all the same.
    assert d3.due_at == at(3, 12, 17) and d3.appointment == at(3, 16, 17)
    # D2: the results were back at the desk on Mon 23/02 11:30, the day before its
    # due date, and collected on Tue 24/02: early (the result counts when ready).
    assert [d.timeliness for d in (d1, d2, d3)] == ["early", "early", "late"]


def test_rates_total(report: Report) -> None:
    t = report.rates.total
    # Resolved: D1 early, D2 early, D3 late (returned), D8 on time (refused).
    assert (t.early, t.on_time, t.late) == (2, 1, 1)
    assert (t.returned, t.refused, t.resolved) == (3, 1, 4)
    assert t.rate == 0.75 and t.early_rate == 0.5
    assert (t.withdrawn, t.stopped, t.finished) == (1, 0, 5)  # D9
    assert (t.guided, t.refused_at_reception) == (1, 1)  # D4, D5
    assert (t.supplemented, t.apologised) == (1, 1)  # D1, D3
    # As of 01/04 00:00: D6 (due 16/03) overdue, D7 (due 03/04) within time.
    assert report.as_of == datetime(2026, 4, 1, tzinfo=VN)
    assert (t.in_progress, t.overdue, t.within_time, t.paused) == (2, 1, 1, 0)


def test_rates_by_group(report: Report) -> None:
    r = report.rates
    child, birth = r.by_procedure[CHILD], r.by_procedure[BIRTH]
    assert (child.early, child.on_time, child.late, child.withdrawn) == (2, 0, 1, 1)
    assert child.rate == pytest.approx(2 / 3)
    assert (birth.on_time, birth.refused, birth.rate) == (1, 1, 1.0)
    # By the month the dossier was closed: D2 in February, the rest in March.
    assert set(r.by_month) == {"2026-02", "2026-03"}
    assert (r.by_month["2026-02"].early, r.by_month["2026-02"].resolved) == (1, 1)
    march = r.by_month["2026-03"]
    assert (march.early, march.on_time, march.late, march.rate) == (1, 1, 1, pytest.approx(2 / 3))
    assert march.in_progress == 0  # in-progress dossiers belong to no month
    # One desk receives everything.
    assert set(r.by_desk) == {"commune-pc"} and r.by_desk["commune-pc"].resolved == 4
    # The police and social insurance took part in D1, D2, D3 only.
    for agency in ("commune-police", "social-insurance"):
        c = r.by_agency[agency]
        assert (c.early, c.on_time, c.late, c.in_progress) == (2, 0, 1, 0)


def test_accountability(report: Report) -> None:
    a = report.accountability
    police = a.agencies["commune-police"]
    # residence (0.75 d) + to-insurance (0.25 d) in D1, D2, D3.
    assert police.steps == police.timed_steps == 6
    assert police.allotted_seconds == 3 * DAY
    # D2 7,200 + 1,800; D1 3,600 + 1,800; D3 102,600 (Mon 10:30 -> Fri 09:00) + 1,800.
    assert police.held_seconds == 118800
    assert police.late_steps == 1 and police.late_seconds == 82350  # 102,600 - 20,250
    assert (police.handoffs, police.late_handoffs, police.late_dossiers) == (3, 0, 1)
    pc = a.agencies["commune-pc"]
    # D2: birth-registration 6,300 s late (due 12/02 16:15, left 13/02 08:30) and
    # to-police 18,450 s late (due 13/02 10:22:30, left 23/02 08:00, across Tết).
    assert pc.late_steps == 2 and pc.late_seconds == 6300 + 18450
    assert (pc.handoffs, pc.late_handoffs, pc.late_dossiers) == (3, 1, 0)
    assert a.late_handoffs == {("commune-pc", "commune-police"): 1}
    si = a.agencies["social-insurance"]
    assert (si.held_seconds, si.late_steps, si.allotted_seconds) == (14400, 0, 3 * DAY)
    assert (a.late_dossiers, a.unattributed_late_dossiers) == (1, 0)
    # Ranked by late seconds in the plain data.
    assert [x["agency"] for x in a.to_dict()["agencies"]] == [
        "commune-police",
        "commune-pc",
        "social-insurance",
    ]


def test_bottlenecks(report: Report) -> None:
    b = report.bottlenecks
    assert b.late_seconds == 82350 + 18450 + 6300
    top = [(s.step, s.late_seconds) for s in b.steps[:3]]
    assert top == [("residence", 82350), ("to-police", 18450), ("birth-registration", 6300)]
    res = b.steps[0]
    # residence working seconds: D1 3,600, D2 7,200, D3 102,600.
    assert (res.visits, res.working_median, res.working_max) == (3, 7200, 102600)
    assert res.working_p90 == pytest.approx(7200 + 0.8 * (102600 - 7200))
    assert res.lateness_share == pytest.approx(82350 / 107100)
    assert (res.rank, res.agency) == (1, "commune-police")
    supplement = next(s for s in b.steps if s.step == "supplement")
    # D1 waited one working day for the applicant; the agency used none of it.
    assert (supplement.working_total, supplement.waiting_total) == (0, DAY)
    birth = next(s for s in b.steps if s.step == "birth-registration")
    # D2 19,800, D1 3,600 + 3,600, D3 5,400: median of 4 = 4,500.
    assert (birth.visits, birth.working_median) == (4, 4500)


def test_scores(report: Report) -> None:
    s = report.scores
    # D1 early 2 + D2 early 2 + D3 late 0 + D8 on time 1.
    assert (s.total.scored, s.total.points) == (4, 5)
    assert s.total.to_dict(2)["percent"] == 62.5
    # Per agency, its worst timed step in each dossier: police D1 early (residence
    # early, to-insurance on time -> on time), D2 on time, D3 late.
    police = s.by_agency["commune-police"]
    assert (police.on_time, police.late, police.points) == (2, 1, 2)
    pc = s.by_agency["commune-pc"]  # D1 on time, D2 late, D3 on time, D8 on time
    assert (pc.scored, pc.late, pc.points) == (4, 1, 3)
    si = s.by_agency["social-insurance"]  # D1 early, D2 on time, D3 on time
    assert (si.early, si.on_time, si.points) == (1, 2, 4)


def test_scoring_rule_is_configurable(case: Case, calendar: WorkCalendar) -> None:
    rule = ScoringRule(early=1, on_time=1, late=-1, standing="province X")
    r = build_report(case.store, QUERY, calendar=calendar, rule=rule)
    assert r.scores.total.points == 1 + 1 + 1 - 1
    assert r.to_dict()["scores"]["rule"]["standing"] == "province X"


def test_period_and_filters(case: Case, calendar: WorkCalendar) -> None:
    feb = build_report(
        case.store, ReportQuery(start=date(2026, 2, 1), end=date(2026, 2, 28)), calendar=calendar
    )
    t = feb.rates.total
    assert (t.resolved, t.early, t.finished) == (1, 1, 1)  # D2 only
    assert t.in_progress == 0  # at 01/03 nothing else had been received
    # D2's steps all left in February: both late commune-pc steps count.
    assert feb.accountability.agencies["commune-pc"].late_steps == 2
    police = build_report(
        case.store, ReportQuery(start=date(2026, 3, 1), agency="commune-police"), calendar=calendar
    )
    assert police.rates.total.resolved == 2  # D1, D3 (D2 closed in February)
    assert set(police.accountability.agencies) == {"commune-police"}
    births = build_report(case.store, ReportQuery(procedure=BIRTH), calendar=calendar)
    assert births.dossiers_read == 1 and births.rates.total.refused == 1


def test_in_progress_as_of(case: Case, calendar: WorkCalendar) -> None:
    # 10/03 12:00: D3 (received 09/03, due 12/03) is in progress within time;
    # D6, D7 not received yet; D1 was returned on 05/03.
    q = ReportQuery(as_of=datetime(2026, 3, 10, 12, tzinfo=VN))
    t = build_report(case.store, q, calendar=calendar).rates.total
    assert (t.in_progress, t.within_time, t.overdue) == (1, 1, 0)
    q = ReportQuery(as_of=datetime(2026, 3, 13, 12, tzinfo=VN))
    t = build_report(case.store, q, calendar=calendar).rates.total
    # 13/03 12:00: D3 overdue (due 12/03 17:00), D6 within time (due 16/03).
    assert (t.in_progress, t.overdue, t.within_time) == (2, 1, 1)


def test_quantile_and_working_time(calendar: WorkCalendar) -> None:
    assert quantile([1.0, 2.0, 3.0, 10.0], 0.5) == 2.5
    assert quantile([1.0, 2.0, 3.0, 10.0], 0.9) == pytest.approx(7.9)
    assert quantile([], 0.5) is None
    work = WorkingTime(calendar)
    pairs = [
        (at(2, 12, 16, 15), at(2, 13, 8, 30)),
        (at(2, 13, 10, 0), at(2, 23, 8, 0)),
        (at(3, 9, 10, 30), at(3, 13, 9, 0)),
        (at(3, 7, 9, 0), at(3, 9, 7, 0)),  # weekend to before office hours
    ]
    for a, b in pairs:
        expected = calendar.working_seconds_between(a, b)
        assert work.between(a, b) == pytest.approx(expected)
        # The fast path on the engine's ISO text, and the fallback (UTC text).
        fast = work.cumulative_iso(b.isoformat()) - work.cumulative_iso(a.isoformat())
        utc = work.cumulative_iso(b.astimezone(UTC).isoformat()) - work.cumulative_iso(
            a.astimezone(UTC).isoformat()
        )
        assert fast == pytest.approx(expected) and utc == pytest.approx(expected)


def test_a_pass_split_over_processes_gives_the_same_report(
    case: Case, calendar: WorkCalendar
) -> None:
    from procflow.store.sqlite import SQLiteStore

    if not isinstance(case.store, SQLiteStore):
        pytest.skip("the pass is split over processes for SQLite stores only")
    one = build_report(case.store, QUERY, calendar=calendar).to_dict()
    two = build_report(case.store, QUERY, calendar=calendar, workers=3).to_dict()
    one.pop("generated_at"), two.pop("generated_at")
    assert json.loads(json.dumps(two, sort_keys=True)) == json.loads(
        json.dumps(one, sort_keys=True)
    )
