"""How fast is the vectorized backend? Measured against ``torch.nn.functional.conv2d`` in one run.

``python -m dilconv_lib.bench`` (or ``make bench``) times the context module's layers (Yu & Koltun):
a 64x64 input, a 3x3 kernel, ``padding = dilation`` for dilations 1, 2, 4, 8, 16, with
(N, C) = (1, 21), (1, 64), (8, 64), ``C_in = C_out = C``, float32. For every implementation in
:data:`IMPLEMENTATIONS` it prints the median time, the rate in GFLOP/s
(``2 N C_out C_in kH kW H_out W_out / t``, the dense count) and the ratio to torch's time. torch is
timed in the same run, call for call, interleaved with each implementation so that drift in the
machine's speed hits both sides; the ratio is the median, over these pairs of calls, of each call's
time over that of the torch call right after it. Every timed call comes right after an untimed one,
so that the library's threads are awake, as when a network runs layer after layer. The command also
measures NumPy's float32 matrix product (the ceiling for any NumPy strategy) and writes everything
as JSON (``bench-results.json`` unless ``--json PATH``).

numpy-ml's ``conv2D`` (a published NumPy im2col with dilation) is a comparison row when its source is
available: the package no longer imports on Python 3.11, so its ``neural_nets/utils/utils.py`` is
loaded on its own, from ``--numpy-ml PATH`` (a wheel, a source tree or that file), the installed
package, or ``build/numpy-ml/`` (``pip download numpy-ml==0.1.2 --no-deps -d build/numpy-ml``).
Its ``dilation`` counts inserted gaps (``d - 1``), its layout is NHWC and its weights
(kH, kW, C_in, C_out); the conversion is done before timing.

Threads: torch and OpenBLAS use ``--threads`` (default: every core). OpenBLAS's idle threads spin for
about 0.1 s after each call, which starves torch's threads when the two alternate on few cores, so
the command restarts itself once with ``OPENBLAS_THREAD_TIMEOUT`` set to a spin of a few ms, and
pauses after every timed call for longer than that. Run it on an otherwise idle machine: on a busy
one, threads that wait for each other make every multi-threaded time noisy (``--threads 1`` is
steadier there).

Last, it times a whole forward pass of the Basic context module (N=8, C=64, 64x64; NCHW and
``channels_last``) against torch's own float32 matmul rate (``--skip-context`` leaves it out).

The naive loops are left out: one of these layers takes them minutes (notebook ``02_vectorized``
times them on a small input). To add an implementation (torch channels_last, ``torch.compile``, the
accelerated backend), append an :class:`Implementation` to :data:`IMPLEMENTATIONS`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import sys
import time
import types
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from dilconv_lib import vectorized
from dilconv_lib.geometry import conv_geometry

Run = Callable[[], object]  # one convolution call, operands already bound
Setup = Callable[[np.ndarray, np.ndarray, "Workload"], Run]

NUMPY_ML_FILE = "numpy_ml/neural_nets/utils/utils.py"
# OpenBLAS's idle threads spin for 2**OPENBLAS_SPIN cycles (a few ms: through one convolution's gaps between
# products, but not for the default 2**28, about 0.1 s); every timed call is followed by a pause longer
# than that, so that the next call, ours or torch's, starts with the other library's threads asleep.
OPENBLAS_SPIN = "24"
PAUSE_S = 0.012
MIN_REPEATS, BUDGET_S = 3, 2.0  # each implementation gets `repeats` timed calls, or at least 3 within 2 s


@dataclass(frozen=True)
class Workload:
    """One layer: (N, C, size, size) input, (C, C, k, k) weight, ``padding = dilation``, stride 1."""

    n: int
    c: int
    dilation: int
    size: int = 64
    kernel: int = 3

    @property
    def name(self) -> str:
        return f"N={self.n} C={self.c} d={self.dilation}"

    @property
    def flops(self) -> int:
        """``2 N C_out C_in k^2 H_out W_out``: every multiply-add of the dense sum, padding included."""
        return 2 * self.n * self.c * self.c * self.kernel**2 * self.size**2

    def operands(self, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((self.n, self.c, self.size, self.size), dtype=np.float32)
        w = rng.standard_normal((self.c, self.c, self.kernel, self.kernel), dtype=np.float32)
        return x, w / np.float32(3 * math.sqrt(self.c))  # unit-variance outputs


@dataclass(frozen=True)
class Implementation:
    """A named way to compute a workload: ``setup(x, w, workload)`` returns the call to time."""

    name: str
    setup: Setup
    note: str = ""


def _numpy_setup(conv: Callable[..., np.ndarray]) -> Setup:
    def setup(x: np.ndarray, w: np.ndarray, wl: Workload) -> Run:
        return lambda: conv(x, w, padding=wl.dilation, dilation=wl.dilation)

    return setup


def _torch_setup(x: np.ndarray, w: np.ndarray, wl: Workload) -> Run:
    import torch
    import torch.nn.functional as F

    xt, wt = torch.from_numpy(x), torch.from_numpy(w)
    return lambda: F.conv2d(xt, wt, padding=wl.dilation, dilation=wl.dilation)


TORCH = Implementation("torch", _torch_setup, "torch.nn.functional.conv2d, the reference")


def _product_only_setup(x: np.ndarray, w: np.ndarray, wl: Workload) -> Run:
    # The im2col matrix is built here, before timing: what is timed is the one product it feeds,
    # (C_out, C_in * 9) @ (N, C_in * 9, H * W), the same multiply-adds as the dense count.
    g = conv_geometry(x.shape, w.shape, padding=wl.dilation, dilation=wl.dilation)
    cols = vectorized.im2col_columns(x, g)[:, 0]  # (N, C_in * k * k, H * W): one group
    w2 = np.ascontiguousarray(w.reshape(wl.c, -1))
    return lambda: (w2 @ cols).reshape(x.shape)  # a view: the product is all that is timed


# The rows of the table. Each is timed against TORCH, interleaved.
IMPLEMENTATIONS: list[Implementation] = [
    Implementation("vectorized", _numpy_setup(vectorized.conv2d), "dilconv_lib.vectorized.conv2d (default)"),
    Implementation("taps", _numpy_setup(vectorized.conv2d_taps), "tap loop"),
    Implementation("rows", _numpy_setup(vectorized.conv2d_rows), "one product per kernel row"),
    Implementation("im2col", _numpy_setup(vectorized.conv2d_im2col), "im2col + one product"),
    Implementation(
        "product_only",
        _product_only_setup,
        "NumPy's im2col product alone, matrix prebuilt: a floor for NumPy strategies that multiply every tap",
    ),
]


def _torch_operands(x: np.ndarray, w: np.ndarray, channels_last: bool = False) -> tuple[Any, Any]:
    import torch

    xt, wt = torch.from_numpy(x), torch.from_numpy(w)
    if channels_last:  # same values and shape, NHWC strides: oneDNN skips its reorders
        xt, wt = xt.to(memory_format=torch.channels_last), wt.to(memory_format=torch.channels_last)
    return xt, wt


def _accelerated_setup(name: str) -> Setup:
    def setup(x: np.ndarray, w: np.ndarray, wl: Workload) -> Run:
        from dilconv_lib import accelerated

        conv = getattr(accelerated, name)
        xt, wt = _torch_operands(x, w)
        return lambda: conv(xt, wt, padding=wl.dilation, dilation=wl.dilation)

    return setup


def _channels_last_setup(x: np.ndarray, w: np.ndarray, wl: Workload) -> Run:
    import torch.nn.functional as F

    xt, wt = _torch_operands(x, w, channels_last=True)
    return lambda: F.conv2d(xt, wt, padding=wl.dilation, dilation=wl.dilation)


# The torch rows: the course's torch backend, the same call on channels_last tensors, and im2col in torch.
IMPLEMENTATIONS += [
    Implementation("accelerated", _accelerated_setup("conv2d"), "dilconv_lib.accelerated.conv2d (checks + F.conv2d)"),
    Implementation("channels_last", _channels_last_setup, "F.conv2d on channels_last input and weight"),
    Implementation("unfold", _accelerated_setup("conv2d_unfold"), "accelerated.conv2d_unfold: im2col view + matmul"),
]


# --- numpy-ml, loaded from its source -------------------------------------------------------------


def _module_from_source(source: str, origin: str) -> types.ModuleType:
    module = types.ModuleType("numpy_ml_utils")
    module.__file__ = origin
    exec(compile(source, origin, "exec"), module.__dict__)  # numpy-ml's utils.py imports only numpy
    return module


def find_numpy_ml(path: str | os.PathLike[str] | None = None) -> tuple[types.ModuleType | None, str]:
    """numpy-ml's ``neural_nets/utils/utils.py`` as a module, or ``None`` and the reason.

    Looked for in ``path`` (a ``.py`` file, a wheel, or a folder holding either), then in the installed
    package (found without importing it), then in ``build/numpy-ml/``.
    """
    places: list[Path] = []
    if path is not None:
        places.append(Path(path))
    spec = importlib.util.find_spec("numpy_ml")  # locates the package without running its __init__
    if spec is not None and spec.submodule_search_locations:
        places.append(Path(next(iter(spec.submodule_search_locations))).parent)
    places.append(Path("build") / "numpy-ml")
    for place in places:
        if place.is_file() and place.suffix == ".py":
            return _module_from_source(place.read_text(), str(place)), str(place)
        wheels = [place] if place.is_file() else sorted(place.glob("numpy_ml-*.whl")) if place.is_dir() else []
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as zf:
                if NUMPY_ML_FILE in zf.namelist():
                    return _module_from_source(zf.read(NUMPY_ML_FILE).decode(), f"{wheel}!{NUMPY_ML_FILE}"), str(wheel)
        if place.is_dir() and (place / NUMPY_ML_FILE).is_file():
            return _module_from_source((place / NUMPY_ML_FILE).read_text(), str(place / NUMPY_ML_FILE)), str(place)
    hint = "pip download numpy-ml==0.1.2 --no-deps -d build/numpy-ml, or pass --numpy-ml PATH"
    return None, f"numpy-ml's source not found ({hint})"


def numpy_ml_implementation(module: types.ModuleType) -> Implementation:
    """numpy-ml's ``conv2D``: NHWC input, (kH, kW, C_in, C_out) weights, dilation counted as gaps."""

    def setup(x: np.ndarray, w: np.ndarray, wl: Workload) -> Run:
        x_nhwc = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
        w_hwio = np.ascontiguousarray(w.transpose(2, 3, 1, 0))
        conv = module.conv2D
        return lambda: conv(x_nhwc, w_hwio, 1, wl.dilation, dilation=wl.dilation - 1)

    return Implementation("numpy-ml", setup, "numpy_ml conv2D (im2col by fancy indexing)")


