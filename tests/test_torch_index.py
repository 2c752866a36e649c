"""Where `make` installs torch from (tools/torch_index.py): a decision table, the override, and the fallback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools import torch_index
from tools.torch_index import CPU_INDEX, choose

ROOT = Path(__file__).resolve().parents[1]
CUDA_INDEX = "https://download.pytorch.org/whl/cu128"


@pytest.mark.parametrize(
    ("system", "nvidia", "override", "index"),
    [
        ("Linux", False, "auto", CPU_INDEX),  # a laptop without a GPU: the CPU build, not several GB of CUDA
        ("Linux", True, "auto", None),  # a GPU: PyPI's CUDA build
        ("Darwin", False, "auto", None),  # PyPI's macOS torch is the CPU (and MPS) build
        ("Windows", False, "auto", None),  # PyPI's Windows torch is the CPU build
        ("Windows", True, "auto", None),
        ("Linux", False, "", None),  # TORCH_INDEX= : the default index
        ("Darwin", False, CPU_INDEX, CPU_INDEX),  # TORCH_INDEX=URL wins everywhere
        ("Linux", True, CUDA_INDEX, CUDA_INDEX),
        ("Linux", False, CUDA_INDEX, CUDA_INDEX),
    ],
)
def test_which_index(system: str, nvidia: bool, override: str, index: str | None) -> None:
    chosen, why = choose(system, nvidia, override)
    assert chosen == index
    assert why


def test_an_unreachable_index_is_given_up_quickly() -> None:
    # .invalid never resolves (RFC 2606): the probe fails at once instead of retrying for minutes.
    assert not torch_index.reachable("https://download.pytorch.invalid/whl/cpu", timeout=5)
    assert torch_index.reachable("file:///opt/wheels")


def test_fallback_says_so(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(torch_index, "reachable", lambda index, timeout: False)
    monkeypatch.setattr(torch_index, "has_nvidia_gpu", lambda: False)
    monkeypatch.setattr(torch_index.platform, "system", lambda: "Linux")
    assert torch_index.main(["--override", "auto"]) == ""
    out, err = capsys.readouterr()
    assert out == "\n"  # no pip options: the default index
    assert f"{CPU_INDEX} cannot be reached" in err and "falling back to the default index" in err


def test_reachable_cpu_index_becomes_an_extra_index(monkeypatch: pytest.MonkeyPatch) -> None:
    # An extra index, not a replacement: torch 2.13.0+cpu sorts above PyPI's 2.13.0, so pip takes the CPU
    # build, and torch's own dependencies still come from the default index.
    monkeypatch.setattr(torch_index, "reachable", lambda index, timeout: True)
    monkeypatch.setattr(torch_index, "has_nvidia_gpu", lambda: False)
    monkeypatch.setattr(torch_index.platform, "system", lambda: "Linux")
    assert torch_index.main(["--override", "auto"]) == f"--extra-index-url {CPU_INDEX}"


def test_the_makefile_installs_torch_from_the_chosen_index() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "TORCH_INDEX ?= auto" in makefile
    assert '-m tools.torch_index --override "$(TORCH_INDEX)") torch' in makefile


def test_it_runs_without_anything_installed() -> None:
    """`make` runs it before the course's packages are in: standard library only."""
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", "import sys; sys.path.insert(0, '.'); import tools.torch_index"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
