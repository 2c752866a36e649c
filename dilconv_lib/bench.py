"""How fast is the vectorized backend? Each implementation timed in a fresh process, as a learner meets it.

``python -m dilconv_lib.bench`` (or ``make bench``) times the context module's layers (Yu & Koltun):
a 64x64 input, a 3x3 kernel, ``padding = dilation`` for dilations 1, 2, 4, 8, 16, with
(N, C) = (1, 21), (1, 64), (8, 64), ``C_in = C_out = C``, float32. For every implementation in
:data:`IMPLEMENTATIONS` it prints the median time, the rate in GFLOP/s
(``2 N C_out C_in kH kW H_out W_out / t``, the dense count) and the ratio to ``torch.nn.functional.conv2d``'s
median time on the same workload.

**What a learner gets.** Each implementation runs in its own new Python process (``--worker NAME``), which
imports only what that implementation needs, with the environment the command was started with: no thread
or OpenBLAS setting is added, as none is in a notebook's kernel. The processes run one after the other in a
fixed order, ``--rounds`` times (default 3), so that a slow spell of the machine does not land on one
implementation only; each worker times every workload with :func:`dilconv_lib.timing.measure` (a warm-up
call, then samples); an implementation's time is the median of its samples in its least disturbed round.
Each worker checks its results against ``F.conv2d`` after it has finished timing. The ceiling, NumPy's
float32 matrix product rate, is measured in a process of its own too, so that nothing it runs can change how
the rows are timed. Every timing records the other processes' load while it was taken
(:func:`dilconv_lib.timing.other_load`), and a row timed beside more than
:data:`dilconv_lib.timing.BUSY_CORES` of other work is marked.

numpy-ml's ``conv2D`` (a published NumPy im2col with dilation) is a comparison row when its source is
available: the package no longer imports on Python 3.11, so its ``neural_nets/utils/utils.py`` is
loaded on its own, from ``--numpy-ml PATH`` (a wheel, a source tree or that file), the installed
package, or ``build/numpy-ml/`` (``pip download numpy-ml==0.1.2 --no-deps -d build/numpy-ml``).
Its ``dilation`` counts inserted gaps (``d - 1``), its layout is NHWC and its weights
(kH, kW, C_in, C_out); the conversion is done before timing.

Last, it times a whole forward pass of the Basic context module (N=8, C=64, 64x64; NCHW and
``channels_last``) against torch's own float32 matmul rate, in one more process (``--skip-context`` leaves
it out). Run it on an otherwise idle machine: the command warns when the load average says otherwise.

The naive loops are left out: one of these layers takes them minutes (notebook ``02_vectorized``
times them on a small input). To add an implementation, append an :class:`Implementation` to
:data:`IMPLEMENTATIONS`; ``--impls a,b`` runs only some (torch always runs: it is the reference).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import types
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from dilconv_lib import timing

Run = Callable[[], object]  # one convolution call, operands already bound
Setup = Callable[[np.ndarray, np.ndarray, "Workload"], Run]

NUMPY_ML_FILE = "numpy_ml/neural_nets/utils/utils.py"
REPEATS = 5  # samples per workload in each round
ROUNDS = 3  # fresh processes per implementation
TARGET_S = 0.01  # each sample repeats a fast call until it lasts about this long
# What the report says about how it was measured.
HOW = (
    "each implementation in its own fresh Python process, {rounds} round(s) in a fixed order, with the "
    "environment this command was started with (no thread or OpenBLAS setting added, as in a notebook)"
)


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


def _numpy_setup(name: str) -> Setup:
    def setup(x: np.ndarray, w: np.ndarray, wl: Workload) -> Run:
        from dilconv_lib import vectorized  # imported here: each worker imports only what its implementation needs

        conv = getattr(vectorized, name)
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
    from dilconv_lib import vectorized
    from dilconv_lib.geometry import conv_geometry

    g = conv_geometry(x.shape, w.shape, padding=wl.dilation, dilation=wl.dilation)
    cols = vectorized.im2col_columns(x, g)[:, 0]  # (N, C_in * k * k, H * W): one group
    w2 = np.ascontiguousarray(w.reshape(wl.c, -1))
    return lambda: (w2 @ cols).reshape(x.shape)  # a view: the product is all that is timed


# The rows of the table, each timed in its own processes.
IMPLEMENTATIONS: list[Implementation] = [
    Implementation("vectorized", _numpy_setup("conv2d"), "dilconv_lib.vectorized.conv2d (default)"),
    Implementation("taps", _numpy_setup("conv2d_taps"), "tap loop"),
    Implementation("rows", _numpy_setup("conv2d_rows"), "one product per kernel row"),
    Implementation("im2col", _numpy_setup("conv2d_im2col"), "im2col + one product"),
    Implementation(
        "space_to_batch", _numpy_setup("conv2d_space_to_batch"), "d^2 sub-images, one undilated convolution"
    ),
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


# --- measuring, inside one worker process ---------------------------------------------------------


def gemm_gflops(
    shapes: Sequence[tuple[int, int, int]] = ((1024, 1024, 1024), (64, 576, 4096)), repeats: int = REPEATS
) -> dict[str, float]:
    """NumPy's float32 ``matmul`` rate (median) for (M, K) @ (K, N) shapes: the ceiling for a NumPy strategy."""
    rng = np.random.default_rng(0)
    calls: dict[str, Run] = {}
    flops: dict[str, int] = {}
    for m, k, n in shapes:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        name = f"{m}x{k}@{k}x{n}"
        calls[name], flops[name] = partial(np.matmul, a, b, out=np.empty((m, n), np.float32)), 2 * m * k * n
    times = timing.measure(calls, repeats=repeats, target_s=TARGET_S)
    return {name: flops[name] / t.median / 1e9 for name, t in times.items()}


