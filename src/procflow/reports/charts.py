"""Inline SVG charts for the HTML report: no JavaScript, no external files.

Each function returns one ``<svg>`` element as text, sized by its ``viewBox``
so it scales with the page. Every word a chart draws comes from a
:class:`ChartWords` (English by default; the report passes its page's
language), and long names are shortened to fit with the full name kept in
the tooltip, so no label runs off the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

__all__ = [
    "Bar",
    "ChartWords",
    "LinePoint",
    "MonthPoint",
    "StepRange",
    "backlog_chart",
    "bars_chart",
    "rate_chart",
    "steps_chart",
]

EARLY = "#2e9d6a"
ON_TIME = "#4d8fd6"
LATE = "#d64d4d"
MUTED = "#9aa5b1"
INK = "#1f2a37"
GRID = "#e6e9ee"
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"


@dataclass(frozen=True, slots=True)
class ChartWords:
    """The words the charts draw, and the decimal mark of their numbers."""

    no_data: str = "no data in this period"
    rate_title: str = "On-time rate by month"
    early: str = "early"
    on_time: str = "on time"
    late: str = "late"
    rate_line: str = "(early + on time) / resolved"
    steps_title: str = "Working time per step"
    median: str = "median"
    p90: str = "p90"
    maximum: str = "max"
    hours: str = "h"
    of_lateness: str = "{share} of lateness"
    backlog_title: str = "Backlog over time"
    open: str = "open"
    overdue: str = "of which overdue"
    decimal: str = "."
    """The decimal mark; the thousands are grouped with the other of "." and ","."""
    dates: str = "iso"
    """How the backlog chart writes days: ``iso`` (2026-03-06) or ``dmy`` (06/03)."""

    def num(self, value: float, digits: int) -> str:
        text = f"{value:,.{digits}f}"
        if self.decimal == ".":
            return text
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", ".")

    def day(self, day: date) -> str:
        return f"{day:%d/%m}" if self.dates == "dmy" else f"{day:%m-%d}"


ENGLISH = ChartWords()


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _t(x: float, y: float, text: str, size: int = 12, anchor: str = "start", **kw: str) -> str:
    fill = kw.pop("fill", INK)
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in kw.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}"{extra}>{escape(text)}</text>'
    )


def _label(x: float, y: float, text: str, limit: int) -> str:
    """A name at the left of a row: shortened to fit, whole in its tooltip."""
    short = _fit(text, limit)
    if short == text:
        return _t(x, y, text, 12, "end")
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" text-anchor="end" fill="{INK}">'
        f"<title>{escape(text)}</title>{escape(short)}</text>"
    )


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" style="{FONT};width:100%;height:auto">'
        + "".join(body)
        + "</svg>"
    )


def _empty(label: str, words: ChartWords) -> str:
    return _svg(640, 80, [_t(320, 45, words.no_data, 14, "middle", fill=MUTED)], label)


@dataclass(frozen=True, slots=True)
class MonthPoint:
    month: str
    early: int
    on_time: int
    late: int

    @property
    def resolved(self) -> int:
        return self.early + self.on_time + self.late

    @property
    def rate(self) -> float | None:
        return (self.early + self.on_time) / self.resolved if self.resolved else None


def rate_chart(
    points: Sequence[MonthPoint], target: float | None = None, words: ChartWords = ENGLISH
) -> str:
    """Stacked bars of resolved dossiers per month (early / on time / late) and the
    on-time rate as a line on a 0-100 % scale."""
    label = words.rate_title
    if not points:
        return _empty(label, words)
    w, h = 760, 300
    left, right, top, bottom = 48, 56, 20, 48
    pw, ph = w - left - right, h - top - bottom
    step = max(1, -(-max(p.resolved for p in points) // 4))
    peak = 4 * step
    n = len(points)
    slot = pw / n
    bw = min(48.0, slot * 0.6)
    body: list[str] = []
    for i in range(5):
        y = top + ph * i / 4
        body.append(
            f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_t(w - right + 6, y + 4, f"{100 - 25 * i}%", 11, fill=MUTED))
        body.append(_t(left - 6, y + 4, str(step * (4 - i)), 11, "end", fill=MUTED))
    line: list[str] = []
    kinds = ((EARLY, words.early), (ON_TIME, words.on_time), (LATE, words.late))
    for i, p in enumerate(points):
        cx = left + slot * (i + 0.5)
        y = top + ph
        for value, (color, name) in zip((p.early, p.on_time, p.late), kinds, strict=True):
            if value:
                bh = ph * value / peak
                y -= bh
                body.append(
                    f'<rect x="{cx - bw / 2:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" '
                    f'fill="{color}" opacity="0.85"><title>{escape(p.month)}: {value} '
                    f"{escape(name)}</title></rect>"
                )
        body.append(_t(cx, h - bottom + 18, p.month, 11, "middle", fill=MUTED))
        if p.rate is not None:
            ry = top + ph * (1 - p.rate)
            line.append(f"{cx:.1f},{ry:.1f}")
            body.append(
                f'<circle cx="{cx:.1f}" cy="{ry:.1f}" r="4" fill="#fff" stroke="{INK}" '
                f'stroke-width="2"><title>{escape(p.month)}: '
                f"{words.num(100 * p.rate, 2)}%</title></circle>"
            )
            body.append(
                _t(cx, ry - 9, f"{words.num(100 * p.rate, 1)}%", 11, "middle", font_weight="600")
            )
    if target is not None:
        ty = top + ph * (1 - target)
        body.append(
            f'<line x1="{left}" x2="{w - right}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{EARLY}" '
            'stroke-dasharray="4 4"/>'
        )
    if len(line) > 1:
        body.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="{INK}" stroke-width="2"/>'
        )
    ly = h - 12
    lx = float(left)
    for color, name in kinds:
        body.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{color}"/>')
        body.append(_t(lx + 14, ly, name, 11))
        lx += 24 + 7 * len(name)
    body.append(
        f'<line x1="{lx:.1f}" x2="{lx + 18:.1f}" y1="{ly - 4}" y2="{ly - 4}" stroke="{INK}" '
        'stroke-width="2"/>'
    )
    body.append(_t(lx + 22, ly, words.rate_line, 11))
    return _svg(w, h, body, label)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    note: str = ""
    reference: float | None = None
    """Drawn as an outlined bar behind the value (e.g. the allotment)."""


def bars_chart(
    bars: Sequence[Bar],
    unit: str,
    label: str,
    color: str = LATE,
    words: ChartWords = ENGLISH,
) -> str:
    """Horizontal bars, largest first as given; ``reference`` drawn as an outline."""
    if not bars:
        return _empty(label, words)
    w = 760
    row = 30
    left, right, top = 170, 250, 10
    h = top + row * len(bars) + 10
    pw = w - left - right
    peak = max(max(b.value, b.reference or 0.0) for b in bars) or 1.0
    body: list[str] = []
    for i, b in enumerate(bars):
        y = top + row * i
        body.append(_label(left - 10, y + 19, b.label, 24))
        if b.reference is not None:
            rw = pw * b.reference / peak
            body.append(
                f'<rect x="{left}" y="{y + 5}" width="{rw:.1f}" height="20" fill="none" '
                f'stroke="{MUTED}" stroke-dasharray="3 3"/>'
            )
        bw = max(pw * b.value / peak, 1.0 if b.value else 0.0)
        value = f"{words.num(b.value, 1)} {unit}"
        body.append(
            f'<rect x="{left}" y="{y + 8}" width="{bw:.1f}" height="14" rx="2" fill="{color}">'
            f"<title>{escape(b.label)}: {escape(value)}</title></rect>"
        )
        text = value + (f" · {b.note}" if b.note else "")
        body.append(_t(left + bw + 8, y + 19, text, 11, fill=MUTED))
    return _svg(w, h, body, label)


@dataclass(frozen=True, slots=True)
class StepRange:
    label: str
    median: float
    p90: float
    maximum: float
    late_share: float | None


def steps_chart(
    steps: Sequence[StepRange], unit: str | None = None, words: ChartWords = ENGLISH
) -> str:
    """Per step: a bar to the median, a lighter bar to p90 and a tick at the max."""
    label = words.steps_title
    unit = words.hours if unit is None else unit
    if not steps:
        return _empty(label, words)
    w = 760
    row = 30
    left, right, top = 250, 200, 26
    h = top + row * len(steps) + 10
    pw = w - left - right
    peak = max(s.maximum for s in steps) or 1.0
    body: list[str] = [
        f'<rect x="{left}" y="6" width="10" height="10" fill="{ON_TIME}"/>',
        _t(left + 14, 15, words.median, 11),
        f'<rect x="{left + 80}" y="6" width="10" height="10" fill="{ON_TIME}" opacity="0.35"/>',
        _t(left + 94, 15, words.p90, 11),
        f'<line x1="{left + 140}" x2="{left + 140}" y1="5" y2="17" stroke="{INK}" '
        'stroke-width="2"/>',
        _t(left + 146, 15, words.maximum, 11),
    ]
    for i, s in enumerate(steps):
        y = top + row * i
        body.append(_label(left - 10, y + 19, s.label, 36))
        p90w = pw * s.p90 / peak
        medw = pw * s.median / peak
        maxx = left + pw * s.maximum / peak
        body.append(
            f'<rect x="{left}" y="{y + 7}" width="{p90w:.1f}" height="16" fill="{ON_TIME}" '
            f'opacity="0.35"><title>{escape(words.p90)} {words.num(s.p90, 1)} '
            f"{escape(unit)}</title></rect>"
        )
        body.append(
            f'<rect x="{left}" y="{y + 7}" width="{medw:.1f}" height="16" fill="{ON_TIME}">'
            f"<title>{escape(words.median)} {words.num(s.median, 1)} {escape(unit)}</title></rect>"
        )
        body.append(
            f'<line x1="{maxx:.1f}" x2="{maxx:.1f}" y1="{y + 4}" y2="{y + 26}" stroke="{INK}" '
            f'stroke-width="2"><title>{escape(words.maximum)} {words.num(s.maximum, 1)} '
            f"{escape(unit)}</title></line>"
        )
        note = f"{words.p90} {words.num(s.p90, 1)} {unit}"
        if s.late_share:
            share = f"{words.num(100 * s.late_share, 0)}%"
            note += " · " + words.of_lateness.format(share=share)
        body.append(_t(maxx + 8, y + 19, note, 11, fill=LATE if s.late_share else MUTED))
    return _svg(w, h, body, label)


@dataclass(frozen=True, slots=True)
class LinePoint:
    """One day (or week) of the backlog chart."""

    day: date
    open: int
    overdue: int


def backlog_chart(points: Sequence[LinePoint], words: ChartWords = ENGLISH) -> str:
    """Open dossiers (blue) and, of those, overdue ones (red) as two lines
    over the days given, on a scale from 0; each point's figures in its
    tooltip, a handful of dates along the bottom."""
    label = words.backlog_title
    if not points:
        return _empty(label, words)
    w, h = 760, 260
    left, right, top, bottom = 48, 20, 16, 52
    pw, ph = w - left - right, h - top - bottom
    step = max(1, -(-max(p.open for p in points) // 4))
    peak = 4 * step
    n = len(points)

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(value: int) -> float:
        return top + ph * (1 - value / peak)

    body: list[str] = []
    for i in range(5):
        gy = top + ph * i / 4
        body.append(
            f'<line x1="{left}" x2="{w - right}" y1="{gy:.1f}" y2="{gy:.1f}" stroke="{GRID}"/>'
        )
        body.append(_t(left - 6, gy + 4, str(step * (4 - i)), 11, "end", fill=MUTED))
    ticks = min(n, 8)
    for k in range(ticks):
        i = round(k * (n - 1) / (ticks - 1)) if ticks > 1 else 0
        body.append(_t(x(i), h - bottom + 18, words.day(points[i].day), 11, "middle", fill=MUTED))
    for attr, color, name in (("open", ON_TIME, words.open), ("overdue", LATE, words.overdue)):
        coords = " ".join(f"{x(i):.1f},{y(getattr(p, attr)):.1f}" for i, p in enumerate(points))
        body.append(
            f'<polyline class="backlog-{attr}" points="{coords}" fill="none" stroke="{color}" '
            f'stroke-width="2" stroke-linejoin="round"><title>{escape(name)}</title></polyline>'
        )
    # Hover targets: one transparent column per point with both figures.
    slot = pw / n
    for i, p in enumerate(points):
        tip = f"{words.day(p.day)}: {p.open} {words.open}, {p.overdue} {words.overdue}"
        body.append(
            f'<rect x="{x(i) - slot / 2:.1f}" y="{top}" width="{slot:.1f}" height="{ph}" '
            f'fill="transparent"><title>{escape(tip)}</title></rect>'
        )
    ly = h - 12
    lx = float(left)
    for color, name in ((ON_TIME, words.open), (LATE, words.overdue)):
        body.append(
            f'<line x1="{lx:.1f}" x2="{lx + 18:.1f}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{color}" stroke-width="2"/>'
        )
        body.append(_t(lx + 22, ly, name, 11))
        lx += 40 + 7 * len(name)
    return _svg(w, h, body, label)
