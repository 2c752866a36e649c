"""One way to time code in this course: :func:`measure` calls, get a :class:`Timing` for each.

Every notebook and ``python -m dilconv_lib.bench`` time through this module, so that every speed the course
prints is measured the same way:

- **a warm-up call** first, untimed: the first call of a new shape prepares kernels and buffers
  (oneDNN's primitive cache, NumPy's and OpenBLAS's work arrays);
- **a fixed thread count**: NumPy's BLAS (OpenBLAS) and torch both run with ``threads`` threads while
  timing (default: every core this process may use, :func:`default_threads`), and get their own
  setting back afterwards;
- **a pause when the timed code switches between NumPy and torch**: after a call, OpenBLAS's idle
  threads spin for about 0.1 s and torch's OpenMP threads for a while too; on few cores, a call of the
  other library made meanwhile finds its cores taken and looks several times slower. :func:`measure`
  runs the calls of one library together, sleeps :data:`PAUSE_S` before switching to the other, and
  makes one untimed call after each pause so that the timed ones find their library's threads awake,
  as when a network runs layer after layer. The library of a call is read from what its warm-up call
  returns (:func:`library_of`) unless given;
- **repeats, interleaved**: ``repeats`` samples of each call, taken in rounds (a, b, a, b, ...), so that
  a burst of other work on the machine hits every call alike; each sample repeats its call until it
  lasts about ``target_s`` seconds, and reports the time per call;
- **minimum, median and spread** of the samples (:class:`Timing`): other work on the machine only ever
  adds time, so the minimum is the best estimate of the code's own speed and the median of what a
  learner sees; the spread, ``(max - min) / median``, says how far to trust either;
- **the other processes' load** while the samples were taken (:func:`other_load`, Linux): on a 2-core
  machine another program on one core makes a two-thread call several times slower, and its starting or
  stopping between two measurements looks like the library changing speed. A timing taken beside more
  than :data:`BUSY_CORES` of other work says so.

>>> t = measure({"sum": lambda: sum(range(1000))}, repeats=3, target_s=0.001)["sum"]
>>> len(t.times), t.library, t.min <= t.median
(3, 'python', True)
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dilconv_lib.checks import check_int, check_real
from dilconv_lib.i18n import tr

__all__ = [
    "BUSY_CORES",
    "PAUSE_S",
    "Peak",
    "Timing",
    "blas_threads",
    "cpu_model",
    "default_threads",
    "fma_peak_gflops",
    "fixed_threads",
    "format_seconds",
    "library_of",
    "measure",
    "other_load",
    "time_call",
]

K = TypeVar("K", bound=Hashable)

# Seconds to sleep before timed code switches between NumPy and torch: longer than OpenBLAS's default spin
# of idle threads (2**28 cycles, about 0.1 s) and than torch's OpenMP threads' wait.
PAUSE_S = 0.2
MIN_REPEATS = 3  # samples every call gets, whatever the budget
# Other processes' cores above which a timing is flagged as taken on a busy machine, read over at least
# MIN_WINDOW_S seconds (the kernel's CPU accounting has a resolution of one 10 ms tick).
BUSY_CORES = 0.15
MIN_WINDOW_S = 0.5


@dataclass(frozen=True)
class Timing:
    """Samples of one call's time: seconds per call, one number per sample.

    >>> t = Timing((0.002, 0.001, 0.004), calls_per_sample=10, threads=2, library="numpy")
    >>> t.min, t.median, t.spread
    (0.001, 0.002, 1.5)
    >>> str(t)
    '2.00 ms (min 1.00 ms, spread 150%, 3 samples of 10 calls, 2 threads)'
    >>> str(Timing((0.001,), calls_per_sample=1, threads=2, library="numpy", other_cores=0.9))
    '1.00 ms (min 1.00 ms, spread 0%, 1 sample of 1 call, 2 threads; busy machine: other processes used 0.9 cores)'
    """

    times: tuple[float, ...]
    calls_per_sample: int
    threads: int
    library: str
    other_cores: float | None = None  # cores other processes used while sampling (None: not measured)

    @property
    def busy(self) -> bool:
        """Whether other processes used more than :data:`BUSY_CORES` while the samples were taken."""
        return self.other_cores is not None and self.other_cores > BUSY_CORES

    @property
    def min(self) -> float:
        """The fastest sample's seconds per call: the code's own speed, least disturbed by other work."""
        return min(self.times)

    @property
    def median(self) -> float:
        """The median sample's seconds per call: what a learner typically sees."""
        return float(statistics.median(self.times))

    @property
    def spread(self) -> float:
        """``(max - min) / median`` of the samples: 0.1 means they lie within 10% of the median's size."""
        return (max(self.times) - min(self.times)) / self.median

    def __str__(self) -> str:
        # In the learner's language: each English plural is a template of its own.
        n, calls = len(self.times), self.calls_per_sample
        if n > 1:
            samples = (
                tr("{n} samples of {calls} calls", n=n, calls=calls)
                if calls > 1
                else tr("{n} samples of {calls} call", n=n, calls=calls)
            )
        else:
            samples = (
                tr("{n} sample of {calls} calls", n=n, calls=calls)
                if calls > 1
                else tr("{n} sample of {calls} call", n=n, calls=calls)
            )
        threads = (
            tr("{threads} threads", threads=self.threads)
            if self.threads > 1
            else tr("{threads} thread", threads=self.threads)
        )
        busy = tr("; busy machine: other processes used {cores:.1f} cores", cores=self.other_cores) if self.busy else ""
        return tr(
            "{median} (min {fastest}, spread {spread:.0%}, {samples}, {threads}{busy})",
            median=format_seconds(self.median),
            fastest=format_seconds(self.min),
            spread=self.spread,
            samples=samples,
            threads=threads,
            busy=busy,
        )


