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
    prose: tuple[str, ...] = ()  # the markdown cells whose quoted ratios the check compares with the stored text


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


def prose(notebook: str, cell_id: str) -> str:
    """The source of a markdown cell: the sentence that reads a stored measurement."""
    nb = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.get("id") == cell_id and c.cell_type == "markdown"]
    assert cells, f"{notebook}: no markdown cell with id {cell_id!r} (a claim names a cell that was removed)"
    return " ".join(cells[0].source.split())


def quotes(sentence: str, text: str, measured: float, *, within: float) -> None:
    """The number the prose quotes in ``sentence`` (a pattern with one group) is the measured one, as rounded."""
    said = number(sentence, text)
    assert abs(said - measured) <= within, f"the text says {said} ({sentence!r}), the stored output {measured:.2f}"


def check_sweep(text: str) -> None:
    dense = [number(rf"d = {d}: dilated\s+[\d.]+ ms, zero-inserted\s+([\d.]+) ms", text) for d in (1, 2, 4, 8)]
    dilated = [number(rf"d = {d}: dilated\s+([\d.]+) ms", text) for d in (1, 2, 4, 8)]
    assert all(b > a for a, b in zip(dense, dense[1:])), f"'grows with every step of d': {dense}"
    growth = number(r"from d = 1 to d = 8: zero-inserted ([\d.]+) x", text)
    quotes(r"to about ([\d.]+) times its time at", prose("02_vectorized", "3e62bdd5"), growth, within=0.6)
    assert growth < 33, f"'less than the 33x of the multiply-adds': stored {growth}x"
    flat = number(r"x the time, dilated ([\d.]+) x", text)
    assert 0.8 <= flat <= 1.25, f"'the dilated kernel's time stayed flat, a ratio near 1': stored {flat}x"
    assert max(dilated) <= 1.25 * min(dilated), f"'stayed flat' at every d: {dilated}"


def check_ladder_02(text: str) -> None:
    tiny, layer = ladder_02(text)
    said = prose("02_vectorized", "bf01b585")
    numpy_layer = [layer[name] for name in NUMPY_02]
    speedup = tiny["naive"] / tiny["vectorized.conv2d"]
    quotes(r"was about (\d+) times faster than the naive loops", said, speedup, within=0.05 * speedup)
    spread = max(numpy_layer) / min(numpy_layer)
    quotes(r"the slowest took about ([\d.]+) times as long as the fastest", said, spread, within=0.06)
    assert layer["vectorized.conv2d"] <= 1.05 * min(numpy_layer), "'the fastest or within a few per cent of it'"
    assert layer["zero-inserted"] > max(numpy_layer), "'the zero-inserted kernel: the slowest on the layer'"
    torch_ratio = layer["vectorized.conv2d"] / layer["torch F.conv2d"]
    quotes(r"torch\*\* was about ([\d.]+) times as fast as", said, torch_ratio, within=0.06)
    # the printed ratios are the table's
    assert abs(number(r"tiny input: ([\d.]+)x", text) - speedup) <= 0.05 * speedup


def check_backends_02(text: str) -> None:
    assert "tiny input: SlowDilated2d" in text, "'on the tiny input torch's CPU build runs SlowDilated2d'"
    assert "layer:      Mkldnn" in text, "'on the layer it runs oneDNN (Mkldnn)'"


def check_rows_memory(text: str) -> None:
    assert "rows 3 MiB (1 image at a time)" in text, "the row strategy copies 3 MiB, one image at a time"


# --- notebook 03 ------------------------------------------------------------------------------------


