"""People's words for moves (issue 21): a trigger (``request_supplement``) is an
identifier for files and the command line; buttons, diagrams, sheets and printed
moves say what the move is (``Yêu cầu bổ sung``), and classifications are words
(``Đúng hạn``, not ``on_time``)."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from visualtest import BUNDLE, MONDAY_MORNING, PROCEDURES, ROOT, bundle, desk_module

from procflow.compiler.compiled import ENGINE_TRIGGERS
from procflow.contrib.diagram import build_diagram, render
from procflow.contrib.diagram.svg import render_graphviz, render_python
from procflow.contrib.labels import move_label, move_text, moves_known
from procflow.contrib.sheet import build_sheet
from procflow.contrib.sheet import render as render_sheet
from procflow.definition.loader import discover, load_procedure, read_procedure
from procflow.definition.model import Procedure, StepKind
from procflow.engine import VirtualClock

LIBRARY = [read_procedure(p) for p in discover([PROCEDURES, ROOT / "examples"])]


def _triggers(proc: Procedure) -> set[str]:
    return {t for step in proc.steps for t, _ in step.branches()}


ALL_TRIGGERS = sorted({t for proc in LIBRARY for t in _triggers(proc)} | ENGINE_TRIGGERS)


def _raw(text: str, words: set[str]) -> list[str]:
    """The identifiers among ``words`` that ``text`` holds as whole words
    (``register`` is not inside ``birth-registration``)."""
    return sorted(w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text))


# --- the table ---------------------------------------------------------------------------


def test_the_library_has_triggers_to_name() -> None:
    assert len(LIBRARY) >= 10 and len(ALL_TRIGGERS) >= 15


@pytest.mark.parametrize("trigger", ALL_TRIGGERS)
def test_every_trigger_of_the_library_has_words(trigger: str) -> None:
    """Not the trigger, and not the fallback (the trigger with spaces): a word of
    the table, in both languages."""
    assert trigger in moves_known()
    vi, en = move_text(trigger, "vi"), move_text(trigger, "en")
    assert vi and vi != trigger and vi.lower() != trigger.replace("_", " ")
    assert en and en != vi and "_" not in en


_LABELLED = """
procflow: 1
id: vn.test.labels
version: "1"
name: Thủ tục thử
legal_basis:
  - {number: 63/2024/NĐ-CP, date: 2024-06-10}
time_limit: 2 working days
agencies:
  - {id: desk, name: Một cửa, desk: true}
steps:
  - id: reception
    name: Tiếp nhận
    kind: reception
    agency: desk
    time: 1 working day
    outcomes:
      forward: {to: check, label: {vi: Chuyển phòng chuyên môn, en: Send to the office}}
      check_site: check
  - id: check
    name: Kiểm tra
    kind: review
    agency: desk
    time: 1 working day
    outcomes:
      forward: {to: returned, label: Hoàn tất}
      refuse: refused
