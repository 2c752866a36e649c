"""JupyterLab in a headless Chromium, as a learner gets it: start a throw-away server, run a notebook, report.

The server is started as ``make lab`` starts it for a learner: the course's top folder as its root (here a
throw-away copy of it: the repository's entries linked, never its ``workspace/``), the learner's own copy of the
notebooks in ``workspace/`` as :mod:`tools.workspace` makes it (the student edition: solutions replaced by stubs,
outputs cleared), ``lab/student`` on ``JUPYTER_CONFIG_PATH`` (no nbgrader) and the course's ``lab/overrides.json``
in effect (``make install`` puts it in the virtualenv's JupyterLab, which the server reads as a learner's does).

A student notebook fails in its exercises, and JupyterLab's Run All stops at the first error: the run goes on
from the next cell ("Run Selected Cell and All Below"), as a learner who skips an exercise would, until every
cell has run. A notebook is then checked in three places:

- the saved copy (JSON): error outputs outside cells tagged ``raises-exception``, cells left unexecuted,
  and how many widget views each cell displayed;
- the page: widgets that failed to render (ipywidgets' error widget, "Error displaying widget"), or that
  never left "Loading widget...";
- both together: every widget view in the saved copy has a rendered widget on the page.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import nbformat

from tools.workspace import sync

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:  # the tests that need it skip themselves
    PlaywrightTimeoutError = TimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]
# The instructor edition whose student edition is run; another folder can be named, e.g. to try the checks on
# other notebooks.
NOTEBOOK_DIR = Path(os.environ.get("BROWSER_TEST_NOTEBOOK_DIR", REPO_ROOT / "notebooks")).resolve()
SCREENSHOT_DIR = REPO_ROOT / "build" / "browser-screenshots"
# The learner's configuration (lab/README.md), which `make lab` adds to JUPYTER_CONFIG_PATH.
STUDENT_CONFIG = REPO_ROOT / "lab" / "student"
# Never linked into the server's copy of the course: the learner's own copies (a test saves the notebooks it
# runs), the repository's history and environment, and build outputs.
LEFT_OUT = {".git", ".venv", "build", "workspace", "workspace-zh"}

CHROMIUM = os.environ.get("BROWSER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Seconds. Generous: every wait below ends as soon as its condition holds.
SERVER_START_TIMEOUT = 120
PAGE_TIMEOUT = 120
EXECUTION_TIMEOUT = float(os.environ.get("BROWSER_TEST_EXECUTION_TIMEOUT", "600"))
WIDGET_TIMEOUT = 30

RAISES_TAG = "raises-exception"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

# User settings of the throw-away lab, one a plugin. Only what the checks need: every cell rendered (no
# windowing, so every output is in the page). Nothing about news or updates: the course's overrides.json
# must keep those quiet, as it does for a learner.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}
# `make lab COURSE_LANG=zh`'s settings folder ($(ZH_SETTINGS) in the Makefile): JupyterLab's own menus in
# Chinese, from its language pack.
ZH_LAB_SETTINGS = {
    **LAB_SETTINGS,
    "@jupyterlab/translation-extension/plugin": {"locale": "zh_CN"},
}
# The main menus the tests open, by their label in English and in the Chinese language pack.
MENU_LABELS = {"File": ("File", "文件"), "Run": ("Run", "运行"), "View": ("View", "查看")}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float, message: str, interval: float = 0.1):
    """Poll ``condition`` until it returns something truthy; return that, or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{message} (waited {timeout:.0f} s)")
        time.sleep(interval)


def stripped_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without outputs, execution counts or saved widget state: all the page shows is new."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def code_cell_indices(nb: nbformat.NotebookNode) -> list[int]:
    """The cells that JupyterLab sends to the kernel when it runs them: code cells with code."""
    return [n for n, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()]


