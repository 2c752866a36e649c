"""The one timing helper: warm-up, fixed threads, pauses between NumPy and torch, min, median and spread."""

from __future__ import annotations

import functools
import os
import shutil
import sys
import time
from collections.abc import Callable

import numpy as np
import pytest
import torch

from dilconv_lib import timing
from dilconv_lib.timing import Timing, measure


def test_timing_statistics() -> None:
    t = Timing((0.003, 0.001, 0.002, 0.010), calls_per_sample=1, threads=1, library="numpy")
    assert t.min == 0.001 and t.median == 0.0025
    assert t.spread == pytest.approx((0.010 - 0.001) / 0.0025)
    assert "2.50 ms" in str(t) and "min 1.00 ms" in str(t) and "4 samples of 1 call," in str(t)


class FakeClock:
    """``time.perf_counter`` that moves only when a timed call says so: samples are exact, whatever the machine."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 0.0
        monkeypatch.setattr(timing.time, "perf_counter", lambda: self.now)

    def call(self, *seconds: float) -> Callable[[], None]:
        """A call that takes ``seconds[i]`` on its i-th run and the last of them after; it counts its runs."""

        def run() -> None:
            self.now += seconds[min(run.runs, len(seconds) - 1)]  # type: ignore[attr-defined]
            run.runs += 1  # type: ignore[attr-defined]

        run.runs = 0  # type: ignore[attr-defined]
        return run


def test_first_call_is_a_warm_up_and_is_not_timed(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock(monkeypatch)
    slow_first = clock.call(0.05, 0.001)  # 50 ms the first time, 1 ms after
    t = measure({"f": slow_first}, repeats=3, target_s=0.0)["f"]
    assert t.calls_per_sample == 1 and t.times == pytest.approx((0.001,) * 3, rel=1e-9)  # the 50 ms call in none
    assert slow_first.runs == 1 + 1 + 3  # the warm-up, the one call that sizes the samples, three samples


def test_samples_repeat_a_fast_call_until_the_target(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock(monkeypatch)
    t = measure({"f": clock.call(2**-17)}, repeats=3, target_s=2**-10)["f"]
    assert t.calls_per_sample == 2**7 and t.times == (2**-17,) * 3  # 128 calls of 7.6 us make the 0.98 ms target


def test_at_least_three_samples_and_the_budget_stops_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock(monkeypatch)
    # a sample lasts 1/64 s: three rounds (0.047 s) are within a 0.05 s budget, a fourth starts, a fifth does not
    assert len(measure({"f": clock.call(2**-6)}, repeats=50, target_s=0.0, budget_s=0.05)["f"].times) == 4
    assert len(measure({"f": clock.call(2**-6)}, repeats=50, target_s=0.0)["f"].times) == 50  # no budget: all
    assert len(measure({"f": clock.call(1.0)}, repeats=50, target_s=0.0, budget_s=0.0)["f"].times) == 3
    assert len(measure({"f": clock.call(2**-6)}, repeats=1)["f"].times) == 3


def test_library_is_read_from_the_result() -> None:
    got = measure(
        {"numpy": lambda: np.ones(3), "torch": lambda: torch.ones(3), "none": lambda: None},
        repeats=3,
        target_s=0.0,
        pause_s=0.0,
    )
    assert [t.library for t in got.values()] == ["numpy", "torch", "python"]
    assert measure({"f": lambda: None}, libraries={"f": "torch"}, pause_s=0.0)["f"].library == "torch"


def test_pauses_only_where_numpy_and_torch_alternate(monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    monkeypatch.setattr(timing.time, "sleep", lambda s: order.append(f"pause {s}"))

    def call(name: str, result: object) -> object:
        def run() -> object:
            order.append(name)
            return result

        return run

    calls = {"a": call("a", np.ones(1)), "t": call("t", torch.ones(1)), "b": call("b", np.ones(1))}
    libraries = {"a": "numpy", "t": "torch", "b": "numpy"}
    measure(calls, repeats=3, target_s=0.0, pause_s=0.5, libraries=libraries)
    # never two calls of different libraries without a pause between them
    last = ""
    for item in order:
        lib = "" if item.startswith("pause") else libraries[item]
        assert last in ("", lib) or lib == "", order
        last = lib
    # two pauses in the warm-ups (before t, before b); then the rounds run the NumPy calls together (a, b)
    # and torch's after them: a pause before each t and before each round but the first
    assert order.count("pause 0.5") == 2 + 5
    runs = [x for i, x in enumerate(order) if i == 0 or x != order[i - 1]]  # repeated calls counted once
    assert runs[-14:] == ["a", "b", "pause 0.5", "t", "pause 0.5"] * 2 + ["a", "b", "pause 0.5", "t"]


def test_threads_are_fixed_while_timing_and_restored() -> None:
    before_torch, before_blas = torch.get_num_threads(), timing.blas_threads()
    seen = []
    measure({"f": lambda: seen.append((torch.get_num_threads(), timing.blas_threads()))}, threads=1, target_s=0.0)
    assert all(t == 1 and b in (1, None) for t, b in seen)
    assert torch.get_num_threads() == before_torch and timing.blas_threads() == before_blas


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="repeats"):
        measure({"f": lambda: None}, repeats=0)
    with pytest.raises(ValueError, match="threads"):
        measure({"f": lambda: None}, threads=0)


def test_time_call_is_measure_of_one() -> None:
    t = timing.time_call(lambda: np.zeros(10), repeats=3, target_s=0.0, library="numpy")
    assert t.library == "numpy" and len(t.times) == 3 and t.threads == timing.default_threads()


def test_other_load_is_the_machines_busy_time_less_this_processs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read from /proc twice, with this process's own CPU time taken out, over the block's wall time."""
    clock = FakeClock(monkeypatch)
    readings = iter([(100.0, 10.0), (101.8, 10.6)])  # (machine busy, this process) CPU seconds, before and after
    monkeypatch.setattr(timing, "_cpu_seconds", lambda: next(readings))
    with timing.other_load() as load:
        clock.now += 1.5
    assert load.cores == pytest.approx((1.8 - 0.6) / 1.5)
    readings = iter([(100.0, 10.0), (100.0, 10.5)])  # the ticks fell apart: never below zero
    with timing.other_load() as load:
        clock.now += 1.0
    assert load.cores == 0.0
    readings = iter([(100.0, 10.0), (101.0, 10.0)])
    with timing.other_load() as load:
        clock.now += timing.MIN_WINDOW_S / 2  # too short to tell one 10 ms tick from a busy core
    assert load.cores is None
    monkeypatch.setattr(timing, "_cpu_seconds", lambda: None)  # no /proc
    with timing.other_load() as load:
        clock.now += 1.0
    assert load.cores is None


