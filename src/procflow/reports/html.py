"""The report as one self-contained HTML page: inline CSS and SVG, no scripts,
nothing fetched. Open it in any browser, attach it to an e-mail, print it."""

from __future__ import annotations

from html import escape
from typing import Any

from procflow.reports.charts import (
    EARLY,
    LATE,
    ON_TIME,
    Bar,
    MonthPoint,
    StepRange,
    bars_chart,
    rate_chart,
    steps_chart,
)
from procflow.reports.report import Report

__all__ = ["render_html"]

_CSS = (
    """
:root{--ink:#1f2a37;--muted:#6b7785;--line:#e6e9ee;--bg:#f6f7f9;--card:#fff;
--early:@EARLY@;--on:@ONTIME@;--late:@LATE@}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{background:#16324f;color:#fff;padding:28px 40px 24px}
header h1{margin:0 0 4px;font-size:24px;font-weight:650}
header p{margin:0;color:#c6d4e3}
main{max-width:1120px;margin:0 auto;padding:24px 24px 48px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:14px;
margin:-44px 0 22px}
.kpi{background:var(--card);border-radius:10px;padding:14px 16px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
.kpi .v{font-size:26px;font-weight:700;line-height:1.2}
.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi .s{color:var(--muted);font-size:12px}
.kpi.main .v{color:var(--early);font-size:32px}
section{background:var(--card);border-radius:10px;padding:18px 22px;margin:0 0 18px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:17px;margin:0 0 4px}
.sub{color:var(--muted);margin:0 0 12px;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin-top:8px;display:block;
overflow-x:auto}
th,td{padding:5px 7px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
td.bad{color:var(--late);font-weight:600}
.pill{display:inline-block;min-width:52px;padding:1px 8px;border-radius:10px;font-weight:600;
text-align:center}
.good{background:#e3f4ec;color:#1d6e49}.mid{background:#fff3d6;color:#8a5a00}
.poor{background:#fbe4e4;color:#a12c2c}
.split{display:flex;height:10px;border-radius:5px;overflow:hidden;min-width:120px;background:var(--line)}
.split span{display:block;height:100%}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
@media print{header{background:#fff;color:var(--ink)}.kpis{margin-top:0}}
""".replace("EARLY", EARLY)
    .replace("ONTIME", ON_TIME)
    .replace("LATE;", LATE + ";")
)