class JupyterLab:
    """A JupyterLab server as ``make lab`` starts it for a learner, on a free loopback port, with its own config,
    data, runtime and workspace dirs.

    ``<base>/course`` is the server's root, a copy of the course's top folder: it links the repository's entries
    (``notebooks/`` one click away, ``../something`` found as in the repository), and ``folder`` in it holds the
    student edition of ``notebooks``, made by :func:`tools.workspace.sync` as ``make lab`` makes ``workspace/``.
    ``root`` is that folder: a notebook's ``name`` is its file name there. ``settings`` are the user settings.
    """

    def __init__(
        self,
        base: Path,
        notebooks: Path = NOTEBOOK_DIR,
        folder: str = "workspace",
        settings: dict[str, dict] = LAB_SETTINGS,
    ):
        self.base = base
        self.notebooks = notebooks
        self.folder = folder
        self.root = base / "course" / folder
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    # -- files -------------------------------------------------------------------------------------------
    def _lay_out(self) -> None:
        course = self.root.parent
        course.mkdir(parents=True)
        for entry in REPO_ROOT.iterdir():
            if entry.name not in LEFT_OUT and entry.name != self.folder:
                (course / entry.name).symlink_to(entry)
        sync(self.notebooks, self.root)

    def add_notebook(self, nb: nbformat.NotebookNode, name: str) -> Path:
        """Write a copy of ``nb`` (outputs stripped) into the learner's folder; return its path."""
        path = self.root / name
        nbformat.write(stripped_copy(nb), path)
        return path

    def api_path(self, name: str) -> str:
        """Where the server (its URLs, its sessions) finds notebook ``name``: relative to its root."""
        return f"{self.folder}/{name}"

    # -- process -----------------------------------------------------------------------------------------
    def start(self) -> None:
        self._lay_out()
        env = dict(os.environ)
        jupyter_dirs = {
            "JUPYTER_CONFIG_DIR": "config",
            "JUPYTER_DATA_DIR": "data",
            "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
            "JUPYTERLAB_SETTINGS_DIR": "config/lab/user-settings",
            "IPYTHONDIR": "ipython",
        }
        for var, sub in jupyter_dirs.items():
            env[var] = str(self.base / "jupyter" / sub)
            Path(env[var]).mkdir(parents=True, exist_ok=True)
        for plugin, settings in self.settings.items():
            path = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
        # The learner's edition, as the Makefile's STUDENT_LAB gives it: lab/student first.
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
            filter(None, [str(STUDENT_CONFIG), os.environ.get("JUPYTER_CONFIG_PATH")])
        )
        env.pop("JUPYTER_TOKEN", None)
        bindir = Path(sys.executable).parent
        env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
        command = [
            str(bindir / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.token=",
            "--ServerApp.password=",
            # Only this test drives the server, from loopback; it calls the REST API without an XSRF token.
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={self.root.parent}",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=self.root.parent, stdout=log, stderr=subprocess.STDOUT
            )

        def ready() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                return self.api("GET", "/api/status") is not None
            except (OSError, urllib.error.URLError):
                return False

        try:
            wait_until(ready, SERVER_START_TIMEOUT, f"JupyterLab did not answer on {self.url}/api/status", 0.25)
        except TimeoutError as exc:
            self.stop()
            raise TimeoutError(f"{exc}\n{self.log_tail()}") from None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.api("POST", "/api/shutdown")
            self.process.wait(timeout=30)
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # -- REST --------------------------------------------------------------------------------------------
    def api(self, method: str, path: str):
        request = urllib.request.Request(self.url + path, method=method, data=b"" if method != "GET" else None)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def kernel_id(self, name: str) -> str:
        """The id of the kernel of the session of notebook ``name``."""
        path = self.api_path(name)
        sessions = [s for s in self.api("GET", "/api/sessions") if s.get("path") == path and s.get("kernel")]
        if not sessions:
            raise RuntimeError(f"no kernel session for {name}")
        return sessions[0]["kernel"]["id"]

    def shut_down_kernels(self) -> None:
        """End every session and kernel, so the next notebook starts with one fresh kernel."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self.api("GET", "/api/kernels"):
            self.api("DELETE", f"/api/kernels/{kernel['id']}")


# -- the page -------------------------------------------------------------------------------------------

# The status bar says "Python 3 (ipykernel) | Idle", in Chinese "| 空闲".
JS_KERNEL_STATE = """() => {
    if (document.querySelector('.jp-Dialog')) return 'dialog';
    const bar = document.querySelector('#jp-main-statusbar');
    return bar && /\\|\\s*(Idle|空闲)(\\s|$)/.test(bar.innerText) ? 'idle' : '';
}"""

# Per cell of the open notebook: what its top-level outputs show. Nested widgets (a slider inside an
# interact box, an Output widget's own outputs) belong to the widget view that holds them.
JS_CELL_OUTPUTS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell'))
  .map(cell => Array.from(cell.querySelectorAll(
      ':scope .jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output'))
    .map(out => {
      const text = out.innerText || '';
      const errorWidget = out.querySelector('.jupyter-widgets-error-widget');
      let errorText = '';
      if (errorWidget) {
        errorWidget.click();  // ipywidgets shows the JavaScript error in place of its hint
        const lines = (errorWidget.innerText || '').split('\\n').map(l => l.trim());
        errorText = lines.find(l => l && !l.startsWith('[')) || '';
      }
      const view = out.querySelector(':scope > .jupyter-widgets');
      return {
        rendered: !!view && !errorWidget && !/^(Error displaying widget|Loading widget)/.test(text.trim()),
        errorWidget: errorText || (errorWidget ? 'error widget' : ''),
        failedText: /Error displaying widget[^\\n]*/.exec(text)?.[0] || '',
        loading: /^Loading widget/.test(text.trim()),
      };
    }))"""

JS_LOADING = """() => !Array.from(
    document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output'))
    .some(o => /^Loading widget/.test((o.innerText || '').trim()))"""


def open_menu(page, menu: str) -> None:
    """Open a main menu by its label (``MENU_LABELS``: in English or in Chinese)."""
    labels = "|".join(map(re.escape, MENU_LABELS.get(menu, (menu,))))
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(rf"^({labels})$")).click()