def context_module_gflops(n: int = 8, c: int = 64, size: int = 64, repeats: int = REPEATS) -> dict[str, Any]:
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
    calls: dict[str, Run] = {}
    work: dict[str, int] = {}
    for k in (1024, 2048):
        a, b = torch.randn(k, k, generator=generator), torch.randn(k, k, generator=generator)
        calls[f"torch mm {k}^3"], work[f"torch mm {k}^3"] = partial(torch.mm, a, b), 2 * k**3
    for layout, memory_format in (("nchw", torch.contiguous_format), ("channels_last", torch.channels_last)):
        m = ContextModule(c, init="default").eval().to(memory_format=memory_format)  # type: ignore[call-overload]
        m.load_state_dict(model.state_dict())
        calls[f"context module {layout}"] = partial(m, x.to(memory_format=memory_format))
        work[f"context module {layout}"] = flops
    with torch.inference_mode():
        times = timing.measure(calls, repeats=repeats, target_s=TARGET_S)
    rates = {name: work[name] / t.median / 1e9 for name, t in times.items()}
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


def time_workloads(impl: Implementation, workloads: Sequence[Workload], repeats: int = REPEATS) -> list[dict[str, Any]]:
    """Time ``impl`` on every workload in this process; then check each result against ``F.conv2d``.

    The check comes after all the timing, so that torch's threads never run beside a NumPy row's.
    """
    measured, results = [], []
    with timing.other_load() as load:  # over the whole worker: a workload's own samples are too short to tell
        for wl in workloads:
            x, w = wl.operands()
            run = impl.setup(x, w, wl)
            t = timing.time_call(run, repeats=repeats, target_s=TARGET_S)
            measured.append({"workload": wl.name, "times_s": list(t.times), "calls_per_sample": t.calls_per_sample})
            measured[-1]["threads"] = t.threads
            results.append(run())
    for m in measured:
        m["other_cores"] = load.cores
    import torch
    import torch.nn.functional as F

    for wl, got in zip(workloads, results):
        x, w = wl.operands()
        expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=wl.dilation, dilation=wl.dilation)
        _check(impl.name, got.detach() if isinstance(got, torch.Tensor) else got, expected.numpy())
    return measured


def _implementations(numpy_ml: types.ModuleType | None) -> dict[str, Implementation]:
    impls = {impl.name: impl for impl in [TORCH, *IMPLEMENTATIONS]}
    if numpy_ml is not None:
        impls["numpy-ml"] = numpy_ml_implementation(numpy_ml)
    return impls


def worker(name: str, workloads: Sequence[Workload], repeats: int, numpy_ml_path: str | None) -> Any:
    """What one worker process measures: an implementation's workloads, ``"gemm"`` or ``"context"``."""
    if name == "gemm":
        return gemm_gflops(repeats=repeats)
    if name == "context":
        return context_module_gflops(repeats=repeats)
    numpy_ml = find_numpy_ml(numpy_ml_path)[0] if name == "numpy-ml" else None
    return time_workloads(_implementations(numpy_ml)[name], workloads, repeats)


