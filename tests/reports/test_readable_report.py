"""The HTML report as a provincial reform officer reads it (issue 21).

The nine dossiers of reportcase.py plus one made late on purpose (D10: a
supplement request, then the commune police hold the residence step for days)
run through the real engine on an SQLite file. The page is rendered in
Vietnamese and in English from that store and read back the way a person
reads it: its visible text (every text node, tooltips included, but not the
style sheet or the file name in <code>), its tables, its diagram and its
backlog chart. The browser check uses the system's headless Chromium like
test_html_report.py (skipped without it unless PROCFLOW_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from reportcase import CHILD, DESK, PC, POLICE, QUERY, ROOT, VN, Case, _load, at, build
from test_html_report import _desk_browser, _require_browser

from procflow.calendar import WorkCalendar
from procflow.cli import report as report_cmds
from procflow.contrib.labels import pause_reason_text
from procflow.contrib.sheet.vietnamese import is_english
from procflow.definition.model import Procedure
from procflow.engine import Actor
from procflow.reports import build_report
from procflow.reports import page as report_page
from procflow.reports.backlog import BacklogBuilder
from procflow.reports.charts import ChartWords
from procflow.reports.html import render_html
from procflow.reports.report import Report
from procflow.reports.words import WORDS
from procflow.store.sqlite import SQLiteStore

BHXH = Actor("an", "social-insurance", "card-officer")
AGENCY_IDS = ("commune-pc", "commune-police", "social-insurance")
PROCEDURE_FILES = (
    "procedures/lien-thong/child-under-6.yaml",
    "procedures/civil-status/birth-registration.yaml",
)


@dataclass
class Readable:
    case: Case
    report: Report
    procedures: list[Procedure]
    late_code: str
    pages: dict[str, str]


def _late_on_purpose(case: Case) -> str:
    """D10: received Tue 17/03 08:00, due Fri 20/03; paused a working day for a
    supplement (the due date moves to Mon 23/03), then the police hold the
    residence step from Wed 18/03 to Wed 25/03: returned late on Thu 26/03."""
    engine = case.engine
    from procflow.engine import VirtualClock

    engine.clock = clock = VirtualClock(at(3, 17, 8))
    code = engine.receive(CHILD, actor=DESK, applicant={"name": "Trễ Hạn"}).code

    def fire(when: datetime, trigger: str, actor: Actor, **kw: object) -> None:
        clock.set(when)
        engine.fire(code, trigger, actor, **kw)

    fire(at(3, 17, 8, 30), "forward", DESK)
    fire(at(3, 17, 9, 0), "request_supplement", PC, missing=["Giấy chứng sinh"])
    fire(at(3, 18, 9, 0), "resubmit", PC)
    fire(at(3, 18, 9, 30), "register", PC)
    fire(at(3, 18, 10, 0), "send", PC)
    fire(at(3, 25, 9, 0), "register", POLICE)
    fire(at(3, 25, 9, 30), "send", POLICE)
    fire(at(3, 25, 10, 0), "issue", BHXH)
    fire(at(3, 25, 10, 30), "send", BHXH)
    fire(at(3, 26, 8, 0), "hand_over", DESK)
    return code


@pytest.fixture(scope="module")
def readable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Readable]:
    path = tmp_path_factory.mktemp("readable") / "case.db"
    case = build(SQLiteStore(path), str(path))
    code = _late_on_purpose(case)
    report = build_report(case.store, QUERY, calendar=WorkCalendar.vietnam())
    procedures = [_load(rel) for rel in PROCEDURE_FILES]
    pages = {
        lang: render_html(report, lang=lang, procedures=procedures)  # type: ignore[arg-type]
        for lang in ("vi", "en")
    }
    yield Readable(case, report, procedures, code, pages)
    case.store.close()


# --- reading a page as text -------------------------------------------------------------


class _Text(HTMLParser):
    """The text nodes a person can see or hover over, each with the classes of
    the elements around it."""

    SKIP = frozenset({"style", "code", "head"})
    VOID = frozenset({"meta", "br", "link", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.nodes: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        text = data.strip()
        tags = {t for t, _ in self.stack}
        if text and not tags & self.SKIP:
            self.nodes.append((text, tuple(c for _, c in self.stack)))


def _nodes(page: str) -> list[tuple[str, tuple[str, ...]]]:
    parser = _Text()
    parser.feed(page)
    return parser.nodes


def _visible(page: str) -> str:
    return "\n".join(text for text, _ in _nodes(page))


def _fragments(template: str) -> list[str]:
    """The literal pieces of a label (its ``{fields}`` taken out) that say
    something: a word of three letters or more, not an option name."""
    pieces = re.split(r"\{[^}]*\}", template)
    return [
        p.strip(" ·:,;()/")
        for p in pieces
        if re.search(r"[^\W\d_]{3,}", p) and "--" not in p and p.strip(" ·:,;()/")
    ]


def _labels(lang: str) -> set[str]:
    """Every label of the page in ``lang`` that the other language words
    differently: the page's own words, the charts' and the shared
    classifications, outcomes and pause reasons."""
    i = 1 if lang == "en" else 0
    out: set[str] = set()
    for pair in WORDS.values():
        if pair[0] != pair[1]:
            out.update(_fragments(pair[i]))
    english = ChartWords()
    if lang == "en":
        for name in ("no_data", "rate_title", "rate_line", "steps_title", "backlog_title"):
            out.update(_fragments(getattr(english, name)))
        # The labels of the page before it spoke Vietnamese.
        out.update(["held d", "allotted d", "on-time rate", "in progress", "late hand-off"])
    from procflow.contrib.labels import _PAUSE_REASONS, _TIMELINESS

    for table in (_TIMELINESS, _PAUSE_REASONS):
        for pair in table.values():
            out.add(pair[i])
    return {label for label in out if len(label) >= 3}


def _has(text: str, label: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text) is not None


# --- the two languages -------------------------------------------------------------------


def test_the_vietnamese_page_has_no_english(readable: Readable) -> None:
    page = readable.pages["vi"]
    assert '<html lang="vi">' in page
    text = _visible(page)
    english = _labels("en")
    assert len(english) > 100  # the list is the page's labels, not a token few
    leaks = sorted(label for label in english if _has(text, label))
    assert not leaks, leaks
    # Nor raw enum values or English sentences anywhere, tooltips included.
    for raw in ("on_time", "early", "late", "supplement", "financial_obligations"):
        assert not _has(text, raw), raw
    sentences = [t for t, _ in _nodes(page) if is_english(t)]
    assert not sentences, sentences[:10]
    # The Vietnamese words are there: the classifications, a pause reason, a heading.
    for label in ("Trước hạn", "Đúng hạn", "Quá hạn", "Bổ sung, hoàn thiện hồ sơ", "Hồ sơ quá hạn"):
        assert _has(text, label), label


def test_the_english_page_has_no_vietnamese_labels(readable: Readable) -> None:
    page = readable.pages["en"]
    assert '<html lang="en">' in page
    text = _visible(page)
    vietnamese = _labels("vi")
    assert len(vietnamese) > 100
    leaks = sorted(label for label in vietnamese if _has(text, label))
    assert not leaks, leaks
    # The procedures have English names, so no Vietnamese letter is left at all.
    marks = re.findall(r"\S*[ăâđêôơưàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹ]\S*", text, re.IGNORECASE)
    assert not marks, marks[:10]
    for label in ("Early", "On time", "Late", "Supplementing the dossier", "Backlog over time"):
        assert _has(text, label), label


def test_numbers_and_dates_are_written_for_people(readable: Readable) -> None:
    vi, en = _visible(readable.pages["vi"]), _visible(readable.pages["en"])
    rate = readable.report.rates.total.rate
    assert rate is not None
    assert f"{100 * rate:.2f}%".replace(".", ",") in vi and f"{100 * rate:.2f}%" in en
    # D10's statutory due date, as the engine has it, at the minute.
    due = readable.case.engine.get(readable.late_code).due_at.astimezone(VN)
    assert f"{due:%d/%m/%Y %H:%M}" in vi and f"{due:%Y-%m-%d %H:%M}" in en
    for text in (vi, en):
        assert not re.search(r"\d{2}:\d{2}:\d{2}", text)  # no seconds
        assert not re.search(r"\d[.,]\d{5,}", text)  # no raw floats
        assert "T08:00" not in text and "+07:00" not in text  # no ISO instants


# --- names, not ids -----------------------------------------------------------------------


def test_agency_and_procedure_names_not_ids(readable: Readable) -> None:
    for lang, page in readable.pages.items():
        text = _visible(page)
        for proc in readable.procedures:
            assert proc.name.get(lang) in text
            assert proc.id not in text
        # An agency goes by the name the report's main procedure gives it.
        names = {a.id: a.name.get(lang) for a in readable.procedures[0].agencies}
        for agency_id in AGENCY_IDS:
            assert _has(text, names[agency_id]), (lang, agency_id)
            assert not _has(text, agency_id), (lang, agency_id)
        # Step ids neither (residence, birth-registration...), in the tables or the diagram.
        child = readable.procedures[0]
        for step in child.steps:
            # (In English a one-word id like "supplement" is also a word of the page.)
            if lang == "vi" or "-" in step.id:
                assert not _has(text, step.id), (lang, step.id)


def test_without_procedures_the_ids_stand_in(readable: Readable) -> None:
    page = render_html(readable.report, lang="en")
    text = _visible(page)
    assert "commune-police" in text and CHILD in text
    assert "No procedure file to draw the diagram from" in text
    assert 'class="diagram"' not in page


# --- the over columns and the scores ---------------------------------------------------------


def test_no_negative_time_over_the_allotment(readable: Readable) -> None:
    agencies = readable.report.accountability.agencies
    spare = [a for a in agencies.values() if a.overrun_seconds < 0]
    over = [a for a in agencies.values() if a.overrun_seconds > 0]
    assert spare and over  # the case has both kinds, so the test can fail
    for lang, page in readable.pages.items():
        cells = [t for t, classes in _nodes(page) if any("over" in c.split() for c in classes)]
        assert len(cells) == len(agencies)
        for cell in cells:
            assert cell == "–" or float(cell.replace(",", ".")) > 0, (lang, cell)
        assert cells.count("–") == len(spare)
        # No negative number anywhere a person reads.
        assert not re.search(r"(?<![\w/])[-−]\d", _visible(page)), lang


def test_the_scores_are_explained_next_to_the_rate(readable: Readable) -> None:
    page = readable.pages["vi"]
    score = page.split('<section id="score">')[1].split("</section>")[0]
    assert "(trước hạn + đúng hạn) / số hồ sơ đã giải quyết" in score
    assert "mỗi hồ sơ trước hạn được 2 điểm, đúng hạn 1 điểm, quá hạn 0 điểm" in score
    assert "theo bước chậm nhất của cơ quan" in score
    # Every agency's score is in that section, by name.
    names = {a.id: a.name.vi for a in readable.procedures[0].agencies}
    assert set(readable.report.scores.by_agency) == set(names)
    for name in names.values():
        assert f'<td class="t">{name}</td>' in score
    # And it is the first section, right under the key figures.
    assert page.index("<section") == page.index('<section id="score">')


# --- the late and overdue dossiers ---------------------------------------------------------------


def _late_rows(page: str) -> dict[str, str]:
    table = page.split('<table class="late-list">')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    out = {}
    for row in rows[1:]:
        text = _visible(row)
        out[text.split("\n")[0]] = text
    return out


def test_the_late_list_names_the_agency_and_the_pause(readable: Readable) -> None:
    engine = readable.case.engine
    d10 = engine.get(readable.late_code)
    assert d10.timeliness is not None and d10.timeliness.value == "late"
    late_steps = [
        v for v in d10.visits if v.timeliness is not None and v.timeliness.value == "late"
    ]
    assert {v.agency for v in late_steps} == {"commune-police"}
    days = sum(v.late_seconds for v in late_steps) / 27000
    ((reason, pause),) = d10.pauses.items()

    rows = _late_rows(readable.pages["vi"])
    row = rows[readable.late_code]
    assert f"Công an cấp xã: trễ {days:.1f} ngày".replace(".", ",") in row
    hours = f"{pause['seconds'] / 3600:.1f}".replace(".", ",")
    assert f"{pause_reason_text(reason, 'vi')}: {int(pause['count'])} lần, {hours} giờ" in row
    assert f"{d10.closed_at.astimezone(VN):%d/%m/%Y %H:%M}" in row  # when resolved
    # D3 (apologised for) and D6 (still open, overdue) are listed; nothing on time is.
    d3, d6 = readable.case.codes["D3"], readable.case.codes["D6"]
    assert set(rows) == {readable.late_code, d3, d6}
    assert "Đang giải quyết" in rows[d6] and "đang ở: UBND cấp xã" in rows[d6]
    assert "có thư xin lỗi" in rows[d3]
    # Still open first.
    assert next(iter(rows)) == d6

    en = _late_rows(readable.pages["en"])[readable.late_code]
    assert f"Commune police: {days:.1f} d late" in en
    assert f"{pause_reason_text(reason, 'en')}: {int(pause['count'])}×" in en


def test_a_long_late_list_says_how_many_are_shown(
    readable: Readable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_page, "LATE_ROWS", 1)
    page = render_html(readable.report, lang="en", procedures=readable.procedures)
    assert len(_late_rows(page)) == 1
    assert "Showing 1 of 3 dossiers" in _visible(page)


# --- the backlog ------------------------------------------------------------------------------


def _count_backlog(case: Case, days: list[date]) -> list[tuple[int, int]]:
    """Open and overdue dossiers at the end of each day, counted dossier by dossier."""
    dossiers = list(case.store.iter_dossier_dicts())
    out = []
    for day in days:
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=VN)
        open_ = overdue = 0
        for d in dossiers:
            if d["outcome"] in ("guided", "refused_at_reception"):
                continue
            received = datetime.fromisoformat(d["received_at"])
            closed = datetime.fromisoformat(d["closed_at"]) if d["closed_at"] else None
            if received < midnight and (closed is None or closed >= midnight):
                open_ += 1
                if datetime.fromisoformat(d["due_at"]) < midnight:
                    overdue += 1
        out.append((open_, overdue))
    return out


def test_the_backlog_matches_a_count_of_the_dossiers(readable: Readable) -> None:
    points = readable.report.backlog.points
    assert points[0].day == QUERY.start and points[-1].day == QUERY.end
    assert len(points) == (QUERY.end - QUERY.start).days + 1  # type: ignore[operator]
    counted = _count_backlog(readable.case, [p.day for p in points])
    assert [(p.open, p.overdue) for p in points] == counted
    assert max(o for o, _ in counted) >= 2 and max(o for _, o in counted) >= 1
    # The page draws every day, both lines, and sums it up.
    section = readable.pages["en"].split('<section id="backlog">')[1].split("</section>")[0]
    for name in ("backlog-open", "backlog-overdue"):
        coords = re.search(rf'class="{name}" points="([^"]*)"', section)
        assert coords is not None and len(coords.group(1).split()) == len(points)
    peak = max(p.open for p in points)
    assert f"at most {peak} (" in _visible(section)


@st.composite
def _stories(draw: st.DrawFn) -> list[tuple[datetime, datetime | None, datetime]]:
    start = datetime(2026, 3, 1, tzinfo=VN)
    out = []
    for _ in range(draw(st.integers(0, 12))):
        received = start + timedelta(minutes=draw(st.integers(0, 30 * 24 * 60)))
        due = received + timedelta(minutes=draw(st.integers(0, 10 * 24 * 60)))
        closing = draw(st.none() | st.integers(0, 20 * 24 * 60))
        closed = None if closing is None else received + timedelta(minutes=closing)
        out.append((received, closed, due))
    return out


@settings(max_examples=60, deadline=None)
@given(stories=_stories(), split=st.integers(0, 12))
def test_the_backlog_builder_counts_like_a_person(
    stories: list[tuple[datetime, datetime | None, datetime]], split: int
) -> None:
    """Any receipts, closings and due dates, fed in two parts (two processes)
    and merged as the report merges them: each day's figures equal a count."""
    from procflow.reports.report import _combine

    parts = [BacklogBuilder(VN), BacklogBuilder(VN)]
    for i, (received, closed, due) in enumerate(stories):
        parts[i >= split].add(received, closed, due)
    counters = _combine(parts[0].counters, parts[1].counters)
    as_of = datetime(2026, 4, 10, 15, tzinfo=VN)
    first = date(2026, 3, 5)
    series = BacklogBuilder.build(counters, VN, first, as_of).points
    assert series[0].day == first and series[-1].day == date(2026, 4, 9)
    for p in series:
        midnight = datetime.combine(p.day + timedelta(days=1), time(0), tzinfo=VN)
        alive = [(r, c, d) for r, c, d in stories if r < midnight and (c is None or c >= midnight)]
        assert p.open == len(alive)
        assert p.overdue == sum(1 for _, _, d in alive if d < midnight)