def menu_bar_labels(page) -> list[str]:
    """The main menus' labels, as the menu bar shows them."""
    return [label.strip() for label in page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts()]


def click_menu(page, menu: str, commands: tuple[str, ...]) -> None:
    """Open a main-menu menu by its label and click the first of ``commands`` that it holds enabled."""
    open_menu(page, menu)
    items = [page.locator(f".lm-Menu-item[data-command='{c}']:not(.lm-mod-disabled)") for c in commands]
    page.locator(", ".join(f".lm-Menu-item[data-command='{c}']" for c in commands)).first.wait_for()
    item = next((item for item in items if item.count()), items[0])  # none enabled: wait for the first
    item.first.click()


def open_notebook(page, lab: JupyterLab, name: str) -> None:
    """Open ``name`` alone in a reset workspace and wait until its kernel is idle."""
    page.goto(f"{lab.url}/lab/tree/{quote(lab.api_path(name))}?reset", timeout=PAGE_TIMEOUT * 1000)
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(timeout=PAGE_TIMEOUT * 1000)
    deadline = time.monotonic() + PAGE_TIMEOUT
    while True:
        remaining = max(1.0, deadline - time.monotonic()) * 1000
        state = page.wait_for_function(JS_KERNEL_STATE, timeout=remaining).json_value()
        if state == "idle":
            return
        # A dialog (a kernel to choose, a notice): take its default answer.
        page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").first.click()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name}: the kernel never became idle")


# A second connection to a notebook's kernel that only listens. Every request the kernel takes, even one it
# aborts after an error, ends with an "idle" status on iopub, sent to every connection; each execute_input
# carries the count of the cell it starts. So the page's own connection can be left alone.
JS_WATCH_KERNEL = """async ([url, timeoutMs]) => {
    const watch = {idle: {}, executeDone: new Set(), count: 0, live: false};
    const ws = new WebSocket(url);
    watch.close = () => ws.close();
    await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error('no websocket to the kernel at ' + url));
    });
    let markLive;
    const live = new Promise(resolve => { markLive = resolve; });
    ws.onmessage = event => {
        if (typeof event.data !== 'string') return;  // messages with binary buffers: widget data
        const msg = JSON.parse(event.data);
        if (msg.channel !== 'iopub') return;
        watch.live = true;
        markLive();
        const parent = msg.parent_header || {};
        if (msg.msg_type === 'execute_input') watch.count = Math.max(watch.count, msg.content.execution_count);
        if (msg.msg_type === 'status' && msg.content.execution_state === 'idle' && parent.msg_type) {
            watch.idle[parent.msg_type] = (watch.idle[parent.msg_type] || 0) + 1;
            if (parent.msg_type === 'execute_request') watch.executeDone.add(parent.msg_id);
        }
    };
    // The server subscribes this connection to iopub just after it opens: ask for kernel info until the
    // first iopub message shows that the subscription is live.
    const deadline = Date.now() + timeoutMs;
    while (!watch.live) {
        if (Date.now() > deadline) throw new Error('no iopub messages from the kernel at ' + url);
        const id = 'watch-' + Math.random().toString(16).slice(2);
        ws.send(JSON.stringify({
            header: {msg_id: id, msg_type: 'kernel_info_request', username: '', session: id,
                     date: new Date().toISOString(), version: '5.3'},
            parent_header: {}, metadata: {}, content: {}, channel: 'shell', buffers: [],
        }));
        await Promise.race([live, new Promise(resolve => setTimeout(resolve, 500))]);
    }
    window.kernelWatch = watch;
}"""

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden) "

