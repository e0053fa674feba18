#!/usr/bin/env bash
# Regenerate the committed outputs of docs/diagrams.md: the sample diagrams and
# sheets in docs/generated/ and the screenshots in docs/img/ (the desk example's
# pages, its printed receipt, the HTML report, the process diagram).
# Needs graphviz (dot) for the graphviz-laid-out SVGs, and Chromium with
# chromedriver for the screenshots (apt-get install graphviz chromium chromium-driver);
# pngquant, when installed, keeps the pictures small.
set -euo pipefail
cd "$(dirname "$0")/.."
# Check first: without graphviz the SVGs would fall back to procflow's own
# layout and overwrite the committed ones before the screenshots failed.
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "generate.sh: ${missing[*]} not installed; nothing was changed." >&2
    echo "Install them (apt-get install ${missing[*]}) and run again." >&2
    exit 1
fi
python -m procflow.contrib.docs --procedures procedures --out docs/generated
command -v pngquant >/dev/null 2>&1 ||
    echo "generate.sh: pngquant not installed; the pictures are left unoptimised (apt-get install pngquant)" >&2
python examples/one_stop_desk/screenshots.py docs/img
