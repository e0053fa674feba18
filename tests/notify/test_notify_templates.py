"""Templates per notice and language: every notice renders in vi and en from a
real dossier's events, dates read the human way, and a province's own
templates replace the built-in ones file by file."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from notify_flow import DESK, VN, escalate, every_notice, receive
from notify_setup import config_for

from procflow.engine import Engine, VirtualClock
from procflow.model.outbox import DeliveryStatus
from procflow.notify import notify
from procflow.notify.config import CITIZEN_NOTICES, OFFICER_NOTICES
from procflow.notify.dates import human, human_day

T0 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def test_dates_read_the_way_a_slip_prints_them() -> None:
    at = datetime(2026, 3, 6, 17, 0, tzinfo=VN)
    assert human(at) == "17:00 thứ Sáu, 06/03/2026"
    assert human(at, "en") == "17:00 Friday, 6 March 2026"
    assert human("2026-03-08T07:05:00+07:00") == "07:05 Chủ nhật, 08/03/2026"
    assert human_day(at) == "thứ Sáu, 06/03/2026"
    assert human(None) == ""


VI_LINE = re.compile(
    r"(\d\d):(\d\d) (thứ Hai|thứ Ba|thứ Tư|thứ Năm|thứ Sáu|thứ Bảy|Chủ nhật), "
    r"(\d\d)/(\d\d)/(\d{4})"
)
VI_DAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)
def test_a_human_date_names_the_instant_in_its_own_offset(naive: datetime, minutes: int) -> None:
    at = naive.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    found = VI_LINE.fullmatch(human(at))
    assert found is not None
    hh, mm, day, dd, mo, yyyy = found.groups()
    assert (int(yyyy), int(mo), int(dd), int(hh), int(mm)) == (
        at.year,
        at.month,
        at.day,
        at.hour,
        at.minute,
    )
    assert VI_DAYS.index(day) == at.weekday()


@pytest.mark.parametrize("backend", ["memory"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_notice_renders_in_each_language(
    engine: Engine, clock: VirtualClock, tmp_path: Path, language: str
) -> None:
    codes = every_notice(engine, clock)
    escalate(engine, codes[-1], clock, ["leader", "officer"])
    path = tmp_path / "notices.jsonl"
    config = config_for(file=path, language=language)
    for officer in config.officers:
        officer.language = language  # type: ignore[assignment]
    run = notify(engine.store, config, catalogue=engine.catalogue, now=T0)
    assert run.dead == 0 and run.sent > 0
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert {line["kind"] for line in lines} == set(CITIZEN_NOTICES) | set(OFFICER_NOTICES)
    for line in lines:
        assert line["language"] == language
        assert line["subject"] and "\n" not in line["subject"]
        text = line["text"]
        assert "None" not in text and "{" not in text and "\n\n\n" not in text, text
        assert line["dossier"] in text, text
    # The names come from the procedure, in the reader's language.
    desk = "UBND cấp xã" if language == "vi" else "Commune People's Committee"
    assert all(desk in line["subject"] for line in lines if line["kind"] != "apology")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_provinces_template_replaces_one_built_in_file(engine: Engine, tmp_path: Path) -> None:
    own = tmp_path / "templates"
    (own / "vi").mkdir(parents=True)
    (own / "vi" / "receipt.txt").write_text(
        "Tỉnh X: đã nhận hồ sơ {{ code }}\nHẹn {{ appointment | when }}.\n", encoding="utf-8"
    )
    path = tmp_path / "notices.jsonl"
    code = receive(engine)
    engine.fire(code, "forward", DESK)
    config = config_for(file=path, templates=str(own), base_dir=tmp_path)
    notify(engine.store, config, now=T0)
    (line,) = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert line["subject"] == f"Tỉnh X: đã nhận hồ sơ {code}"
    assert line["text"] == "Hẹn 17:00 thứ Sáu, 06/03/2026.\n"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_template_mistake_is_a_dead_letter_until_mended_and_requeued(
    engine: Engine, tmp_path: Path
) -> None:
    own = tmp_path / "templates"
    (own / "vi").mkdir(parents=True)
    receipt = own / "vi" / "receipt.txt"
    receipt.write_text("Hồ sơ {{ code }}\nHẹn {{ apointment | when }}.\n", encoding="utf-8")
    path = tmp_path / "notices.jsonl"
    code = receive(engine)
    config = config_for(file=path, templates=str(own), base_dir=tmp_path)
    run = notify(engine.store, config, now=T0)
    assert (run.planned, run.sent, run.dead) == (1, 0, 0)  # dead when planned, not sent
    (delivery,) = engine.store.deliveries()
    assert delivery.status is DeliveryStatus.DEAD
    assert "vi/receipt.txt" in (delivery.last_error or "")
    assert "apointment" in (delivery.last_error or "")
    assert not path.exists()
    receipt.write_text("Hồ sơ {{ code }}\nHẹn {{ appointment | when }}.\n", encoding="utf-8")
    assert engine.store.delivery_requeue(T0) == 1
    again = notify(engine.store, config, now=T0)
    assert again.sent == 1
    (line,) = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert line["subject"] == f"Hồ sơ {code}" and line["text"] == "Hẹn 17:00 thứ Sáu, 06/03/2026.\n"
