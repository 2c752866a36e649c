"""The stored outputs agree with the sentences that read them.

The notebooks' stored outputs are what the static site and the slides publish, and what a learner sees
before running anything. A sentence that interprets a measurement ("the zero-inserted kernel's time grows
with every step of d", "torch is faster still") is checked here against the numbers stored beside it,
not against a fresh run: a contradiction between text and stored output cannot be committed.

The notebooks assert the same sentences when they run (under nbval too), with margins wide enough for a
busy CI machine; the strict thresholds live here, because the stored outputs come from an idle machine
(``make notebooks``, ``tools/run_notebooks.py``, refuses a busy one). A notebook executed some other way
(no machine recorded in its metadata) or forced on a busy machine fails here: its stored numbers say nothing
about what a learner's machine does, so it must be executed again on an idle one.

To add a notebook's claims: append :class:`Claim` rows to :data:`CLAIMS`, naming the cell by its id (stable
across edits; ``cell.id`` in nbformat) and giving a function that reads that cell's stored text output and
asserts the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tools import run_notebooks

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@dataclass(frozen=True)
class Claim:
    """A sentence of a notebook, and a check of it on the stored output of the cell that measures it."""

    notebook: str  # file name without .ipynb
    cell: str  # the id of the code cell whose stored output holds the numbers
    says: str  # the sentence, in short
    check: Callable[[str], None]  # gets the cell's stored text; raises AssertionError when the sentence is false


def stored_text(notebook: str, cell_id: str) -> str:
    """The text a code cell stored: its stream outputs and text/plain results, joined."""
    nb = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.get("id") == cell_id]
    assert cells, f"{notebook}: no cell with id {cell_id!r} (a claim names a cell that was removed)"
    (cell,) = cells
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif "text/plain" in output.get("data", {}):
            parts.append(output.data["text/plain"])
    text = "".join(parts)
    assert text, f"{notebook}, cell {cell_id}: no stored output (execute it with make notebooks)"
    return text


def number(pattern: str, text: str) -> float:
    """The first group of ``pattern`` in ``text``, as a float."""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in the stored output:\n{text}"
    return float(match.group(1).replace(",", ""))


# --- notebook 02 ------------------------------------------------------------------------------------


def ladder_02(text: str) -> tuple[dict[str, float], dict[str, float]]:
    """02's ladder table: {rung: ms} on the tiny input and on the layer."""
    tiny, layer = {}, {}
    for line in text.splitlines():
        match = re.match(r"^(\S.*?)\s{2,}([\d.]+) ms\s+\d+(?:\s+([\d.]+) ms\s+[\d.]+)?\s*$", line)
        if match:
            tiny[match.group(1)] = float(match.group(2))
            if match.group(3):
                layer[match.group(1)] = float(match.group(3))
    assert "naive" in tiny and "torch F.conv2d" in layer, f"the ladder table was not found:\n{text}"
    return tiny, layer


NUMPY_02 = ("tap loop", "rows", "im2col", "space-to-batch", "vectorized.conv2d")


def check_naive_ns(text: str) -> None:
    ns = number(r"([\d.]+) ns each", text)
    assert 100 <= ns < 1000, f"'hundreds of nanoseconds per multiply-add', stored {ns} ns"


def check_sweep(text: str) -> None:
    dense = [number(rf"d = {d}: dilated\s+[\d.]+ ms, zero-inserted\s+([\d.]+) ms", text) for d in (1, 2, 4, 8)]
    dilated = [number(rf"d = {d}: dilated\s+([\d.]+) ms", text) for d in (1, 2, 4, 8)]
    assert all(b > a for a, b in zip(dense, dense[1:])), f"'grows with every step of d': {dense}"
    assert 4 < dense[-1] / dense[0] < 33, f"'several times ... less than the multiply-adds (33x)': {dense}"
    assert 2 / 3 < dilated[-1] / dilated[0] < 1.5, f"'the dilated kernel's time stays flat': {dilated}"


