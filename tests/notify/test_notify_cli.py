"""``procflow notify`` as an operator runs it: from cron, from several workers
at once, with --format json, and with a configuration that has a mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from notify_flow import CATALOGUE_FILES, MAI, VN, receive
from notify_servers import HTTPSink

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Engine, VirtualClock
from procflow.store import SQLiteStore


def procflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "procflow.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=300,
    )


def desk_db(path: Path, dossiers: int, catalogue: Catalogue, calendar: WorkCalendar) -> list[str]:
    clock = VirtualClock(datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    with SQLiteStore(path) as store:
        engine = Engine(store, catalogue, calendar, clock)
        return [receive(engine, {**MAI, "name": f"Người {i}"}) for i in range(dossiers)]


def config_file(tmp_path: Path, http: HTTPSink) -> Path:
    path = tmp_path / "notify.yaml"
    path.write_text(
        f"""
channels:
  sms:
    type: webhook
    url: {http.url}
  archive:
    type: file
    path: notices.jsonl
citizen:
  channels: [sms, archive]
retry:
  batch: 2
  jitter: 0
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_paths(CATALOGUE_FILES)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar.vietnam()


def test_a_run_prints_what_it_did_and_a_second_has_nothing_to_do(
    tmp_path: Path, http: HTTPSink, catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    codes = desk_db(tmp_path / "desk.db", 3, catalogue, calendar)
    config = config_file(tmp_path, http)
    procs = str(CATALOGUE_FILES[0])
    done = procflow(
        "notify",
        "desk.db",
        "--config",
        str(config),
        "--procedures",
        procs,
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    assert (run["fanned_out"], run["planned"], run["sent"], run["dead"]) == (3, 6, 6, 0)
    assert http.keys() == Counter({f"{c}:1:sms:applicant": 1 for c in codes})
    archived = [json.loads(x) for x in (tmp_path / "notices.jsonl").read_text().splitlines()]
    assert sorted(a["key"] for a in archived) == sorted(f"{c}:1:archive:applicant" for c in codes)
    assert "Liên thông đăng ký khai sinh" in archived[0]["text"]  # names from --procedures
    again = procflow("notify", "desk.db", "--config", str(config), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == (
        "0 outbox item(s) fanned out into 0 delivery(ies); 0 sent; 0 to retry; 0 dead"
    )


def test_two_worker_processes_deliver_each_key_once(
    tmp_path: Path, http: HTTPSink, catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    codes = desk_db(tmp_path / "desk.db", 16, catalogue, calendar)
    config = config_file(tmp_path, http)
    http.delay = 0.02
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "procflow.cli.main",
                "notify",
                "desk.db",
                "--config",
                str(config),
                "--format",
                "json",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    runs = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        runs.append(json.loads(out))
    assert http.keys() == Counter({f"{c}:1:sms:applicant": 1 for c in codes})
    lines = (tmp_path / "notices.jsonl").read_text().splitlines()
    assert Counter(json.loads(x)["key"] for x in lines) == Counter(
        {f"{c}:1:archive:applicant": 1 for c in codes}
    )
    assert sum(r["sent"] for r in runs) == 32 and sum(r["lost"] for r in runs) == 0


def test_dead_letters_are_listed_and_requeued(
    tmp_path: Path, http: HTTPSink, catalogue: Catalogue, calendar: WorkCalendar
) -> None:
    (code,) = desk_db(tmp_path / "desk.db", 1, catalogue, calendar)
    config = config_file(tmp_path, http)
    http.answer = lambda n: 422  # the gateway will not take it: dead at once
    first = procflow("notify", "desk.db", "--config", str(config), cwd=tmp_path)
    assert first.returncode == 0
    assert "1 sent; 0 to retry; 1 dead" in first.stdout
    assert f"note: {code}:1:sms:applicant: {http.url} answered 422" in first.stderr
    dead = procflow("notify", "desk.db", "--dead", "--format", "json", cwd=tmp_path)
    assert dead.returncode == 0, dead.stderr
    (letter,) = json.loads(dead.stdout)
    assert letter["key"] == f"{code}:1:sms:applicant" and letter["attempts"] == 1
    assert letter["address"] == MAI["phone"]
    text = procflow("notify", "desk.db", "--dead", cwd=tmp_path)
    assert "1 dead delivery(ies)" in text.stdout and "--retry-dead" in text.stdout
    http.answer = lambda n: 200
    retried = procflow(
        "notify",
        "desk.db",
        "--config",
        str(config),
        "--retry-dead",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert retried.returncode == 0, retried.stderr
    assert json.loads(retried.stdout)["sent"] == 1
    assert http.keys() == Counter({f"{code}:1:sms:applicant": 2})


def test_a_configuration_mistake_is_an_error_message_not_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "notify.yaml"
    config.write_text("channels:\n  email:\n    type: smtp\n    port: 25\n", encoding="utf-8")
    done = procflow("notify", "desk.db", "--config", str(config), cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"error: {config}: 2 error(s)" in done.stderr
    assert "channels.email.host: Field required" in done.stderr
    assert "channels.email.from: Field required" in done.stderr
    args = ["notify", "desk.db", "--config", str(config), "--format", "json"]
    as_json = procflow(*args, cwd=tmp_path)
    error = json.loads(as_json.stdout)["error"]
    assert error["type"] == "NotifyConfigError" and "channels.email.host" in error["message"]
    missing = procflow("notify", "desk.db", cwd=tmp_path)
    assert missing.returncode == 2 and "--config FILE" in missing.stderr
