#!/usr/bin/env bash
# Regenerate the committed outputs of docs/diagrams.md: the sample diagrams and
# sheets in docs/generated/ and the screenshots of the desk example in docs/img/.
# Needs graphviz (dot) for the graphviz-laid-out SVGs, and Chromium with
# chromedriver for the screenshots (apt-get install graphviz chromium chromium-driver).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m procflow.contrib.docs --procedures procedures --out docs/generated
python examples/one_stop_desk/screenshots.py docs/img
