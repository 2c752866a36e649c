"""A class, simulated: ``make classroom-load STUDENTS=N`` (docs/classroom.md, "How many learners a machine holds").

N learners, driven by `Locust <https://locust.io>`_ against the classroom's hub on this machine, each doing what a
learner's browser does (the session of hubtraf, the JupyterHub traffic simulator): the login form, their server
started through the hub and waited for, a notebook opened (the contents API), a kernel started (REST) and its cells
executed over the kernel's websocket at a learner's pace, the notebook saved. Two scenarios, and a short one for CI:

- ``lecture``: notebook 01, a cell every 1-4 s (the learners follow the lecturer), then idle with the notebook open;
- ``lab``: notebook 01 at 0.5-1.5 s a cell, closed and shut down, then notebook 06 up to its first training cell
  (the first ``train(model, train_set, ...)``): everyone training at once;
- ``smoke``: notebook 01 without pauses (``make test-classroom-load``).

The learners run the instructor edition's code (a learner who answered every exercise), so an error in a cell is a
failure, as is a login refused, a server not ready, a websocket lost or a cell past its time limit.

Bounded: at most :data:`MAX_STUDENTS` learners, at most :data:`MAX_SECONDS` a run; the hub on 127.0.0.1 only; the run
stops early, as a failure, when the machine's free memory falls under :data:`MEMORY_FLOOR` (a lab past the machine's
memory would otherwise wake the kernel's OOM killer). The classroom is the one running from ``--dir`` (its first N
learners) or, when none runs, one started for the run (learners ``dcload1`` ...) and removed after it. Whatever it
does is undone: the kernels it started, the files it saved, the servers it started (and the classroom it started,
with its Unix users).

Measured: server ready time (the start request to JupyterLab's page), each cell's latency (its request to the
kernel's reply), failures, and, sampled every second from ``/proc`` (psutil), the memory (RSS) and CPU of the hub, its
proxy, the learners' servers with their kernels, and this load generator; each kernel reports its own CPU time and
peak memory (``getrusage``) after each notebook. Written to ``build/classroom/load/SCENARIO-N.json`` and printed as a
table (``.txt`` beside it).

The statistics and bounds below use the standard library only; Locust (which patches the standard library with gevent
when imported) is imported only to run a class: first thing under ``python -m``, else by :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tools import classroom

__all__ = ["SCENARIOS", "check_bounds", "check_url", "percentile", "summarize", "table", "main"]

ROOT = Path(__file__).resolve().parents[1]
MAX_STUDENTS = 150  # past a 16-core, 64 GB machine's capacity (docs/classroom.md): a larger class is not one machine's
MAX_SECONDS = 1800  # a run's time limit at most; learners not done by its end are failures
MEMORY_FLOOR = 2 * 1024**3  # bytes of memory left free (MemAvailable) under which a run stops, as a failure
CELL_TIMEOUT = 600.0  # seconds a cell may take (06's training cell with 40 learners on 2 cores: minutes)
READY_TIMEOUT = 300.0  # seconds from the start request to a ready server (JupyterHub's queue of 10 starts included)
PREFIX = "dcload"  # the learners of a classroom the run starts itself: dcload1 ... dcloadN, lecturer dcloadadmin
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TRAINING = r"\btrain\([^\n]*\btrain_set\b"  # notebook 06's first training cell: train(model, train_set, ...)


@dataclass(frozen=True)
class Scenario:
    """What each learner does: ``notebooks`` in order, each ``(stem, last)``: its code cells up to the first one
    that matches the regular expression ``last`` (all of them when None); a pause drawn from ``think`` seconds
    before each cell; ``close`` shuts each notebook's kernel down before the next; then ``idle`` seconds idle."""

    notebooks: tuple[tuple[str, str | None], ...]
    think: tuple[float, float]
    close: bool
    idle: float
    what: str


SCENARIOS = {
    "lecture": Scenario((("01_by_hand", None),), (1.0, 4.0), False, 30.0, "notebook 01 at a lecture's pace, then idle"),
    "lab": Scenario(
        (("01_by_hand", None), ("06_context_module", TRAINING)),
        (0.5, 1.5),
        True,
        0.0,
        "notebook 01, then notebook 06 up to its training cell",
    ),
    "smoke": Scenario((("01_by_hand", None),), (0.0, 0.0), False, 2.0, "notebook 01 without pauses"),
}


