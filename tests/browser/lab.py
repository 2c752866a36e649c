"""JupyterLab in a headless Chromium: start a throw-away server, run a notebook, report what went wrong.

The server serves copies of the course's notebooks from a temporary folder, so the tracked notebooks are
never rewritten. A notebook is checked in three places:

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

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:  # the tests that need it skip themselves
    PlaywrightTimeoutError = TimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]
# The notebooks under test; another folder can be named, e.g. to try the checks on other notebooks.
NOTEBOOK_DIR = Path(os.environ.get("BROWSER_TEST_NOTEBOOK_DIR", REPO_ROOT / "notebooks")).resolve()
SCREENSHOT_DIR = REPO_ROOT / "build" / "browser-screenshots"

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

# User settings of the throw-away lab: render every cell (no windowing, so every output is in the page)
# and never ask about news or updates.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


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


def read_notebook(path: Path, timeout: float = 10) -> nbformat.NotebookNode:
    """Read a notebook, waiting a little if it is being written (an editor or nbconvert truncates it first)."""

    def attempt():
        try:
            return nbformat.read(path, as_version=4)
        except nbformat.reader.NotJSONError:
            return None

    return wait_until(attempt, timeout, f"{path} is not a notebook")


def stripped_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without outputs, execution counts or saved widget state: all the page shows is new."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


class JupyterLab:
    """A JupyterLab server on a free loopback port, with its own config, data, runtime and workspace dirs.

    ``root`` is the server's root folder (``<base>/course/notebooks``). Beside it, ``<base>/course``
    links to the repository's other top-level entries, so a notebook that reads ``../something`` finds it
    as it would in the repository.
    """

    def __init__(self, base: Path):
        self.base = base
        self.root = base / "course" / "notebooks"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    # -- files -------------------------------------------------------------------------------------------
    def _lay_out(self) -> None:
        self.root.mkdir(parents=True)
        for entry in REPO_ROOT.iterdir():
            if entry.name not in {"notebooks", ".git", ".venv", "build"}:
                (self.root.parent / entry.name).symlink_to(entry)
        if NOTEBOOK_DIR.is_dir():
            for entry in NOTEBOOK_DIR.iterdir():
                if entry.suffix == ".ipynb":
                    self.add_notebook(read_notebook(entry), entry.name)
                elif not entry.name.startswith("."):
                    (self.root / entry.name).symlink_to(entry)

    def add_notebook(self, nb: nbformat.NotebookNode, name: str) -> Path:
        """Write a copy of ``nb`` (outputs stripped) into the server's root; return its path."""
        path = self.root / name
        nbformat.write(stripped_copy(nb), path)
        return path

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
        for plugin, settings in LAB_SETTINGS.items():
            path = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
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
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.news_url=",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, env=env, cwd=self.root, stdout=log, stderr=subprocess.STDOUT)

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
        sessions = [s for s in self.api("GET", "/api/sessions") if s.get("path") == name and s.get("kernel")]
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

JS_KERNEL_STATE = """() => {
    if (document.querySelector('.jp-Dialog')) return 'dialog';
    const bar = document.querySelector('#jp-main-statusbar');
    return bar && /\\|\\s*Idle\\b/.test(bar.innerText) ? 'idle' : '';
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


def click_menu(page, menu: str, commands: tuple[str, ...]) -> None:
    """Open a main-menu menu by its label and click the first of ``commands`` it holds."""
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(rf"^{menu}$")).click()
    item = page.locator(", ".join(f".lm-Menu-item[data-command='{c}']:not(.lm-mod-disabled)" for c in commands))
    item.first.click()


def open_notebook(page, lab: JupyterLab, name: str) -> None:
    """Open ``name`` alone in a reset workspace and wait until its kernel is idle."""
    page.goto(f"{lab.url}/lab/tree/{quote(name)}?reset", timeout=PAGE_TIMEOUT * 1000)
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

# The highest execution count the open notebook shows, and whether a cell is still queued or running.
JS_PROMPT_STATE = """() => {
    const prompts = Array.from(
        document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt'))
        .map(e => e.textContent);
    const counts = prompts.map(p => parseInt((/\\[(\\d+)\\]/.exec(p) || [])[1] || '0'));
    return {count: Math.max(0, ...counts), running: prompts.some(p => p.includes('*'))};
}"""


def watch_kernel(page, lab: JupyterLab, name: str) -> None:
    """Listen to the kernel of notebook ``name`` from the page, as ``window.kernelWatch``."""
    url = f"ws://127.0.0.1:{lab.port}/api/kernels/{lab.kernel_id(name)}/channels?session_id={uuid.uuid4().hex}"
    page.evaluate(JS_WATCH_KERNEL, [url, PAGE_TIMEOUT * 1000])


def run_all_cells(page, requests: int, name: str) -> None:
    """Run All Cells from the Run menu, then wait until the run is over.

    ``requests`` is the number of code cells with code: JupyterLab sends each to the kernel at once. The
    prompts alone cannot tell when the run is over: once a cell fails (even one tagged ``raises-exception``,
    whose successors still run), JupyterLab shows "[ ]" on every cell still queued. So the kernel is
    watched until it has finished every request, and the page until it shows the last count.
    """
    click_menu(page, "Run", ("runmenu:run-all", "notebook:run-all-cells"))
    if requests == 0:
        return
    page.wait_for_function(
        f"() => window.kernelWatch.executeDone.size >= {requests}", timeout=EXECUTION_TIMEOUT * 1000, polling=200
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
    """What went wrong when a notebook ran in the lab; empty lists mean that nothing did."""

    name: str
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


def check_saved(nb: nbformat.NotebookNode, report: NotebookReport) -> list[int]:
    """Fill ``report`` from the saved copy; return the number of widget views each cell displayed."""
    widget_counts = []
    for index, cell in enumerate(nb.cells):
        count = 0
        if cell.cell_type == "code" and cell.source.strip():
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


def run_notebook(page, lab: JupyterLab, name: str) -> NotebookReport:
    """Open ``name`` in the lab, Run All Cells, save it, and report errors and unrendered widgets."""
    path = lab.root / name
    cells = nbformat.read(path, as_version=4).cells
    open_notebook(page, lab, name)
    watch_kernel(page, lab, name)
    run_all_cells(page, sum(c.cell_type == "code" and bool(c.source.strip()) for c in cells), name)
    save_notebook(page, name)
    saved = nbformat.read(path, as_version=4)
    report = NotebookReport(name)
    widget_counts = check_saved(saved, report)
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
