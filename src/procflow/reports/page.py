"""What the HTML report shows, worked out from a :class:`Report`: the view
the templates (``templates/report.html.j2``) lay out.

The figures stay the report's plain data (``Report.to_dict()``) so that the
templates read them, and a figure missing from the data stops the rendering
(:class:`jinja2.StrictUndefined`). This module adds what the data does not
say in people's words: names for ids (:mod:`procflow.reports.names`), the
page's language and number formats (:mod:`procflow.reports.words`), the
charts, the diagrams with their time (:mod:`procflow.reports.overlay`), the
late and overdue dossiers, and the backlog.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procflow.contrib.labels import Lang
from procflow.reports.accountability import UNATTRIBUTED
from procflow.reports.charts import (
    LATE,
    ON_TIME,
    Bar,
    ChartWords,
    LinePoint,
    MonthPoint,
    StepRange,
    backlog_chart,
    bars_chart,
    rate_chart,
    steps_chart,
)
from procflow.reports.dossiers import LateDossier
from procflow.reports.names import ReportNames
from procflow.reports.overlay import RED_SHARE, time_diagram
from procflow.reports.report import Report
from procflow.reports.words import Formats, words

__all__ = ["DIAGRAMS", "LATE_ROWS", "page_context"]

LATE_ROWS = 200
"""Late and overdue dossiers listed on the page at most [design]: the worst
first; a year of a busy province can have thousands, which no one reads in a
page (``Report.late`` has them all)."""

DIAGRAMS = 6
"""Procedures drawn with their time at most, those with the most step visits
first [design]."""

WEEKLY_AFTER = 92
"""Backlog series longer than this many days are drawn week by week."""


def _chart_words(w: Mapping[str, str], lang: Lang) -> ChartWords:
    return ChartWords(
        no_data=w["chart_no_data"],
        rate_title=w["chart_rate_title"],
        early=w["timeliness.early"].lower(),
        on_time=w["timeliness.on_time"].lower(),
        late=w["timeliness.late"].lower(),
        rate_line=w["chart_rate_line"],
        steps_title=w["chart_steps_title"],
        median=w["chart_median"],
        p90=w["chart_p90"],
        maximum=w["chart_max"],
        hours=w["chart_hours"],
        of_lateness=w["chart_of_lateness"],
        backlog_title=w["chart_backlog_title"],
        open=w["chart_open"],
        overdue=w["chart_overdue"],
        decimal="," if lang == "vi" else ".",
        dates="dmy" if lang == "vi" else "iso",
    )


def month_text(month: str, lang: Lang) -> str:
    """``2026-03`` → ``03/2026`` (vi) or as it is (en)."""
    if lang == "vi" and len(month) == 7 and month[4] == "-":
        return f"{month[5:]}/{month[:4]}"
    return month


@dataclass(frozen=True, slots=True)
class LateRow:
    """One late or overdue dossier as the page lists it."""

    code: str
    procedure: str
    due: str
    resolved: str
    """The closing date and how it ended, or "still open"."""
    holder: str
    """Who holds a dossier still open ("held by: ..."), else empty."""
    open: bool
    past_due: str
    responsible: list[str]
    """Each agency answering, with its working days late, most late first."""
    pauses: list[str]
    apologised: bool


def _late_row(d: LateDossier, names: ReportNames, w: Mapping[str, str], f: Formats) -> LateRow:
    holder = ""
    if d.is_open:
        resolved = w["still_open"]
        if d.holder is not None:
            holder = w["held_by"].format(name=names.agency(d.holder))
    else:
        resolved = f.when(d.closed_at)
        if d.outcome is not None and f"outcome.{d.outcome}" in w:
            resolved += " · " + w[f"outcome.{d.outcome}"]
    return LateRow(
        code=d.code,
        procedure=names.procedure(d.procedure),
        due=f.when(d.due_at),
        resolved=resolved,
        holder=holder,
        open=d.is_open,
        past_due=f.days(d.past_due_seconds),
        responsible=[
            w["responsible_item"].format(name=names.agency(a), amount=f.amount(s, w))
            for a, s in d.agencies.items()
        ],
        pauses=[
            w["pause_item"].format(
                reason=f.pause(reason), count=int(p["count"]), hours=f.hours(p["seconds"])
            )
            for reason, p in d.pauses.items()
        ],
        apologised=d.apologies > 0,
    )


def _backlog(report: Report, w: Mapping[str, str], cw: ChartWords, f: Formats) -> dict[str, Any]:
    points = report.backlog.points
    weekly = len(points) > WEEKLY_AFTER
    shown = report.backlog.weekly() if weekly else points
    line = [LinePoint(p.day, p.open, p.overdue) for p in shown]
    summary = ""
    if points:
        peak = max(points, key=lambda p: (p.open, -p.day.toordinal()))
        summary = w["backlog_summary"].format(
            first=f.count(points[0].open),
            last=f.count(points[-1].open),
            peak=f.count(peak.open),
            peak_day=f.day(peak.day.isoformat()),
        )
    return {
        "chart": backlog_chart(line, cw),
        "sub": w["backlog_sub"].format(unit=w["unit_week" if weekly else "unit_day"]),
        "summary": summary,
    }


def _diagrams(
    report: Report, data: Mapping[str, Any], names: ReportNames, w: Mapping[str, str], f: Formats
) -> dict[str, Any]:
    by_procedure: dict[str, list[dict[str, Any]]] = {}
    for s in data["bottlenecks"]["steps"]:
        by_procedure.setdefault(s["procedure"], []).append(s)
    ranked = sorted(by_procedure, key=lambda p: (-sum(s["visits"] for s in by_procedure[p]), p))
    drawable = [p for p in ranked if p in names.procedures]
    drawn = [
        {
            "name": names.procedure(p),
            "svg": time_diagram(names.procedures[p], by_procedure[p], w, f),
        }
        for p in drawable[:DIAGRAMS]
    ]
    return {
        "drawn": drawn,
        "more": len(drawable) - len(drawn),
        "missing": bool(ranked) and not drawable,
    }


def page_context(
    report: Report,
    *,
    lang: Lang,
    title: str | None,
    names: ReportNames,
    colours: Mapping[str, str],
) -> dict[str, Any]:
    """Everything the template shows; see the module."""
    w = words(lang)
    data = report.to_dict()
    q = data["query"]
    rates = data["rates"]
    t = rates["total"]
    acc = data["accountability"]
    bn = data["bottlenecks"]
    scores = data["scores"]
    day = acc["day_seconds"]
    f = Formats(lang, report.query.tz, day)
    cw = _chart_words(w, lang)
    rule = scores["rule"]

    def agency(agency_id: str) -> str:
        return w["unattributed"] if agency_id == UNATTRIBUTED else names.agency(agency_id)

    total_score = scores["total"]
    kpis = [
        (
            "main",
            w["kpi_rate"],
            f.pct(t["rate"]),
            w["kpi_rate_sub"].format(
                done=f.count(t["early"] + t["on_time"]), resolved=f.count(t["resolved"])
            ),
        ),
        (
            "",
            w["timeliness.early"],
            f.count(t["early"]),
            w["kpi_early_sub"].format(share=f.pct(t["early_rate"], 1)),
        ),
        ("", w["timeliness.on_time"], f.count(t["on_time"]), ""),
        (
            "",
            w["timeliness.late"],
            f.count(t["late"]),
            w["kpi_late_sub"].format(n=f.count(t["apologised"])),
        ),
        (
            "",
            w["kpi_open"],
            f.count(t["in_progress"]),
            w["kpi_open_sub"].format(n=f.count(t["overdue"]), day=f.day(data["as_of"])),
        ),
        (
            "",
            w["kpi_supplement"],
            f.count(t["supplemented"]),
            w["kpi_supplement_sub"].format(n=f.count(t["guided"])),
        ),
        (
            "",
            w["kpi_score"],
            f.pct(None if total_score["percent"] is None else total_score["percent"] / 100, 1),
            w["kpi_score_sub"].format(
                points=f.points(total_score["points"]), scored=f.count(total_score["scored"])
            ),
        ),
    ]

    months = [
        MonthPoint(month_text(m, lang), c["early"], c["on_time"], c["late"])
        for m, c in rates["by_month"].items()
    ]
    agencies = acc["agencies"]
    agency_bars = [
        Bar(
            agency(a["agency"]),
            a["held_seconds"] / day,
            (
                w["bar_held_note"].format(days=f.days(a["late_seconds"]), steps=a["late_steps"])
                if a["late_steps"]
                else ""
            ),
            reference=a["allotted_seconds"] / day,
        )
        for a in agencies
    ]
    late_bars = [
        Bar(
            agency(a["agency"]),
            a["late_seconds"] / day,
            w["bar_late_note"].format(n=a["late_handoffs"]) if a["late_handoffs"] else "",
        )
        for a in agencies
    ]
    step_ranges = [
        StepRange(
            names.step(s["procedure"], s["step"]),
            (s["working_median"] or 0) / 3600,
            (s["working_p90"] or 0) / 3600,
            (s["working_max"] or 0) / 3600,
            s["lateness_share"],
        )
        for s in bn["steps"][:12]
    ]
    late = report.late.ranked()
    pauses = sorted(t["pauses"].items(), key=lambda kv: (-kv[1]["hours"], kv[0]))
    filters = []
    if q["procedure"]:
        filters.append(w["filter_procedure"].format(name=names.procedure(q["procedure"])))
    if q["agency"]:
        filters.append(w["filter_agency"].format(name=names.agency(q["agency"])))
    return {
        "lang": lang,
        "title": title if title is not None else w["title"],
        "w": w,
        "f": f,
        "colours": dict(colours),
        "data": data,
        "period": w["period"].format(
            start=f.day(q["from"]) if q["from"] else w["period_open_start"],
            end=f.day(q["to"]) if q["to"] else w["period_open_end"],
        ),
        "filters": " · ".join(filters),
        "as_of": w["as_of"].format(when=f.when(data["as_of"])),
        "matched": w["matched"].format(n=f.count(data["dossiers_matched"])),
        "kpis": kpis,
        "charts": {
            "rate": rate_chart(months, words=cw),
            "held": bars_chart(agency_bars, w["unit_days"], w["chart_held"], ON_TIME, cw),
            "late": bars_chart(late_bars, w["unit_days"], w["chart_late"], LATE, cw),
            "steps": steps_chart(step_ranges, words=cw),
        },
        "rates": rates,
        "acc": acc,
        "bn": bn,
        "rule": rule,
        "score_rule": w["score_rule"].format(
            early=f.points(rule["early"]),
            on_time=f.points(rule["on_time"]),
            late=f.points(rule["late"]),
            best=f.points(max(rule["early"], rule["on_time"], rule["late"])),
        ),
        "score_rows": [
            (w["all_dossiers"], scores["total"]),
            *((agency(k), v) for k, v in scores["by_agency"].items()),
        ],
        "late_rows": [_late_row(d, names, w, f) for d in late[:LATE_ROWS]],
        "late_total": len(late),
        "pauses": [(f.pause(reason), p) for reason, p in pauses],
        "backlog": _backlog(report, w, cw, f),
        "diagrams": _diagrams(report, data, names, w, f),
        "red_share": f.pct(RED_SHARE, 0),
        "names": names,
        "agency": agency,
        "month": lambda m: month_text(m, lang),
        "generated": f.when(data["generated_at"]) if data["generated_at"] else "",
    }