def format_seconds(seconds: float) -> str:
    """Seconds with a unit that keeps three significant digits readable.

    >>> format_seconds(2.5e-5), format_seconds(0.0123), format_seconds(1.5), format_seconds(4e-9)
    ('25.0 us', '12.3 ms', '1.50 s', '4.00 ns')
    """
    units = (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9))
    unit, scale = next(((u, f) for u, f in units if seconds >= f), units[-1])
    value = seconds / scale
    return f"{value:.{max(0, 2 - int(math.floor(math.log10(value))) if value > 0 else 2)}f} {unit}"


def library_of(result: object) -> str:
    """Which library's threads a call that returned ``result`` ran on: ``"torch"``, ``"numpy"`` or ``"python"``.

    >>> import numpy as np
    >>> library_of(np.ones(2)), library_of(3.0), library_of(None)
    ('numpy', 'python', 'python')
    """
    module = type(result).__module__
    if module.startswith("torch"):
        return "torch"
    if module.startswith("numpy"):
        return "numpy"
    return "python"


# --- thread counts ------------------------------------------------------------------------------


def default_threads() -> int:
    """The number of cores this process may run on (its CPU affinity where the system reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _openblas() -> tuple[ctypes.CDLL, str] | None:
    """The OpenBLAS library NumPy loaded and its symbol prefix, found as threadpoolctl finds it; else None."""
    if not sys.platform.startswith("linux"):
        return None
    import numpy  # noqa: F401  (loads OpenBLAS)

    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "")):
            if hasattr(lib, f"{prefix}_get_num_threads{suffix}"):
                return lib, f"{prefix}_%s{suffix}"
    return None


def blas_threads() -> int | None:
    """How many threads NumPy's OpenBLAS uses now, or None where it cannot be read (another BLAS)."""
    found = _openblas()
    if found is None:
        return None
    lib, name = found
    return int(getattr(lib, name % "get_num_threads")())


def _set_blas_threads(n: int) -> None:
    found = _openblas()
    if found is not None:
        lib, name = found
        getattr(lib, name % "set_num_threads")(ctypes.c_int(n))


