"""The configuration file: every mistake named with the file and the field."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from notify_setup import config_for

from procflow.errors import ProcflowError
from procflow.notify import NotifyConfigError, load_config, notify
from procflow.notify.config import Retry
from procflow.store import MemoryStore

GOOD = """
language: vi
channels:
  email:
    type: smtp
    host: 127.0.0.1
    port: 2525
    from: Bộ phận một cửa <motcua@xa.example.vn>
  sms:
    type: webhook
    url: http://127.0.0.1:8080/sms
citizen:
  channels: [email, sms]
officers:
  - id: minh
    agency: commune-pc
    roles: [leader]
    email: minh@xa.example.vn
officer_channels: [email]
retry:
  max_attempts: 5
"""


def write(tmp_path: Path, text: str, name: str = "notify.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_reads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert set(config.channels) == {"email", "sms"}
    assert config.channels["email"].address_field == "email"
    assert config.channels["sms"].address_field == "phone"
    assert config.retry.max_attempts == 5 and config.base_dir == tmp_path.resolve()


def test_json_reads_as_well(tmp_path: Path) -> None:
    data = {
        "channels": {"log": {"type": "file", "path": "out.jsonl"}},
        "citizen": {"channels": ["log"]},
    }
    config = load_config(write(tmp_path, json.dumps(data), "notify.json"))
    assert config.citizen.channels == ["log"]


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [
        (("port: 2525", "port: twenty"), "channels.email.port", "valid integer"),
        (("type: smtp", "type: pigeon"), "channels.email.type", "known: file, smtp, webhook"),
        (("port: 2525", "port: 2525\n    prot: 1"), "channels.email.prot", "not a known setting"),
        (
            ("citizen:\n  channels: [email, sms]", "citizen:\n  channels: [email, zalo]"),
            "citizen.channels.1",
            "no channel 'zalo'",
        ),
        (
            ("url: http://127.0.0.1:8080/sms", "url: file:///etc/passwd"),
            "channels.sms.url",
            "http:// or https://",
        ),
        (
            ("retry:\n  max_attempts: 5", "retry:\n  max_attempts: 5\n  lease_seconds: 10"),
            "retry.lease_seconds",
            "at least 30",
        ),
        (("  - id: minh", "  - id: Minh Tran"), "officers.0.id", "pattern"),
        (("language: vi", "language: fr"), "language", "'vi' or 'en'"),
        (("language: vi", "langauge: vi"), "langauge", "not a known setting"),
    ],
)
def test_each_mistake_names_the_file_and_the_field(
    tmp_path: Path, change: tuple[str, str], where: str, what: str
) -> None:
    assert change[0] in GOOD
    path = write(tmp_path, GOOD.replace(change[0], change[1]))
    with pytest.raises(NotifyConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: 1 error(s)"), message
    assert f"  {where}: " in message and what in message, message
    assert isinstance(caught.value, ProcflowError)


def test_all_mistakes_are_told_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("port: 2525", "port: 0").replace("[email, sms]", "[email, fax]")
    with pytest.raises(NotifyConfigError, match=r"2 error\(s\)"):
        load_config(write(tmp_path, text))


@pytest.mark.parametrize(
    ("text", "what"),
    [("- just\n- a list\n", "expected a mapping"), ("channels: [unclosed", "not valid YAML")],
)
def test_a_file_that_is_not_a_configuration(tmp_path: Path, text: str, what: str) -> None:
    with pytest.raises(NotifyConfigError, match=what):
        load_config(write(tmp_path, text))


def test_a_missing_file_says_where_the_format_is(tmp_path: Path) -> None:
    with pytest.raises(NotifyConfigError, match=r"docs/notifications\.md"):
        load_config(tmp_path / "nope.yaml")


def test_secrets_come_from_the_environment_and_a_missing_one_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = config_for(
        channels={
            "email": {
                "type": "smtp",
                "host": "127.0.0.1",
                "from": "a@b.vn",
                "username": "motcua",
                "password_env": "PROCFLOW_TEST_SMTP_PASSWORD",
            }
        },
        citizen={"channels": ["email"]},
        officer_channels=[],
    )
    monkeypatch.delenv("PROCFLOW_TEST_SMTP_PASSWORD", raising=False)
    with pytest.raises(NotifyConfigError, match=r"PROCFLOW_TEST_SMTP_PASSWORD.*not set"):
        notify(MemoryStore(outbox=True), config)


@given(
    first=st.floats(min_value=0.1, max_value=3600),
    factor=st.floats(min_value=1, max_value=1e6),
    ceiling=st.floats(min_value=1, max_value=30 * 86400),
    jitter=st.floats(min_value=0, max_value=1),
)
def test_backoff_grows_and_stays_within_its_bounds(
    first: float, factor: float, ceiling: float, jitter: float
) -> None:
    exact = Retry(first_seconds=first, factor=factor, max_seconds=ceiling, jitter=0)
    waits = [exact.delay(n).total_seconds() for n in range(1, 60)]
    assert waits == sorted(waits)  # never shorter than the wait before
    assert waits[0] == pytest.approx(min(first, ceiling), abs=1e-6)  # to the microsecond
    assert max(waits) <= ceiling + 1e-6
    moved = Retry(first_seconds=first, factor=factor, max_seconds=ceiling, jitter=jitter)
    rng = random.Random(7)
    for n in (1, 5, 50):
        base = exact.delay(n).total_seconds()
        assert base * (1 - jitter) - 1e-6 <= moved.delay(n, rng).total_seconds()
        assert moved.delay(n, rng).total_seconds() <= base * (1 + jitter) + 1e-6