def test_cpu_seconds_count_this_processs_own_work() -> None:
    """On Linux /proc gives this process's CPU time as the OS clock does, to a tick; elsewhere there is none."""
    if not sys.platform.startswith("linux"):
        assert timing._cpu_seconds() is None
        return
    before, own_before = timing._cpu_seconds(), time.process_time()
    while time.process_time() - own_before < 0.2:  # CPU time, not wall time: the same on a busy machine
        pass
    after, own = timing._cpu_seconds(), time.process_time() - own_before
    assert before is not None and after is not None
    tick = 1 / os.sysconf("SC_CLK_TCK")
    assert after[1] - before[1] == pytest.approx(own, abs=3 * tick)
    assert after[0] - before[0] >= after[1] - before[1] - 3 * tick  # the machine's busy time includes ours


def test_a_busy_timing_says_so() -> None:
    quiet = timing.Timing((0.001,), calls_per_sample=1, threads=2, library="numpy", other_cores=0.05)
    busy = timing.Timing((0.001,), calls_per_sample=1, threads=2, library="numpy", other_cores=1.2)
    assert not quiet.busy and "busy" not in str(quiet)
    assert busy.busy and "other processes used 1.2 cores" in str(busy)


# --- the machine's float32 peak ------------------------------------------------------------------


def best_gemm_gflops(threads: int) -> float:
    """The best float32 torch.mm rate over the sizes the fallback uses, on ``threads`` threads."""
    best = 0.0
    with timing.fixed_threads(threads), torch.no_grad():
        for n in timing.GEMM_SIZES:
            a, b = torch.randn(n, n), torch.randn(n, n)
            product = functools.partial(torch.mm, a, b)
            product()
            best = max(best, 2 * n**3 / min(timing._seconds(product, 1) for _ in range(3)) / 1e9)
    return best


def test_the_fma_kernel_is_vectorized() -> None:
    """With a C compiler the FMA kernel runs vectorized; without one the peak says it fell back to GEMM.

    A kernel the compiler did not vectorize (or whose chains wait on each other) runs at a sixteenth (AVX-512)
    or an eighth (AVX2) of the peak, far below torch's one-thread matrix product; vectorized, it runs at or above
    it (116 against about 90 GFLOP/s on the machine the notebooks were stored on). A third of the GEMM rate
    tells the two apart even when another program shares the core (one thread each: the unit tests pass under
    doubled load), so this is no timing threshold.
    """
    gemm = best_gemm_gflops(1)
    if timing._c_compiler() is None:  # e.g. Windows without a compiler: the learner gets the labelled fallback
        peak = timing.fma_peak_gflops(threads=1, runs=1)
        assert peak.method == "gemm" and "not a ceiling" in peak.detail
        return
    peak = timing.fma_peak_gflops(threads=1)
    assert peak.method == "fma", peak.detail
    assert peak.gflops > gemm / 3 > 0, f"FMA {peak.gflops:.0f} GFLOP/s, torch.mm {gemm:.0f}: not vectorized"


def test_the_peak_falls_back_to_gemm_without_a_compiler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timing.shutil, "which", lambda name: None)
    monkeypatch.setattr(timing, "GEMM_SIZES", (64, 128))  # quick: the path, not the machine, is tested here
    monkeypatch.setattr(timing, "PAUSE_S", 0.0)
    peak = timing.fma_peak_gflops(threads=1, runs=2)
    assert peak.method == "gemm" and peak.gflops > 0 and peak.threads == 1
    assert "not a ceiling" in peak.detail and "64^2, 128^2" in peak.detail
    assert "gemm" in str(peak) and "not a ceiling" in str(peak)


def test_the_peak_falls_back_to_gemm_when_the_compiler_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    false = shutil.which("false")
    assert false is not None
    monkeypatch.setattr(timing, "_c_compiler", lambda: false)  # a "compiler" that fails on every file
    monkeypatch.setattr(timing, "GEMM_SIZES", (64,))
    monkeypatch.setattr(timing, "PAUSE_S", 0.0)
    assert timing.fma_peak_gflops(threads=1, runs=1).method == "gemm"


def test_the_peak_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="threads"):
        timing.fma_peak_gflops(threads=0)
    with pytest.raises(TypeError, match="threads"):
        timing.fma_peak_gflops(threads=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="runs"):
        timing.fma_peak_gflops(runs=0)
    with pytest.raises(ValueError, match="target_s"):
        timing.fma_peak_gflops(target_s=0)


def test_cpu_model_names_the_processor() -> None:
    assert isinstance(timing.cpu_model(), str) and timing.cpu_model()