@contextlib.contextmanager
def fixed_threads(threads: int) -> Iterator[None]:
    """Run NumPy's BLAS and (if it is imported) torch with ``threads`` threads inside the block; restore after.

    >>> with fixed_threads(1):
    ...     blas_threads() in (1, None)
    True
    """
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    torch = sys.modules.get("torch")
    blas_before = blas_threads()
    torch_before = torch.get_num_threads() if torch is not None else None
    _set_blas_threads(threads)
    if torch is not None:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        if blas_before is not None:
            _set_blas_threads(blas_before)
        if torch is not None and torch_before is not None:
            torch.set_num_threads(torch_before)


# --- the machine's other work ---------------------------------------------------------------------


def _cpu_seconds() -> tuple[float, float] | None:
    """(busy CPU seconds of the whole machine, CPU seconds of this process) so far, from /proc; else None."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(t) for t in f.readline().split()[1:9]]
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None
    hz = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal: all but idle and iowait is busy
    return (sum(ticks) - ticks[3] - ticks[4]) / hz, (int(fields[11]) + int(fields[12])) / hz


class other_load:  # noqa: N801  (used like a function: `with other_load() as load: ...`)
    """Cores other processes used while the block ran: ``with other_load() as load: ...``, then ``load.cores``.

    The machine's busy CPU time minus this process's own, over the block's wall time, read from ``/proc``
    (Linux; ``cores`` is None elsewhere). The kernel counts CPU time in ticks of 10 ms, so one tick of anyone's
    work in a 30 ms block reads as a third of a core: ``cores`` stays None for a block shorter than
    :data:`MIN_WINDOW_S`.

    >>> with other_load() as load:
    ...     _ = sum(range(10**5))
    >>> load.cores is None  # a block this short says nothing
    True
    """

    cores: float | None = None

    def __enter__(self) -> other_load:
        self._start, self._cpu = time.perf_counter(), _cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        end, wall = _cpu_seconds(), time.perf_counter() - self._start
        if self._cpu is not None and end is not None and wall >= MIN_WINDOW_S:
            machine, own = end[0] - self._cpu[0], end[1] - self._cpu[1]
            self.cores = max(0.0, (machine - own) / wall)


# --- measuring ----------------------------------------------------------------------------------


def _seconds(call: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        call()
    return (time.perf_counter() - start) / number


def measure(
    calls: Mapping[K, Callable[[], object]],
    *,
    repeats: int = 5,
    target_s: float = 0.01,
    budget_s: float | None = None,
    threads: int | None = None,
    pause_s: float = PAUSE_S,
    libraries: Mapping[K, str] | None = None,
) -> dict[K, Timing]:
    """Time each call without arguments; return a :class:`Timing` per key, in the order given.

    Parameters
    ----------
    calls : {key: call}
        The calls to time, operands already bound (``lambda: f(x, w)`` or ``functools.partial``).
    repeats : int
        Samples per call (at least 3 are always taken).
    target_s : float
        Each sample repeats its call until it lasts about this long (one call if a call takes longer).
    budget_s : float or None
        After 3 rounds, stop taking samples once the rounds have taken this many seconds.
    threads : int or None
        Threads for NumPy's BLAS and torch while timing (default :func:`default_threads`).
    pause_s : float
        Seconds to sleep when the timed code switches between libraries (:data:`PAUSE_S`).
    libraries : {key: "numpy" | "torch" | "python"} or None
        The library of a call, where :func:`library_of` of its result would not tell (a call that
        returns ``None``).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.ones((64, 64))
    >>> got = measure({"matmul": lambda: a @ a, "sum": lambda: a.sum()}, repeats=3, target_s=0.001)
    >>> list(got), got["matmul"].library
    (['matmul', 'sum'], 'numpy')
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    threads = default_threads() if threads is None else threads
    libraries = dict(libraries or {})
    with fixed_threads(threads):
        current = ""  # the library whose threads ran last

        def switch_to(library: str) -> None:
            nonlocal current
            if {current, library} == {"numpy", "torch"}:
                time.sleep(pause_s)
            current = library if library != "python" else current

        numbers: dict[K, int] = {}
        for key, call in calls.items():
            if key in libraries:
                switch_to(libraries[key])
            result = call()  # the warm-up call: not timed
            library = libraries.setdefault(key, library_of(result))
            before = current
            switch_to(library)
            if current != before:
                call()  # the warm-up ran beside the other library's spinning threads: once more, awake
            numbers[key] = max(1, round(target_s / max(_seconds(call, 1), 1e-9)))
        # one block per library, in the order of first appearance; the rounds interleave the calls
        first_seen = list(dict.fromkeys(libraries[k] for k in calls))
        order = sorted(calls, key=lambda k: first_seen.index(libraries[k]))  # stable: keeps the given order
        samples: dict[K, list[float]] = {key: [] for key in calls}
        started = time.perf_counter()
        with other_load() as load:
            for round_ in range(max(repeats, MIN_REPEATS)):
                if round_ >= MIN_REPEATS and budget_s is not None and time.perf_counter() - started > budget_s:
                    break
                for key in order:
                    before = current
                    switch_to(libraries[key])
                    if current != before:
                        calls[key]()  # wake the threads after the pause
                    samples[key].append(_seconds(calls[key], numbers[key]))
    return {
        key: Timing(
            tuple(samples[key]),
            calls_per_sample=numbers[key],
            threads=threads,
            library=libraries[key],
            other_cores=load.cores,
        )
        for key in calls
    }