# --- statistics and bounds (standard library only) -----------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile of ``values`` by the nearest rank: the smallest value that at least ``q`` % of the
    values are at most (so always one of the values measured).

    >>> percentile([4.0, 1.0, 3.0, 2.0], 50)
    2.0
    >>> percentile(list(range(1, 21)), 95)
    19
    >>> percentile([], 50)
    nan
    """
    if not 0 < q <= 100:
        raise ValueError(f"q={q}: a percentile from 0 (excluded) to 100")
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def summarize(values: Sequence[float]) -> dict[str, float]:
    """``{"count", "p50", "p95", "max"}`` of ``values`` (NaN for an empty list, count 0).

    >>> summarize([1.0, 2.0, 3.0, 4.0])
    {'count': 4, 'p50': 2.0, 'p95': 4.0, 'max': 4.0}
    """
    return {
        "count": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values) if values else math.nan,
    }


def check_bounds(students: int, seconds: float, scenario: str) -> None:
    """Refuse a class or a run this tool does not simulate: a ``ValueError`` that names the argument.

    >>> check_bounds(0, 60, "lecture")
    Traceback (most recent call last):
    ...
    ValueError: STUDENTS=0: simulate 1 to 150 learners
    """
    if isinstance(students, bool) or not isinstance(students, int):
        raise TypeError(f"STUDENTS={students!r}: a whole number of learners")
    if not 1 <= students <= MAX_STUDENTS:
        raise ValueError(f"STUDENTS={students}: simulate 1 to {MAX_STUDENTS} learners")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        raise TypeError(f"LOAD_SECONDS={seconds!r}: a number of seconds")
    if not 10 <= seconds <= MAX_SECONDS:
        raise ValueError(f"LOAD_SECONDS={seconds:g}: a run's time limit from 10 to {MAX_SECONDS} seconds")
    if scenario not in SCENARIOS:
        raise ValueError(f"SCENARIO={scenario!r}: one of {', '.join(SCENARIOS)}")


def check_url(url: str) -> str:
    """``url`` if it names this machine (loopback): the load test never leaves it.

    >>> check_url("http://127.0.0.1:8000")
    'http://127.0.0.1:8000'
    >>> check_url("http://10.0.0.5:8000")
    Traceback (most recent call last):
    ...
    ValueError: url='http://10.0.0.5:8000': the load test drives a hub on this machine only (127.0.0.1)
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK:
        raise ValueError(f"url={url!r}: the load test drives a hub on this machine only (127.0.0.1)")
    return url


def table(report: dict[str, Any]) -> str:
    """The report as the table ``make classroom-load`` prints."""

    def s(x: float) -> str:
        return "-" if x != x else f"{x:.1f}"

    r = report
    lines = [
        f"classroom-load: {r['scenario']} ({r['what']}), {r['students']} learners, {r['wall_s']:.0f} s, "
        f"load average before {r['load_before']:.2f}, {r['cores']} cores, {r['memory_gb']:.0f} GB",
        f"{'':<28} {'p50':>8} {'p95':>8} {'max':>8} {'count':>6}",
    ]
    for key, label in (
        ("ready_s", "server ready (s)"),
        ("cell_s", "cell latency (s)"),
        ("train_s", "training cell (s)"),
    ):
        v = r[key]
        if v["count"]:
            lines.append(f"{label:<28} {s(v['p50']):>8} {s(v['p95']):>8} {s(v['max']):>8} {v['count']:>6}")
    lines.append(f"{'':<28} {'peak MB':>8} {'peak cores':>10} {'CPU s':>8}")
    for name, g in r["processes"].items():
        lines.append(f"{name:<28} {g['peak_rss_mb']:>8.0f} {g['peak_cores']:>10.2f} {g['cpu_s']:>8.1f}")
    for name, k in r["kernels"].items():
        lines.append(
            f"{'kernel, ' + name[:2]:<28} {k['rss_mb']['p50']:>8.0f} {'':>10} {k['cpu_s']['p50']:>8.1f}"
            "   (p50 of the kernels: peak MB, CPU s)"
        )
    if r.get("idle_rss_per_learner_mb"):
        lines.append(f"an idle learner (server and kernel): {r['idle_rss_per_learner_mb']:.0f} MB")
    lines.append(
        f"memory taken: {r['memory_taken_gb']:.1f} GB (least left {r['min_available_gb']:.1f} GB); "
        f"failures: {len(r['failures'])}"
    )
    lines += [f"  {f['learner']}: {f['step']}: {f['why']}" for f in r["failures"][:20]]
    return "\n".join(lines)


