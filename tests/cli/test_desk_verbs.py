"""The desk's verbs on the command line: ``dossier guide``, ``refuse``,
``set-facts``, ``apologise``, ``sweep --limit``, ``--applicant`` and ``--fact``
checks, and ``./procedures`` not found.

Each verb is run as text and as JSON on the happy path, and with a user
mistake: a clear message naming the culprit, no traceback (exceptions are not
caught by the runner, so one fails the test), and nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

import procflow.cli.main as entry

ROOT = Path(__file__).resolve().parents[2]
PROCS = str(ROOT / "procedures")
PROC_ID = "vn.lien-thong.child-under-6"
CODE = "COMMUNE-PC-260303-00001"
CODE2 = "COMMUNE-PC-260303-00002"
LAN = ("--actor", "lan", "--agency", "commune-pc", "--role", "desk-officer")
HOA = ("--actor", "hoa", "--agency", "commune-pc", "--role", "leader")
POLICE = ("--actor", "an", "--agency", "commune-police", "--role", "leader")

# The entry point's group, with its central error handling; registered once
# (a lazily loading entry point may have nothing to register).
_register = getattr(entry, "_register", None)
if _register is not None:
    _register()
CLI: click.Group = entry.cli


def _runner() -> CliRunner:
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def procflow(*args: str) -> Result:
    result = _runner().invoke(CLI, [*args, "--procedures", PROCS], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def ok(*args: str) -> Result:
    result = procflow(*args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def as_json(*args: str) -> Any:
    return json.loads(ok(*args, "--format", "json").stdout)


def history(db: Path, code: str = CODE) -> list[str]:
    return [e["type"] for e in as_json("dossier", "history", str(db), code)]


def dossier_count(db: Path) -> int:
    return int(as_json("verify", str(db))["checked"])


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """Two dossiers received on Tuesday 3 March 2026 and forwarded to birth
    registration (held by commune-pc, due 17:00 Friday 6 March)."""
    db = tmp_path / "desk.db"
    for code, at in ((CODE, "08:00"), (CODE2, "08:10")):
        ok("dossier", "receive", str(db), PROC_ID, *LAN, "--at", f"2026-03-03T{at}")
        ok("dossier", "fire", str(db), code, "forward", *LAN, "--at", "2026-03-03T09:00")
    return db


# --- guide ---------------------------------------------------------------------------


def test_guide_prints_the_supplement_request_and_starts_no_clock(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    result = ok(
        "dossier", "guide", str(db), PROC_ID, *LAN, "--at", "2026-03-03T08:30",
        "--missing", "Giấy chứng sinh", "--missing", "[bold]Tờ khai CT01",
        "--reason", "bản chính để đối chiếu", "--applicant", '{"name": "Nguyễn Thị Mai"}',
    )  # fmt: skip
    out = result.stdout
    assert f"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ — {CODE}" in out
    assert "no clock started" in out
    assert "- Giấy chứng sinh" in out and "- [bold]Tờ khai CT01" in out  # not rich markup
    assert "reason: bản chính để đối chiếu" in out
    assert "issued 08:30 03/03/2026 by lan@commune-pc/desk-officer" in out

    slip = as_json(
        "dossier", "guide", str(db), PROC_ID, *LAN, "--at", "2026-03-03T08:40",
        "--missing", "Giấy chứng sinh",
    )  # fmt: skip
    assert slip == {
        "code": CODE2,
        "procedure_id": PROC_ID,
        "missing": ["Giấy chứng sinh"],
        "reason": None,
        "contact_officer": "lan@commune-pc/desk-officer",
        "issued_at": "2026-03-03T08:40:00+07:00",
        "during_processing": False,
        "form": "02",
        "form_title": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "legal_basis": "03/2025/TT-VPCP",
    }
    shown = as_json("dossier", "show", str(db), CODE)
    assert (shown["state"], shown["status"]) == ("guided", "closed")
    assert shown["applicant"] == {"name": "Nguyễn Thị Mai"}


# --- refuse --------------------------------------------------------------------------


def test_refuse_prints_the_refusal_slip(tmp_path: Path) -> None:
    db = tmp_path / "desk.db"
    reason = "không thuộc thẩm quyền của UBND xã"
    out = ok(
        "dossier", "refuse", str(db), PROC_ID, *LAN, "--at", "2026-03-03T08:30",
        "--reason", reason,
    ).stdout  # fmt: skip
    assert f"Phiếu từ chối tiếp nhận giải quyết hồ sơ — {CODE}" in out
    assert f"reason: {reason}" in out
    assert "issued 08:30 03/03/2026 by lan@commune-pc/desk-officer" in out

    slip = as_json(
        "dossier", "refuse", str(db), PROC_ID, *LAN, "--at", "2026-03-03T08:40",
        "--reason", reason, "--applicant", '{"name": "Trần Văn B"}',
    )  # fmt: skip
    assert slip == {
        "code": CODE2,
        "procedure_id": PROC_ID,
        "reason": reason,
        "officer": "lan@commune-pc/desk-officer",
        "issued_at": "2026-03-03T08:40:00+07:00",
        "form": "03",
        "form_title": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        "legal_basis": "03/2025/TT-VPCP",
    }
    assert as_json("dossier", "show", str(db), CODE2)["state"] == "refused_at_reception"


# --- set-facts -----------------------------------------------------------------------


def test_set_facts_records_the_facts(desk: Path) -> None:
    result = ok(
        "dossier", "set-facts", str(desk), CODE, *HOA, "--at", "2026-03-03T10:00",
        "--fact", "needs_verification=true", "--fact", "paid=FALSE",
    )  # fmt: skip
    assert f"{CODE}: facts needs_verification=true, paid=false" in result.stdout
    assert "at step birth-registration" in result.stdout
    # needs_verification chooses the 5-day limit: counted from the receipt
    # (Tue 3 March), Wed 4 ... Tue 10 March; the appointment stays.
    assert (
        "time limit now 5 working days: due 17:00 10/03/2026 (was 17:00 06/03/2026); "
        "the appointment given stays 06/03/2026"
    ) in result.stdout
    # A fact that steers nothing is said so (a typo would look the same);
    # needs_verification chooses the bundle's time limit (its cases).
    assert "has no when:/unless: branch on paid;" in result.stderr
    assert "facts it branches on: needs_verification" in result.stderr
    assert history(desk)[-1] == "facts_set"

    data = as_json(
        "dossier", "set-facts", str(desk), CODE2, *HOA, "--at", "2026-03-03T10:00",
        "--fact", "paid=true",
    )  # fmt: skip
    assert data["code"] == CODE2 and data["facts"] == {"paid": True}
    assert data["due_at"] == "2026-03-06T17:00:00+07:00"  # paid chooses no limit
    assert data["state"] == "birth-registration"


# --- apologise -----------------------------------------------------------------------


def test_apologise_prints_the_apology_with_the_new_appointment(desk: Path) -> None:
    out = ok(
        "dossier", "apologise", str(desk), CODE, *HOA, "--at", "2026-03-04T10:00",
        "--reason", "chờ kết quả xác minh", "--new-appointment", "2026-03-10T17:00",
    ).stdout  # fmt: skip
    # An apology of 2026 is Form 04 of Circular 03/2025/TT-VPCP, renamed there.
    title = "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"
    assert f"{title} — {CODE} — Mẫu số 04, Thông tư 03/2025/TT-VPCP" in out
    assert "new appointment: 17:00 10/03/2026 (was 17:00 06/03/2026)" in out
    assert "statutory due date, unchanged: 17:00 06/03/2026" in out
    assert "issued 10:00 04/03/2026 by hoa@commune-pc/leader" in out

    slip = as_json(
        "dossier", "apologise", str(desk), CODE2, *HOA, "--at", "2026-03-04T10:00",
        "--reason", "chờ kết quả xác minh", "--new-appointment", "2026-03-10T17:00+07:00",
    )  # fmt: skip
    assert slip["code"] == CODE2
    assert slip["previous_appointment"] == "2026-03-06T17:00:00+07:00"
    assert slip["new_appointment"] == "2026-03-10T17:00:00+07:00"
    assert slip["statutory_due"] == "2026-03-06T17:00:00+07:00"
    shown = as_json("dossier", "show", str(desk), CODE2)
    assert shown["due_at"] == "2026-03-06T17:00:00+07:00"  # the statutory date stays
    assert shown["appointments"][-1]["due_at"] == "2026-03-10T17:00:00+07:00"


# --- the wrong agency: NotPermitted, nothing written ---------------------------------

RECEPTION_VERBS = {
    "guide": ("--missing", "Giấy chứng sinh"),
    "refuse": ("--reason", "không thuộc thẩm quyền"),
}
DOSSIER_VERBS = {
    "set-facts": ("--fact", "paid=true"),
    "apologise": ("--reason", "chờ xác minh", "--new-appointment", "2026-03-10T17:00"),
}


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("verb", sorted(RECEPTION_VERBS))
def test_reception_by_another_agency_is_refused(
    verb: str, fmt: str, tmp_path: Path, desk: Path
) -> None:
    options = (*POLICE, "--at", "2026-03-03T08:30", *RECEPTION_VERBS[verb], "--format", fmt)
    new = tmp_path / "new.db"
    for db in (new, desk):
        before = dossier_count(desk)
        result = procflow("dossier", verb, str(db), PROC_ID, *options)
        assert result.exit_code == 1
        message = "received at the one-stop desk of 'commune-pc'"
        if fmt == "json":
            error = json.loads(result.stdout)["error"]
            assert error["type"] == "NotPermitted" and message in error["message"]
            assert result.stderr == ""
        else:
            assert result.stderr.startswith("error: ") and message in result.stderr
        assert not new.exists()  # no empty database left behind
        assert dossier_count(desk) == before


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("verb", sorted(DOSSIER_VERBS))
def test_dossier_verbs_by_another_agency_are_refused(verb: str, fmt: str, desk: Path) -> None:
    before = history(desk)
    result = procflow(
        "dossier", verb, str(desk), CODE, *POLICE, "--at", "2026-03-04T10:00",
        *DOSSIER_VERBS[verb], "--format", fmt,
    )  # fmt: skip
    assert result.exit_code == 1
    if fmt == "json":
        error = json.loads(result.stdout)["error"]
        assert error["type"] == "NotPermitted"
        text = error["message"]
    else:
        assert result.stderr.startswith("error: ")
        text = result.stderr
    assert "an@commune-police" in text and "commune-pc" in text
    assert history(desk) == before


# --- other user mistakes: the option named, nothing written ----------------------------

MISTAKES: list[tuple[tuple[str, ...], str]] = [
    (("guide", "NEW", PROC_ID, *LAN), "Missing option '--missing'"),
    (("guide", "NEW", PROC_ID, *LAN, "--missing", " "), "--missing: an empty item"),
    (("refuse", "NEW", PROC_ID, *LAN), "Missing option '--reason'"),
    (("refuse", "NEW", PROC_ID, *LAN, "--reason", "  "), "--reason: give the reason in words"),
    (("refuse", "NEW", PROC_ID, *LAN, "--reason", "x\udcff"), "is not valid UTF-8 text"),
    (("set-facts", "DESK", CODE, *HOA), "Missing option '--fact'"),
    (("set-facts", "DESK", CODE, *HOA, "--fact", "paid=yes"),
     "'paid=yes': write NAME=true or NAME=false"),
    (("set-facts", "DESK", CODE, *HOA, "--fact", "Paid=true"), "'Paid' is not a fact name"),
    (("set-facts", "DESK", CODE, *HOA, "--fact", "paid=true", "--fact", "paid=false"),
     "'paid' is given twice"),
    (("set-facts", "DESK", "NOPE-260303-00001", *HOA, "--fact", "paid=true"),
     "no dossier with code 'NOPE-260303-00001'"),
    (("apologise", "DESK", CODE, *HOA, "--reason", "x", "--new-appointment", "2026-03-10"),
     "'2026-03-10' has no time of day"),
    (("apologise", "DESK", CODE, *HOA, "--reason", "x", "--new-appointment", "next week"),
     "--new-appointment: 'next week' is not an ISO time"),
    (("apologise", "DESK", CODE, *HOA, "--reason", "x", "--new-appointment", "2301-01-01T17:00"),
     "--new-appointment: 2301-01-01 lies outside the working-day calendar"),
    (("apologise", "DESK", CODE, *HOA, "--reason", "x", "--new-appointment", "2026-03-05T17:00"),
     "must be after the current one"),
    (("receive", "NEW", PROC_ID, *LAN, "--fact", "paid=true", "--fact", "paid=true"),
     "'paid' is given twice"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "fragment"), MISTAKES, ids=[" ".join(a[:1] + a[3:]) for a, _ in MISTAKES]
)
def test_user_mistakes_name_the_option(
    args: tuple[str, ...], fragment: str, tmp_path: Path, desk: Path
) -> None:
    new = tmp_path / "new.db"
    db = str(new) if args[1] == "NEW" else str(desk)
    before = history(desk)
    full = ("dossier", args[0], db, *args[2:], "--at", "2026-03-04T10:00")
    result = procflow(*full)
    assert result.exit_code in (1, 2)
    assert fragment in " ".join(result.stderr.split()), result.stderr
    assert not new.exists()
    assert history(desk) == before
    # The same mistake as JSON: one object on stdout, nothing on stderr.
    result = procflow(*full, "--format", "json")
    assert result.exit_code in (1, 2) and result.stderr == ""
    error = json.loads(result.stdout)["error"]
    assert fragment.split(": ", 1)[-1] in error["message"], error


# --- --applicant ------------------------------------------------------------------------

APPLICANTS = {
    "20000-deep": "[" * 20_000 + "]" * 20_000,
    "300-deep": '{"a":' * 300 + "1" + "}" * 300,
    "not-an-object": '["Nguyễn Thị Mai"]',
    "a-string": '"Nguyễn Thị Mai"',
    "not-json": "{name: Mai}",
    "huge-int": '{"id": 123456789012345678901234567890}',
    "nan": '{"age": NaN}',
    "infinite": '{"age": 1e999}',
    "lone-surrogate": '{"name": "\\ud800"}',
    "too-long": json.dumps({"note": "x" * 20_000}),
    "17-deep": '{"a":' * 17 + "1" + "}" * 17,
}
APPLICANT_MESSAGES = {
    "20000-deep": "nests 20,000 levels deep; at most 16 levels below the top",
    "300-deep": "nests 300 levels deep; at most 16 levels below the top",
    "not-an-object": "is not a JSON object",
    "a-string": "is not a JSON object",
    "not-json": "not JSON",
    "huge-int": "applicant['id'] is an integer outside 64 bits",
    "nan": "NaN is not a JSON value",
    "infinite": "too large for a JSON number",
    "lone-surrogate": "unpaired surrogate",
    "too-long": "is too long; at most 16,384",
    "17-deep": "nests more than 16 levels deep",
}
APPLICANT_VERBS = {
    "receive": (),
    "guide": ("--missing", "Giấy chứng sinh"),
    "refuse": ("--reason", "không thuộc thẩm quyền"),
}


@pytest.mark.parametrize("verb", sorted(APPLICANT_VERBS))
@pytest.mark.parametrize("case", sorted(APPLICANTS))
def test_bad_applicant_json_is_a_clear_error(case: str, verb: str, tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    args = ("dossier", verb, str(db), PROC_ID, *LAN, *APPLICANT_VERBS[verb])
    result = procflow(*args, "--applicant", APPLICANTS[case])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "--applicant" in message and APPLICANT_MESSAGES[case] in message, message
    assert not db.exists()
    if verb == "receive":
        result = procflow(*args, "--applicant", APPLICANTS[case], "--format", "json")
        error = json.loads(result.stdout)["error"]
        assert error["type"] == "UsageError" and APPLICANT_MESSAGES[case] in error["message"]


def test_good_applicant_json_is_kept_as_given(tmp_path: Path) -> None:
    applicant = {
        "name": "Nguyễn Thị Mai",
        "id_number": "001234567890",
        "address": {"commune": "Phường Hà Đông", "lines": ["Số 1", "Ngõ 2"]},
        "age": 31,
        "ok": True,
        "nothing": None,
        "deep": json.loads("[" * 10 + "]" * 10),
    }
    db = tmp_path / "desk.db"
    slip = as_json(
        "dossier", "receive", str(db), PROC_ID, *LAN, "--at", "2026-03-03T08:00",
        "--applicant", json.dumps(applicant, ensure_ascii=False),
    )  # fmt: skip
    assert slip["applicant"] == applicant
    assert as_json("verify", str(db))["ok"] is True


# --- sweep --limit ------------------------------------------------------------------------


@pytest.fixture
def three_due(tmp_path: Path) -> Path:
    """Three dossiers received on 3 March and left at reception: by Monday 9
    March each has two alerts due (step overdue, dossier overdue; the warning of
    a deadline already past is not written: issue 19, a sweep after the deadline)."""
    db = tmp_path / "due.db"
    for at in ("08:00", "08:10", "08:20"):
        ok("dossier", "receive", str(db), PROC_ID, *LAN, "--at", f"2026-03-03T{at}")
    return db


def test_sweep_with_a_small_limit_says_how_many_remain(three_due: Path) -> None:
    sweep = ("sweep", str(three_due), "--at", "2026-03-09T09:00", "--limit", "1")
    first = ok(*sweep)
    assert first.stdout.count(f"{CODE}:") == 2 and "2 event(s)" in first.stdout
    assert "warned" not in first.stdout
    assert "note: 2 more due dossier(s) were not looked at (--limit 1)" in first.stderr
    assert "run procflow sweep again, or with a larger --limit" in first.stderr
    second = ok(*sweep)
    assert f"{CODE2}:" in second.stdout
    assert "note: 1 more due dossier(s)" in second.stderr
    third = ok(*sweep)
    assert "2 event(s)" in third.stdout and third.stderr == ""
    fourth = ok(*sweep)
    assert "0 event(s)" in fourth.stdout and fourth.stderr == ""


def test_sweep_json_has_the_remaining_count(three_due: Path) -> None:
    sweep = ("sweep", str(three_due), "--at", "2026-03-09T09:00")
    data = as_json(*sweep, "--limit", "2")
    assert {e["code"] for e in data["events"]} == {CODE, CODE2}
    assert (data["limit"], data["remaining"], data["remaining_exact"]) == (2, 1, True)
    data = as_json(*sweep)  # the default limit, 1,000
    assert [e["code"] for e in data["events"]] == ["COMMUNE-PC-260303-00003"] * 2
    assert (data["limit"], data["remaining"], data["remaining_exact"]) == (1000, 0, True)


def test_sweep_limit_must_be_positive(three_due: Path) -> None:
    result = procflow("sweep", str(three_due), "--limit", "0")
    assert result.exit_code == 2 and "--limit" in result.stderr


# --- run outside the repository root -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_procedures_folder_says_where_it_looked(
    fmt: str, desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    runner = _runner()
    for args in (
        ("dossier", "show", str(desk), CODE),
        ("dossier", "receive", "new.db", PROC_ID, *LAN),
        ("sweep", str(desk)),
    ):
        result = runner.invoke(CLI, [*args, "--format", fmt], catch_exceptions=False)
        assert result.exit_code == 1
        if fmt == "json":
            assert result.stderr == ""
            message = json.loads(result.stdout)["error"]["message"]
        else:
            assert result.stderr.startswith("error: ")
            message = result.stderr
        assert "./procedures" in message and str((elsewhere / "procedures").resolve()) in message
        assert "--procedures DIR" in message and "repository root" in message
    assert list(elsewhere.iterdir()) == []  # no new.db
