"""The one-stop desk example end to end in a real headless Chromium.

Skipped, with the reason, when no Chromium/chromedriver/selenium is installed,
unless ``PROCFLOW_REQUIRE_BROWSER=1`` (set by .ci/run), which makes it fail.
The app runs on 127.0.0.1 on a free port in a thread, on a virtual clock
frozen on Tuesday 3 March 2026 08:00, so the appointment date is known.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from visualtest import APPOINTMENT_TEXT, BUNDLE, MONDAY_MORNING, desk_module

from procflow.engine import VirtualClock


def _require_browser() -> None:
    reason = None
    try:
        import flask  # noqa: F401
    except ImportError:
        reason = "flask is not installed (pip install -e '.[test]')"
    reason = reason or desk_module("desk_browser").missing_reason()
    if reason is None:
        return
    if os.environ.get("PROCFLOW_REQUIRE_BROWSER") == "1":
        pytest.fail(f"PROCFLOW_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"browser test skipped: {reason}")


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[str, Any, VirtualClock]]:
    _require_browser()
    app_module = desk_module("app")
    browser = desk_module("desk_browser")
    clock = VirtualClock(MONDAY_MORNING)
    app = app_module.create_app(tmp_path / "desk.db", clock=clock, secret_key="test")
    with browser.serve(app) as url, browser.chromium() as driver:
        driver.implicitly_wait(5)
        yield url, driver, clock


def test_receive_hand_off_and_look_up(desk: tuple[str, Any, VirtualClock]) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    url, driver, clock = desk

    def text(element_id: str) -> str:
        return str(driver.find_element(By.ID, element_id).text)

    def click(element_id: str) -> None:
        """Click a button that loads a page, and wait until the new page is there."""
        page = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.ID, element_id).click()

        def replaced(_: Any) -> bool:
            # the old page's root is stale, or (asked mid-navigation) Chromium
            # says its node "does not belong to the document" any more
            try:
                return bool(EC.staleness_of(page)(driver))
            except WebDriverException as exc:
                if "does not belong to the document" in str(exc):
                    return True
                raise

        WebDriverWait(driver, 15).until(replaced)

    names = {"lan": "Nguyễn Thị Lan", "minh": "Lê Quang Minh", "dung": "Ngô Văn Dũng"}

    def login(officer: str) -> None:
        driver.delete_all_cookies()
        driver.get(f"{url}/login")
        Select(driver.find_element(By.ID, "officer")).select_by_value(officer)
        click("login")
        assert text("whoami").startswith(names[officer])

    # The desk officer of the commune People's Committee receives a dossier.
    login("lan")
    Select(driver.find_element(By.ID, "procedure")).select_by_value(BUNDLE)
    driver.find_element(By.ID, "applicant").send_keys("Nguyễn Thị Mai")
    click("receive")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in driver.page_source
    code = text("code")
    assert code.startswith("COMMUNE-PC-260303-")
    assert text("appointment") == APPOINTMENT_TEXT

    # ... and moves it to the hand-off step; the buttons say the moves in words.
    click("to-dossier")
    assert text("fire-forward") == "Chuyển xử lý"
    click("fire-forward")
    assert text("fire-register") == "Đăng ký"
    assert "Chuyển xử lý ✓" in driver.find_element(By.CSS_SELECTOR, ".flash.ok").text
    click("fire-register")
    assert "Chuyển hồ sơ sang Công an xã" in text("status")
    first = driver.current_window_handle
    # A second tab keeps the page as it is now (it will go stale).
    driver.switch_to.new_window("tab")
    driver.get(f"{url}/dossier/{code}")
    stale = driver.current_window_handle
    driver.switch_to.window(first)
    click("fire-send")  # the inter-agency hand-off
    assert text("holder") == "Công an cấp xã"
    assert "Đăng ký thường trú" in text("status")
    buttons = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#actions button")]
    assert buttons and "Đăng ký" not in buttons  # only the police may register residence
    assert not {"forward", "register", "send", "withdraw"} & set(buttons)

    # The stale tab still offers "send": the engine refuses it, in its own words.
    driver.switch_to.window(stale)
    click("fire-send")
    alert = driver.find_element(By.CSS_SELECTOR, ".flash.error").text
    assert alert.startswith("NotPermitted:")
    assert "held by 'commune-police'" in alert
    assert text("holder") == "Công an cấp xã"  # nothing moved
    driver.close()
    driver.switch_to.window(first)

    # The commune police find it on their worklist, take it and act on it.
    login("minh")
    assert code in text("mine")
    driver.get(f"{url}/dossier/{code}")
    click("take")
    assert text("assignee") == "Lê Quang Minh"
    click("fire-register")
    assert "Chuyển sang cơ quan BHXH" in text("status")
    assert text("assignee") == "—"  # an assignment is to a step

    # Three days later the hand-off to social insurance is overdue: the sweep
    # marks it, the procedure's escalation rule notifies the head of the
    # police, and the outbox delivers it to him.
    from datetime import timedelta

    clock.advance(timedelta(days=3))
    login("dung")
    click("show-overdue")
    assert code in text("mine")
    click("dispatch")
    assert "thông báo ✓" in driver.find_element(By.CSS_SELECTOR, ".flash.ok").text
    notices = text("notices")
    assert code in notices
    assert "Báo cáo lãnh đạo" in notices  # the escalation, besides the overdue notice

    # A citizen looks it up by code.
    driver.delete_all_cookies()
    driver.get(f"{url}/lookup")
    driver.find_element(By.ID, "lookup-code").send_keys(code.lower())
    click("lookup")
    assert text("code") == code
    assert text("appointment") == APPOINTMENT_TEXT
    assert text("holder") == "Công an cấp xã"
    assert "Đang giải quyết" in text("status")
    assert "giờ làm việc" in text("used")

    driver.get(f"{url}/overview")
    assert text("in-progress") == "1"


def test_without_chromium_it_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    browser = desk_module("desk_browser")
    monkeypatch.setattr(browser, "find_chromium", lambda: (None, None))
    assert "no Chromium installed" in (browser.missing_reason() or "")
    monkeypatch.delenv("PROCFLOW_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium installed"):
        _require_browser()
    monkeypatch.setenv("PROCFLOW_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="PROCFLOW_REQUIRE_BROWSER=1 but no Chromium"):
        _require_browser()
