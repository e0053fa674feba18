"""The report as one self-contained HTML page: inline CSS and SVG, no scripts,
nothing fetched. Open it in any browser, attach it to an e-mail, print it.

The markup lives in Jinja2 templates (``templates/report.html.j2`` and the
files it includes), not in f-strings: the page used to be assembled by string
replacement, and a marker that no replacement matched went out as invalid CSS
(``--late:@LATE@``), leaving every rate bar an empty grey track with nothing
to say so. Templates render with :class:`jinja2.StrictUndefined`, so a value
the page asks for and the report lacks raises
:class:`jinja2.exceptions.UndefinedError` instead of leaving a blank, and with
autoescaping on, so names from procedure files cannot inject markup.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["COLOURS", "render_html"]

COLOURS = {"early": EARLY, "on_time": ON_TIME, "late": LATE}
"""The colours of early, on-time and late dossiers, shared with the SVG charts
so the rate bars of the tables read with the charts' legend; they become the
CSS custom properties ``--early``, ``--on`` and ``--late``."""

_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

_TEMPLATE = "report.html.j2"


def _pct(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def _hours(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 3600:.2f}"


def _fmt(value: Any, spec: str) -> str:
    """``format(value, spec)`` as a filter: the templates keep the format specs
    of Python (Jinja's own ``format`` filter is ``%``-style), and a missing
    value fails like any other."""
    from jinja2 import Undefined

    if isinstance(value, Undefined):
        # format() would raise a TypeError about __format__: name the value instead.
        value._fail_with_undefined_error()
    return format(value, spec)


@cache
def _environment() -> Environment:
    """The Jinja2 environment of the report's templates, built on first use.

    Jinja2 is imported here rather than at the top: ``procflow report`` loads
    this module for every output format and only HTML needs it.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("procflow.reports", "templates"),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = _pct
    env.filters["hours"] = _hours
    env.filters["fmt"] = _fmt
    return env


def _colours() -> dict[str, str]:
    """:data:`COLOURS`, checked: whatever goes into a CSS custom property is
    used as is by the browser, and an invalid one silently paints nothing."""
    for name, value in COLOURS.items():
        if not _HEX_COLOUR.fullmatch(value):
            raise ValueError(f"report colour {name}={value!r} is not a #rrggbb CSS colour")
    return dict(COLOURS)


def _context(report: Report, title: str) -> dict[str, Any]:
    """What the template shows: the report's plain data, its SVG charts, and the
    few figures the page derives (period, KPIs, bars in working days)."""
    data = report.to_dict()
    q = data["query"]
    rates = data["rates"]
    t = rates["total"]
    acc = data["accountability"]
    bn = data["bottlenecks"]
    scores = data["scores"]
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
    step_ranges = [
        StepRange(
            f"{s['step']} ({s['agency'] or '-'})",
            (s["working_median"] or 0) / 3600,
            (s["working_p90"] or 0) / 3600,
            (s["working_max"] or 0) / 3600,
            s["lateness_share"],
        )
        for s in bn["steps"][:12]
    ]
    return {
        "title": title,
        "colours": _colours(),
        "data": data,
        "period": f"{q['from'] or 'the beginning'} → {q['to'] or 'now'}",
        "filters": ", ".join(f"{k} {q[k]}" for k in ("procedure", "agency") if q[k]),
        "kpis": kpis,
        "charts": {
            "rate": rate_chart(months),
            "held": bars_chart(agency_bars, "d held", "Working days held vs allotted", ON_TIME),
            "late": bars_chart(late_bars, "d late", "Working days late by agency", LATE),
            "steps": steps_chart(step_ranges),
        },
        "rates": rates,
        "acc": acc,
        "bn": bn,
        "day": day,
        "rule": scores["rule"],
        "score_rows": [("all dossiers", scores["total"]), *scores["by_agency"].items()],
        "generated": data["generated_at"] or "",
    }


def render_html(
    report: Report, *, title: str = "Báo cáo giải quyết hồ sơ — procflow report"
) -> str:
    """The report as a complete HTML document.

    Raises :class:`jinja2.exceptions.UndefinedError` when the template asks for
    a figure the report does not have: a page with holes in it would be read
    as a page of zeros.
    """
    return _environment().get_template(_TEMPLATE).render(_context(report, title))
