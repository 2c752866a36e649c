"""The one timing helper: warm-up, fixed threads, pauses between NumPy and torch, min, median and spread."""

from __future__ import annotations

import subprocess
import sys
import time

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


def test_first_call_is_a_warm_up_and_is_not_timed() -> None:
    calls = []

    def slow_first() -> None:
        calls.append(time.perf_counter())
        if len(calls) == 1:
            time.sleep(0.05)

    t = measure({"f": slow_first}, repeats=3, target_s=0.0)["f"]
    assert t.calls_per_sample == 1 and len(t.times) == 3
    assert t.min < 0.02 and max(t.times) < 0.02  # the 50 ms first call is in no sample


def test_samples_repeat_a_fast_call_until_the_target() -> None:
    t = measure({"f": lambda: None}, repeats=3, target_s=0.001)["f"]
    assert t.calls_per_sample > 10


def test_at_least_three_samples_and_the_budget_stops_the_rest() -> None:
    got = measure({"sleep": lambda: time.sleep(0.01)}, repeats=50, target_s=0.0, budget_s=0.05)["sleep"]
    assert 3 <= len(got.times) < 50
    assert len(measure({"f": lambda: None}, repeats=1)["f"].times) == 3


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


def test_other_load_sees_a_busy_core() -> None:
    """A child process that keeps one core busy shows as at least half a core of other load."""
    burn = "import time\nend = time.perf_counter() + 1.0\nwhile time.perf_counter() < end: pass\n"
    child = subprocess.Popen([sys.executable, "-c", burn])
    try:
        time.sleep(0.1)  # let it start
        with timing.other_load() as load:
            time.sleep(0.6)
    finally:
        child.wait()
    if sys.platform.startswith("linux"):
        assert load.cores is not None and load.cores >= 0.5


def test_a_busy_timing_says_so() -> None:
    quiet = timing.Timing((0.001,), calls_per_sample=1, threads=2, library="numpy", other_cores=0.05)
    busy = timing.Timing((0.001,), calls_per_sample=1, threads=2, library="numpy", other_cores=1.2)
    assert not quiet.busy and "busy" not in str(quiet)
    assert busy.busy and "other processes used 1.2 cores" in str(busy)
