"""CI never skips silently: without a browser, `make test-browser` fails where CI is set, and says why."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_browser_tests(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    """tests/browser/run.sh on a machine with no Chromium and no apt-get to install one."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ["dirname", "id", "grep"]:  # what run.sh calls before it looks for the browser
        target = bin_dir / tool
        if not target.exists():
            target.symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {
        "PATH": str(bin_dir),
        "VENV": sys.prefix,
        "BROWSER_TEST_CHROMIUM": str(tmp_path / "no-chromium"),
    }
    if ci is not None:
        env["CI"] = ci
    bash = shutil.which("bash") or "/bin/bash"
    return subprocess.run([bash, "tests/browser/run.sh"], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("ci", ["true", "1"])
def test_without_a_browser_ci_fails(tmp_path: Path, ci: str) -> None:
    done = run_browser_tests(tmp_path, ci)
    assert done.returncode == 1
    assert "browser tests FAILED" in done.stderr and "no-chromium is missing" in done.stderr
    assert "SKIPPED" not in done.stdout


def test_without_a_browser_a_learner_is_told_and_not_failed(tmp_path: Path) -> None:
    done = run_browser_tests(tmp_path, None)
    assert done.returncode == 0
    assert "browser tests SKIPPED" in done.stdout
