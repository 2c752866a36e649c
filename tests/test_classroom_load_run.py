"""A class of three simulated learners through a hub of their own (``make test-classroom-load``, CI's smoke).

It starts JupyterHub and creates Unix users, so ``make unit`` leaves this file out (instead of skipping it); the
report's statistics and the tool's bounds are tested in ``tests/test_classroom_load.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_three_learners_through_the_hub(tmp_path: Path) -> None:
    import psutil

    out = tmp_path / "load"
    started = time.monotonic()
    cmd = ["make", "--no-print-directory", "classroom-load", "STUDENTS=3", "SCENARIO=smoke", "LOAD_SECONDS=100"]
    cmd += [f"CLASSROOM_DIR={tmp_path / 'none'}", f"CLASSROOM_LOAD_OUT={out}"]  # no class runs there: one for the run
    env = {**os.environ, "CLASSROOM_ENV": os.environ.get("CLASSROOM_ENV", "/opt/dilconv-classroom/venv")}
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    took = time.monotonic() - started
    print(f"\nclassroom-load, 3 learners (smoke): {took:.0f} s\n{done.stdout}")
    assert done.returncode == 0, done.stderr + done.stdout
    report = json.loads((out / "smoke-3.json").read_text())
    assert (out / "smoke-3.txt").read_text().strip() in done.stdout
    assert report["failures"] == [] and report["students"] == 3 and report["hub_started_for_run"]
    # the hub serves this checkout's last commit (CLASSROOM_REPO): its notebook 01, every code cell, for each learner
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    nb = subprocess.run(["git", "show", "HEAD:notebooks/01_by_hand.ipynb"], cwd=ROOT, capture_output=True, text=True)
    cells = sum(cell["cell_type"] == "code" for cell in json.loads(nb.stdout)["cells"])
    assert report["course"] == head.strip() and report["cells_per_learner"] == {"01_by_hand": cells}
    assert report["ready_s"]["count"] == 3 and report["cell_s"]["count"] == 3 * cells
    assert 0 < report["ready_s"]["p50"] <= report["ready_s"]["p95"] <= report["ready_s"]["max"] < 100
    assert all(report["processes"][g]["peak_rss_mb"] > 0 for g in ("hub", "proxy", "servers"))
    assert report["kernels"]["01_by_hand"]["cpu_s"]["count"] == 3
    assert all(r["failures"] == 0 for r in report["requests"].values()), report["requests"]
    # nothing left: no learner of the run, no process of theirs, no temporary folder
    import pwd

    assert not [u.pw_name for u in pwd.getpwall() if re.fullmatch(r"dcload(\d+|admin)", u.pw_name)]
    left = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if re.fullmatch(r"dcload\d+", proc.environ().get("JUPYTERHUB_USER", "")):
                left.append(proc.pid)
        except (psutil.Error, OSError):
            continue
    assert not left, f"processes left: {left}"
    assert not list(Path("/tmp").glob("dcload-*"))
