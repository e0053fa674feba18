"""Effective windows: overlaps and gaps are findings naming both versions and
files; receipt picks the version in force on the local day of receipt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from versionstest import DISTRICT, EXAMPLES, NEW_FILE, OLD_FILE, PID, ROOT, VN, make_engine

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.errors import UnknownProcedure
from procflow.store import MemoryStore
from procflow.versions.windows import check_paths, check_windows


def _copy(tmp_path: Path, src: Path, name: str, **replace: str) -> Path:
    text = src.read_text("utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    out = tmp_path / name
    out.write_text(text, "utf-8")
    return out


def test_shipped_and_example_catalogues_are_clean() -> None:
    assert check_paths([ROOT / "procedures", EXAMPLES]) == []
    assert check_windows(Catalogue.from_paths([EXAMPLES])) == []


def test_overlap_names_both_versions_and_files(tmp_path: Path) -> None:
    _copy(tmp_path, OLD_FILE, "old.yaml")
    new = _copy(
        tmp_path,
        NEW_FILE,
        "new.yaml",
        **{"effective_from: 2025-07-01": "effective_from: 2025-06-15"},
    )
    findings = check_paths([tmp_path])
    assert [f.code for f in findings] == ["version-overlap"]
    f = findings[0]
    assert "2021-01" in f.message and "2025-07" in f.message
    assert "old.yaml" in f.message and "new.yaml" in f.message
    assert "from 2025-06-15 to 2025-06-30" in f.message
    assert (
        f.file == str(new)
        and f.line == new.read_text().splitlines().index("effective_from: 2025-06-15") + 1
    )
    assert f.hint and "2025-06-14" in f.hint


def test_gap_is_a_finding(tmp_path: Path) -> None:
    _copy(tmp_path, OLD_FILE, "old.yaml")
    _copy(
        tmp_path,
        NEW_FILE,
        "new.yaml",
        **{"effective_from: 2025-07-01": "effective_from: 2025-07-03"},
    )
    findings = check_paths([tmp_path])
    assert [f.code for f in findings] == ["version-gap"]
    assert "no version is in force from 2025-07-01 to 2025-07-02" in findings[0].message


def test_open_ended_versions_overlap_and_duplicates(tmp_path: Path) -> None:
    _copy(tmp_path, OLD_FILE, "old.yaml", **{"effective_to: 2025-06-30\n": ""})
    _copy(tmp_path, NEW_FILE, "new.yaml")
    _copy(tmp_path, NEW_FILE, "copy.yaml")
    codes = sorted(f.code for f in check_paths([tmp_path]))
    assert codes == ["duplicate-version", "version-overlap"]


def test_in_force_refuses_overlapping_versions() -> None:
    cat = Catalogue.from_paths([EXAMPLES])
    old, new = (c.procedure for c in cat.versions(PID))
    clash = Catalogue([old, new.model_copy(update={"effective_from": dt.date(2025, 6, 1)})])
    with pytest.raises(UnknownProcedure, match="ambiguous") as info:
        clash.in_force(PID, dt.date(2025, 6, 10))
    assert "2021-01" in str(info.value) and "2025-07" in str(info.value)
    assert clash.in_force(PID, dt.date(2025, 5, 31)).version == "2021-01"
    assert clash.in_force(PID, dt.date(2025, 7, 1)).version == "2025-07"


def test_in_force_answers_again_after_a_version_is_added() -> None:
    """The catalogue remembers its answers per day; adding a version forgets them."""
    cat = Catalogue.from_paths([EXAMPLES])
    old, new = (c.procedure for c in cat.versions(PID))
    growing = Catalogue([old])
    day = dt.date(2025, 7, 10)
    with pytest.raises(UnknownProcedure, match="no version"):
        growing.in_force(PID, day)
    assert growing.in_force(PID, dt.date(2025, 6, 10)).version == "2021-01"
    growing.add(new)
    assert growing.in_force(PID, day).version == "2025-07"
    growing.add(new.model_copy(update={"version": "2025-07b"}))
    with pytest.raises(UnknownProcedure, match="ambiguous"):
        growing.in_force(PID, day)


@pytest.mark.parametrize(
    ("instant", "version", "desk"),
    [
        (dt.datetime(2025, 6, 30, 8, 0, tzinfo=VN), "2021-01", "district-pc"),
        (dt.datetime(2025, 6, 30, 23, 59, tzinfo=VN), "2021-01", "district-pc"),
        (dt.datetime(2025, 7, 1, 0, 0, tzinfo=VN), "2025-07", "commune-pc"),
        # 17:30 UTC on 30 June is 00:30 on 1 July in Viet Nam: the local day counts.
        (dt.datetime(2025, 6, 30, 17, 30, tzinfo=dt.UTC), "2025-07", "commune-pc"),
        (dt.datetime(2025, 7, 1, 8, 0, tzinfo=VN), "2025-07", "commune-pc"),
    ],
)
def test_receipt_on_the_last_and_first_day(
    calendar: WorkCalendar, instant: dt.datetime, version: str, desk: str
) -> None:
    engine = make_engine(MemoryStore(), calendar, "2025-06-01T08:00")
    engine.clock.set(instant)  # type: ignore[attr-defined]
    actor = DISTRICT if desk == "district-pc" else DISTRICT.__class__("hoa", desk)
    slip = engine.receive(PID, actor=actor)
    assert slip.procedure_version == version
    assert engine.get(slip.code).procedure_version == version
    if version == "2021-01":
        # The old desk cannot receive under the new version, nor the new desk under the old.
        with pytest.raises(Exception, match="one-stop desk of 'district-pc'"):
            engine.receive(PID, actor=DISTRICT.__class__("hoa", "commune-pc"))