# The highest execution count the open notebook shows, and whether a cell is still queued or running.
JS_PROMPT_STATE = """() => {
    const prompts = Array.from(
        document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt'))
        .map(e => e.textContent);
    const counts = prompts.map(p => parseInt((/\\[(\\d+)\\]/.exec(p) || [])[1] || '0'));
    return {count: Math.max(0, ...counts), running: prompts.some(p => p.includes('*'))};
}"""

# Per cell of the open notebook, markdown included: the execution count its prompt shows, or null.
JS_CELL_COUNTS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell'))
    .map(cell => {
        const prompt = cell.querySelector('.jp-InputArea-prompt');
        const match = /\\[(\\d+)\\]/.exec(prompt ? prompt.textContent : '');
        return match ? parseInt(match[1]) : null;
    })"""

JS_ACTIVE_CELL = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell'))
    .findIndex(cell => cell.classList.contains('jp-mod-active'))"""

RUN_ALL = ("runmenu:run-all", "notebook:run-all-cells")
# "Run Selected Cell and All Below"; JupyterLab disables it on the last cell, where running that cell is the same.
RUN_BELOW = ("notebook:run-all-below", "notebook:run-cell")
RUN_ABOVE = ("notebook:run-all-above",)  # "Run All Above Selected Cell": the selected one is left out


def watch_kernel(page, lab: JupyterLab, name: str) -> None:
    """Listen to the kernel of notebook ``name`` from the page, as ``window.kernelWatch``."""
    url = f"ws://127.0.0.1:{lab.port}/api/kernels/{lab.kernel_id(name)}/channels?session_id={uuid.uuid4().hex}"
    page.evaluate(JS_WATCH_KERNEL, [url, PAGE_TIMEOUT * 1000])


def select_cell(page, index: int) -> None:
    """Make cell ``index`` (counted from 0, markdown included) the active one, by a click on its prompt."""
    page.locator(PANEL + ".jp-Cell").nth(index).locator(".jp-InputPrompt").first.click()
    page.wait_for_function(f"() => ({JS_ACTIVE_CELL})() === {index}", timeout=PAGE_TIMEOUT * 1000)


def run_cells(page, commands: tuple[str, ...], requests: int, name: str) -> None:
    """Click the first of ``commands`` in the Run menu, then wait until the run is over.

    ``requests`` is the number of code cells with code that the command runs: JupyterLab sends each to the
    kernel at once. The prompts alone cannot tell when the run is over: once a cell fails (even one tagged
    ``raises-exception``, whose successors still run), JupyterLab shows "[ ]" on every cell still queued. So
    the kernel is watched until it has finished every request, and the page until it shows the last count.
    """
    done = page.evaluate("() => window.kernelWatch.executeDone.size")
    click_menu(page, "Run", commands)
    if requests == 0:
        return
    page.wait_for_function(
        f"() => window.kernelWatch.executeDone.size >= {done + requests}",
        timeout=EXECUTION_TIMEOUT * 1000,
        polling=200,
    )
    count = page.evaluate("() => window.kernelWatch.count")
    try:
        page.wait_for_function(
            f"() => {{ const s = ({JS_PROMPT_STATE})(); return !s.running && s.count === {count}; }}",
            timeout=PAGE_TIMEOUT * 1000,
            polling=100,
        )
    except PlaywrightTimeoutError:
        state = page.evaluate(JS_PROMPT_STATE)
        raise TimeoutError(
            f"{name}: the kernel ran cells up to [{count}], the page shows up to [{state['count']}]"
            + (" and a cell still queued or running" if state["running"] else "")
        ) from None
    page.wait_for_function(JS_KERNEL_STATE, timeout=PAGE_TIMEOUT * 1000)


def run_every_cell(page, code: list[int], name: str) -> None:
    """Run All, then, while a cell with code is left unrun, run on from it, until every cell has run.

    Run All stops at the first error outside a cell tagged ``raises-exception`` (the kernel aborts the cells
    queued after it): in the student edition, at the first exercise. A learner who leaves an exercise for later
    runs on from the next cell; so does this, with "Run Selected Cell and All Below". ``code`` holds the
    indices of the cells with code. Each round runs at least the cell it starts from: at most as many rounds
    as such cells.
    """
    run_cells(page, RUN_ALL, len(code), name)
    for _ in code:
        counts = page.evaluate(JS_CELL_COUNTS)
        unrun = next((n for n in code if counts[n] is None), None)
        if unrun is None:
            return
        select_cell(page, unrun)
        run_cells(page, RUN_BELOW, sum(n >= unrun for n in code), name)


