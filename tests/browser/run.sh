#!/usr/bin/env bash
# Every notebook run top to bottom in JupyterLab in a headless Chromium, driven by Playwright for Python.
#
#   bash tests/browser/run.sh [pytest arguments]
#
# Needs the course's virtualenv (`make install`). Installs what the browser tests need when it is missing:
# Debian's chromium (apt-get, as root or with sudo) and Playwright for Python (pip, into the virtualenv).
# Playwright drives the system Chromium; it never downloads a browser of its own.
# Without a Chromium it says why and exits 0; a failing test exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=${VENV:-.venv}
PYTHON=$VENV/bin/python
PLAYWRIGHT_VERSION=1.65.2 # used while pyproject.toml has no "browser" extra that pins it
export BROWSER_TEST_CHROMIUM=${BROWSER_TEST_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$PYTHON" ]; then
    echo "browser tests: no virtualenv at $VENV; run 'make install' first." >&2
    exit 1
fi

if [ ! -x "$BROWSER_TEST_CHROMIUM" ]; then
    why="$BROWSER_TEST_CHROMIUM is missing"
    if ! command -v apt-get >/dev/null 2>&1; then
        why="$why, and there is no apt-get to install it"
    else
        sudo=()
        if [ "$(id -u)" -ne 0 ]; then
            if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
                sudo=(sudo -n)
            else
                why="$why, and installing it needs root or sudo"
                sudo=(none)
            fi
        fi
        if [ "${sudo[*]-}" != none ]; then
            echo "browser tests: installing Debian's chromium ..."
            if "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium; then
                why="$why, and 'apt-get install chromium' did not put it there"
            else
                why="$why, and 'apt-get install chromium' failed"
            fi
        fi
    fi
    if [ ! -x "$BROWSER_TEST_CHROMIUM" ]; then
        echo "browser tests SKIPPED: $why."
        exit 0
    fi
fi

# Playwright's pin: the "browser" extra of pyproject.toml where it has one, else the version above.
PLAYWRIGHT=$("$PYTHON" - "$PLAYWRIGHT_VERSION" <<'PY'
import sys
import tomllib

with open("pyproject.toml", "rb") as f:
    extras = tomllib.load(f).get("project", {}).get("optional-dependencies", {})
pins = [d.replace(" ", "") for d in extras.get("browser", []) if d.replace(" ", "").startswith("playwright==")]
print(pins[0] if pins else f"playwright=={sys.argv[1]}")
PY
)
if ! "$PYTHON" - "${PLAYWRIGHT#playwright==}" 2>/dev/null <<'PY'; then
import sys
from importlib.metadata import version

import playwright.sync_api  # noqa: F401

sys.exit(version("playwright") != sys.argv[1])
PY
    echo "browser tests: installing $PLAYWRIGHT into $VENV ..."
    "$PYTHON" -m pip install --quiet "$PLAYWRIGHT"
fi

echo "browser tests: $("$BROWSER_TEST_CHROMIUM" --version 2>/dev/null || echo "$BROWSER_TEST_CHROMIUM"), $PLAYWRIGHT"
# pyproject's addopts (--doctest-modules) apply too: these modules hold no doctests, so they only get imported.
exec "$PYTHON" -m pytest tests/browser -p no:cacheprovider "$@"