"""


def test_an_outcome_label_names_the_move() -> None:
    result = load_procedure("labels.yaml", text=_LABELLED)
    assert result.ok, [str(f) for f in result.findings]
    proc = result.procedure
    assert proc is not None
    # The step's own label first; elsewhere the label given for the trigger.
    assert move_label(proc, "forward", "vi", "check") == "Hoàn tất"
    assert move_label(proc, "forward", "vi", "reception") == "Chuyển phòng chuyên môn"
    assert move_label(proc, "forward", "vi") == "Chuyển phòng chuyên môn"
    # A label written only in Vietnamese does not stand in for English.
    assert move_label(proc, "forward", "en", "check") == "Send to the office"
    # No label: the table, then the trigger in words.
    assert move_label(proc, "refuse", "vi", "check") == "Từ chối giải quyết"
    assert move_label(proc, "check_site", "en") == "Check site"
    diagram = build_diagram(proc, lang="vi")
    labels = {(e.source, e.target): e.label for e in diagram.edges}
    assert labels[("reception", "check")] == "Chuyển phòng chuyên môn, Check site"
    assert labels[("check", "returned")] == "Hoàn tất"


@given(st.from_regex(r"[a-z][a-z0-9_]{0,30}", fullmatch=True))
def test_any_trigger_gets_words_without_underscores(trigger: str) -> None:
    for lang in ("vi", "en"):
        text = move_text(trigger, lang)  # type: ignore[arg-type]
        assert text and "_" not in text
        if trigger not in moves_known():
            assert text.lower() == trigger.replace("_", " ").strip()


# --- diagrams and sheets -----------------------------------------------------------------


def _visible_svg(svg: str) -> str:
    parts = re.findall(r"<(?:text|title)[^>]*>(.*?)</(?:text|title)>", svg, re.S)
    parts += re.findall(r'xlink:title="([^"]*)"', svg)
    return unescape("\n".join(re.sub(r"<[^>]+>", " ", p) for p in parts))


def _visible(fmt: str, source: str) -> str:
    """The text of a diagram a person reads: labels, titles, tooltips."""
    if fmt == "svg":
        return _visible_svg(source)
    if fmt == "dot":
        return "\n".join(re.findall(r'(?:label|tooltip)="((?:[^"\\]|\\.)*)"', source))
    # mermaid: the quoted labels, the title and the subtitle comment
    return "\n".join(re.findall(r'"([^"]*)"', source) + re.findall(r"%% (.*)", source))


FORMATS = ["mermaid", "dot", "svg"]


@pytest.mark.parametrize("proc", LIBRARY, ids=lambda p: p.id)
def test_vietnamese_diagrams_say_moves_in_words(proc: Procedure) -> None:
    diagram = build_diagram(proc, lang="vi")
    triggers = _triggers(proc)
    sources = {fmt: render(diagram, fmt) for fmt in ("mermaid", "dot")}
    sources["svg (python)"] = render_python(diagram)
    if shutil.which("dot"):
        sources["svg (graphviz)"] = render_graphviz(diagram)
    first = proc.steps[0]
    trigger = next(t for t, _ in first.branches())
    words = move_label(proc, trigger, "vi", first.id)
    kinds = {k.value for k in StepKind} - {"return"}  # "return" is also an English word
    for name, source in sources.items():
        text = _visible(name.split()[0], source)
        assert words in text, (name, words)
        assert _raw(text, triggers) == [], name
        assert _raw(text, kinds) == [], name


@pytest.mark.parametrize("proc", LIBRARY, ids=lambda p: p.id)
def test_vietnamese_sheet_has_no_trigger_or_raw_value(proc: Procedure) -> None:
    sheet = build_sheet(proc, "vi")
    raw = _triggers(proc) | {k.value for k in StepKind} - {"return"}
    raw |= {"original", "certified_copy", "original_or_copy", "on_time", "commune", "district"}
    for fmt in ("html", "md"):
        text = render_sheet(sheet, fmt)
        if fmt == "html":
            body = text.split("<body", 1)[1]
            text = unescape(
                re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", body, flags=re.S))
            )
        assert _raw(text, raw) == [], fmt


# --- the desk example and the command line -----------------------------------------------


def test_desk_buttons_say_the_move(tmp_path: Path) -> None:
    pytest.importorskip("flask")
    app = desk_module("app").create_app(
        tmp_path / "desk.db", clock=VirtualClock(MONDAY_MORNING), secret_key="t"
    )
    client = app.test_client()
    assert client.post("/login", data={"officer": "lan"}).status_code == 302
    response = client.post("/receive", data={"procedure": BUNDLE, "applicant": "Mai"})
    code = response.location.rsplit("/", 1)[1]
    page = client.get(f"/dossier/{code}").text
    buttons = dict(re.findall(r'<button[^>]*id="fire-([a-z_]+)"[^>]*>([^<]*)</button>', page))
    assert buttons == {"forward": "Chuyển xử lý", "withdraw": "Rút hồ sơ"}
    done = client.post(f"/dossier/{code}/fire", data={"trigger": "forward"}, follow_redirects=True)
    assert "Chuyển xử lý ✓" in done.text
    buttons = dict(re.findall(r'<button[^>]*id="fire-([a-z_]+)"[^>]*>([^<]*)</button>', done.text))
    assert buttons == {
        "register": "Đăng ký",
        "refuse": "Từ chối giải quyết",
        "request_supplement": "Yêu cầu bổ sung",
        "withdraw": "Rút hồ sơ",
    }
    # The control slip says how the reception went in words.
    slip = done.text.split('id="visits"', 1)[1].split("</table>", 1)[0]
    assert re.search(r">(Trước hạn|Đúng hạn|Quá hạn)<", slip)
    assert not re.search(r">(early|on_time|late)<", slip)


def test_cli_prints_moves_with_their_words(tmp_path: Path) -> None:
    from procflow.cli.main import cli

    db = str(tmp_path / "desk.db")
    procs = ["--procedures", str(PROCEDURES)]
    runner = CliRunner(env={"COLUMNS": "240"})

    def run(*args: str) -> Any:
        result = runner.invoke(cli, [*args, *procs], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    received = run(
        "dossier", "receive", db, BUNDLE, "--actor", "lan", "--agency", "commune-pc",
        "--at", "2026-03-03T08:00", "--format", "json",
    )  # fmt: skip
    code = received.output.split('"code": "', 1)[1].split('"', 1)[0]
    fired = run(
        "dossier", "fire", db, code, "forward", "--actor", "lan", "--agency", "commune-pc",
        "--at", "2026-03-03T09:00",
    )  # fmt: skip
    assert f"{code}: forward (Chuyển xử lý) -> birth-registration" in fired.output
    shown = run("dossier", "show", db, code).output
    assert "request_supplement (Yêu cầu bổ sung)" in shown
    assert "register (Đăng ký)" in shown
    # The control slip's status column is in words.
    slip = shown.split("Phiếu kiểm soát", 1)[1].split("└", 1)[0]
    assert re.search(r"Trước hạn|Đúng hạn|Quá hạn", slip)
    assert not re.search(r"\b(early|on_time)\b", slip)
    assert bundle().id == BUNDLE
