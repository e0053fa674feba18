"""Run the desk in a thread and drive it with the system's headless Chromium.

Used by the browser test (tests/visual/test_desk_browser.py) and by
``screenshots.py``. Nothing is downloaded: Chromium and chromedriver come from
the system's packages (Debian: ``apt-get install chromium chromium-driver``),
and Selenium is pointed at them explicitly.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
DRIVERS = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


def find_chromium() -> tuple[str | None, str | None]:
    """(browser, chromedriver) paths from the system, each None when missing."""
    browser = next((b for b in BROWSERS if Path(b).exists()), None) or shutil.which("chromium")
    driver = next((d for d in DRIVERS if Path(d).exists()), None) or shutil.which("chromedriver")
    return browser, driver


def missing_reason() -> str | None:
    """Why no browser test can run here, or None when it can."""
    browser, driver = find_chromium()
    if browser is None:
        return "no Chromium installed (apt-get install chromium chromium-driver)"
    if driver is None:
        return "no chromedriver installed (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def chromium(width: int = 1280, height: int = 1000) -> Iterator[Any]:
    """A headless Chromium driven through the system chromedriver."""
    from selenium import webdriver

    browser, driver_path = find_chromium()
    if browser is None or driver_path is None:
        raise RuntimeError(missing_reason() or "no Chromium")
    with tempfile.TemporaryDirectory(prefix="procflow-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for arg in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--window-size={width},{height}",
            f"--user-data-dir={profile}",
            "--lang=vi",
        ):
            options.add_argument(arg)
        service = webdriver.ChromeService(executable_path=driver_path)
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_page_load_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 on a free port in a thread; yields its URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="desk-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