# --- time on the process diagram -----------------------------------------------------------------


def test_the_diagram_carries_each_steps_time(readable: Readable) -> None:
    page = readable.pages["vi"]
    diagram = page.split('<section id="diagram">')[1].split("</section>")[0]
    assert diagram.count("<svg") == 2  # both procedures of the period
    child = readable.procedures[0]
    applicant = {step.id for step in child.steps if step.kind.value == "applicant"}
    steps = [
        s
        for s in readable.report.bottlenecks.steps
        if s.procedure == CHILD and s.step not in applicant
    ]
    assert applicant and len(steps) >= 6
    for s in steps:
        node = re.search(
            rf'<g class="node [^"]*" id="node-{re.escape(s.step)}">(.*?)</g>', diagram, re.S
        )
        assert node is not None, s.step
        text = _visible(node.group(1))
        median = f"{(s.working_median or 0) / 3600:.1f}".replace(".", ",")
        p90 = f"{(s.working_p90 or 0) / 3600:.1f}".replace(".", ",")
        assert f"{median} giờ (P90 {p90})" in text, (s.step, text)
        if s.late_visits:
            share = f"{100 * (s.lateness_share or 0):.0f}%"
            assert f"quá hạn {s.late_visits}/{s.visits} lượt · {share}" in text
        else:
            assert f"{s.visits} lượt, không quá hạn" in text
        # Red: the steps causing a tenth or more of all the time past due.
        red = 'fill="#fde8e8"' in node.group(1)
        assert red == ((s.lateness_share or 0) >= 0.10), (s.step, s.lateness_share)
    assert any(s.late_visits for s in steps) and any(not s.late_visits for s in steps)
    shares = [s.lateness_share or 0 for s in steps if s.late_visits]
    assert any(x >= 0.10 for x in shares) and any(x < 0.10 for x in shares)
    assert "bước gây từ 10% tổng thời gian trễ trở lên" in diagram
    # The step's tooltip is its name with the figures, not its id.
    assert "<title>residence</title>" not in diagram


