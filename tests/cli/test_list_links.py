"""``procflow list --format md -o FILE``: every link resolves from FILE's folder."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from procflow.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)]+)\)")


@pytest.mark.parametrize("where", ["here.md", "a/b/c/library.md", "ABSOLUTE"])
def test_links_resolve_from_the_written_file(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    target = tmp_path / "elsewhere" / "library.md" if where == "ABSOLUTE" else tmp_path / where
    target.parent.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(
        cli, ["list", "procedures", "--format", "md", "-o", str(target)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # the table went to the file
    links = LINK.findall(target.read_text(encoding="utf-8"))
    assert len(links) >= 12
    for link in links:
        resolved = (target.parent / unquote(link)).resolve()
        assert resolved.is_file(), f"{link} does not resolve from {target.parent}"
        assert resolved.is_relative_to(ROOT / "procedures")


def test_links_from_another_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "docs" / "procedures.md"
    target.parent.mkdir()
    result = CliRunner().invoke(
        cli,
        ["list", str(ROOT / "procedures" / "residence"), "--format", "md", "-o", str(target)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    links = LINK.findall(target.read_text(encoding="utf-8"))
    assert links and all((target.parent / unquote(x)).resolve().is_file() for x in links)


def test_other_formats_go_to_the_file_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for fmt in ("json", "table"):
        target = tmp_path / f"list.{fmt}"
        result = CliRunner().invoke(
            cli, ["list", "procedures/residence", "--format", fmt, "-o", str(target)]
        )
        assert result.exit_code == 0 and result.stdout == ""
        assert "7 working days" in target.read_text(encoding="utf-8")


def test_links_on_standard_output_resolve_where_it_is_redirected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `procflow list procedures --format md > library.md`, run at the root.
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["list", "procedures", "--format", "md"])
    assert result.exit_code == 0, result.output
    links = LINK.findall(result.stdout)
    assert len(links) >= 12
    assert all((ROOT / unquote(x)).resolve().is_file() for x in links)
    # --links-from: the table pasted into docs/procedures.md.
    result = CliRunner().invoke(
        cli, ["list", "procedures", "--format", "md", "--links-from", "docs"]
    )
    links = LINK.findall(result.stdout)
    assert links and all((ROOT / "docs" / unquote(x)).resolve().is_file() for x in links)