def run_through(page, code: list[int], last: int, name: str) -> None:
    """Run the cells up to and including cell ``last``, and none after it: Run All Above the next cell."""
    select_cell(page, last + 1)
    run_cells(page, RUN_ABOVE, sum(n <= last for n in code), name)


def save_notebook(page, name: str) -> None:
    """Save from the File menu; return once the server has answered, that is, has written the whole file."""

    def is_save(response) -> bool:
        return response.request.method == "PUT" and "/api/contents/" in response.url

    with page.expect_response(is_save, timeout=PAGE_TIMEOUT * 1000) as saved:
        click_menu(page, "File", ("docmanager:save",))
    if not saved.value.ok:
        raise RuntimeError(f"{name} was not saved: HTTP {saved.value.status} {saved.value.text()[:500]}")


# -- the report -----------------------------------------------------------------------------------------


def cell_label(index: int, cell) -> str:
    """``cell 3 ('first line')``: cells counted from 1, markdown included, as JupyterLab's status bar does."""
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {index + 1} ({first_line[:60]!r})"


@dataclass(repr=False)
class NotebookReport:
    """What went wrong when a notebook ran in the lab; empty lists mean that nothing did.

    ``notebook`` is the copy that the lab saved after the run, outputs and all.
    """

    name: str
    notebook: nbformat.NotebookNode | None = None
    code_cells: int = 0
    executed: int = 0
    widget_outputs: int = 0
    widget_views: int = 0
    errors: list[str] = field(default_factory=list)
    unexecuted: list[str] = field(default_factory=list)
    widget_problems: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.errors + self.unexecuted + self.widget_problems

    def __str__(self) -> str:
        head = (
            f"{self.name}: {self.executed}/{self.code_cells} code cells ran, "
            f"{self.widget_views}/{self.widget_outputs} widget views rendered"
        )
        return "\n  ".join([head, *self.problems])

    __repr__ = __str__


def check_saved(nb: nbformat.NotebookNode, report: NotebookReport, last: int | None = None) -> list[int]:
    """Fill ``report`` from the saved copy; return the number of widget views each cell displayed.

    Cells after cell ``last`` (counted from 0), if it is given, were not meant to run and are not reported.
    """
    widget_counts = []
    for index, cell in enumerate(nb.cells):
        count = 0
        if cell.cell_type == "code" and cell.source.strip() and (last is None or index <= last):
            report.code_cells += 1
            label = cell_label(index, cell)
            if cell.get("execution_count") is None:
                report.unexecuted.append(f"{label}: not executed")
            else:
                report.executed += 1
            tagged = RAISES_TAG in cell.metadata.get("tags", [])
            for output in cell.outputs:
                if output.output_type == "error" and not tagged:
                    report.errors.append(f"{label}: {output.ename}: {output.evalue}")
                view = output.get("data", {}).get(WIDGET_VIEW_MIME)
                if view and view.get("model_id"):
                    count += 1
        widget_counts.append(count)
    report.widget_outputs = sum(widget_counts)
    return widget_counts


def check_page(page, nb: nbformat.NotebookNode, widget_counts: list[int], report: NotebookReport) -> None:
    """Fill ``report`` from the page: failed or missing widget views, cell by cell."""
    try:
        page.wait_for_function(JS_LOADING, timeout=WIDGET_TIMEOUT * 1000, polling=200)
    except PlaywrightTimeoutError:
        pass  # a view still loading is reported cell by cell below
    cells = page.evaluate(JS_CELL_OUTPUTS)
    if len(cells) != len(nb.cells):
        report.widget_problems.append(f"the page shows {len(cells)} cells, the saved notebook {len(nb.cells)}")
        return
    for index, (cell, outputs, saved) in enumerate(zip(nb.cells, cells, widget_counts)):
        label = cell_label(index, cell)
        rendered = sum(o["rendered"] for o in outputs)
        report.widget_views += rendered
        for output in outputs:
            if output["errorWidget"]:
                report.widget_problems.append(f"{label}: widget failed to render: {output['errorWidget']}")
            elif output["failedText"]:
                report.widget_problems.append(f"{label}: {output['failedText']}")
            elif output["loading"]:
                report.widget_problems.append(f"{label}: widget still 'Loading widget...'")
        if rendered != saved and not any(p.startswith(label) for p in report.widget_problems):
            report.widget_problems.append(f"{label}: {saved} widget views displayed, {rendered} rendered")