# --- the command ---------------------------------------------------------------------------------


def _cli() -> object:
    import click

    group = click.Group()
    report_cmds.register(group)
    return group


def test_the_command_writes_either_language(
    readable: Readable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = ["--from", "2026-02-01", "--to", "2026-03-31", "--format", "html"]
    folders = [arg for rel in PROCEDURE_FILES for arg in ("--procedures", str(ROOT / rel))]
    for lang, title in (("vi", "Báo cáo giải quyết hồ sơ"), ("en", "Dossier processing report")):
        out = tmp_path / f"{lang}.html"
        result = CliRunner().invoke(
            _cli(),  # type: ignore[arg-type]
            ["report", readable.case.url, *period, "--lang", lang, *folders, "-o", str(out)],
        )
        assert result.exit_code == 0, result.output
        page = out.read_text("utf-8")
        assert f'<html lang="{lang}">' in page and f"<h1>{title}</h1>" in page
        text = _visible(page)
        assert "Công an cấp xã" in text if lang == "vi" else "Commune police" in text
        assert "commune-police" not in text
    # Away from the procedures: a note, and the page with ids.
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        _cli(),  # type: ignore[arg-type]
        ["report", readable.case.url, *period, "--lang", "en", "-o", "ids.html"],
    )
    assert result.exit_code == 0, result.output
    assert "pass --procedures DIR" in result.output
    assert "commune-police" in _visible((tmp_path / "ids.html").read_text("utf-8"))
    bad = CliRunner().invoke(
        _cli(),  # type: ignore[arg-type]
        ["report", readable.case.url, "--format", "html", "--lang", "fr"],
    )
    assert bad.exit_code != 0 and "--lang" in bad.output