def check_ladder_02(text: str) -> None:
    tiny, layer = ladder_02(text)
    assert tiny["naive"] / tiny["vectorized.conv2d"] > 100, "loops to matrix products is the big step"
    numpy_layer = [layer[name] for name in NUMPY_02]
    assert max(numpy_layer) < 3 * min(numpy_layer), "'the four lie within a factor of three of each other'"
    assert layer["vectorized.conv2d"] <= 1.25 * min(numpy_layer), "'the row strategy is the fastest or close to it'"
    assert layer["zero-inserted"] > max(numpy_layer), "the zero-inserted kernel is slower than every dilated one"
    assert layer["torch F.conv2d"] < min(numpy_layer), "torch is faster still on the layer"


def check_backends_02(text: str) -> None:
    assert "tiny input: SlowDilated2d" in text, "'on the tiny input torch's CPU build runs SlowDilated2d'"
    assert "layer:      Mkldnn" in text, "'on the layer it runs oneDNN (Mkldnn)'"


def check_rows_memory(text: str) -> None:
    assert "rows 3 MiB (1 image at a time)" in text, "the row strategy copies 3 MiB, one image at a time"


# --- notebook 03 ------------------------------------------------------------------------------------


def ladder_03(text: str) -> dict[tuple[str, str], tuple[float, float]]:
    """03's ladder table: {(rung, "tiny" | "big"): (ms, GFLOP/s)}."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^(\S.*?)\s+\((\d+), \d+, (\d+), \d+\)\s+([\d.]+)ms\s+([\d.]+)\s+[\d.]+%$", line)
        if match:
            size = "tiny" if match.group(3) == "12" else "big"
            rows[match.group(1), size] = (float(match.group(4)), float(match.group(5)))
    assert ("F.conv2d", "big") in rows, f"the ladder table was not found:\n{text}"
    return rows


def check_ladder_03(text: str) -> None:
    rows = ladder_03(text)
    gemm = number(r"1024\^2\): ([\d.]+) GFLOP/s", text)
    ns = number(r"the loops: ([\d.]+) ns per multiply-add", text)
    assert 100 <= ns < 1000, f"'hundreds of nanoseconds of interpreter time per multiply-add': {ns}"
    conv, unfold = rows["F.conv2d", "big"], rows["accelerated.conv2d_unfold", "big"]
    assert conv[1] > gemm / 3, f"'more than a third of the torch.mm rate': {conv[1]} vs {gemm}"
    assert conv[0] < rows["vectorized.conv2d", "big"][0], "'faster than NumPy's best strategy'"
    assert rows["F.conv2d", "tiny"][1] < conv[1] / 4, "'the tiny input is too small to keep the cores busy'"
    assert unfold[0] > 2 * conv[0], "'the unfold version is several times slower than F.conv2d'"
    if ("torch.compile, channels_last", "big") in rows:
        ratio = rows["torch.compile, channels_last", "big"][0] / rows["F.conv2d, channels_last", "big"][0]
        assert 0.85 < ratio < 1.6, f"'compiling one convolution gains nothing over channels_last': {ratio:.2f}"


def check_backends_03(text: str) -> None:
    assert "tiny input SlowDilated2d | layer Mkldnn" in text, "'SlowDilated2d on the tiny input, oneDNN on the layer'"


def check_compile(text: str) -> None:
    if "torch.compile skipped" in text:
        return  # no C++ compiler where the outputs were made: the prose says the section is skipped
    ratio = number(r"compiled / eager: ([\d.]+)", text)
    assert 0.9 <= ratio < 1.5, f"'buys no speed ... within about a third of the eager one's time': {ratio}"


def check_overhead(text: str) -> None:
    overhead = number(r"overhead of the checks: \+?(-?[\d.]+)%", text)
    assert overhead < 10, f"'a few per cent of the layer's time': {overhead}%"


CLAIMS = [
    Claim("02_vectorized", "6fca5074", "the loops spend hundreds of nanoseconds per multiply-add", check_naive_ns),
    Claim("02_vectorized", "6af04b2e", "zero-inserted grows with every d, several x; dilated flat", check_sweep),
    Claim("02_vectorized", "96892553", "the ladder: loops, NumPy strategies, zero-inserted, torch", check_ladder_02),
    Claim(
        "02_vectorized",
        "1220f65b",
        "torch runs SlowDilated2d on the tiny input, Mkldnn on the layer",
        check_backends_02,
    ),
    Claim("02_vectorized", "780588b8", "the row strategy copies one image (3 MiB) at a time", check_rows_memory),
    Claim(
        "03_torch", "adcb5a6a", "the ladder: loops, oneDNN's share of the GEMM rate, unfold, compile", check_ladder_03
    ),
    Claim("03_torch", "e383589f", "torch runs SlowDilated2d on the tiny input, Mkldnn on the layer", check_backends_03),
    Claim("03_torch", "0ec90639", "compiling the tiny stack buys no speed", check_compile),
    Claim("03_torch", "b00c9282", "the argument checks cost a few per cent of the layer", check_overhead),
]


def executed_on(notebook: str) -> dict | None:
    """The machine ``tools/run_notebooks.py`` recorded in the notebook's metadata, or None."""
    nb = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    return nb.metadata.get("dilconv", {}).get("executed_on")