def time_call(
    call: Callable[[], object],
    *,
    repeats: int = 5,
    target_s: float = 0.01,
    threads: int | None = None,
    library: str | None = None,
) -> Timing:
    """:func:`measure` for one call: ``time_call(f)`` is ``measure({"call": f})["call"]``.

    >>> time_call(lambda: sorted(range(100)), repeats=3, target_s=0.001).calls_per_sample >= 1
    True
    """
    libraries = None if library is None else {"call": library}
    return measure({"call": call}, repeats=repeats, target_s=target_s, threads=threads, libraries=libraries)["call"]


# --- the machine's peak -----------------------------------------------------------------------------

# Independent chains of vector FMAs, `acc = acc * m + a`, each chain as wide as the widest vector the compiler
# targets with -march=native (16 floats with AVX-512, 8 with AVX/AVX2, else 4). A core with two FMA units of 4
# cycles' latency needs 8 chains in flight to start two FMAs a cycle: 12 fit in the 16 (AVX2) or 32 (AVX-512)
# vector registers. ARM cores have 32 NEON registers and up to four FMA units: 24 chains there. GCC's (and
# clang's) vector extension makes the vectors whatever the -O level; -march=native makes `*` and `+` one fused
# multiply-add where the CPU has one. One POSIX thread per core; no OpenMP, whose idle threads would spin on
# the cores that torch is about to use.
_FMA_SOURCE = r"""
#include <pthread.h>
#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__)
#define LANES 8
#else
#define LANES 4
#endif
#if defined(__aarch64__) || defined(DILCONV_FMA_WIDE)
#define CHAINS 24
#else
#define CHAINS 12
#endif
typedef float vec __attribute__((vector_size(LANES * 4)));
int fma_lanes(void) { return LANES; }
int fma_chains(void) { return CHAINS; }
struct job { long iters; float out; };
static void *run(void *arg) {
    struct job *j = arg;
    vec m, a;
    for (int l = 0; l < LANES; l++) { m[l] = 0.999f; a[l] = 0.001f * (float)(l + 1); }
    vec a0 = m * 0.0f, a1 = m * 1.0f, a2 = m * 2.0f, a3 = m * 3.0f, a4 = m * 4.0f, a5 = m * 5.0f,
        a6 = m * 6.0f, a7 = m * 7.0f, a8 = m * 8.0f, a9 = m * 9.0f, a10 = m * 10.0f, a11 = m * 11.0f;
#if CHAINS > 12
    vec b0 = a0 + a, b1 = a1 + a, b2 = a2 + a, b3 = a3 + a, b4 = a4 + a, b5 = a5 + a,
        b6 = a6 + a, b7 = a7 + a, b8 = a8 + a, b9 = a9 + a, b10 = a10 + a, b11 = a11 + a;
#endif
    for (long i = 0; i < j->iters; i++) {
        a0 = a0 * m + a; a1 = a1 * m + a; a2 = a2 * m + a; a3 = a3 * m + a; a4 = a4 * m + a; a5 = a5 * m + a;
        a6 = a6 * m + a; a7 = a7 * m + a; a8 = a8 * m + a; a9 = a9 * m + a; a10 = a10 * m + a; a11 = a11 * m + a;
#if CHAINS > 12
        b0 = b0 * m + a; b1 = b1 * m + a; b2 = b2 * m + a; b3 = b3 * m + a; b4 = b4 * m + a; b5 = b5 * m + a;
        b6 = b6 * m + a; b7 = b7 * m + a; b8 = b8 * m + a; b9 = b9 * m + a; b10 = b10 * m + a; b11 = b11 * m + a;
#endif
    }
    vec s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
#if CHAINS > 12
    s += b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11;
#endif
    float t = 0;
    for (int l = 0; l < LANES; l++) t += s[l];
    j->out = t;  /* the result is used: the loop cannot be dropped */
    return 0;
}
float fma_run(long iters, int threads) {
    pthread_t t[256];
    struct job jobs[256];
    if (threads > 256) threads = 256;
    for (int k = 0; k < threads; k++) { jobs[k].iters = iters; pthread_create(&t[k], 0, run, &jobs[k]); }
    float s = 0;
    for (int k = 0; k < threads; k++) { pthread_join(t[k], 0); s += jobs[k].out; }
    return s;
}
"""
FMA_FLAGS = (("-O2", "-march=native"), ("-O2",))  # the first the compiler accepts
GEMM_SIZES = (1024, 1536, 2048)


