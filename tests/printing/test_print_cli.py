"""``procflow dossier print``: a dossier's papers and the register from a real
SQLite file, and one-line errors for what cannot be printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from printcase import APPLICANT, ROOT, Desk

from procflow.cli.main import cli

PROCEDURES = str(ROOT / "procedures")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["dossier", "print", *args, "--procedures", PROCEDURES])


def test_it_prints_a_receipt_as_text_for_a_receipt_printer(desk: Desk, db: Path) -> None:
    result = run(str(db), desk.new.code, "--format", "text", "--width", "42", "--place", "An Bình")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 42 for line in lines)
    text = " ".join(result.stdout.split())
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and desk.new.code in text
    assert "UBND CẤP XÃ" in text  # the desk agency's name from the procedure
    assert "An Bình, ngày 03 tháng 03 năm 2026" in text
    assert f"Tiếp nhận hồ sơ của: {APPLICANT['name']}" in text


def test_it_writes_each_paper_to_a_file(desk: Desk, db: Path, tmp_path: Path) -> None:
    officers = tmp_path / "officers.json"
    officers.write_text(json.dumps([{"id": "minh", "name": "Lê Quang Minh"}]), encoding="utf-8")
    for slip, code, expected in (
        ("control", desk.old.code, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        ("apology", desk.old.code, "Lê Quang Minh"),
        ("stop", desk.old.code, "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
        ("supplement", desk.guided.code, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        ("refusal", desk.refused.code, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
    ):
        out = tmp_path / f"{slip}.html"
        result = run(
            str(db),
            code,
            "--slip",
            slip,
            "--officers",
            str(officers),
            "--parent",
            "UBND tỉnh An Giang",
            "-o",
            str(out),
        )
        assert result.exit_code == 0, result.output
        assert result.stderr == f"wrote {out}\n"
        html = out.read_text(encoding="utf-8")
        assert html.startswith("<!doctype html>") and expected in html, slip
        assert code in html and "UBND TỈNH AN GIANG" in html


def test_it_prints_the_register_without_a_code(desk: Desk, db: Path) -> None:
    result = run(str(db), "--slip", "register", "--as-of", "2026-03-04", "--format", "text")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Mẫu số 07" in text and "SỔ THEO DÕI HỒ SƠ" in text and "Tổng số: 3 hồ sơ" in text
    old = run(
        str(db),
        "--slip",
        "register",
        "--as-of",
        "2025-09-14",
        "--to",
        "2025-09-13",
        "--format",
        "text",
        "--lang",
        "en",
    )
    assert old.exit_code == 0, old.output
    text = " ".join(old.stdout.split())
    assert "Form No. 06" in text and "Circular No. 01/2018/TT-VPCP" in text
    assert "Total: 1 dossiers" in text


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--slip", "refusal"], 1, "has no refusal slip: it was received"),
        (["--slip", "stop"], 1, "neither stopped nor withdrawn"),
        (["--slip", "register"], 2, "the register lists every dossier of DB: leave out CODE"),
        (["--templates", "/nonexistent"], 2, "'/nonexistent' does not exist"),
    ],
)
def test_what_cannot_be_printed_is_one_line_saying_why(
    desk: Desk, db: Path, args: list[str], code: int, message: str
) -> None:
    result = run(str(db), desk.new.code, *args)
    assert result.exit_code == code
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_a_missing_code_an_unknown_one_and_a_bad_officers_file(
    desk: Desk, db: Path, tmp_path: Path
) -> None:
    missing = run(str(db))
    assert missing.exit_code == 2 and "give the dossier's CODE" in missing.stderr
    unknown = run(str(db), "NOPE-260303-00001")
    assert unknown.exit_code == 1 and "no dossier with code 'NOPE-260303-00001'" in unknown.stderr
    bad = tmp_path / "officers.json"
    bad.write_text('{"lan": "Lan",\n', encoding="utf-8")
    result = run(str(db), desk.new.code, "--officers", str(bad))
    assert result.exit_code == 1
    assert f"{bad} line 2: not JSON" in result.stderr