def _run_worker(name: str, args: argparse.Namespace, workloads: Sequence[Workload], folder: Path) -> Any:
    """Run :func:`worker` in a fresh Python process, with this process's environment unchanged."""
    if args.in_process:
        return worker(name, workloads, args.repeats, args.numpy_ml)
    out = folder / f"{name}.json"
    command = [sys.executable, "-m", "dilconv_lib.bench", "--worker", name, "--json", str(out)]
    command += ["--workloads", json.dumps([asdict(wl) for wl in workloads]), "--repeats", str(args.repeats)]
    if args.numpy_ml:
        command += ["--numpy-ml", args.numpy_ml]
    subprocess.run(command, check=True)
    return json.loads(out.read_text())


# --- the report -------------------------------------------------------------------------------------


def collect(
    workloads: Sequence[Workload], names: Sequence[str], samples: dict[str, list[list[dict[str, Any]]]]
) -> list[dict[str, Any]]:
    """Per workload: each implementation's time, its fastest sample, and the ratio to torch's time.

    An implementation's time is the median of its samples in the round (fresh process) where that median
    was lowest: other work on the machine only ever adds time, and a burst of it that hits one process
    should not decide the row.
    """
    results = []
    for i, wl in enumerate(workloads):
        rounds = {name: [rnd[i]["times_s"] for rnd in samples[name]] for name in names}
        best = {name: min(float(np.median(r)) for r in rounds[name]) for name in names}
        t_torch = best["torch"]
        result: dict[str, Any] = {"workload": wl.name, "n": wl.n, "c": wl.c, "dilation": wl.dilation}
        result |= {"size": wl.size, "flops": wl.flops, "torch": {"median_s": t_torch}, "impls": {}}
        result["torch"]["gflops"] = wl.flops / t_torch / 1e9
        for name in names:
            if name == "torch":
                continue
            times = [t for r in rounds[name] for t in r]
            result["impls"][name] = {
                "median_s": best[name],
                "min_s": min(times),
                "round_medians_s": [float(np.median(r)) for r in rounds[name]],
                "gflops": wl.flops / best[name] / 1e9,
                "ratio_to_torch": best[name] / t_torch,
                "times_s": times,
                "other_cores": [rnd[i].get("other_cores") for rnd in samples[name]],
            }
        results.append(result)
    return results


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


def format_table(
    results: Sequence[dict[str, Any]], summary: dict[str, Any], gemm: dict[str, float], how: str = ""
) -> str:
    lines = [f"{'workload':<18}{'implementation':<16}{'time ms':>11}{'min ms':>10}{'GFLOP/s':>10}{'x torch':>9}"]
    for r in results:
        rows = [("torch", r["torch"]["median_s"], float("nan"), r["torch"]["gflops"], 1.0)]
        rows += [(n, m["median_s"], m["min_s"], m["gflops"], m["ratio_to_torch"]) for n, m in r["impls"].items()]
        for i, (name, t, t_min, rate, ratio) in enumerate(rows):
            label = r["workload"] if i == 0 else ""
            low = "" if math.isnan(t_min) else f"{t_min * 1e3:.3f}"
            lines.append(f"{label:<18}{name:<16}{t * 1e3:>11.3f}{low:>10}{rate:>10.1f}{ratio:>9.2f}")
    lines.append("")
    lines.append("time (the median of the least disturbed round) / torch's time, over the workloads:")
    for name, s in summary.items():
        if "geomean_ratio" in s:
            lines.append(f"  {name:<16} geometric mean {s['geomean_ratio']:.2f}x, worst {s['worst_ratio']:.2f}x")
    if "numpy_ml_over_vectorized" in summary:
        sp = summary["numpy_ml_over_vectorized"]
        per = ", ".join(f"{v:.1f}" for v in sp["per_workload"].values())
        lines.append(f"numpy-ml time / vectorized time: {per} (least {sp['min']:.1f}x)")
    ceiling = ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in gemm.items())
    lines.append(f"NumPy float32 matmul (the ceiling, measured in a process of its own): {ceiling}")
    if how:
        lines.append(f"Measured {how}.")
    return "\n".join(lines)


