"""Screenshots of the desk's pages for docs/img/ (headless Chromium).

    python examples/one_stop_desk/screenshots.py [OUT_DIR]   # default docs/img

Fills a temporary database on a virtual clock (a week of dossiers of the
bundle for children under 6 and one land transfer: some returned early, one
late, some in progress), serves the app in a thread and photographs the
officer pages, the citizen lookup and the overview.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from app import create_app  # noqa: E402
from desk_browser import chromium, missing_reason, serve  # noqa: E402

from procflow.engine import Actor, Engine, VirtualClock  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BUNDLE = "vn.lien-thong.child-under-6"
LAN = Actor("lan", "commune-pc", "desk-officer", "Nguyễn Thị Lan")
MINH = Actor("minh", "commune-police", "residence-officer", "Lê Quang Minh")
THU = Actor("thu", "social-insurance", "officer", "Phạm Thị Thu")
HAI = Actor("hai", "land-registration", "desk-officer", "Đỗ Văn Hải")


def populate(engine: Engine, clock: VirtualClock) -> str:
    """A few days of work; returns the code of a dossier now at the police."""

    def at(day: int, hour: int, minute: int = 0) -> None:
        clock.set(datetime(2026, 3, day, hour, minute, tzinfo=VN))

    def run(code: str, steps: list[tuple[str, Actor]]) -> None:
        for trigger, actor in steps:
            engine.fire(code, trigger, actor)

    at(2, 8)
    a = engine.receive(BUNDLE, actor=LAN, applicant={"name": "Nguyễn Thị Mai"}).code
    b = engine.receive(BUNDLE, actor=LAN, applicant={"name": "Trần Văn Bình"}).code
    at(2, 9)
    run(a, [("forward", LAN), ("register", LAN), ("send", LAN)])
    run(b, [("forward", LAN), ("register", LAN), ("send", LAN)])
    at(2, 14)
    run(a, [("register", MINH), ("send", MINH)])
    at(3, 10)
    run(a, [("issue", THU), ("send", THU)])
    at(3, 14)
    run(a, [("hand_over", LAN)])  # early
    at(4, 8, 30)
    c = engine.receive(BUNDLE, actor=LAN, applicant={"name": "Lê Thị Cúc"}).code
    run(c, [("forward", LAN)])
    at(4, 10)
    engine.fire(c, "request_supplement", LAN, missing=["Giấy chứng sinh"])
    at(5, 9)
    run(c, [("resubmit", LAN), ("register", LAN), ("send", LAN)])
    at(6, 15)
    run(b, [("register", MINH), ("send", MINH), ("issue", THU), ("send", THU)])
    at(9, 9)
    run(b, [("hand_over", LAN)])  # late: due Thursday 5 March
    engine.receive("vn.land.transfer-registration", actor=HAI, applicant={"name": "Phạm Văn Đức"})
    at(9, 10, 30)
    return c


def full_page(driver: Any, path: Path, width: int = 1280) -> None:
    """The whole page, however long, at ``width`` CSS pixels."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 600, "deviceScaleFactor": 1, "mobile": False},
    )
    height = driver.execute_script(
        "return Math.ceil(document.documentElement.getBoundingClientRect().height)"
    )
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": int(height), "deviceScaleFactor": 1, "mobile": False},
    )
    driver.save_screenshot(str(path))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    print(f"wrote {path}")


def main(out: Path) -> None:
    reason = missing_reason()
    if reason:
        sys.exit(f"cannot take screenshots: {reason}")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        clock = VirtualClock(datetime(2026, 3, 2, 8, 0, tzinfo=VN))
        app = create_app(Path(tmp) / "desk.db", clock=clock, secret_key="screenshots")
        code = populate(app.extensions["procflow_engine"](), clock)
        with serve(app) as url, chromium() as driver:
            driver.implicitly_wait(5)

            def login(officer_id: str) -> None:
                driver.delete_all_cookies()
                driver.get(f"{url}/login")
                Select(driver.find_element(By.ID, "officer")).select_by_value(officer_id)
                driver.find_element(By.ID, "login").click()

            login("lan")
            driver.find_element(By.ID, "applicant").send_keys("Võ Thị Hạnh")
            full_page(driver, out / "desk-officer.png")
            login("minh")  # the commune police hold the dossier now
            driver.get(f"{url}/dossier/{code}")
            full_page(driver, out / "desk-dossier.png")
            driver.delete_all_cookies()  # the citizen is not signed in
            driver.get(f"{url}/lookup?code={code}")
            full_page(driver, out / "desk-lookup.png")
            driver.get(f"{url}/overview")
            full_page(driver, out / "desk-overview.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/img"))
