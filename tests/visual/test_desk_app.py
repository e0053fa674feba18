"""The one-stop desk example through Flask's test client (no browser)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from visualtest import APPOINTMENT_TEXT, BUNDLE, MONDAY_MORNING, VN, desk_module

from procflow.engine import VirtualClock

pytest.importorskip("flask")


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(MONDAY_MORNING)


@pytest.fixture
def app(tmp_path: Path, clock: VirtualClock) -> Any:
    return desk_module("app").create_app(tmp_path / "desk.db", clock=clock, secret_key="t")


def _login(client: Any, officer: str) -> None:
    assert client.post("/login", data={"officer": officer}).status_code == 302


def _alerts(html: str) -> list[str]:
    return re.findall(r'class="flash (\w+)" role="alert">([^<]*)<', html)


def _field(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert match, element_id
    return match.group(1).strip()


def _receive(client: Any) -> str:
    response = client.post("/receive", data={"procedure": BUNDLE, "applicant": "Mai"})
    assert response.status_code == 302
    return str(response.location.rsplit("/", 1)[1])


def test_officer_pages_need_a_sign_in(app: Any) -> None:
    client = app.test_client()
    response = client.get("/officer")
    assert response.status_code == 302 and "/login" in response.location
    assert client.post("/login", data={"officer": "nobody"}).status_code == 302
    assert client.get("/officer").status_code == 302


def test_receipt_slip(app: Any) -> None:
    client = app.test_client()
    _login(client, "lan")
    assert BUNDLE in client.get("/officer").text
    code = _receive(client)
    slip = client.get(f"/slip/{code}").text
    assert _field(slip, "appointment") == APPOINTMENT_TEXT
    assert "Giấy chứng sinh" in slip  # the documents to bring


def test_only_the_desk_receives(app: Any) -> None:
    client = app.test_client()
    _login(client, "thu")  # social insurance: no procedure has its desk there
    assert 'id="receive-form"' not in client.get("/officer").text
    response = client.post("/receive", data={"procedure": BUNDLE}, follow_redirects=True)
    [(kind, message)] = _alerts(response.text)
    assert kind == "error" and "one-stop desk of &#39;commune-pc&#39;" in message


def test_buttons_are_what_the_engine_allows_and_the_rest_is_refused(app: Any) -> None:
    client = app.test_client()
    _login(client, "lan")
    code = _receive(client)
    page = client.get(f"/dossier/{code}").text
    assert 'id="fire-forward"' in page
    for trigger in ("forward", "register", "send"):
        client.post(f"/dossier/{code}/fire", data={"trigger": trigger})
    page = client.get(f"/dossier/{code}").text
    assert _field(page, "holder") == "Công an cấp xã"
    assert 'id="fire-register"' not in page
    response = client.post(
        f"/dossier/{code}/fire", data={"trigger": "register"}, follow_redirects=True
    )
    [(kind, message)] = _alerts(response.text)
    assert kind == "error" and message.startswith("NotPermitted: lan@commune-pc")
    police = app.test_client()
    _login(police, "minh")
    assert 'id="fire-register"' in police.get(f"/dossier/{code}").text
    assert police.get(f"/dossier/{code}/diagram.svg").mimetype == "image/svg+xml"


def test_supplement_request_and_apology(app: Any, clock: VirtualClock) -> None:
    client = app.test_client()
    _login(client, "lan")
    code = _receive(client)
    client.post(f"/dossier/{code}/fire", data={"trigger": "forward"})
    page = client.get(f"/dossier/{code}").text
    assert 'id="missing-request_supplement"' in page
    client.post(
        f"/dossier/{code}/fire",
        data={"trigger": "request_supplement", "missing": "Giấy chứng sinh; Tờ khai"},
    )
    assert "Chờ người dân" in _field(client.get(f"/lookup?code={code}").text, "status")
    clock.set(datetime(2026, 3, 4, 8, 0, tzinfo=VN))  # the parent comes back next day
    client.post(f"/dossier/{code}/fire", data={"trigger": "resubmit"})
    lookup = client.get(f"/lookup?code={code}").text
    assert _field(lookup, "appointment") == "17:00 09/03/2026"  # moved by the pause
    assert "Hạn đã lùi" in lookup
    # The apology is signed by the head of the agency: the desk officer may not issue it.
    refused = client.post(
        f"/dossier/{code}/apologise",
        data={"reason": "Chờ xác minh", "new_date": "2026-03-12"},
        follow_redirects=True,
    )
    [(kind, message)] = _alerts(refused.text)
    assert kind == "error" and "leader" in message
    _login(client, "son")
    response = client.post(
        f"/dossier/{code}/apologise",
        data={"reason": "Chờ xác minh", "new_date": "2026-03-12"},
        follow_redirects=True,
    )
    [(kind, message)] = _alerts(response.text)
    assert kind == "ok" and "17:00 12/03/2026" in message
    assert _field(client.get(f"/lookup?code={code}").text, "appointment") == "17:00 12/03/2026"
    again = client.post(
        f"/dossier/{code}/apologise",
        data={"reason": "x", "new_date": "2026-03-13"},
        follow_redirects=True,
    )
    [(kind, message)] = _alerts(again.text)
    assert kind == "error" and message.startswith("RuleViolation")


def test_lookup_and_overview(app: Any) -> None:
    client = app.test_client()
    missing = client.get("/lookup?code=NOPE-1").text
    assert "Không tìm thấy" in missing
    _login(client, "lan")
    code = _receive(client)
    citizen = app.test_client()
    page = citizen.get(f"/lookup?code={code}").text
    assert _field(page, "appointment") == APPOINTMENT_TEXT
    assert _field(page, "holder") == "UBND cấp xã"
    overview = citizen.get("/overview").text
    assert _field(overview, "in-progress") == "1"
    assert "Tỷ lệ trước hạn và đúng hạn: —" in overview