def _numpy_ml_to_nchw(out: Any) -> np.ndarray:
    return np.asarray(out).transpose(0, 3, 1, 2)


# --- measuring ------------------------------------------------------------------------------------


def _time(run: Run) -> float:
    """Seconds of one call, right after an untimed call that wakes the library's threads; then a pause."""
    run()
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    time.sleep(PAUSE_S)
    return elapsed


def gemm_gflops(
    shapes: Sequence[tuple[int, int, int]] = ((1024, 1024, 1024), (64, 576, 4096)), repeats: int = 5
) -> dict[str, Any]:
    """NumPy's float32 ``matmul`` rate for (M, K) @ (K, N) shapes: the ceiling for a NumPy strategy."""
    rng = np.random.default_rng(0)
    rates = {}
    for m, k, n in shapes:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        out = np.empty((m, n), np.float32)
        run = partial(np.matmul, a, b, out=out)
        run()
        t = float(np.median([_time(run) for _ in range(repeats)]))
        rates[f"{m}x{k}@{k}x{n}"] = 2 * m * k * n / t / 1e9
    return rates


def context_module_gflops(n: int = 8, c: int = 64, size: int = 64, repeats: int = 5) -> dict[str, Any]:
    """The rate of a whole forward pass of Yu & Koltun's Basic context module, against torch's GEMM rate.

    Times ``ContextModule(c)`` (default initialisation, inference mode) on an (n, c, size, size) input in
    the default layout (NCHW) and in ``channels_last``, and torch's float32 ``mm`` at 1024 and 2048 cubed;
    the ceiling is the best of those two rates. FLOPs count the dense sum of the eight layers,
    ``2 N H W C_out C_in kH kW`` each.
    """
    import torch

    from dilconv_lib.context import ContextModule

    generator = torch.Generator().manual_seed(0)
    model = ContextModule(c, init="default").eval()
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    flops = sum(2 * n * size * size * m.weight[0].numel() * m.out_channels for m in convs)
    x = torch.randn(n, c, size, size, generator=generator)
    rates: dict[str, float] = {}
    with torch.inference_mode():
        for k in (1024, 2048):
            a, b = torch.randn(k, k, generator=generator), torch.randn(k, k, generator=generator)
            t = float(np.median([_time(partial(torch.mm, a, b)) for _ in range(repeats)]))
            rates[f"torch mm {k}^3"] = 2 * k**3 / t / 1e9
        for layout, memory_format in (("nchw", torch.contiguous_format), ("channels_last", torch.channels_last)):
            m = model.to(memory_format=memory_format)  # type: ignore[call-overload]  # the stub omits it
            xm = x.to(memory_format=memory_format)
            t = float(np.median([_time(partial(m, xm)) for _ in range(repeats)]))
            rates[f"context module {layout}"] = flops / t / 1e9
    ceiling = max(v for k, v in rates.items() if k.startswith("torch mm"))
    best = max(v for k, v in rates.items() if k.startswith("context module"))
    return {
        "shape": [n, c, size, size],
        "flops": flops,
        "gflops": rates,
        "ceiling": ceiling,
        "best_share": best / ceiling,
    }


