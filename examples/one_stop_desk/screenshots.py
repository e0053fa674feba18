"""Screenshots of the desk's pages for docs/img/ (headless Chromium).

    python examples/one_stop_desk/screenshots.py [OUT_DIR]   # default docs/img

Fills a temporary database on a virtual clock (a week of dossiers of the
bundle for children under 6 and one land transfer: some returned early, one
late, some in progress), serves the app in a thread and photographs the
officer pages, the citizen lookup and the overview; then, for the other pages
of the docs, the desk's printed receipt (the slip page as Chromium prints it,
print media), the HTML report of that week (``procflow report --format
html``) and the bundle's process diagram as graphviz lays it out.

The report and diagram pictures are 1024 px wide; all are, when ``pngquant`` is installed
(``apt-get install pngquant``), reduced to a palette so that each stays
small in the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from app import create_app  # noqa: E402
from desk_browser import chromium, missing_reason, serve  # noqa: E402

from procflow.cli.main import cli as procflow  # noqa: E402
from procflow.contrib.diagram import build_diagram  # noqa: E402
from procflow.contrib.diagram.svg import render_graphviz  # noqa: E402
from procflow.contrib.printing import (  # noqa: E402
    Letterhead,
    SlipContext,
    receipt_slip,
    render_slip,
)
from procflow.definition.loader import read_procedure  # noqa: E402
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
    c = engine.receive(
        BUNDLE,
        actor=LAN,
        applicant={
            "name": "Lê Thị Cúc",
            "address": "Thôn Đông, xã An Bình",
            "phone": "0912 345 678",
        },
        documents=[
            {"name": "Tờ khai đăng ký khai sinh", "form": "original"},
            {"name": "Giấy chứng sinh", "form": "original"},
            {"name": "Tờ khai thay đổi thông tin cư trú (CT01)", "form": "original"},
        ],
    ).code
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


def full_page(driver: Any, path: Path, width: int = 1280, max_height: int | None = None) -> None:
    """The whole page, however long (or its top ``max_height`` pixels), at
    ``width`` CSS pixels."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 600, "deviceScaleFactor": 1, "mobile": False},
    )
    height = int(
        driver.execute_script(
            "return Math.ceil(document.documentElement.getBoundingClientRect().height)"
        )
    )
    if max_height is not None:
        height = min(height, max_height)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.save_screenshot(str(path))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    shrink(path)
    print(f"wrote {path}")


DOCS_WIDTH = 1024


def shrink(path: Path) -> None:
    """Reduce ``path`` to a 256-colour palette with pngquant when installed
    (flat colours and text lose nothing visible); else leave it as is."""
    pngquant = shutil.which("pngquant")
    if pngquant is None:
        print(f"pngquant not installed: {path.name} left unoptimised")
        return
    subprocess.run(
        [
            pngquant,
            "--force",
            "--skip-if-larger",
            "--quality=70-95",
            "--output",
            str(path),
            str(path),
        ],
        check=False,
    )


def printed(driver: Any, path: Path) -> None:
    """The page as the printer gets it: print media (the button and menus
    hidden by the page's print style) on a white page."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    # The paper's margin, which the printer adds and a screenshot does not.
    driver.execute_script("document.body.style.padding = '36px 40px'")
    full_page(driver, path, width=640)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def receipt_page(engine: Engine, code: str, out_html: Path) -> None:
    """The receipt-and-appointment slip of dossier ``code`` as the desk prints
    it: the official form in force on its date, rebuilt from the store."""
    context = SlipContext(
        letterhead=Letterhead(
            agency="UBND xã An Bình",
            parent="UBND tỉnh An Giang",
            unit="Bộ phận Một cửa",
            place="An Bình",
        ),
        agency_names={"commune-pc": "UBND xã An Bình"},
        officer_names={"lan": LAN.name or "lan"},
        pickup="Bộ phận Một cửa UBND xã An Bình",
    )
    page = render_slip(receipt_slip(engine, code), format="html", context=context)
    out_html.write_text(page, encoding="utf-8")


def report_page(db: Path, out_html: Path) -> None:
    """The week's HTML report, as ``procflow report --format html`` writes it."""
    procflow.main(
        args=[
            "report",
            str(db),
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-09",
            "--as-of",
            "2026-03-09T10:30:00+07:00",
            "--format",
            "html",
            "--lang",
            "vi",
            "--procedures",
            str(ROOT / "procedures"),
            "-o",
            str(out_html),
        ],
        prog_name="procflow",
        standalone_mode=False,
    )


def diagram_page(out_html: Path) -> None:
    """The bundle's diagram (graphviz layout), on a page as wide as the docs'
    pictures."""
    proc = read_procedure(ROOT / "procedures" / "lien-thong" / "child-under-6.yaml")
    svg = out_html.with_suffix(".svg")
    svg.write_text(render_graphviz(build_diagram(proc, lang="vi")), encoding="utf-8")
    out_html.write_text(
        '<!doctype html><html lang="vi"><meta charset="utf-8">'
        '<body style="margin:0;background:#fff">'
        f'<img src="{svg.name}" style="display:block;width:100%" alt=""></body></html>',
        encoding="utf-8",
    )


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
        engine = app.extensions["procflow_engine"]()
        code = populate(engine, clock)
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

            pages = Path(tmp)
            receipt_page(engine, code, pages / "receipt.html")
            driver.get((pages / "receipt.html").as_uri())
            printed(driver, out / "printed-receipt.png")
            report_page(pages / "desk.db", pages / "report.html")
            driver.get((pages / "report.html").as_uri())
            full_page(driver, out / "report.png", width=DOCS_WIDTH, max_height=1800)
            diagram_page(pages / "diagram.html")
            driver.get((pages / "diagram.html").as_uri())
            full_page(driver, out / "diagram.png", width=DOCS_WIDTH)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/img"))