def _pct(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def _pill(value: float | None) -> str:
    if value is None:
        return '<span class="pill">–</span>'
    cls = "good" if value >= 0.95 else "mid" if value >= 0.8 else "poor"
    return f'<span class="pill {cls}">{_pct(value)}</span>'


def _split(c: dict[str, Any]) -> str:
    total = c["resolved"] or 1
    parts = "".join(
        f'<span style="width:{100 * c[k] / total:.2f}%;background:var({v})" title="{k}: {c[k]}">'
        "</span>"
        for k, v in (("early", "--early"), ("on_time", "--on"), ("late", "--late"))
        if c[k]
    )
    return f'<div class="split">{parts}</div>'


def _hours(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 3600:.2f}"


def _counts_table(title: str, groups: dict[str, dict[str, Any]]) -> str:
    if not groups:
        return ""
    head = (
        f"<tr><th>{escape(title)}</th><th>resolved</th><th>early</th><th>on time</th>"
        "<th>late</th><th></th><th>rate</th><th>withdrawn / stopped</th><th>supplement</th>"
        "<th>apology</th><th>in progress</th><th>overdue</th></tr>"
    )
    body = []
    for name, c in groups.items():
        body.append(
            f"<tr><td>{escape(name)}</td><td>{c['resolved']}</td><td>{c['early']}</td>"
            f"<td>{c['on_time']}</td><td{' class=bad' if c['late'] else ''}>{c['late']}</td>"
            f"<td>{_split(c)}</td><td>{_pill(c['rate'])}</td>"
            f"<td>{c['withdrawn']} / {c['stopped']}</td><td>{c['supplemented']}</td>"
            f"<td>{c['apologised']}</td><td>{c['in_progress']}</td>"
            f"<td{' class=bad' if c['overdue'] else ''}>{c['overdue']}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def render_html(
    report: Report, *, title: str = "Báo cáo giải quyết hồ sơ — procflow report"
) -> str:
    data = report.to_dict()
    q = data["query"]
    rates = data["rates"]
    t = rates["total"]
    acc = data["accountability"]
    bn = data["bottlenecks"]
    scores = data["scores"]
    period = f"{q['from'] or 'the beginning'} → {q['to'] or 'now'}"
    filters = ", ".join(f"{k} {q[k]}" for k in ("procedure", "agency") if q[k])
    day = acc["day_seconds"]

    kpis = [
        (
            "main",
            "on-time rate",
            _pct(t["rate"]),
            f"{t['early'] + t['on_time']} of {t['resolved']} resolved",
        ),
        ("", "early", str(t["early"]), _pct(t["early_rate"]) + " of resolved"),
        ("", "on time", str(t["on_time"]), ""),
        ("", "late", str(t["late"]), f"{t['apologised']} apologised"),
        (
            "",
            "in progress",
            str(t["in_progress"]),
            f"{t['overdue']} overdue at {data['as_of'][:10]}",
        ),
        ("", "supplements", str(t["supplemented"]), f"{t['guided']} guided at the desk"),
        (
            "",
            "score",
            "–" if scores["total"]["percent"] is None else f"{scores['total']['percent']:.1f}%",
            f"{scores['total']['points']:g} points, rule {scores['rule']['early']:g}/"
            f"{scores['rule']['on_time']:g}/{scores['rule']['late']:g}",
        ),
    ]
    kpi_html = "".join(
        f'<div class="kpi {cls}"><div class="l">{escape(label)}</div>'
        f'<div class="v">{escape(v)}</div>'
        f'<div class="s">{escape(sub)}</div></div>'
        for cls, label, v, sub in kpis
    )

    months = [
        MonthPoint(m, c["early"], c["on_time"], c["late"]) for m, c in rates["by_month"].items()
    ]
    agencies = acc["agencies"]
    agency_bars = [
        Bar(
            a["agency"],
            a["held_seconds"] / day,
            f"{a['late_days']:.2f} d late in {a['late_steps']} step(s)",
            reference=a["allotted_seconds"] / day,
        )
        for a in agencies
    ]
    late_bars = [
        Bar(a["agency"], a["late_seconds"] / day, f"{a['late_handoffs']} late hand-off(s)")
        for a in agencies
    ]
    top_steps = bn["steps"][:12]
    step_ranges = [
        StepRange(
            f"{s['step']} ({s['agency'] or '-'})",
            (s["working_median"] or 0) / 3600,
            (s["working_p90"] or 0) / 3600,
            (s["working_max"] or 0) / 3600,
            s["lateness_share"],
        )
        for s in top_steps
    ]

    acc_rows = "".join(
        f"<tr><td>{escape(a['agency'])}</td><td>{a['steps']}</td>"
        f"<td>{a['held_days']:.2f}</td><td>{a['allotted_days']:.2f}</td>"
        f"<td{' class=bad' if a['overrun_seconds'] > 0 else ''}>"
        f"{a['overrun_seconds'] / day:+.2f}</td>"
        f"<td{' class=bad' if a['late_steps'] else ''}>{a['late_steps']}</td>"
        f"<td>{a['late_days']:.2f}</td><td>{a['late_handoffs']} / {a['handoffs']}</td>"
        f"<td>{a['late_dossiers']}</td><td>{_pill(a['on_time_step_rate'])}</td></tr>"
        for a in agencies
    )
    handoffs = "".join(
        f"<tr><td>{escape(h['from'])} → {escape(h['to'])}</td><td>{h['count']}</td>"
        f"<td>{escape(h['whose'])}</td></tr>"
        for h in acc["late_handoffs"]
    )
    step_rows = "".join(
        f"<tr><td>{s['rank']}. {escape(s['step'])}</td><td>{escape(s['procedure'])}</td>"
        f"<td>{escape(s['agency'] or '-')}</td><td>{s['visits']}</td>"
        f"<td>{_hours(s['working_median'])}</td><td>{_hours(s['working_p90'])}</td>"
        f"<td>{_hours(s['working_max'])}</td><td>{_hours(s['waiting_total'])}</td>"
        f"<td{' class=bad' if s['late_visits'] else ''}>{s['late_visits']}</td>"
        f"<td>{_hours(s['late_seconds'])}</td><td>{_pct(s['lateness_share'], 1)}</td></tr>"
        for s in bn["steps"]
    )
    score_rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{s['scored']}</td><td>{s['points']:g}</td>"
        f"<td>{'–' if s['average'] is None else format(s['average'], '.2f')}</td>"
        f"<td>{'–' if s['percent'] is None else format(s['percent'], '.1f') + '%'}</td>"
        f"<td>{s['early']}</td><td>{s['on_time']}</td><td>{s['late']}</td></tr>"
        for name, s in [("all dossiers", scores["total"]), *scores["by_agency"].items()]
    )
    generated = data["generated_at"] or ""
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)}</title><style>{_CSS}</style></head>
<body>
<header><h1>{escape(title)}</h1>
<p>Period {escape(period)}{(" · " + escape(filters)) if filters else ""} · in progress as of
{escape(data["as_of"])} · {data["dossiers_matched"]} dossiers</p></header>
<main>
<div class="kpis">{kpi_html}</div>