# --- the command ----------------------------------------------------------------------------------


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m dilconv_lib.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="dilations 1 and 16 only, 3 repeats, 1 round")
    parser.add_argument("--json", default="bench-results.json", help="where to write the results")
    parser.add_argument("--repeats", type=int, default=None, help=f"samples per workload a round (default {REPEATS})")
    parser.add_argument("--rounds", type=int, default=None, help=f"fresh processes per implementation ({ROUNDS})")
    parser.add_argument("--impls", default=None, help="comma-separated implementations (default: all)")
    parser.add_argument("--shapes", default="1x21,1x64,8x64", help="comma-separated NxC (default 1x21,1x64,8x64)")
    parser.add_argument("--dilations", default="1,2,4,8,16", help="comma-separated dilations")
    parser.add_argument("--size", type=int, default=64, help="input height and width (default 64)")
    parser.add_argument("--numpy-ml", default=None, help="numpy-ml's utils.py, wheel or source tree")
    parser.add_argument("--skip-context", action="store_true", help="leave out the whole context module's pass")
    parser.add_argument("--in-process", action="store_true", help="no fresh processes (for tests; not a learner's)")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--workloads", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print the table, write the JSON; return the results."""
    args = _parse(argv)
    if args.worker is not None:  # one fresh process's share of the work
        workloads = [Workload(**wl) for wl in json.loads(args.workloads or "[]")]
        result = worker(args.worker, workloads, args.repeats or REPEATS, args.numpy_ml)
        Path(args.json).write_text(json.dumps(result))
        return {"worker": args.worker, "result": result}

    dilations = [1, 16] if args.quick else [int(d) for d in args.dilations.split(",")]
    args.repeats = args.repeats or (3 if args.quick else REPEATS)
    rounds = args.rounds or (1 if args.quick else ROUNDS)
    shapes = [tuple(int(v) for v in s.split("x")) for s in args.shapes.split(",")]
    workloads = [Workload(n, c, d, size=args.size) for n, c in shapes for d in dilations]

    names = [impl.name for impl in IMPLEMENTATIONS]
    numpy_ml, where = find_numpy_ml(args.numpy_ml)
    if numpy_ml is None:
        print(f"skipping the numpy-ml row: {where}")
    else:
        names.append("numpy-ml")
        args.numpy_ml = args.numpy_ml or where
    if args.impls:
        wanted = args.impls.split(",")
        unknown = set(wanted) - {*names, "torch"}
        if unknown:
            raise SystemExit(f"--impls: unknown {sorted(unknown)}; known: {', '.join(names)}")
        names = [n for n in names if n in wanted]
    names = ["torch", *names]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5 * (os.cpu_count() or 1):
        print(f"warning: load average {load:.1f} on {os.cpu_count()} cores: other work will distort the timings")
    how = "in this one process (--in-process)" if args.in_process else HOW.format(rounds=rounds)
    print(f"Timing {', '.join(names)}: {how}.", flush=True)

    started = time.perf_counter()
    samples: dict[str, list[Any]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as folder:
        gemm = _run_worker("gemm", args, [], Path(folder))
        for rnd in range(rounds):
            for name in names:
                samples[name].append(_run_worker(name, args, workloads, Path(folder)))
                print(f"  round {rnd + 1}/{rounds}: {name}", file=sys.stderr, flush=True)
        context = None if args.skip_context else _run_worker("context", args, [], Path(folder))
    results = collect(workloads, names, samples)
    summary = summarize(results)
    loads = [
        wl["other_cores"]
        for rnds in samples.values()
        for rnd in rnds
        for wl in rnd
        if wl.get("other_cores") is not None
    ]
    import torch

    report = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
            "threads": samples["torch"][0][0]["threads"],
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
            "load_average_before": load,
            "other_cores_max": max(loads, default=None),
            "environment": {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "MKL_"))},
        },
        "how": how,
        "fresh_processes": not args.in_process,
        "rounds": rounds,
        "repeats": args.repeats,
        "numpy_ml": where if numpy_ml is not None else None,
        "gemm_gflops": gemm,
        "results": results,
        "summary": summary,
        "context_module": context,
        "seconds": time.perf_counter() - started,
    }
    print(format_table(results, summary, gemm, how))
    if loads:
        busy = sum(x > timing.BUSY_CORES for x in loads)
        print(
            f"Other processes used at most {max(loads):.2f} cores while an implementation was timed"
            + (
                f" ({busy} of {len(loads)} timings beside more than {timing.BUSY_CORES}: rerun on an idle machine)."
                if busy
                else "."
            )
        )
    if context is not None:
        rates = ", ".join(f"{k} {v:.0f}" for k, v in context["gflops"].items())
        print(f"Whole context module, input {tuple(context['shape'])}, GFLOP/s: {rates}")
        print(f"  fastest pass: {context['best_share']:.0%} of torch's best float32 matmul rate")
    print(f"({report['seconds']:.0f} s; results in {args.json})")
    Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
