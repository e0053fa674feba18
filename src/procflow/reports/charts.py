"""Inline SVG charts for the HTML report: no JavaScript, no external files.

Each function returns one ``<svg>`` element as text, sized by its ``viewBox``
so it scales with the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Bar", "MonthPoint", "StepRange", "bars_chart", "rate_chart", "steps_chart"]

EARLY = "#2e9d6a"
ON_TIME = "#4d8fd6"
LATE = "#d64d4d"
MUTED = "#9aa5b1"
INK = "#1f2a37"
GRID = "#e6e9ee"
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"


def _t(x: float, y: float, text: str, size: int = 12, anchor: str = "start", **kw: str) -> str:
    fill = kw.pop("fill", INK)
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in kw.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}"{extra}>{escape(text)}</text>'
    )


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" style="{FONT};width:100%;height:auto">'
        + "".join(body)
        + "</svg>"
    )


def _empty(label: str) -> str:
    return _svg(640, 80, [_t(320, 45, "no data in this period", 14, "middle", fill=MUTED)], label)


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


def rate_chart(points: Sequence[MonthPoint], target: float | None = None) -> str:
    """Stacked bars of resolved dossiers per month (early / on time / late) and the
    on-time rate as a line on a 0-100 % scale."""
    label = "On-time rate by month"
    if not points:
        return _empty(label)
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
    for i, p in enumerate(points):
        cx = left + slot * (i + 0.5)
        y = top + ph
        for value, color, name in (
            (p.early, EARLY, "early"),
            (p.on_time, ON_TIME, "on time"),
            (p.late, LATE, "late"),
        ):
            if value:
                bh = ph * value / peak
                y -= bh
                body.append(
                    f'<rect x="{cx - bw / 2:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" '
                    f'fill="{color}" opacity="0.85"><title>{escape(p.month)}: {value} {name}'
                    "</title></rect>"
                )
        body.append(_t(cx, h - bottom + 18, p.month, 11, "middle", fill=MUTED))
        if p.rate is not None:
            ry = top + ph * (1 - p.rate)
            line.append(f"{cx:.1f},{ry:.1f}")
            body.append(
                f'<circle cx="{cx:.1f}" cy="{ry:.1f}" r="4" fill="#fff" stroke="{INK}" '
                f'stroke-width="2"><title>{escape(p.month)}: {100 * p.rate:.2f}%</title></circle>'
            )
            body.append(_t(cx, ry - 9, f"{100 * p.rate:.1f}%", 11, "middle", font_weight="600"))
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
    for color, name in ((EARLY, "early"), (ON_TIME, "on time"), (LATE, "late")):
        body.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{color}"/>')
        body.append(_t(lx + 14, ly, name, 11))
        lx += 80
    body.append(
        f'<line x1="{lx:.1f}" x2="{lx + 18:.1f}" y1="{ly - 4}" y2="{ly - 4}" stroke="{INK}" '
        'stroke-width="2"/>'
    )
    body.append(_t(lx + 22, ly, "(early + on time) / resolved", 11))
    return _svg(w, h, body, label)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    note: str = ""
    reference: float | None = None
    """Drawn as an outlined bar behind the value (e.g. the allotment)."""


def bars_chart(bars: Sequence[Bar], unit: str, label: str, color: str = LATE) -> str:
    """Horizontal bars, largest first as given; ``reference`` drawn as an outline."""
    if not bars:
        return _empty(label)
    w = 760
    row = 30
    left, right, top = 170, 250, 10
    h = top + row * len(bars) + 10
    pw = w - left - right
    peak = max(max(b.value, b.reference or 0.0) for b in bars) or 1.0
    body: list[str] = []
    for i, b in enumerate(bars):
        y = top + row * i
        body.append(_t(left - 10, y + 19, b.label, 12, "end"))
        if b.reference is not None:
            rw = pw * b.reference / peak
            body.append(
                f'<rect x="{left}" y="{y + 5}" width="{rw:.1f}" height="20" fill="none" '
                f'stroke="{MUTED}" stroke-dasharray="3 3"/>'
            )
        bw = max(pw * b.value / peak, 1.0 if b.value else 0.0)
        body.append(
            f'<rect x="{left}" y="{y + 8}" width="{bw:.1f}" height="14" rx="2" fill="{color}">'
            f"<title>{escape(b.label)}: {b.value:.2f} {escape(unit)}</title></rect>"
        )
        text = f"{b.value:.2f} {unit}" + (f" · {b.note}" if b.note else "")
        body.append(_t(left + bw + 8, y + 19, text, 11, fill=MUTED))
    return _svg(w, h, body, label)


@dataclass(frozen=True, slots=True)
class StepRange:
    label: str
    median: float
    p90: float
    maximum: float
    late_share: float | None


def steps_chart(steps: Sequence[StepRange], unit: str = "h") -> str:
    """Per step: a bar to the median, a lighter bar to p90 and a tick at the max."""
    label = "Working time per step"
    if not steps:
        return _empty(label)
    w = 760
    row = 30
    left, right, top = 250, 200, 26
    h = top + row * len(steps) + 10
    pw = w - left - right
    peak = max(s.maximum for s in steps) or 1.0
    body: list[str] = [
        f'<rect x="{left}" y="6" width="10" height="10" fill="{ON_TIME}"/>',
        _t(left + 14, 15, "median", 11),
        f'<rect x="{left + 80}" y="6" width="10" height="10" fill="{ON_TIME}" opacity="0.35"/>',
        _t(left + 94, 15, "p90", 11),
        f'<line x1="{left + 140}" x2="{left + 140}" y1="5" y2="17" stroke="{INK}" '
        'stroke-width="2"/>',
        _t(left + 146, 15, "max", 11),
    ]
    for i, s in enumerate(steps):
        y = top + row * i
        body.append(_t(left - 10, y + 19, s.label, 12, "end"))
        p90w = pw * s.p90 / peak
        medw = pw * s.median / peak
        maxx = left + pw * s.maximum / peak
        body.append(
            f'<rect x="{left}" y="{y + 7}" width="{p90w:.1f}" height="16" fill="{ON_TIME}" '
            f'opacity="0.35"><title>p90 {s.p90:.2f} {unit}</title></rect>'
        )
        body.append(
            f'<rect x="{left}" y="{y + 7}" width="{medw:.1f}" height="16" fill="{ON_TIME}">'
            f"<title>median {s.median:.2f} {unit}</title></rect>"
        )
        body.append(
            f'<line x1="{maxx:.1f}" x2="{maxx:.1f}" y1="{y + 4}" y2="{y + 26}" stroke="{INK}" '
            f'stroke-width="2"><title>max {s.maximum:.2f} {unit}</title></line>'
        )
        note = f"p90 {s.p90:.1f} {unit}"
        if s.late_share:
            note += f" · {100 * s.late_share:.0f}% of lateness"
        body.append(_t(maxx + 8, y + 19, note, 11, fill=LATE if s.late_share else MUTED))
    return _svg(w, h, body, label)
