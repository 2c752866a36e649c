"""Where ``make`` installs torch from: PyTorch's CPU-only index on Linux without an NVIDIA GPU, else the default.

On Linux the default index (PyPI) holds torch built for CUDA, which pulls several GB of ``nvidia-*``
wheels; a laptop without an NVIDIA GPU only needs the CPU build (about 200 MB), which PyTorch publishes
on its own index. On macOS and Windows PyPI's torch is the CPU build already, and a machine with an
NVIDIA GPU wants the CUDA build: both use the default index.

``TORCH_INDEX`` overrides the choice: ``make install TORCH_INDEX=URL`` installs from URL,
``make install TORCH_INDEX=`` from the default index. When the chosen index cannot be reached within a
few seconds, torch comes from the default index, and a line says so.

``python -m tools.torch_index`` prints the pip options for torch (nothing for the default index), and
says on stderr what it chose and why. Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

__all__ = ["CPU_INDEX", "choose", "has_nvidia_gpu", "reachable"]

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
AUTO = "auto"


def has_nvidia_gpu() -> bool:
    """Whether this machine has an NVIDIA driver loaded (``/proc/driver/nvidia``) or ``nvidia-smi``."""
    return Path("/proc/driver/nvidia").exists() or shutil.which("nvidia-smi") is not None


def choose(system: str, nvidia: bool, override: str = AUTO) -> tuple[str | None, str]:
    """The index to install torch from (None: the default index) and why.

    Parameters
    ----------
    system : ``platform.system()``: ``"Linux"``, ``"Darwin"``, ``"Windows"``, ...
    nvidia : whether the machine has an NVIDIA GPU (:func:`has_nvidia_gpu`)
    override : ``TORCH_INDEX``: ``"auto"`` (the default) decides by platform; ``""`` means the default
        index; anything else is the index to use

    Examples
    --------
    >>> choose("Linux", nvidia=False)[0]
    'https://download.pytorch.org/whl/cpu'
    >>> choose("Darwin", nvidia=False)[0] is None
    True
    """
    if override != AUTO:
        if not override:
            return None, "TORCH_INDEX is empty: the default index"
        return override, "TORCH_INDEX"
    if system != "Linux":
        return None, f"{system}: the default index already has the CPU build"
    if nvidia:
        return None, "Linux with an NVIDIA GPU: the default index's CUDA build"
    return CPU_INDEX, "Linux without an NVIDIA GPU: the CPU-only build"


def reachable(index: str, timeout: float = 10.0) -> bool:
    """Whether ``index`` answers for torch within ``timeout`` seconds (one try, no retries)."""
    if index.startswith("file:"):
        return True
    url = index.rstrip("/") + "/torch/"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout) as response:
            return bool(response.status < 400)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(prog="python -m tools.torch_index", description=__doc__.split("\n\n")[0])
    parser.add_argument("--override", default=os.environ.get("TORCH_INDEX", AUTO), help="TORCH_INDEX")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the index")
    args = parser.parse_args(argv)
    index, why = choose(platform.system(), has_nvidia_gpu(), args.override)
    if index is not None and not reachable(index, args.timeout):
        print(f"torch: {index} cannot be reached ({why}); falling back to the default index.", file=sys.stderr)
        index = None
    elif index is not None:
        print(f"torch: from {index} ({why}).", file=sys.stderr)
    else:
        print(f"torch: from the default index ({why}).", file=sys.stderr)
    options = f"--extra-index-url {index}" if index else ""
    print(options)
    return options


if __name__ == "__main__":
    main()
