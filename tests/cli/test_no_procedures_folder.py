"""Run away from the repository root, commands that look procedures up in
./procedures say so, and how to fix it, instead of a bare "no such file"."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from procflow.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
OVERLAY = str(ROOT / "procedures" / "calendars" / "example-province.yaml")
MAPPING = str(ROOT / "examples" / "versions" / "mapping.yaml")


@pytest.mark.parametrize(
    "args",
    [
        ["diff", "vn.residence.permanent-registration@1", "vn.residence.permanent-registration@2"],
        ["sheet", "vn.residence.permanent-registration"],
        ["diagram", "vn.residence.permanent-registration"],
        ["migrate", "{db}", MAPPING, "--dry-run"],
        ["recalc", "{db}", "--calendar", OVERLAY],
    ],
)
def test_the_missing_procedures_folder_is_named(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "desk.db"
    from procflow.store.url import open_store

    open_store(db).close()  # an empty procflow database
    argv = [a.replace("{db}", str(db)) for a in args]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    message = result.stderr
    assert message.startswith("error: ") and "Traceback" not in message
    assert "./procedures" in message and str(tmp_path) in message
    assert "repository root" in message and "--procedures DIR" in message
