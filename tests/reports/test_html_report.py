"""The HTML report's page: its colours, its strictness, and what a browser paints.

Issue 21: the page was put together by string replacement and went out with
``--early:@#2e9d6a@;--on:@#4d8fd6@;--late:@LATE@``, invalid CSS, so every rate
bar was an empty grey track. The report here is built by hand from the
figures' own dataclasses (no engine, store or calendar), so these tests only
test the page.

The browser test runs the page in the system's headless Chromium through the
one-stop desk example's helpers (examples/one_stop_desk/desk_browser.py), like
tests/visual/test_desk_browser.py: it is skipped, with the reason, when no
Chromium, chromedriver or selenium is installed, unless
``PROCFLOW_REQUIRE_BROWSER=1`` (set by .ci/run), which makes it fail.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import pytest

from procflow.reports import ReportQuery
from procflow.reports import html as report_html
from procflow.reports.accountability import AccountabilityReport, AgencyAccount
from procflow.reports.bottlenecks import BottlenecksReport, StepStats
from procflow.reports.charts import EARLY, LATE, ON_TIME
from procflow.reports.html import render_html
from procflow.reports.rates import Counts, RatesReport
from procflow.reports.report import Report
from procflow.reports.scoring import Score, ScoresReport

DESK = Path(__file__).resolve().parents[2] / "examples" / "one_stop_desk"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = datetime(2026, 4, 1, tzinfo=VN)

#: #2e9d6a, #4d8fd6, #d64d4d as a browser reports them (getComputedStyle).
RGB = {
    "early": "rgb(46, 157, 106)",
    "on_time": "rgb(77, 143, 214)",
    "late": "rgb(214, 77, 77)",
}
TRACK = "rgb(230, 233, 238)"  # --line: the grey track under the bars


def _report() -> Report:
    """Four resolved dossiers (1 early, 2 on time, 1 late) over two agencies."""
    rates = RatesReport(
        total=Counts(early=1, on_time=2, late=1, returned=3, refused=1, in_progress=1, overdue=1),
        by_procedure={"vn.lien-thong.child-under-6": Counts(early=1, on_time=2, late=1)},
        by_agency={
            "commune-pc": Counts(early=1, on_time=2),
            "commune-police": Counts(late=1, overdue=1),
        },
        by_desk={"commune-pc": Counts(early=1, on_time=2, late=1)},
        by_month={"2026-02": Counts(on_time=1), "2026-03": Counts(early=1, on_time=1, late=1)},
        as_of=AS_OF,
    )
    accountability = AccountabilityReport(
        agencies={
            "commune-pc": AgencyAccount(
                "commune-pc", 6, 5, 60000.0, 50000.0, 70000.0, 1, 6300.0, 1, 3, 0
            ),
            "commune-police": AgencyAccount(
                "commune-police", 3, 3, 110000.0, 110000.0, 60750.0, 1, 82350.0, 0, 2, 1
            ),
        },
        late_handoffs={("commune-pc", "commune-police"): 1},
        late_dossiers=1,
    )
    step = StepStats(
        "vn.lien-thong.child-under-6",
        "residence",
        "commune-police",
        3,
        20000.0,
        90000.0,
        100000.0,
        40000.0,
        120000.0,
        0.0,
        0.0,
        0.0,
        0.0,
        1,
        82350.0,
        0.93,
        rank=1,
    )
    scores = ScoresReport(
        total=Score(4, 4.0, 1, 2, 1),
        by_agency={"commune-pc": Score(3, 4.0, 1, 2, 0), "commune-police": Score(1, 0.0, 0, 0, 1)},
    )
    return Report(
        ReportQuery(start=date(2026, 2, 1), end=date(2026, 3, 31)),
        AS_OF,
        rates,
        accountability,
        BottlenecksReport([step], 82350.0),
        scores,
        dossiers_read=5,
        dossiers_matched=5,
        generated_at=AS_OF,
    )


def _style(page: str) -> str:
    match = re.search(r"<style>(.*?)</style>", page, re.S)
    assert match is not None
    return match.group(1)


def test_css_custom_properties_are_real_colours() -> None:
    page = render_html(_report())
    style = _style(page)
    assert "@" not in style.replace("@media", "").replace("@page", "")
    props = dict(re.findall(r"(--[\w-]+):([^;}]*)", style))
    assert (props["--early"], props["--on"], props["--late"]) == (EARLY, ON_TIME, LATE)
    for name in ("--early", "--on", "--late", "--line"):
        assert re.fullmatch(r"#[0-9a-f]{6}", props[name]), (name, props[name])
    # Every var() of the page, in the style sheet or on the bars, is one defined.
    used = set(re.findall(r"var\((--[\w-]+)\)", page))
    assert {"--early", "--on", "--late"} <= used
    assert used <= set(props)


@pytest.mark.parametrize(
    ("lang", "desk", "tips", "rate"),
    [
        ("en", "Receiving desk", ("Early: 1", "On time: 2", "Late: 1"), "75.00%"),
        (
            "vi",
            "Bộ phận một cửa tiếp nhận",
            ("Trước hạn: 1", "Đúng hạn: 2", "Quá hạn: 1"),
            "75,00%",
        ),
    ],
)
def test_the_rate_bars_have_their_segments(
    lang: str, desk: str, tips: tuple[str, str, str], rate: str
) -> None:
    page = render_html(_report(), lang=lang)  # type: ignore[arg-type]
    desk_row = page.split(f'<th class="t name">{desk}</th>')[1].split("</table>")[0]
    early, on_time, late = tips
    assert (
        '<div class="split"><span data-kind="early" style="width:25.00%;background:var(--early)" '
        f'title="{early}"></span><span data-kind="on_time" style="width:50.00%;'
        f'background:var(--on)" title="{on_time}"></span><span data-kind="late" '
        f'style="width:25.00%;background:var(--late)" title="{late}"></span></div>'
    ) in desk_row
    assert f'<span class="pill poor">{rate}</span>' in desk_row
    assert '<td class="bad">1</td>' in desk_row  # the late dossier


def test_names_are_escaped() -> None:
    report = _report()
    report.rates.by_desk = {'<script>alert("x")</script> & co': Counts(early=1)}
    page = render_html(report, title="Báo cáo <b>quý 1</b>")
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in page
    assert "<title>Báo cáo &lt;b&gt;quý 1&lt;/b&gt;</title>" in page


@pytest.mark.parametrize(
    "path",
    [
        ("rates", "by_procedure", "vn.lien-thong.child-under-6", "late"),  # a cell, a segment
        ("accountability", "agencies", "0", "held_seconds"),  # a number in working days
        ("accountability", "late_handoffs", "0", "whose"),
        ("bottlenecks", "steps", "0", "waiting_total"),  # hours
        ("scores", "rule", "standing"),
    ],
    ids=lambda p: ".".join(p),
)
def test_a_missing_value_fails_loudly(
    path: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """StrictUndefined: a figure the page shows and the data lacks stops the
    rendering, naming it, instead of printing a blank cell that reads as nothing."""
    to_dict = Report.to_dict

    def missing(self: Report) -> dict[str, Any]:
        data = to_dict(self)
        node: Any = data
        for key in path[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        del node[path[-1]]
        return data

    monkeypatch.setattr(Report, "to_dict", missing)
    # The template says UndefinedError; a figure the page works out before the
    # template (a chart's bar) says KeyError: either way it names the value.
    with pytest.raises((jinja2.UndefinedError, KeyError), match=repr(path[-1])):
        render_html(_report())


def test_a_colour_that_is_not_css_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(report_html.COLOURS, "late", "@LATE@")
    with pytest.raises(ValueError, match="late='@LATE@' is not a #rrggbb CSS colour"):
        render_html(_report())


# --- in a real browser --------------------------------------------------------------


def _desk_browser() -> ModuleType:
    """The desk example's Chromium helpers (find, start, and why not)."""
    if str(DESK) not in sys.path:
        sys.path.insert(0, str(DESK))
    return importlib.import_module("desk_browser")