# --- in a real browser --------------------------------------------------------------------------

_FIT = """
const page = document.documentElement;
const boxes = [...document.querySelectorAll('section')].map((s) => s.getBoundingClientRect());
return {
  scroll: page.scrollWidth, client: page.clientWidth, body: document.body.scrollWidth,
  sections: boxes.map((b) => [b.left, b.right]),
  tables: [...document.querySelectorAll('table')].map((t) => {
    const box = t.closest('section').getBoundingClientRect();
    const r = t.getBoundingClientRect();
    return {left: r.left, right: r.right, section: [box.left, box.right],
            cls: t.className, rows: t.rows.length};
  }),
  diagrams: [...document.querySelectorAll('.diagram')].map((d) => [d.scrollWidth, d.clientWidth]),
};
"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_tables_fit_a_1024_pixel_window(readable: Readable, tmp_path: Path, lang: str) -> None:
    _require_browser()
    page = tmp_path / f"report-{lang}.html"
    page.write_text(readable.pages[lang], encoding="utf-8")
    with _desk_browser().chromium(width=1024, height=900) as driver:
        driver.get(page.as_uri())
        fit = driver.execute_script(_FIT)
    # The page itself never scrolls sideways.
    assert fit["scroll"] <= fit["client"] <= 1024, fit
    assert fit["body"] <= fit["client"], fit
    assert len(fit["tables"]) >= 8
    for table in fit["tables"]:
        left, right = table["section"]
        assert left - 0.5 <= table["left"] and table["right"] <= right + 0.5, table
    for left, right in fit["sections"]:
        assert left >= 0 and right <= fit["client"]
    # The diagrams are wider than the window: they scroll inside their own box.
    assert fit["diagrams"] and all(sw > cw for sw, cw in fit["diagrams"]), fit["diagrams"]


def test_a_pass_split_over_processes_lists_the_same(readable: Readable) -> None:
    """The late list and the backlog merge like every other figure when the
    pass over the SQLite file is split over processes."""
    calendar = WorkCalendar.vietnam()
    split = build_report(readable.case.store, QUERY, calendar=calendar, workers=3)
    assert split.late.to_dict() == readable.report.late.to_dict()
    assert split.backlog == readable.report.backlog
    assert len(split.late.dossiers) == 3


@settings(max_examples=200, deadline=None)
@given(
    value=st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
    lang=st.sampled_from(["vi", "en"]),
)
def test_numbers_read_back_in_either_language(value: float, lang: str) -> None:
    """A number on the page reads back as itself, rounded: Vietnamese groups
    thousands with "." and marks decimals with ",", English the other way."""
    from procflow.reports.words import Formats

    f = Formats(lang, VN, 27000.0)  # type: ignore[arg-type]
    text = f.number(value, 1)
    group, mark = (".", ",") if lang == "vi" else (",", ".")
    assert re.fullmatch(rf"-?\d{{1,3}}(?:{re.escape(group)}\d{{3}})*{re.escape(mark)}\d", text)
    assert float(text.replace(group, "").replace(mark, ".")) == float(f"{value:.1f}")
    # Time over an allotment is never negative: a dash, or a positive figure.
    over = f.over(value)
    assert (
        over == "–"
        if round(value / 27000, 1) <= 0
        else float(over.replace(group, "").replace(mark, ".")) > 0
    )