def ladder_03(text: str) -> dict[tuple[str, str], tuple[float, float, float]]:
    """03's ladder table: {(rung, "tiny" | "big" | "gemm"): (ms, GFLOP/s, fraction of the peak)}."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^(\S.*?)\s+\((\d+), (\d+)(?:, (\d+), \d+)?\)\s+([\d.]+)ms\s+([\d.]+)\s+([\d.]+)%$", line)
        if match:
            size = "gemm" if match.group(4) is None else "tiny" if match.group(4) == "12" else "big"
            rows[match.group(1), size] = (float(match.group(5)), float(match.group(6)), float(match.group(7)) / 100)
    assert ("F.conv2d", "big") in rows and ("torch.mm", "gemm") in rows, f"the ladder table was not found:\n{text}"
    return rows


def check_ladder_03(text: str) -> None:
    rows = ladder_03(text)
    assert "float32 peak: " in text and "(fma, " in text, (
        f"'the yardstick is the FMA peak, printed with the machine':\n{text}"
    )
    peak = number(r"float32 peak: ([\d.]+) GFLOP/s", text)
    ns = number(r"the loops: ([\d.]+) ns per multiply-add", text)
    assert 100 <= ns < 1000, f"'hundreds of nanoseconds of interpreter time per multiply-add': {ns}"
    assert all(rate <= peak for _, rate, _ in rows.values()), f"'a ceiling that no rung passes': {rows}, peak {peak}"
    share = {key: row[2] for key, row in rows.items()}
    conv, conv_cl = share["F.conv2d", "big"], share["F.conv2d, channels_last", "big"]
    said = prose("03_torch", "9b2fc4e2")
    mm, numpy_best = share["torch.mm", "gemm"], share["vectorized.conv2d", "big"]
    quotes(r"which ran at (\d+) % of this machine's FMA peak", said, 100 * conv, within=0.5)
    quotes(r"and at (\d+) % in `channels_last`", said, 100 * conv_cl, within=0.5)
    quotes(r"`torch.mm` reached (\d+) %", said, 100 * mm, within=0.5)
    quotes(r"NumPy's best strategy (\d+) %", said, 100 * numpy_best, within=0.5)
    assert 1 - conv_cl < 0.1, "'close to the ceiling'"
    before, after = (number(rf"{when}:? ([\d.]+)", text) for when in ("before the rungs", "after them"))
    apart = abs(before - after) / max(before, after)
    assert apart < 0.05, f"'the two measurements agreed to within a few per cent': {before} and {after}"
    assert 1 - max(share.values()) > apart, "'the fastest rung stayed further below the peak than they differ'"
    assert rows["F.conv2d", "tiny"][1] < rows["F.conv2d", "big"][1] / 4, "'the tiny input is too small'"
    unfold = number(r"the unfold version takes ([\d.]+) x F.conv2d's time", text)
    quotes(r"it took ([\d.]+) times as long as `F.conv2d`", said, unfold, within=0.05)
    assert unfold > 1, "'first writes the larger unfolded matrix to memory and reads it back': slower"
    if ("torch.compile, channels_last", "big") in rows:
        ratio = rows["torch.compile, channels_last", "big"][0] / rows["F.conv2d, channels_last", "big"][0]
        assert 0.85 < ratio < 1.6, f"'compiling one convolution gains nothing over channels_last': {ratio:.2f}"


def check_backends_03(text: str) -> None:
    padding = number(r"taps on the padding: ([\d.]+)% of the layer's", text)
    assert round(padding) == 4, f"'those taps (4 % of the layer's)': {padding}"
    assert "tiny input SlowDilated2d | layer Mkldnn" in text, "'SlowDilated2d on the tiny input, oneDNN on the layer'"


def check_compile(text: str) -> None:
    if "torch.compile skipped" in text:
        return  # no C++ compiler where the outputs were made: the prose says the section is skipped
    ratio = number(r"compiled / eager: ([\d.]+)", text)
    assert 0.9 <= ratio < 1.5, f"'buys no speed ... within about a third of the eager one's time': {ratio}"


def check_overhead(text: str) -> None:
    overhead = number(r"overhead of the checks: \+?(-?[\d.]+)%", text)
    assert overhead < 10, f"'a few per cent of the layer's time': {overhead}%"


# --- notebook 04 ------------------------------------------------------------------------------------


def check_random_erf_even(text: str) -> None:
    half = number(r"50% of it in a (\d+)x\d+ square", text)
    most = number(r"95% in (\d+)x\d+", text)
    share = number(r"\(([\d.]+) of the field's side\)", text)
    factor = number(r"varies by a factor of ([\d.]+) over offsets", text)
    flat_half, flat_most = (
        number(rf"a flat field: {pattern};", text) for pattern in (r"(\d+) and \d+", r"\d+ and (\d+)")
    )
    assert (half, most, share) == (41, 63, 0.94), f"'half in a 41 x 41 square, 95% in 63 x 63 (0.94)': {text}"
    assert (flat_half, flat_most) == (49, 67), f"'against 49 x 49 and 67 x 67 for a flat field': {text}"
    assert 2.5 <= factor < 3.5, f"'the centre row varies by a factor of about 3': {factor}"


def check_doubling_fills_evenly(text: str) -> None:
    rows = {
        int(m): (float(p), float(d))
        for m, p, d in re.findall(r"^\s*(\d+) \|\s+\d+\s+\d+\s+([\d.]+) \|\s+\d+\s+\d+\s+([\d.]+)$", text, re.M)
    }
    assert sorted(rows) == [1, 2, 4, 8, 12, 16], f"the table was not found:\n{text}"
    doubling = [rows[m][1] for m in (4, 8, 12, 16)]
    assert all(0.89 <= share <= 0.94 for share in doubling), (
        f"'about 0.90 of the field's side at every depth': {doubling}"
    )
    assert (rows[8][1], rows[12][1], rows[16][1]) == (0.906, 0.904, 0.904), "'0.906 at 8 layers, 0.904 at 12 and 16'"
    plain = [rows[m][0] for m in sorted(rows)]
    assert plain == sorted(plain, reverse=True) and plain[-1] == 0.45, (
        f"'the plain share keeps falling (0.45)': {plain}"
    )
    assert number(r"the last layer carries ([\d.]+) of the variance", text) == 0.75, "'three quarters of the variance'"


def check_queues_07(text: str) -> None:
    work = number(r"queues / windows: [\d.]+x faster, for ([\d.]+)x less work", text)
    speed_up = number(r"queues / windows: ([\d.]+)x faster", text)
    assert round(work) == 10, f"'about 10 times fewer columns': {work}"
    assert 1.75 <= speed_up < 2.25, f"'about twice as fast': {speed_up}; 'about half the time' in the summary"
    said = prose("07_beyond", "fastgen-after")
    assert "about twice as fast for about 10 times fewer columns" in said, "the sentence the numbers check"
    summary = prose("07_beyond", "317bef72")
    assert "about 10 times less work, about half the time" in summary, "the summary's sentence"


# --- notebook 06 ------------------------------------------------------------------------------------


def check_verdicts_06(text: str) -> None:
    verdicts = dict(re.findall(r"^context module vs (.+?)\s+out of sight: (\w+)", text, re.M))
    assert verdicts == {
        "plain stack": "above",
        "pooling network": "above",
        "pooling + skip": "below",
        "default init": "above",
        "He init": "above",
    }, f"'below the context module on every seed ... just above it ... both below the identity': {verdicts}"
    assert "every separated pair keeps its order: True" in text, "'every separated pair keeps its order'"
    assert number(r"pooling \+ skip does (\d+)% of the context module's multiply-adds", text) == 35, "'at 35 %'"


def check_gridding_06(text: str) -> None:
    text = re.sub(r"<Figure[^>]*>", "\n", text)  # the figure's text/plain sits between the printed lines
    verdicts = re.findall(r"^(.+?) / (.+?), on the pixels the holes miss: (\w+)", text, re.M)
    assert verdicts == [
        ("hole-free rates", "rates with holes", "above"),
        ("holes + 2 undilated", "rates with holes", "above"),
        ("hole-free rates", "holes + 2 undilated", "indistinguishable"),
    ], f"'lift the gridded stack ... indistinguishable from the hole-free stack': {verdicts}"


CLAIMS = [
    Claim("02_vectorized", "6fca5074", "the loops spend hundreds of nanoseconds per multiply-add", check_naive_ns),
    Claim(
        "02_vectorized",
        "6af04b2e",
        "zero-inserted grows with every d, about 12x; dilated flat",
        check_sweep,
        prose=("3e62bdd5",),
    ),
    Claim(
        "02_vectorized",
        "96892553",
        "the ladder: loops to NumPy, the spread of the strategies, zero-inserted slowest, torch",
        check_ladder_02,
        prose=("bf01b585",),
    ),
    Claim(
        "02_vectorized",
        "1220f65b",
        "torch runs SlowDilated2d on the tiny input, Mkldnn on the layer",
        check_backends_02,
    ),
    Claim("02_vectorized", "780588b8", "the row strategy copies one image (3 MiB) at a time", check_rows_memory),
    Claim(
        "03_torch",
        "adcb5a6a",
        "the ladder: loops, shares of the FMA peak, unfold, compile",
        check_ladder_03,
        prose=("9b2fc4e2",),
    ),
    Claim("03_torch", "e383589f", "torch runs SlowDilated2d on the tiny input, Mkldnn on the layer", check_backends_03),
    Claim("03_torch", "0ec90639", "compiling the tiny stack buys no speed", check_compile),
    Claim("03_torch", "b00c9282", "the argument checks cost a few per cent of the layer", check_overhead),
    Claim(
        "04_receptive_fields",
        "rf-23",
        "at random init the gradient fills the field nearly evenly",
        check_random_erf_even,
    ),
    Claim(
        "04_receptive_fields",
        "rf-25",
        "a doubling stack keeps about 0.90 of its side; Lindeberg fails",
        check_doubling_fills_evenly,
    ),
    Claim("06_context_module", "06-verdicts", "what the seeds separate; pooling + skip at 35 %", check_verdicts_06),
    Claim("06_context_module", "06-grid-results", "holes at chance where they miss; DRN's fix ties", check_gridding_06),
    Claim(
        "07_beyond",
        "fastgen-time",
        "queues: about twice as fast, about 10 times less work",
        check_queues_07,
        prose=("fastgen-after", "317bef72"),
    ),
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


# A ratio quoted in prose ("about 12 times", "1.6 times as fast", "86 %") is a measurement: the markdown cell that
# quotes it is read by some claim's check above, or is listed here with why it is no measurement.
QUOTED_RATIO = re.compile(
    r"\b(?:several times|within a factor|(?:about|roughly|nearly|around) [\d.,]+ ?(?:times|x\b|×|%)"
    r"|[\d.]+ ?(?:times|x) (?:faster|slower|as fast|as long|more|fewer|less)|ran at \d+ %)",
    re.I,
)
NOT_MEASURED = {
    ("08_in_practice", "9d08bcd7"): "22 times fewer weights: arithmetic on the layer shapes, asserted in its cell",
    ("08_in_practice", "f212f746"): "'several times in cascade': copies of a block, not a ratio",
}


def quoted_ratios() -> list[tuple[str, str, str]]:
    """(notebook, cell id, the words) for every ratio quoted in a markdown cell a learner reads."""
    found = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown" or cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
                continue
            found += [(path.stem, cell.id, m.group(0)) for m in QUOTED_RATIO.finditer(" ".join(cell.source.split()))]
    return found


def test_every_quoted_ratio_is_checked_against_the_stored_output() -> None:
    read = {(claim.notebook, cell) for claim in CLAIMS for cell in claim.prose}
    unchecked = [q for q in quoted_ratios() if q[:2] not in read and q[:2] not in NOT_MEASURED]
    assert not unchecked, "ratios in prose that no claim checks (add the cell to a Claim's prose): " + repr(unchecked)
    stale = [key for key in NOT_MEASURED if key not in {q[:2] for q in quoted_ratios()}]
    assert not stale, f"NOT_MEASURED lists cells that quote no ratio any more: {stale}"


def test_the_quoted_ratio_scan_finds_the_words() -> None:
    text = "torch was about 1.6 times as fast; it took 2.0 times as long; at 86 % of the peak; several times"
    assert [m.group(0) for m in QUOTED_RATIO.finditer(text)] == [
        "about 1.6 times",
        "2.0 times as long",
        "several times",
    ]