def _require_browser() -> None:
    reason = _desk_browser().missing_reason()
    if reason is None:
        return
    if os.environ.get("PROCFLOW_REQUIRE_BROWSER") == "1":
        pytest.fail(f"PROCFLOW_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"browser test skipped: {reason}")


_PAINTED = """
const style = (el) => getComputedStyle(el);
return {
  segments: [...document.querySelectorAll('.split span')].map((el) => ({
    kind: el.dataset.kind,
    background: style(el).backgroundColor,
    width: el.getBoundingClientRect().width,
  })),
  tracks: [...document.querySelectorAll('.split')].map((el) => style(el).backgroundColor),
  bad: [...document.querySelectorAll('td.bad')].map((el) => style(el).color),
  main: style(document.querySelector('.kpi.main .v')).color,
};
"""


def test_a_browser_paints_the_bars_in_their_colours(tmp_path: Path) -> None:
    _require_browser()
    page = tmp_path / "report.html"
    page.write_text(render_html(_report()), encoding="utf-8")
    with _desk_browser().chromium() as driver:
        driver.get(page.as_uri())
        painted = driver.execute_script(_PAINTED)
    segments = painted["segments"]
    # Bars: 2 months (1 + 3 segments), 1 procedure (3), 2 agencies (2 + 1), 1 desk (3).
    assert len(painted["tracks"]) == 6 and len(segments) == 13
    assert {s["kind"] for s in segments} == set(RGB)
    for segment in segments:
        assert segment["background"] == RGB[segment["kind"]], segment
        assert segment["width"] > 0, segment
    # The track under them stays grey; the segments are not.
    assert set(painted["tracks"]) == {TRACK}
    assert TRACK not in {s["background"] for s in segments}
    # The other uses of the colours: late cells, and the on-time rate itself.
    assert painted["bad"] and set(painted["bad"]) == {RGB["late"]}
    assert painted["main"] == RGB["early"]


def test_without_chromium_it_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    browser = _desk_browser()
    monkeypatch.setattr(browser, "find_chromium", lambda: (None, None))
    monkeypatch.delenv("PROCFLOW_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium installed"):
        _require_browser()
    monkeypatch.setenv("PROCFLOW_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="PROCFLOW_REQUIRE_BROWSER=1 but no Chromium"):
        _require_browser()