@dataclass(frozen=True)
class Peak:
    """A float32 rate for this machine, in GFLOP/s, and how it was found.

    ``method`` is ``"fma"`` (the throughput of fused multiply-adds: a ceiling no float32 code on these
    cores can beat) or ``"gemm"`` (the best of a few large matrix products: a reference, not a ceiling).

    >>> str(Peak(233.4, "fma", 2, "12 chains"))
    '233 GFLOP/s (fma, 2 threads: 12 chains)'
    """

    gflops: float
    method: str
    threads: int
    detail: str

    def __str__(self) -> str:
        return tr(
            "{gflops:.0f} GFLOP/s ({method}, {threads}: {detail})",
            gflops=self.gflops,
            method=self.method,
            threads=(
                tr("{threads} threads", threads=self.threads)
                if self.threads > 1
                else tr("{threads} thread", threads=self.threads)
            ),
            detail=self.detail,
        )


def cpu_model() -> str:
    """The CPU's model name as the system reports it (``/proc/cpuinfo`` on Linux), else the platform's word."""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _c_compiler() -> str | None:
    """The path of the system's C compiler (``cc``, ``gcc`` or ``clang``, the one torch.compile also needs)."""
    for name in ("cc", "gcc", "clang"):
        path = shutil.which(name)
        if path is not None:
            return path
    return None