@pytest.mark.parametrize("claim", CLAIMS, ids=[f"{c.notebook}:{c.cell}" for c in CLAIMS])
def test_stored_output_agrees_with_the_text(claim: Claim) -> None:
    machine = executed_on(claim.notebook)
    assert machine is not None, (
        f"{claim.notebook} was not executed by make notebooks (tools/run_notebooks.py): no machine recorded; "
        "execute it with make notebooks on an idle machine"
    )
    assert not machine.get("forced") and not run_notebooks.too_busy(
        machine.get("load_average") or 0.0, machine.get("cores") or 1
    ), f"{claim.notebook} was executed on a busy machine (--force): {machine}; execute it again on an idle one"
    claim.check(stored_text(claim.notebook, claim.cell))


def test_a_contradiction_is_caught() -> None:
    """The checks fail on the stored ladder that issue 15 found: F.conv2d 25.6 ms beside 2-3 ms NumPy rungs."""
    old = """                        tiny input (4 channels, 16x16)      layer (64 channels, 64x64)
naive                    15.396 ms                   1
tap loop                  0.088 ms                 175     22.934 ms              13.2
rows                      0.046 ms                 334      1.808 ms             167.0
im2col                    0.038 ms                 403      2.844 ms             106.2
space-to-batch            0.040 ms                 400      2.500 ms             120.0
vectorized.conv2d         0.046 ms                 333      1.810 ms             166.8
zero-inserted             0.061 ms                 253     12.777 ms              23.6
torch F.conv2d            0.015 ms                1031     25.600 ms              11.8
"""
    with pytest.raises(AssertionError):
        check_ladder_02(old)
    with pytest.raises(AssertionError, match="grows with every step"):
        check_sweep(
            "\n".join(
                f"d = {d}: dilated 0.11 ms, zero-inserted {t} ms"
                for d, t in zip((1, 2, 4, 8), (0.11, 35.98, 40.34, 1.64))
            )
        )


# --- the guard that keeps the stored outputs from a busy machine --------------------------------------


def test_run_notebooks_refuses_a_busy_machine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(run_notebooks.os, "getloadavg", lambda: (3.0, 3.0, 3.0))
    monkeypatch.setattr(run_notebooks.os, "cpu_count", lambda: 4)
    monkeypatch.delenv(run_notebooks.FORCE_ENV, raising=False)
    ran: list[Path] = []
    records: list[dict] = []
    monkeypatch.setattr(run_notebooks, "run_notebook", lambda path, record: (ran.append(path), records.append(record)))
    assert run_notebooks.main(["notebooks/02_vectorized.ipynb"]) == 2 and not ran
    assert "load average 3.00 on 4 cores" in capsys.readouterr().err
    assert run_notebooks.main(["--force", "notebooks/02_vectorized.ipynb"]) == 0 and len(ran) == 1
    assert records[-1]["forced"] and records[-1]["load_average"] == 3.0  # the stored-output claims then fail
    monkeypatch.setenv(run_notebooks.FORCE_ENV, "1")
    assert run_notebooks.main(["notebooks/02_vectorized.ipynb"]) == 0 and len(ran) == 2


def test_run_notebooks_executes_and_records_the_machine(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    run_notebooks.run_notebook(path)
    done = nbformat.read(path, as_version=4)
    assert done.cells[0].outputs[0].text == "42\n"
    assert "execution" not in done.cells[0].metadata  # record_timing=False
    machine = done.metadata["dilconv"]["executed_on"]
    assert machine["cores"] and machine["numpy"] and machine["torch"] and machine["date"].endswith("UTC")