def _check(name: str, got: Any, expected: np.ndarray) -> None:
    got = _numpy_ml_to_nchw(got) if name == "numpy-ml" else np.asarray(got)
    scale = float(np.abs(expected).max()) or 1.0
    error = float(np.abs(got - expected).max()) / scale
    if got.shape != expected.shape or error > 1e-4:
        raise AssertionError(f"{name} disagrees with torch: shape {got.shape} vs {expected.shape}, error {error:.1e}")


def measure(workload: Workload, impls: Sequence[Implementation], repeats: int) -> dict[str, Any]:
    """Time each implementation against torch, alternating calls; return medians and ratios."""
    x, w = workload.operands()
    torch_run = TORCH.setup(x, w, workload)
    expected = np.asarray(torch_run())  # a CPU tensor converts without a copy
    result: dict[str, Any] = {"workload": workload.name, "n": workload.n, "c": workload.c}
    result |= {"dilation": workload.dilation, "size": workload.size, "flops": workload.flops, "impls": {}}
    all_torch: list[float] = []
    for impl in impls:
        run = impl.setup(x, w, workload)
        _check(impl.name, run(), expected)  # also the warm-up call
        times, torch_times = [], []
        started = time.perf_counter()
        for i in range(repeats):
            if i >= MIN_REPEATS and time.perf_counter() - started > BUDGET_S:
                break  # a slow implementation (numpy-ml on a batch) gets fewer repeats
            times.append(_time(run))
            torch_times.append(_time(torch_run))
        t, t_torch = float(np.median(times)), float(np.median(torch_times))
        all_torch += torch_times
        result["impls"][impl.name] = {
            "median_s": t,
            "gflops": workload.flops / t / 1e9,
            # each call against the torch call right after it, so that a burst of other work on the
            # machine that hits one pair does not move the result
            "ratio_to_torch": float(np.median(np.divide(times, torch_times))),
            "torch_median_s": t_torch,
            "min_s": min(times),
            "times_s": times,
            "torch_times_s": torch_times,
        }
    t_torch = float(np.median(all_torch)) if all_torch else float("nan")
    result["torch"] = {"median_s": t_torch, "gflops": workload.flops / t_torch / 1e9}
    return result