<section><h2>On-time rate over time</h2>
<p class="sub">Dossiers resolved (returned or refused) each month, by their classification
against the statutory due date; the line is (early + on time) / resolved.</p>
{rate_chart(months)}
{_counts_table("month", rates["by_month"])}</section>

<section><h2>Lateness by agency</h2>
<p class="sub">Working days each agency held dossiers (bar) against the allotments of its
steps (dashed outline), and working days past its steps' own due dates.</p>
{bars_chart(agency_bars, "d held", "Working days held vs allotted", ON_TIME)}
{bars_chart(late_bars, "d late", "Working days late by agency", LATE)}
<table><tr><th>agency</th><th>steps</th><th>held d</th><th>allotted d</th><th>over d</th>
<th>late steps</th><th>late d</th><th>late / all hand-offs</th><th>late dossiers</th>
<th>steps on time</th></tr>{acc_rows}</table>
{
        "<table><tr><th>late hand-off</th><th>count</th><th>whose</th></tr>" + handoffs + "</table>"
        if handoffs
        else ""
    }
<p class="sub">Late dossiers: {acc["late_dossiers"]}, of which
{acc["unattributed_late_dossiers"]} with no agency over its own allotment.</p></section>

<section><h2>Time per step</h2>
<p class="sub">Working hours used per step visit, ranked by contribution to lateness
(working time past the step's own due date). Waiting = the applicant's time in supplement
steps.</p>
{steps_chart(step_ranges)}
<table><tr><th>step</th><th>procedure</th><th>agency</th><th>visits</th><th>median h</th>
<th>p90 h</th><th>max h</th><th>waiting h</th><th>late</th><th>late h</th><th>share</th></tr>
{step_rows}</table></section>

<section><h2>By procedure, agency and desk</h2>
{_counts_table("procedure", rates["by_procedure"])}
{_counts_table("agency (took part)", rates["by_agency"])}
{_counts_table("receiving desk", rates["by_desk"])}</section>

<section><h2>Evaluation score</h2>
<p class="sub">Early {scores["rule"]["early"]:g}, on time {scores["rule"]["on_time"]:g},
late {scores["rule"]["late"]:g} points per resolved dossier, and the same per agency on its own
steps [{escape(scores["rule"]["standing"])}: configurable].</p>
<table><tr><th></th><th>scored</th><th>points</th><th>average</th><th>percent</th>
<th>early</th><th>on time</th><th>late</th></tr>{score_rows}</table></section>
<footer>procflow · generated {escape(generated)} · definitions in docs/reports.md</footer>
</main></body></html>
"""
