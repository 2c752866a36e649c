#!/usr/bin/env bash
# The learner's edition in JupyterLab in a headless Chromium, driven by Playwright for Python: every student
# notebook run top to bottom as `make lab` gives it, and a smoke of the Chinese edition (tests marked zh).
#
#   bash tests/browser/run.sh [pytest arguments]
#
# Without arguments it runs both; `make test-browser` passes -m "not zh", `make test-browser-zh` -m zh.
#
# Needs the course's virtualenv (`make install`). Installs what the browser tests need when it is missing:
# Debian's chromium (apt-get, as root or with sudo) and Playwright for Python (pip, into the virtualenv).
# Playwright drives the system Chromium; it never downloads a browser of its own. Its version is the one
# in constraints.txt, with every other pin.
# Without a Chromium it says why and exits 0, except where CI is set (GitHub sets CI=true): there it exits 1,
# so that a CI run without a browser fails instead of passing with nothing tested. A failing test exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=${VENV:-.venv}
PYTHON=$VENV/bin/python
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
        if [ -n "${CI:-}" ]; then
            echo "browser tests FAILED: $why (CI is set: set BROWSER_TEST_CHROMIUM to a Chromium)." >&2
            exit 1
        fi
        echo "browser tests SKIPPED: $why."
        exit 0
    fi
fi

# Playwright's pin: constraints.txt, the course's lock.
PLAYWRIGHT=$(grep -iE '^playwright==' constraints.txt) || { echo "browser tests: constraints.txt pins no playwright" >&2; exit 1; }
if ! "$PYTHON" - "${PLAYWRIGHT#*==}" 2>/dev/null <<'PY'; then
import sys
from importlib.metadata import version

import playwright.sync_api  # noqa: F401

sys.exit(version("playwright") != sys.argv[1])
PY
    echo "browser tests: installing $PLAYWRIGHT into $VENV ..."
    "$PYTHON" -m pip install --quiet -c constraints.txt -e ".[browser]"
fi

echo "browser tests: $("$BROWSER_TEST_CHROMIUM" --version 2>/dev/null || echo "$BROWSER_TEST_CHROMIUM"), $PLAYWRIGHT"
# pyproject's addopts (--doctest-modules) apply too: these modules hold no doctests, so they only get imported.
exec "$PYTHON" -m pytest tests/browser -p no:cacheprovider "$@"