@functools.cache
def _fma_kernel(compiler: str) -> tuple[ctypes.CDLL, int, int] | None:
    """Compile the FMA kernel once per process with ``compiler``; return (library, chains, lanes), None if it fails."""
    folder = Path(tempfile.mkdtemp(prefix="dilconv-fma-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "fma.c").write_text(_FMA_SOURCE)
    for flags in FMA_FLAGS:
        command = [compiler, *flags, "-pthread", "-shared", "-fPIC", "fma.c", "-o", "fma.so"]
        try:
            done = subprocess.run(command, cwd=folder, capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        if done.returncode == 0:
            try:
                lib = ctypes.CDLL(str(folder / "fma.so"))
            except OSError:
                return None
            lib.fma_run.restype, lib.fma_run.argtypes = ctypes.c_float, [ctypes.c_long, ctypes.c_int]
            return lib, int(lib.fma_chains()), int(lib.fma_lanes())
    return None


def _best_seconds(call: Callable[[], object], runs: int) -> float:
    return min(_seconds(call, 1) for _ in range(runs))


def fma_peak_gflops(*, threads: int | None = None, runs: int = 5, target_s: float = 0.02) -> Peak:
    """This machine's float32 peak in GFLOP/s: what no convolution on these cores can beat.

    Compiles (once per process, in a temporary folder, with the system's C compiler) a kernel of
    independent chains of vector fused multiply-adds (12 on x86, 24 on ARM), as wide as ``-march=native``
    allows, runs it on ``threads`` POSIX threads and counts 2 FLOP per multiply-add and lane. The best of
    ``runs`` runs of about ``target_s`` seconds each (0.3 s in all with the pause and the compilation).
    Where there is no C compiler, or it fails, falls back to the best rate of float32 ``torch.mm`` on
    square matrices of :data:`GEMM_SIZES`, with ``method == "gemm"``: a reference, not a ceiling.

    Parameters
    ----------
    threads : int or None
        Threads to run on (default :func:`default_threads`, as :func:`measure`).
    runs : int
        Runs to take the best of (at least 1).
    target_s : float
        Seconds each run should last (more than 0).

    Returns
    -------
    Peak
        ``gflops`` (float32 GFLOP/s), ``method`` (``"fma"`` or ``"gemm"``), ``threads``, ``detail``.

    Raises
    ------
    TypeError, ValueError
        For ``threads`` or ``runs`` that are not ints >= 1, or a ``target_s`` that is not a number > 0.

    Examples
    --------
    >>> peak = fma_peak_gflops(threads=1, runs=2, target_s=0.005)
    >>> peak.gflops > 0, peak.method in ("fma", "gemm"), peak.threads
    (True, True, 1)
    """
    threads = default_threads() if threads is None else check_int(threads, "threads", minimum=1)
    runs = check_int(runs, "runs", minimum=1)
    target_s = check_real(target_s, "target_s", above=0)
    time.sleep(PAUSE_S)  # let NumPy's and torch's idle threads stop spinning on the cores we are about to use
    compiler = _c_compiler()
    kernel = _fma_kernel(compiler) if compiler is not None else None
    if kernel is not None:
        lib, chains, lanes = kernel
        per_iteration = 2 * chains * lanes * threads  # FLOP of one loop iteration over all threads
        iters = 10_000
        seconds = _best_seconds(lambda: lib.fma_run(iters, threads), 2)
        iters = max(1, round(iters * target_s / max(seconds, 1e-9)))
        seconds = _best_seconds(lambda: lib.fma_run(iters, threads), runs)
        detail = tr(
            "{chains} independent chains of {lanes}-lane float32 FMAs, compiled by {compiler}",
            chains=chains,
            lanes=lanes,
            compiler=Path(compiler).name if compiler else "",
        )
        return Peak(per_iteration * iters / seconds / 1e9, "fma", threads, detail)
    import torch  # only for the fallback

    best = 0.0
    with fixed_threads(threads), torch.no_grad():
        for n in GEMM_SIZES:
            a, b = torch.randn(n, n), torch.randn(n, n)
            a @ b  # warm-up
            best = max(best, 2 * n**3 / _best_seconds(functools.partial(torch.mm, a, b), max(1, runs // 2)) / 1e9)
    detail = tr(
        "best torch.mm of {sizes}; no C compiler worked, so this is not a ceiling: a convolution can beat it",
        sizes=", ".join(f"{n}^2" for n in GEMM_SIZES),
    )
    return Peak(best, "gemm", threads, detail)
