"""The docs are true: what README.md and docs/*.md show runs, and prints what they say.

* every ``procflow ...`` command they show names a real command, real options
  and real choices;
* every repository path they name exists, and every relative link resolves;
* every ``pip install -e ".[extra]"`` names an extra of pyproject.toml;
* the Python examples of docs/calendar.md and docs/engine.md run, and a
  statement whose comment starts with a value (``# 2026-03-10 17:00+07:00``,
  ``# 'COMMUNE-PC-260303-00001'``, ``# 3.8``, ``# date(2026, 3, 10)``)
  evaluates to that value;
* the output docs/cli.md shows for ``procflow validate procedures/`` is what
  the command prints today.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.S | re.M)
SPAN = re.compile(r"`([^`\n]+)`")


def blocks(path: Path, *langs: str) -> list[tuple[int, str, str]]:
    """(line, language, text) of the fenced blocks of ``path`` (all when no ``langs``)."""
    text = path.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        if not langs or m.group(1) in langs:
            out.append((text.count("\n", 0, m.start()) + 2, m.group(1), m.group(2)))
    return out


def prose(path: Path) -> str:
    """The text outside fenced blocks."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


# --- commands ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli() -> click.Group:
    from procflow.cli.main import _register
    from procflow.cli.main import cli as group

    _register()
    return group


def shown_commands(path: Path) -> Iterator[tuple[str, str]]:
    """(where, command line) for every procflow command ``path`` shows."""
    for line, lang, body in blocks(path):
        if lang not in ("", "bash", "console", "sh"):
            continue
        lines = body.splitlines()
        i = 0
        while i < len(lines):
            raw = lines[i]
            text = raw[2:] if raw.startswith("$ ") else raw
            if lang == "console" and not raw.startswith("$ "):
                i += 1
                continue
            if not text.startswith("procflow "):
                i += 1
                continue
            start = i
            # a trailing backslash, or a next line of further [--options], continues it
            while i + 1 < len(lines) and (
                text.rstrip().endswith("\\") or lines[i + 1].lstrip().startswith(("[", "--"))
            ):
                i += 1
                text = text.rstrip().removesuffix("\\") + " " + lines[i].strip()
            yield f"{path.name}:{line + start}", text
            i += 1
    for m in SPAN.finditer(prose(path)):
        if m.group(1).startswith("procflow "):
            yield f"{path.name} (`{m.group(1)}`)", m.group(1)


def resolve(cli: click.Group, words: list[str]) -> click.Command | None:
    """The (sub)command ``words`` name, or None when one of them is not a command."""
    command: click.Command = cli
    for name in words:
        if not isinstance(command, click.Group):
            break
        sub = command.commands.get(name)
        if sub is None:
            return None
        command = sub
    return command


OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")


def command_problems(cli: click.Group, path: Path) -> tuple[int, list[str]]:
    """(commands checked, problems) for the procflow commands ``path`` shows."""
    seen, problems = 0, []
    for where, shown in shown_commands(path):
        line = re.sub(r"\s#\s.*$", "", shown).split(" > ", 1)[0]  # a comment, a redirect
        names = []
        for word in line.split()[1:]:
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            names.append(word)
        command = resolve(cli, names)
        seen += 1
        if command is None:
            problems.append(f"{where}: {line}: no such command")
            continue
        params = {opt: p for p in command.params for opt in (*p.opts, *p.secondary_opts)}
        for m in OPTION.finditer(line):
            option = m.group(1)
            if option in ("-h", "--help"):
                continue
            if option not in params:
                problems.append(f"{where}: {line}: {command.name} has no {option}")
                continue
            param = params[option]
            value = line[m.end() :].lstrip(" =").split(" ", 1)[0].strip("[]")
            if isinstance(param.type, click.Choice) and re.fullmatch(r"[a-z|]+", value):
                for choice in value.split("|"):
                    if choice not in param.type.choices:
                        problems.append(f"{where}: {line}: {option} has no choice {choice!r}")
    return seen, problems


def test_every_command_option_and_choice_shown_exists(cli: click.Group) -> None:
    seen, problems = 0, []
    for path in DOCS:
        n, found = command_problems(cli, path)
        seen, problems = seen + n, problems + found
    assert problems == []
    assert seen > 60  # the docs show many commands: the scan itself works


def test_the_scan_catches_a_wrong_command_option_and_choice(
    cli: click.Group, tmp_path: Path
) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "```bash\n"
        "procflow dossier receive DB P --actor a \\\n    --agncy b   # a typo\n"
        "procflow dosier show DB CODE\n"
        "```\n"
        "Also `procflow export DB --format xes|pdf`, `procflow report DB --format json`.\n",
        encoding="utf-8",
    )
    seen, problems = command_problems(cli, doc)
    assert seen == 4
    assert [p.rsplit(": ", 1)[1] for p in problems] == [
        "receive has no --agncy",
        "no such command",
        "--format has no choice 'pdf'",
    ]


# --- paths -----------------------------------------------------------------------------

