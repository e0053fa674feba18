"""Every file in broken/ must produce exactly the findings its markers announce.

A marker is a trailing comment ``# <- code`` (or ``# <- code1, code2``) on
the line where the finding must be reported. The set of (code, line) pairs
of all findings, of every severity, must equal the set of markers: nothing
missing, nothing extra, so each file pins both the code and the line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from procflow.definition.loader import load_procedure

from .conftest import BROKEN

_MARKER = re.compile(rb"#\s*<-\s*([a-z0-9,\s-]+?)\s*$")


def _expected(path: Path) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        match = _MARKER.search(line)
        if match:
            for code in match.group(1).decode().split(","):
                out.add((code.strip(), number))
    return out


FILES = sorted(BROKEN.glob("*.yaml"))


def test_the_broken_folder_is_populated() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_broken_file_reports_exactly_its_markers(path: Path) -> None:
    expected = _expected(path)
    assert expected, f"{path.name} has no '# <- code' marker"
    result = load_procedure(path)
    got = {(f.code, f.line) for f in result.findings}
    assert got == expected, "\n".join(str(f) for f in result.findings)
    for finding in result.findings:
        assert finding.file == str(path)
        assert finding.message
        assert finding.column is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_broken_file_fails_or_only_warns(path: Path) -> None:
    """Files whose markers are all warnings load; the others do not pass."""
    result = load_procedure(path)
    if any(f.is_error for f in result.findings):
        assert not result.ok
    else:
        assert result.ok
