"""Execute notebooks and store their outputs, only on a machine quiet enough for the timings they print.

``make notebooks`` runs ``python -m tools.run_notebooks notebooks/*.ipynb``:

- it **refuses** when the 1-minute load average is above a quarter of the cores (other work would slow
  the timings the notebooks print, and the stored outputs are what the static site and the slides
  publish); ``--force`` or ``DILCONV_NOTEBOOKS_FORCE=1`` runs anyway;
- it executes each notebook in place, as ``jupyter nbconvert --to notebook --execute --inplace
  --ExecutePreprocessor.record_timing=False`` does (timeout 600 s a cell, the kernel started in the
  notebook's folder), and stops at the first notebook that fails;
- it **records the machine** in each notebook's metadata, ``metadata["dilconv"]["executed_on"]``: CPU
  model, cores, the load average before the run (the run's own notebooks raise it as they go, so that is
  the figure that says whether other work was running), whether it was forced, Python, NumPy and torch
  versions and the date, so that a reader of the stored numbers (and ``tests/test_stored_outputs.py``) knows
  where they came from.

>>> too_busy(load=0.4, cores=2), too_busy(load=0.6, cores=2)
(False, True)
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["machine", "main", "run_notebook", "too_busy"]

FORCE_ENV = "DILCONV_NOTEBOOKS_FORCE"
BUSY_SHARE = 0.25  # refuse above this 1-minute load average per core


def too_busy(load: float, cores: int) -> bool:
    """Whether a 1-minute load average of ``load`` on ``cores`` cores is above a quarter of the cores."""
    return load > BUSY_SHARE * cores


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(load_before: float | None = None, *, forced: bool = False) -> dict[str, Any]:
    """What the stored outputs were made on: CPU, cores, the load before the run, versions, date (UTC).

    >>> sorted(machine(0.1))
    ['cores', 'cpu', 'date', 'forced', 'load_average', 'numpy', 'platform', 'python', 'torch']
    """
    import numpy
    import torch

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": None if load_before is None else round(load_before, 2),
        "forced": forced,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "torch": torch.__version__,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def run_notebook(path: Path, timeout: int = 600, *, record: dict[str, Any] | None = None) -> None:
    """Execute ``path`` in place (nbconvert's ExecutePreprocessor, no timing metadata) and record the machine."""
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    nb = nbformat.read(path, as_version=4)
    executor = ExecutePreprocessor(timeout=timeout, record_timing=False)
    executor.preprocess(nb, {"metadata": {"path": str(path.parent)}})
    nb.metadata.setdefault("dilconv", {})["executed_on"] = record if record is not None else machine()
    nbformat.write(nb, path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.run_notebooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--force", action="store_true", help=f"run on a busy machine too (or {FORCE_ENV}=1)")
    args = parser.parse_args(argv)
    load, cores = (os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0), os.cpu_count() or 1
    forced = args.force or os.environ.get(FORCE_ENV) == "1"
    if too_busy(load, cores) and not forced:
        print(
            f"run_notebooks: load average {load:.2f} on {cores} cores is above {BUSY_SHARE * cores:.2f}: the stored "
            "timings would show other work. Wait for an idle machine, or run with --force (make notebooks FORCE=1).",
            file=sys.stderr,
        )
        return 2
    record = machine(load, forced=forced and too_busy(load, cores))
    for path in args.notebooks:
        print(f"run_notebooks: executing {path}", flush=True)
        run_notebook(path, record=record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