def summarize(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per implementation: geometric mean and worst of the ratios to torch; numpy-ml over vectorized."""
    names = list(dict.fromkeys(name for r in results for name in r["impls"]))
    summary: dict[str, Any] = {}
    for name in names:
        ratios = [r["impls"][name]["ratio_to_torch"] for r in results if name in r["impls"]]
        summary[name] = {"geomean_ratio": math.exp(np.mean(np.log(ratios))), "worst_ratio": max(ratios)}
    speedups = {
        r["workload"]: r["impls"]["numpy-ml"]["median_s"] / r["impls"]["vectorized"]["median_s"]
        for r in results
        if {"numpy-ml", "vectorized"} <= r["impls"].keys()
    }
    if speedups:
        summary["numpy_ml_over_vectorized"] = {"per_workload": speedups, "min": min(speedups.values())}
    return summary


def format_table(results: Sequence[dict[str, Any]], summary: dict[str, Any], gemm: dict[str, Any]) -> str:
    lines = [f"{'workload':<18}{'implementation':<14}{'median ms':>11}{'GFLOP/s':>10}{'x torch':>9}"]
    for r in results:
        rows = [("torch", r["torch"]["median_s"], r["torch"]["gflops"], 1.0)]
        rows += [(name, m["median_s"], m["gflops"], m["ratio_to_torch"]) for name, m in r["impls"].items()]
        for i, (name, t, rate, ratio) in enumerate(rows):
            label = r["workload"] if i == 0 else ""
            lines.append(f"{label:<18}{name:<14}{t * 1e3:>11.3f}{rate:>10.1f}{ratio:>9.2f}")
    lines.append("")
    lines.append("time / torch's time over the workloads:")
    for name, s in summary.items():
        if "geomean_ratio" in s:
            lines.append(f"  {name:<14} geometric mean {s['geomean_ratio']:.2f}x, worst {s['worst_ratio']:.2f}x")
    if "numpy_ml_over_vectorized" in summary:
        sp = summary["numpy_ml_over_vectorized"]
        per = ", ".join(f"{v:.1f}" for v in sp["per_workload"].values())
        lines.append(f"numpy-ml time / vectorized time: {per} (least {sp['min']:.1f}x)")
    lines.append("NumPy float32 matmul (the ceiling): " + ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in gemm.items()))
    return "\n".join(lines)


# --- the command ----------------------------------------------------------------------------------


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m dilconv_lib.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="dilations 1 and 16 only, 3 repeats")
    parser.add_argument("--json", default="bench-results.json", help="where to write the results")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls per implementation (default 5)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch and OpenBLAS threads")
    parser.add_argument("--shapes", default="1x21,1x64,8x64", help="comma-separated NxC (default 1x21,1x64,8x64)")
    parser.add_argument("--dilations", default="1,2,4,8,16", help="comma-separated dilations")
    parser.add_argument("--size", type=int, default=64, help="input height and width (default 64)")
    parser.add_argument("--numpy-ml", default=None, help="numpy-ml's utils.py, wheel or source tree")
    parser.add_argument("--skip-context", action="store_true", help="leave out the whole context module's pass")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print the table, write the JSON; return the results."""
    args = _parse(argv)
    import torch

    torch.set_num_threads(args.threads)
    dilations = [1, 16] if args.quick else [int(d) for d in args.dilations.split(",")]
    repeats = args.repeats or (3 if args.quick else 5)
    shapes = [tuple(int(v) for v in s.split("x")) for s in args.shapes.split(",")]
    workloads = [Workload(n, c, d, size=args.size) for n, c in shapes for d in dilations]

    impls = list(IMPLEMENTATIONS)
    numpy_ml, where = find_numpy_ml(args.numpy_ml)
    if numpy_ml is None:
        print(f"skipping the numpy-ml row: {where}")
    else:
        impls.append(numpy_ml_implementation(numpy_ml))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5 * (os.cpu_count() or 1):
        print(f"warning: load average {load:.1f} on {os.cpu_count()} cores: other work will distort the timings")

    started = time.perf_counter()
    gemm = gemm_gflops()
    results = []
    for wl in workloads:
        results.append(measure(wl, impls, repeats))
        print(f"  measured {wl.name}", file=sys.stderr, flush=True)
    summary = summarize(results)
    context = None if args.skip_context else context_module_gflops(repeats=repeats)
    report = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
            "threads": args.threads,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
            "openblas_thread_timeout": os.environ.get("OPENBLAS_THREAD_TIMEOUT"),
            "load_average_before": load,
        },
        "repeats": repeats,
        "numpy_ml": where if numpy_ml is not None else None,
        "gemm_gflops": gemm,
        "results": results,
        "summary": summary,
        "context_module": context,
        "seconds": time.perf_counter() - started,
    }
    print(format_table(results, summary, gemm))
    if context is not None:
        rates = ", ".join(f"{k} {v:.0f}" for k, v in context["gflops"].items())
        print(f"Whole context module, input {tuple(context['shape'])}, GFLOP/s: {rates}")
        print(f"  fastest pass: {context['best_share']:.0%} of torch's best float32 matmul rate")
    print(f"({report['seconds']:.0f} s; results in {args.json})")
    Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    return report


def _restart_with_thread_settings(argv: Sequence[str]) -> None:
    """Re-run this command once with OpenBLAS's thread settings in the environment (read at load time)."""
    args = _parse(argv)
    env = dict(os.environ)
    wanted = {
        "OPENBLAS_THREAD_TIMEOUT": env.get("OPENBLAS_THREAD_TIMEOUT", OPENBLAS_SPIN),  # a value set by hand wins
        "OPENBLAS_NUM_THREADS": str(args.threads),
    }
    if all(env.get(k) == v for k, v in wanted.items()) or env.get("DILCONV_BENCH_RESTARTED"):
        return
    env |= wanted | {"DILCONV_BENCH_RESTARTED": "1"}
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "dilconv_lib.bench", *argv], env)


if __name__ == "__main__":
    _restart_with_thread_settings(sys.argv[1:])
    main(sys.argv[1:])