TOP = ("procedures", "examples", "docs", "src", "tests", "bench", ".ci")
PATH = re.compile(rf"(?<![\w/.-])((?:{'|'.join(re.escape(t) for t in TOP)})/[\w./-]*)")
# Paths the docs name on purpose as files a reader will create.
TO_CREATE = {
    "procedures/residence/my-procedure.yaml",  # procedures.md: the guide's new file
    "procedures/x.yaml",  # cli.md: the JSON output of a file with errors
    "procedures/lien-thong/tests/death-x.yaml",  # testing.md: a scenario with typos
}


def test_every_repository_path_named_exists() -> None:
    missing = []
    for path in DOCS:
        for m in PATH.finditer(path.read_text(encoding="utf-8")):
            name = m.group(1).rstrip(".")
            if "..." in name or name in TO_CREATE:
                continue
            if not (ROOT / name).exists():
                missing.append(f"{path.name}: {name}")
    assert missing == []


LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_every_relative_link_resolves() -> None:
    broken = []
    for path in DOCS:
        for m in LINK.finditer(path.read_text(encoding="utf-8")):
            target = m.group(1).split("#", 1)[0]
            if not target or re.match(r"[a-z]+:", target):
                continue
            if not (path.parent / target).exists():
                broken.append(f"{path.name}: {target}")
    assert broken == []


def test_every_pip_extra_exists() -> None:
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    named = {
        extra
        for path in DOCS
        for group in re.findall(r'pip install -e "\.\[([\w,-]+)\]"', path.read_text("utf-8"))
        for extra in group.split(",")
    }
    assert named and named <= extras, named - extras


# --- Python examples ---------------------------------------------------------------------

DATETIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d[+-]\d\d:\d\d")
NUMBER = re.compile(r"-?\d+\.\d+(?![\d-])")


def claimed(comment: str) -> tuple[object] | None:
    """The value a comment starts with, as a 1-tuple; None when it starts with none."""
    if m := DATETIME.match(comment):
        return (m.group(0),)
    if m := re.match(r"'[^']*'", comment):
        return (ast.literal_eval(m.group(0)),)
    if m := re.match(r"(?:datetime\.)?date\(\d+, \d+, \d+\)", comment):
        return (eval(m.group(0), {"date": dt.date, "datetime": dt}),)
    if m := NUMBER.match(comment):
        return (float(m.group(0)),)
    return None


def as_shown(value: object) -> object:
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M%z")
        return text[:-2] + ":" + text[-2:]
    return value


def run_checking_comments(
    source: str, where: str, namespace: dict[str, object] | None = None
) -> int:
    """Run ``source`` statement by statement; check value comments. Returns how many.

    Blocks of one page share ``namespace``: later blocks use earlier names.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    namespace = {"__name__": "docs_example"} if namespace is None else namespace
    checked = 0
    for stmt in tree.body:
        if isinstance(stmt, ast.Expr):
            value = eval(compile(ast.Expression(stmt.value), where, "eval"), namespace)
            line = lines[(stmt.end_lineno or stmt.lineno) - 1]
            if "#" in line:
                comment = line.split("#", 1)[1].strip()
                found = claimed(comment)
                if found is not None:
                    (expected,) = found
                    actual = as_shown(value)
                    if isinstance(expected, float):
                        assert isinstance(actual, float) and math.isclose(actual, expected), (
                            f"{where} line {stmt.lineno}: {actual!r}, the comment says {expected}"
                        )
                    else:
                        assert actual == expected, (
                            f"{where} line {stmt.lineno}: {actual!r}, the comment says {expected!r}"
                        )
                    checked += 1
        else:
            exec(compile(ast.Module([stmt], []), where, "exec"), namespace)
    return checked


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch folder with the repository's procedures, as docs assume the root."""
    (tmp_path / "procedures").symlink_to(ROOT / "procedures", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("doc", ["calendar.md", "engine.md"])
def test_python_examples_run_and_print_what_their_comments_say(doc: str, workdir: Path) -> None:
    checked = 0
    namespace: dict[str, object] = {"__name__": "docs_example"}
    for line, _, body in blocks(ROOT / "docs" / doc, "python"):
        checked += run_checking_comments(body, f"docs/{doc}:{line}", namespace)
    assert checked >= 2  # each page states some values; the check ran on them


def test_a_wrong_value_comment_fails() -> None:
    source = "from datetime import date\ndate(2026, 3, 10)   # date(2026, 3, 11)\n"
    with pytest.raises(AssertionError, match="the comment says"):
        run_checking_comments(source, "x")
    assert run_checking_comments("1.5 + 1   # 2.5 working days\n'a'  # 'a'\n", "x") == 2


# --- shown output ----------------------------------------------------------------------


def test_validate_output_in_cli_md_is_current(
    cli: click.Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    shown = next(
        body
        for _, lang, body in blocks(ROOT / "docs" / "cli.md", "console")
        if body.startswith("$ procflow validate procedures/\n")
    )
    expected = shown.split("\n", 1)[1]
    result = CliRunner().invoke(cli, ["validate", "procedures/"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert result.output == expected, "docs/cli.md: paste the output of procflow validate"
