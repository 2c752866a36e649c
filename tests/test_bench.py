"""The benchmark runs end to end on a tiny workload, in fresh processes and in one; no timing is asserted."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from dilconv_lib import bench, timing

# A stand-in for numpy-ml's utils.py with its conventions: NHWC input, (kH, kW, C_in, C_out) weights,
# dilation counted as inserted gaps. It computes through our own backend.
FAKE_NUMPY_ML = """
import numpy as np
from dilconv_lib import vectorized

def conv2D(X, W, stride, pad, dilation=0):
    out = vectorized.conv2d(X.transpose(0, 3, 1, 2), W.transpose(3, 2, 0, 1), stride=stride, padding=pad,
                            dilation=dilation + 1)
    return out.transpose(0, 2, 3, 1)
"""

TINY = ["--shapes", "1x4", "--size", "12", "--dilations", "1,3", "--repeats", "1", "--skip-context"]


@pytest.fixture
def fake_numpy_ml(tmp_path: Path) -> Path:
    path = tmp_path / "utils.py"
    path.write_text(FAKE_NUMPY_ML)
    return path


@pytest.fixture
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timing, "PAUSE_S", 0.0)
    monkeypatch.setattr(bench, "TARGET_S", 0.0)


def test_bench_runs_and_writes_json(
    tmp_path: Path, fake_numpy_ml: Path, capsys: pytest.CaptureFixture[str], no_pause: None
) -> None:
    out = tmp_path / "results.json"
    report = bench.main([*TINY, "--in-process", "--json", str(out), "--numpy-ml", str(fake_numpy_ml)])
    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    assert [r["workload"] for r in report["results"]] == ["N=1 C=4 d=1", "N=1 C=4 d=3"]
    names = [impl.name for impl in bench.IMPLEMENTATIONS] + ["numpy-ml"]
    for r in report["results"]:
        assert list(r["impls"]) == names
        for m in r["impls"].values():
            # at least 3 samples a round (timing.MIN_REPEATS), in each round
            assert m["median_s"] > 0 and m["ratio_to_torch"] > 0 and len(m["times_s"]) == bench.ROUNDS * 3
            assert m["min_s"] <= m["median_s"]
    assert set(report["summary"]["numpy_ml_over_vectorized"]["per_workload"]) == {"N=1 C=4 d=1", "N=1 C=4 d=3"}
    assert report["fresh_processes"] is False
    printed = capsys.readouterr().out
    assert "geometric mean" in printed and "numpy-ml time / vectorized time" in printed
    assert "in this one process" in printed


def test_bench_times_each_implementation_in_a_fresh_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: list[list[str]] = []
    run = subprocess.run

    def spy(command: list[str], **kwargs: object) -> object:
        assert "env" not in kwargs  # the environment this command had: nothing added
        commands.append(command)
        return run(command, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(bench.subprocess, "run", spy)
    monkeypatch.chdir(tmp_path)
    report = bench.main([*TINY, "--impls", "space_to_batch", "--rounds", "1", "--json", "r.json"])
    assert [c[c.index("--worker") + 1] for c in commands] == ["gemm", "torch", "space_to_batch"]
    assert report["fresh_processes"] is True and set(report["gemm_gflops"]) == {
        "1024x1024@1024x1024",
        "64x576@576x4096",
    }
    assert list(report["results"][0]["impls"]) == ["space_to_batch"]
    assert "each implementation in its own fresh Python process" in capsys.readouterr().out


def test_bench_skips_numpy_ml_when_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_pause: None
) -> None:
    monkeypatch.chdir(tmp_path)  # no build/numpy-ml here
    monkeypatch.setattr(bench.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(bench, "gemm_gflops", lambda repeats: {})
    report = bench.main([*TINY, "--in-process", "--impls", "vectorized", "--dilations", "2", "--json", "r.json"])
    assert "skipping the numpy-ml row" in capsys.readouterr().out
    assert "numpy-ml" not in report["results"][0]["impls"] and report["numpy_ml"] is None


def test_unknown_implementation_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown"):
        bench.main([*TINY, "--in-process", "--impls", "fastest"])


def test_find_numpy_ml_reads_a_wheel(tmp_path: Path) -> None:
    import zipfile

    wheel = tmp_path / "numpy_ml-0.1.2-py2.py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(bench.NUMPY_ML_FILE, FAKE_NUMPY_ML)
    module, where = bench.find_numpy_ml(tmp_path)
    assert module is not None and where == str(wheel)
    x = np.ones((1, 5, 5, 2), np.float32)
    assert module.conv2D(x, np.ones((3, 3, 2, 1), np.float32), 1, 0, dilation=1).shape == (1, 1, 1, 1)


def test_a_wrong_implementation_is_caught(no_pause: None) -> None:
    broken = bench.Implementation("broken", lambda x, w, wl: lambda: np.zeros((1, 4, 12, 12), np.float32))
    with pytest.raises(AssertionError, match="broken disagrees with torch"):
        bench.time_workloads(broken, [bench.Workload(1, 4, 1, size=12)], repeats=1)


def test_time_is_the_median_of_the_least_disturbed_round() -> None:
    wl = bench.Workload(1, 4, 1, size=12)
    samples = {
        "torch": [[{"times_s": [1.0, 2.0, 9.0]}], [{"times_s": [3.0, 3.0, 3.0]}]],  # round medians 2, 3
        "rows": [[{"times_s": [40.0, 50.0, 60.0]}], [{"times_s": [4.0, 5.0, 9.0]}]],  # round medians 50, 5
    }
    (result,) = bench.collect([wl], ["torch", "rows"], samples)
    assert result["torch"]["median_s"] == 2.0
    rows = result["impls"]["rows"]
    assert rows["median_s"] == 5.0 and rows["min_s"] == 4.0 and rows["ratio_to_torch"] == 2.5
    assert rows["round_medians_s"] == [50.0, 5.0] and len(rows["times_s"]) == 6


def test_context_module_rate_is_measured_against_torch_matmul(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rates, the ceiling and the share from fixed samples: the logic, not this machine's speed."""
    seconds = {"torch mm 1024^3": 2**-6, "torch mm 2048^3": 2**-3, "context module nchw": 2**-9}
    seconds["context module channels_last"] = 2**-10

    def fake_measure(calls: dict, repeats: int, target_s: float) -> dict:
        assert set(calls) == set(seconds) and repeats == 1
        for name, call in calls.items():
            if name.startswith("torch mm"):  # not run: its operands say what it would multiply
                k = int(name.split()[2].split("^")[0])
                assert call.func is torch.mm and [a.shape for a in call.args] == [(k, k), (k, k)]
            else:
                assert call().shape == (1, 2, 16, 16)
        return {name: timing.Timing((seconds[name],) * 3, 1, 1, "torch") for name in calls}

    monkeypatch.setattr(bench.timing, "measure", fake_measure)
    got = bench.context_module_gflops(n=1, c=2, size=16, repeats=1)
    # seven 3x3 layers and one 1x1 layer, C_in = C_out = 2: 2 * 16 * 16 * 2 * 2 * (7 * 9 + 1)
    assert got["flops"] == 2 * 16 * 16 * 2 * 2 * (7 * 9 + 1)
    rates = {"torch mm 1024^3": 2 * 1024**3 / 2**-6 / 1e9, "torch mm 2048^3": 2 * 2048**3 / 2**-3 / 1e9}
    rates |= {
        "context module nchw": got["flops"] / 2**-9 / 1e9,
        "context module channels_last": got["flops"] / 2**-10 / 1e9,
    }
    assert got["gflops"] == pytest.approx(rates)
    assert got["ceiling"] == pytest.approx(rates["torch mm 2048^3"])  # the better of the two products
    assert got["best_share"] == pytest.approx(rates["context module channels_last"] / rates["torch mm 2048^3"])