def run_notebook(
    page, lab: JupyterLab, name: str, *, every_cell: bool = True, last: int | None = None
) -> NotebookReport:
    """Open ``name`` in the lab, run it, save it, and report errors, unrun cells and unrendered widgets.

    It runs every cell, on past each error (:func:`run_every_cell`); with ``every_cell=False``, Run All alone,
    which stops at the first error; with ``last``, the cells up to and including cell ``last`` (from 0) only.
    """
    path = lab.root / name
    code = code_cell_indices(nbformat.read(path, as_version=4))
    open_notebook(page, lab, name)
    watch_kernel(page, lab, name)
    if last is not None:
        run_through(page, code, last, name)
    elif every_cell:
        run_every_cell(page, code, name)
    else:
        run_cells(page, RUN_ALL, len(code), name)
    save_notebook(page, name)
    saved = nbformat.read(path, as_version=4)
    report = NotebookReport(name, saved)
    widget_counts = check_saved(saved, report, last)
    check_page(page, saved, widget_counts, report)
    return report


# -- widgets --------------------------------------------------------------------------------------------

# What a cell's outputs show, without the slider readouts: text, and a hash of every image's source.
JS_OUTPUT_FINGERPRINT = """cell => {
    const area = cell.querySelector('.jp-Cell-outputArea');
    if (!area) return '';
    const copy = area.cloneNode(true);
    copy.querySelectorAll('.widget-readout, .widget-label, .noUi-base').forEach(e => e.remove());
    const hash = s => {
        let h = 2166136261;
        for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
        return (h >>> 0).toString(16) + ':' + s.length;
    };
    const images = Array.from(area.querySelectorAll('img')).map(i => 'img ' + hash(i.src));
    return copy.textContent + '|' + images.join('|');
}"""


def uses_int_slider(path: Path) -> bool:
    """Whether a notebook shows an integer slider: its code or its stored widget state names one."""
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    return "IntSlider" in code or "IntSlider" in json.dumps(nb.metadata.get("widgets", {}))


# Where to find a slider whose move shows: in an interact box, beside an Output widget or image, anywhere.
SLIDER_HANDLES = (
    ".widget-interact .widget-slider .noUi-handle",
    ".jp-Cell:has(.widget-output, .jp-OutputArea-output img) .widget-slider .noUi-handle",
    ".widget-slider .noUi-handle",
)


def move_first_slider(page, timeout: float = WIDGET_TIMEOUT) -> tuple[str, str, str, str]:
    """Move a slider one step by keyboard (the first whose move shows); wait until its cell's outputs change.

    The notebook must have been run by ``run_notebook``, which leaves ``window.kernelWatch`` in the page.
    Returns (value before, value after, outputs before, outputs after).
    """
    panel = ".jp-NotebookPanel:not(.lm-mod-hidden) "
    page.locator(panel + SLIDER_HANDLES[-1]).first.wait_for(timeout=timeout * 1000)
    handle = next(
        page.locator(panel + selector).first for selector in SLIDER_HANDLES if page.locator(panel + selector).count()
    )
    cell = handle.locator("xpath=ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' jp-Cell ')][1]")
    value_before = handle.get_attribute("aria-valuenow")
    at_max = float(value_before) >= float(handle.get_attribute("aria-valuemax"))
    outputs_before = cell.evaluate(JS_OUTPUT_FINGERPRINT)
    comms_before = page.evaluate("() => window.kernelWatch.idle.comm_msg || 0")
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    # The new value goes to the kernel as a comm message, whose callback redraws the outputs.
    page.wait_for_function(
        "([h, v]) => h.getAttribute('aria-valuenow') !== v", arg=[handle.element_handle(), value_before]
    )
    page.wait_for_function(f"() => (window.kernelWatch.idle.comm_msg || 0) > {comms_before}", timeout=timeout * 1000)
    page.wait_for_function(
        f"""([cell, before]) => {{ const now = ({JS_OUTPUT_FINGERPRINT})(cell);
            return now !== before && now.split('|').join('').trim() !== ''; }}""",
        arg=[cell.element_handle(), outputs_before],
        timeout=timeout * 1000,
        polling=100,
    )
    return value_before, handle.get_attribute("aria-valuenow"), outputs_before, cell.evaluate(JS_OUTPUT_FINGERPRINT)