# --- the classroom the run drives -------------------------------------------------------------------------


@dataclass
class Hub:
    """The classroom under load: its folder, URL, learners and their passwords, the lecturer's API token."""

    folder: Path
    url: str
    learners: list[str]
    passwords: dict[str, str]
    token: str
    notebooks: Path
    commit: str = ""  # the course's commit the hub serves (what the learners run)
    started: bool = False  # the run started it (then stops it and removes its learners)
    base: Path | None = None


def _commit(course: Path) -> str:
    done = subprocess.run(["git", "-C", str(course), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else "?"


def _load_hub(folder: Path, n: int, started: bool = False, base: Path | None = None) -> Hub:
    from tools.classroom import running_pid

    s = json.loads((folder / "classroom.json").read_text())
    if s["ip"] not in ("127.0.0.1", "0.0.0.0"):
        raise ValueError(f"CLASSROOM_DIR={folder}: its hub serves {s['ip']} only; the load test runs on 127.0.0.1")
    if s.get("ssl_cert"):
        raise ValueError(f"CLASSROOM_DIR={folder}: its hub serves TLS; the load test drives a plain hub on 127.0.0.1")
    if len(s["students"]) < n:
        raise ValueError(f"STUDENTS={n}: the classroom running from {folder} has {len(s['students'])} learners")
    if not running_pid(folder):
        raise RuntimeError(f"the classroom in {folder} is not running")
    with open(folder / "passwords.csv") as f:
        rows = [line.strip().split(",") for line in f.readlines()[1:]]
    notebooks = folder / "course" / "notebooks"
    return Hub(
        folder=folder,
        url=check_url(f"http://127.0.0.1:{s['port']}"),
        learners=s["students"][:n],
        passwords={r[0]: r[1] for r in rows if len(r) == 2},
        token=(folder / "api_token").read_text().strip(),
        notebooks=notebooks if notebooks.is_dir() else ROOT / "notebooks",
        commit=_commit(folder / "course"),
        started=started,
        base=base,
    )


def _remove_users(names: Sequence[str]) -> None:
    """Delete Unix users this tool made (names ``dcload...`` only) and their homes, as root."""
    import pwd

    for name in names:
        if not re.fullmatch(rf"{PREFIX}(\d+|admin)", name):
            continue
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)  # this user's processes only
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def _start_hub(args: argparse.Namespace) -> Hub:
    """A classroom of ``dcload1`` ... ``dcloadN`` for this run, on a free port of 127.0.0.1, in a temporary folder."""
    names = [f"{PREFIX}{i}" for i in range(1, args.students + 1)]
    if os.geteuid() == 0:
        _remove_users([*names, f"{PREFIX}admin"])  # left by a run that was killed before its clean-up
    base = Path(tempfile.mkdtemp(prefix="dcload-"))
    base.chmod(0o755)  # learners traverse it to the prefix
    (base / "roster.txt").write_text("\n".join(names) + "\n")
    cmd = [sys.executable, "-m", "tools.classroom", "start", "--dir", str(base / "hub")]
    cmd += ["--students", str(base / "roster.txt"), "--admin", f"{PREFIX}admin", "--port", str(classroom.free_port())]
    cmd += ["--ip", "127.0.0.1", "--repo", args.repo, "--prefix", str(base / "prefix"), "--env", str(args.env)]
    cmd += ["--python", args.python, "--chp-dir", str(args.chp_dir), "--npm", args.npm, "--lang", args.lang]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        _stop_hub(base, names)
        raise RuntimeError(f"the classroom for the run did not start: {done.stderr.strip()}")
    return _load_hub(base / "hub", args.students, started=True, base=base)


def _stop_hub(base: Path, names: Sequence[str]) -> None:
    """Stop the run's classroom (``classroom stop``), then whatever of the hub's services outlived it (a hub killed
    after 30 s of stopping many servers leaves its idle culler), remove its learners and its folder."""
    import psutil

    from tools.classroom import running_pid

    services = []
    if pid := running_pid(base / "hub"):
        try:
            services = psutil.Process(pid).children()
        except psutil.Error:
            pass
    if (base / "hub" / "classroom.json").exists():
        cmd = [sys.executable, "-m", "tools.classroom", "stop", "--dir", str(base / "hub")]
        subprocess.run(cmd, capture_output=True, cwd=ROOT)
    for proc in services:
        try:
            proc.terminate()
            proc.wait(10)
        except psutil.Error:
            pass
    if os.geteuid() == 0:
        _remove_users([*names, f"{PREFIX}admin"])
    shutil.rmtree(base, ignore_errors=True)


def _cells(notebooks: Path, stem: str, last: str | None) -> list[tuple[str, bool]]:
    """The code cells a learner runs of notebook ``stem`` (instructor edition): (source, raises), up to ``last``."""
    import nbformat

    nb = nbformat.read(notebooks / f"{stem}.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cells.append((str(cell.source), "raises-exception" in cell.metadata.get("tags", [])))
        if last and re.search(last, cell.source):
            return cells
    if last:
        raise ValueError(f"notebook {stem} has no cell matching {last!r}: the scenario names a cell it lacks")
    return cells


# --- the run --------------------------------------------------------------------------------------------


@dataclass
class Results:
    """What the learners measured, and what the run must undo."""

    ready: list[float] = field(default_factory=list)
    cells: list[float] = field(default_factory=list)
    train: list[float] = field(default_factory=list)
    kernels: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # stem -> (CPU s, peak MB)
    failures: list[dict[str, str]] = field(default_factory=list)
    done: int = 0
    idle: int = 0
    spawned: set[str] = field(default_factory=set)  # servers the run started
    files: dict[str, list[str]] = field(default_factory=dict)  # learner -> paths saved
    kernel_ids: dict[str, list[str]] = field(default_factory=dict)
    retries: int = 0

    def fail(self, learner: str, step: str, why: str) -> None:
        self.failures.append({"learner": learner, "step": step, "why": why[:300]})


class Sampler:
    """Memory and CPU of the hub, its proxy, the learners' servers (with their kernels) and this process, from /proc."""

    GROUPS = ("hub", "proxy", "servers", "load generator")
    WINDOW = 5  # samples (about 5 s) a peak of CPU is averaged over

    def __init__(self, folder: Path) -> None:
        import psutil

        self.psutil = psutil
        self.hub = psutil.Process(int((folder / "jupyterhub.pid").read_text()))
        proxy = folder / "proxy.pid"
        self.proxy_pid = int(proxy.read_text()) if proxy.is_file() else -1
        self.me = psutil.Process()
        self.peak_rss = dict.fromkeys(self.GROUPS, 0)
        self.peak_cores = dict.fromkeys(self.GROUPS, 0.0)
        self.first: dict[int, float] = {}  # pid -> CPU s when first seen (0 for a process born during the run)
        self.last: dict[int, tuple[str, float]] = {}  # pid -> (group, CPU s) when last seen
        self.history: list[tuple[float, dict[str, float]]] = []  # (time, CPU s by group) of each sample
        self.started = time.time()
        self.available_before = psutil.virtual_memory().available
        self.min_available = self.available_before
        self.servers_rss = 0

    def _groups(self) -> dict[str, list[Any]]:
        p = self.psutil
        groups: dict[str, list[Any]] = {"hub": [self.hub], "proxy": [], "servers": [], "load generator": [self.me]}
        for child in self.hub.children():
            try:
                cmd = " ".join(child.cmdline())
                tree = [child, *child.children(recursive=True)]
            except p.Error:
                continue
            if child.pid == self.proxy_pid or "configurable-http-proxy" in cmd:
                groups["proxy"] += tree
            elif "singleuser" in cmd:
                groups["servers"] += tree
            else:
                groups["hub"] += tree  # the hub's services (the idle culler)
        return groups

    def sample(self) -> None:
        p = self.psutil
        now = time.monotonic()
        cpu_now: dict[str, float] = dict.fromkeys(self.GROUPS, 0.0)
        for name, procs in self._groups().items():
            rss = 0
            for proc in procs:
                try:
                    with proc.oneshot():
                        rss += proc.memory_info().rss
                        t = proc.cpu_times()
                        cpu = t.user + t.system
                        born = proc.create_time() >= self.started
                except p.Error:
                    continue
                self.first.setdefault(proc.pid, 0.0 if born else cpu)
                self.last[proc.pid] = (name, cpu)
                cpu_now[name] += cpu - self.first[proc.pid]
            self.peak_rss[name] = max(self.peak_rss[name], rss)
            if name == "servers":
                self.servers_rss = rss
        self.history.append((now, cpu_now))
        then, cpu_then = self.history[max(0, len(self.history) - 1 - self.WINDOW)]
        if now - then > 1.0:  # cores busy over the last WINDOW samples: one sample's timing jitter averaged out
            for name in self.GROUPS:  # a process gone in between takes its CPU with it: never negative
                cores = max(0.0, cpu_now[name] - cpu_then[name]) / (now - then)
                self.peak_cores[name] = max(self.peak_cores[name], cores)
        self.min_available = min(self.min_available, p.virtual_memory().available)

    def cpu_seconds(self) -> dict[str, float]:
        total = dict.fromkeys(self.GROUPS, 0.0)
        for pid, (name, cpu) in self.last.items():
            total[name] += cpu - self.first[pid]
        return total


def _learner_class(
    hub: Hub,
    scenario: Scenario,
    programmes: dict[str, list[tuple[str, bool]]],
    results: Results,
    seed: int,
    deadline: float,
) -> type:
    """Locust's user class: one learner's journey, once, then the learner stops (hubtraf's journey)."""
    import gevent
    import websocket
    from locust import HttpUser, task
    from locust.exception import StopUser

    queue = list(hub.learners)
    run_id = uuid.uuid4().hex[:8]

    class Learner(HttpUser):
        host = hub.url

        def on_start(self) -> None:
            self.name = queue.pop(0)
            self.rng = random.Random(f"{seed}-{self.name}")

        def _xsrf(self, path: str) -> str:
            for c in self.client.cookies:
                if c.name == "_xsrf" and c.path == path:
                    return str(c.value)
            return str(self.client.cookies.get("_xsrf", ""))

        def call(self, method: str, path: str, name: str, ok: Sequence[int] = (200, 201, 204), **kw: Any) -> Any:
            """A request to the hub or the learner's server, counted by Locust under ``name``."""
            base = "/hub/" if path.startswith("/hub/") else f"/user/{self.name}/"
            headers = {"X-XSRFToken": self._xsrf(base)}
            with self.client.request(
                method, path, name=name, headers=headers, catch_response=True, timeout=120, **kw
            ) as r:
                if r.status_code in ok:
                    r.success()
                else:
                    r.failure(f"{r.status_code}")
                return r

        @task
        def journey(self) -> None:
            step = "login"
            try:
                self.login()
                step = "server"
                self.start_server()
                for stem, last in scenario.notebooks:
                    step = stem
                    self.notebook(stem, programmes[stem], bool(last))
                if scenario.idle:
                    results.idle += 1
                    gevent.sleep(scenario.idle)
            except StopUser:
                raise
            except Exception as e:  # a failure of this learner's journey: recorded, the others go on
                results.fail(self.name, step, f"{type(e).__name__}: {e}")
            results.done += 1
            raise StopUser()

        def login(self) -> None:
            self.client.get("/hub/login", name="/hub/login")
            data = {"username": self.name, "password": hub.passwords[self.name], "_xsrf": self._xsrf("/hub/")}
            r = self.call("POST", "/hub/login", "/hub/login [POST]", ok=(302,), data=data, allow_redirects=False)
            if r.status_code != 302:
                raise RuntimeError(f"the hub refused the login ({r.status_code})")

        def start_server(self) -> None:
            started = time.monotonic()
            while True:
                r = self.call("POST", f"/hub/api/users/{self.name}/server", "start server", ok=(201, 202, 400, 429))
                if r.status_code == 429:  # "too many users trying to log in": the spawn page retries
                    results.retries += 1
                    gevent.sleep(float(r.headers.get("Retry-After", 5)))
                    continue
                if r.status_code != 400:  # 400: already running
                    results.spawned.add(self.name)
                break
            while time.monotonic() - started < READY_TIMEOUT:
                info = self.call("GET", f"/hub/api/users/{self.name}", "server status").json()
                if info["servers"].get("", {}).get("ready"):
                    break
                gevent.sleep(0.5)
            else:
                raise TimeoutError(f"server not ready in {READY_TIMEOUT:.0f} s")
            r = self.call("GET", f"/user/{self.name}/lab", "JupyterLab page")  # the hub's OAuth: the server's cookie
            if r.status_code != 200 or f"/user/{self.name}/lab" not in r.url:
                raise RuntimeError(f"JupyterLab's page answered {r.status_code} at {r.url}")
            results.ready.append(time.monotonic() - started)

        def notebook(self, stem: str, cells: list[tuple[str, bool]], training: bool) -> None:
            model = self.call("GET", f"/user/{self.name}/api/contents/workspace/{stem}.ipynb", "open notebook").json()
            kernel = self.call("POST", f"/user/{self.name}/api/kernels", "start kernel", json={"name": "python3"})
            kid = kernel.json()["id"]
            results.kernel_ids.setdefault(self.name, []).append(kid)
            cookies = "; ".join(f"{c.name}={c.value}" for c in self.client.cookies)
            ws_url = hub.url.replace("http", "ws", 1) + f"/user/{self.name}/api/kernels/{kid}/channels"
            ws = websocket.create_connection(ws_url, header=[f"Cookie: {cookies}"], timeout=60)
            try:
                for i, (source, raises) in enumerate(cells):
                    gevent.sleep(self.rng.uniform(*scenario.think))
                    took, error, _ = self.execute(ws, source)
                    results.cells.append(took)
                    if training and i == len(cells) - 1:
                        results.train.append(took)
                    if error and not raises:
                        raise RuntimeError(f"cell {i + 1} of {stem}: {error}")
                _, _, cost = self.execute(ws, "", probe=True)
                results.kernels.setdefault(stem, []).append(cost)
            finally:
                ws.close()
            path = f"classroom-load-{run_id}-{stem}.ipynb"  # saved beside the workspace, removed after the run
            results.files.setdefault(self.name, []).append(path)
            body = {"type": "notebook", "content": model["content"]}
            self.call("PUT", f"/user/{self.name}/api/contents/{path}", "save notebook", json=body)
            if scenario.close:
                self.call("DELETE", f"/user/{self.name}/api/kernels/{kid}", "shut down kernel")

        def execute(self, ws: Any, code: str, probe: bool = False) -> tuple[float, str, tuple[float, float]]:
            """Run ``code``; return (seconds to the reply, the error if any, (kernel CPU s, peak MB) if ``probe``)."""
            msg_id = uuid.uuid4().hex
            expr = "__import__('resource').getrusage(0)"
            content = {
                "code": code,
                "silent": probe,
                "store_history": not probe,
                "user_expressions": {"cost": f"[{expr}.ru_utime + {expr}.ru_stime, {expr}.ru_maxrss]"} if probe else {},
                "allow_stdin": False,
                "stop_on_error": True,
            }
            header = {"msg_id": msg_id, "msg_type": "execute_request", "username": self.name}
            header |= {"session": msg_id, "version": "5.3", "date": ""}
            msg = {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}
            started = time.monotonic()
            ws.send(json.dumps(msg | {"buffers": []}))
            error, reply, idle = "", None, False
            while reply is None or not idle:
                left = min(CELL_TIMEOUT - (time.monotonic() - started), deadline - time.monotonic())
                try:
                    if left <= 0:
                        raise websocket.WebSocketTimeoutException()
                    ws.settimeout(left)
                    answer = json.loads(ws.recv())
                except websocket.WebSocketTimeoutException:
                    why = "the run's time was up" if time.monotonic() >= deadline else "the cell's time limit"
                    took = time.monotonic() - started
                    raise TimeoutError(f"no answer from the kernel in {took:.0f} s ({why})") from None
                if answer.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = answer["msg_type"]
                if kind == "error":
                    error = f"{answer['content']['ename']}: {answer['content']['evalue']}"[:200]
                elif kind == "execute_reply":
                    reply = answer["content"]
                elif kind == "status" and answer["content"]["execution_state"] == "idle":
                    idle = True
            took = time.monotonic() - started
            cost = (math.nan, math.nan)
            if probe:
                text = reply.get("user_expressions", {}).get("cost", {}).get("data", {}).get("text/plain", "")
                cpu, maxrss = json.loads(text.replace("(", "[").replace(")", "]") or "[NaN, NaN]")
                cost = (float(cpu), float(maxrss) / 1024)  # ru_maxrss: kB on Linux
            return took, error, cost

    return Learner


def _clean(hub: Hub, results: Results) -> list[str]:
    """Undo the run: the files saved, the kernels started, the servers started (waited for until gone)."""
    import requests

    said = []
    headers = {"Authorization": f"token {hub.token}"}
    for name in hub.learners:
        for path in results.files.get(name, []):
            r = requests.delete(f"{hub.url}/user/{name}/api/contents/{path}", headers=headers, timeout=30)
            if r.status_code not in (204, 404):
                said.append(f"{name}: {path} not removed ({r.status_code})")
        if name not in results.spawned:
            for kid in results.kernel_ids.get(name, []):
                requests.delete(f"{hub.url}/user/{name}/api/kernels/{kid}", headers=headers, timeout=30)
    for name in results.spawned:
        requests.delete(f"{hub.url}/hub/api/users/{name}/server", headers=headers, timeout=60)
    end = time.monotonic() + 120
    left = set(results.spawned)
    while left and time.monotonic() < end:
        for name in list(left):
            r = requests.get(f"{hub.url}/hub/api/users/{name}", headers=headers, timeout=30)
            if not r.json().get("servers"):
                left.discard(name)
        time.sleep(0.5)
    said += [f"{name}: server still running after the run" for name in sorted(left)]
    return said


def load_average() -> float:
    return os.getloadavg()[0]


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start (or find) the classroom, simulate the class with Locust, measure, undo, and return the report."""
    import gevent
    import psutil
    from locust.env import Environment

    scenario = SCENARIOS[args.scenario]
    load_before = load_average()
    folder: Path = args.dir.resolve()
    from tools.classroom import running_pid

    hub = _load_hub(folder, args.students) if running_pid(folder) else _start_hub(args)
    results = Results()
    started = time.monotonic()
    deadline = started + args.seconds
    stopped_for_memory = ""
    try:
        sampler = Sampler(hub.folder)
        programme = {stem: _cells(hub.notebooks, stem, last) for stem, last in scenario.notebooks}
        learner = _learner_class(hub, scenario, programme, results, args.seed, deadline)
        env = Environment(user_classes=[learner], host=hub.url)
        runner = env.create_local_runner()
        sampler.sample()
        runner.start(args.students, spawn_rate=args.rate)
        idle_rss = 0
        while results.done < args.students and time.monotonic() < deadline:
            gevent.sleep(1.0)
            sampler.sample()
            if scenario.idle and results.idle == args.students and not idle_rss:
                gevent.sleep(3.0)  # every learner idle: their servers and kernels settled
                sampler.sample()
                idle_rss = sampler.servers_rss
            available = psutil.virtual_memory().available
            if available < MEMORY_FLOOR:
                stopped_for_memory = f"{available / 1e9:.1f} GB of memory left: the run stopped"
                break
        runner.quit()
        wall = time.monotonic() - started
        if stopped_for_memory:
            results.fail("(all)", "memory", stopped_for_memory)
        elif results.done < args.students:
            results.fail("(all)", "time", f"{args.students - results.done} learners not done in {args.seconds:g} s")
        requests_stats = {
            f"{e.method} {e.name}": {
                "count": e.num_requests,
                "failures": e.num_failures,
                "p50_s": e.get_response_time_percentile(0.5) / 1000,
                "p95_s": e.get_response_time_percentile(0.95) / 1000,
            }
            for e in env.stats.entries.values()
        }
    finally:
        try:
            for line in _clean(hub, results):
                results.fail("(clean-up)", "clean-up", line)
        finally:
            if hub.started and hub.base:
                _stop_hub(hub.base, hub.learners)
    cpu = sampler.cpu_seconds()
    memory = psutil.virtual_memory().total
    return {
        "scenario": args.scenario,
        "what": scenario.what,
        "students": args.students,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, {memory / 1024**3:.0f} GiB",
        "cores": os.cpu_count(),
        "memory_gb": memory / 1024**3,
        "load_before": load_before,
        "hub_started_for_run": hub.started,
        "wall_s": wall,
        "ready_s": summarize(results.ready),
        "cell_s": summarize(results.cells),
        "train_s": summarize(results.train),
        "spawn_retries": results.retries,
        "cells_per_learner": {stem: len(cells) for stem, cells in programme.items()},
        "course": hub.commit,
        "kernels": {
            stem: {"cpu_s": summarize([c for c, _ in v]), "rss_mb": summarize([m for _, m in v])}
            for stem, v in results.kernels.items()
        },
        "idle_rss_per_learner_mb": idle_rss / 1e6 / args.students if scenario.idle and idle_rss else None,
        "processes": {
            name: {
                "peak_rss_mb": sampler.peak_rss[name] / 1e6,
                "peak_cores": sampler.peak_cores[name],
                "cpu_s": cpu[name],
            }
            for name in Sampler.GROUPS
        },
        "min_available_gb": sampler.min_available / 1e9,
        # the machine's memory taken during the run (MemAvailable's fall; shared pages once, other work included)
        "memory_taken_gb": (sampler.available_before - sampler.min_available) / 1e9,
        "requests": requests_stats,
        "failures": results.failures,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.classroom_load --students N --scenario lecture|lab|smoke [options]``."""
    parser = argparse.ArgumentParser(prog="python -m tools.classroom_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", default="", help=f"how many learners (1 to {MAX_STUDENTS})")
    parser.add_argument("--scenario", default="lecture", help=", ".join(SCENARIOS))
    parser.add_argument("--seconds", default="900", help="the run's time limit")
    parser.add_argument("--rate", type=float, default=2.0, help="learners arriving a second")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", type=Path, default=ROOT / "build" / "classroom", help="a running classroom's files")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "classroom" / "load")
    # a classroom started for the run: as `make classroom` starts one
    parser.add_argument("--repo", default=str(ROOT))
    parser.add_argument("--lang", default="en")
    parser.add_argument("--env", type=Path, default=Path("/opt/dilconv-classroom/venv"))
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--chp-dir", type=Path, default=ROOT / "build" / "chp")
    parser.add_argument("--npm", default="npm")
    args = parser.parse_args(argv)
    try:
        if not args.students.strip().isdigit():
            raise ValueError(f"STUDENTS={args.students!r}: give a number of learners, e.g. STUDENTS=10")
        args.students = int(args.students)
        try:
            args.seconds = float(args.seconds)
        except ValueError:
            raise ValueError(f"LOAD_SECONDS={args.seconds!r}: a number of seconds") from None
        check_bounds(args.students, args.seconds, args.scenario)
        if not 0.1 <= args.rate <= 50:
            raise ValueError(f"LOAD_RATE={args.rate:g}: from 0.1 to 50 learners arriving a second")
        report = run(args)
    except (ValueError, TypeError, RuntimeError) as e:
        print(f"classroom-load: {e}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{report['scenario']}-{report['students']}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    text = table(report)
    stem.with_suffix(".txt").write_text(text + "\n")
    print(text)
    print(f"classroom-load: report in {stem}.json")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    import locust  # noqa: F401  (first: gevent patches the standard library before anything uses it)

    sys.exit(main())
