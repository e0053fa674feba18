"""mermaid-cli (``mmdc``) for the tests, driving the system Chromium.

mermaid-cli is an npm package; its puppeteer would download a Chromium build of
its own, which this project never does: ``PUPPETEER_SKIP_DOWNLOAD=1`` at
install time, and a puppeteer config naming the system Chromium (Debian's
``/usr/bin/chromium``, ``--no-sandbox`` since CI runs as root) at run time.

It is installed once into a cache folder outside the repository,
``$PROCFLOW_MERMAID_CLI_DIR`` or ``~/.cache/procflow/mermaid-cli`` (.ci/run
installs it there too), the first time a test needs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "@mermaid-js/mermaid-cli"


def home() -> Path:
    """The cache folder holding ``node_modules/.bin/mmdc``."""
    given = os.environ.get("PROCFLOW_MERMAID_CLI_DIR")
    if given:
        return Path(given)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "procflow" / "mermaid-cli"


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def install(folder: Path) -> str | None:
    """Install mermaid-cli into ``folder`` unless it is there; the reason it
    cannot be had, or None."""
    mmdc = folder / "node_modules" / ".bin" / "mmdc"
    if mmdc.exists():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed (apt-get install npm)"
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", PACKAGE],
        env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0 or not mmdc.exists():
        return f"npm install {PACKAGE} failed: {done.stderr.strip()[-800:]}"
    return None


@dataclass(frozen=True)
class Mmdc:
    """A ready ``mmdc`` and the puppeteer config that points it at Chromium."""

    program: Path
    config: Path

    def run(self, source: Path, output: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.program), "-p", str(self.config), "-i", str(source), "-o", str(output)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


def ready(workdir: Path) -> Mmdc | str:
    """mermaid-cli installed and configured, or the reason it cannot be."""
    browser = chromium()
    if browser is None:
        return "Chromium is not installed (apt-get install chromium)"
    folder = home()
    reason = install(folder)
    if reason is not None:
        return reason
    config = workdir / "puppeteer.json"
    config.write_text(
        json.dumps({"executablePath": browser, "args": ["--no-sandbox", "--disable-gpu"]}),
        encoding="utf-8",
    )
    return Mmdc(folder / "node_modules" / ".bin" / "mmdc", config)
