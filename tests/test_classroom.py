"""The classroom end to end (``make test-classroom``; skipped elsewhere): three learners and a lecturer on a free
port of 127.0.0.1, through the hub as a learner meets it, then everything stopped and the test's Unix users removed.

The learners are ``dctest1`` ... ``dctest3`` and the lecturer ``dctestadmin`` (a prefix no real account has); the hub's
files are in a temporary ``CLASSROOM_DIR``, the learners' files in a temporary ``CLASSROOM_PREFIX``; the course is
pulled from a temporary clone of this checkout, where the test publishes an upstream change. Run as root, each learner
is a Unix user of their own and the test checks that one learner's kernel cannot reach another's files. The learners'
Python environment (``CLASSROOM_ENV``) is the one `make classroom` makes once and keeps.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tools import classroom
from tools.classroom import free_port

pytestmark = pytest.mark.skipif(
    os.environ.get("DILCONV_TEST_CLASSROOM") != "1", reason="starts JupyterHub: run by `make test-classroom`"
)

ROOT = Path(__file__).resolve().parents[1]
STUDENTS = ["dctest1", "dctest2", "dctest3"]
ADMIN = "dctestadmin"
ROOT_MODE = hasattr(os, "geteuid") and os.geteuid() == 0
TIMES: dict[str, float] = {}


@dataclass
class Classroom:
    base: Path
    port: int
    hub: Path = field(init=False)
    upstream: Path = field(init=False)

    def __post_init__(self) -> None:
        self.hub = self.base / "hub"
        self.upstream = self.base / "upstream"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def make(self, target: str, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
        variables = [
            f"CLASSROOM_DIR={self.hub}",
            f"CLASSROOM_PORT={self.port}",
            f"CLASSROOM_PREFIX={self.base / 'prefix'}",
            f"CLASSROOM_REPO={self.upstream}",
            f"CLASSROOM_ADMIN={ADMIN}",
        ]
        # the learners' environment that `make classroom` makes once (minutes), shared with a real classroom
        variables.append(f"CLASSROOM_ENV={os.environ.get('CLASSROOM_ENV', '/opt/dilconv-classroom/venv')}")
        return subprocess.run(
            ["make", "--no-print-directory", target, *variables, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **env},
        )

    def passwords(self) -> dict[str, str]:
        with open(self.hub / "passwords.csv") as f:
            return {row["user"]: row["password"] for row in csv.DictReader(f)}

    def token(self) -> str:
        return (self.hub / "api_token").read_text().strip()

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        r = requests.request(
            method,
            f"{self.url}/hub/api{path}",
            headers={"Authorization": f"token {self.token()}"},
            timeout=30,
            **kwargs,
        )
        r.raise_for_status()
        return r.json() if r.content else None


def remove_users() -> None:
    """Delete the test's Unix users and their homes (only names with the test's prefix)."""
    if not ROOT_MODE:
        return
    import pwd

    for name in [*STUDENTS, ADMIN]:
        assert name.startswith("dctest")
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)  # this user's processes only
        subprocess.run(["userdel", "--remove", name], capture_output=True)


@pytest.fixture(scope="module")
def room() -> Iterator[Classroom]:
    remove_users()  # a run killed before its clean-up left them
    base = Path(tempfile.mkdtemp(prefix="dctest-classroom-"))
    base.chmod(0o755)  # learners traverse it to CLASSROOM_PREFIX
    room = Classroom(base, free_port())
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(room.upstream)], check=True)
    for key, value in (("user.name", "Upstream"), ("user.email", "upstream@example.invalid")):
        subprocess.run(["git", "-C", str(room.upstream), "config", key, value], check=True)
    (base / "roster.txt").write_text("\n".join(STUDENTS) + "\n")
    try:
        yield room
    finally:
        if (room.hub / "classroom.json").exists():
            room.make("classroom-stop", timeout=60)
        remove_users()
        shutil.rmtree(base, ignore_errors=True)
        if TIMES:
            print("\nclassroom timings: " + ", ".join(f"{k} {v:.1f}" for k, v in TIMES.items()))


def refused(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """The one line of a refusal: non-zero exit, ``classroom: ...`` naming ``words``, no URL printed."""
    assert done.returncode != 0, done.stdout
    ours = [line for line in done.stderr.splitlines() if line.startswith("classroom:")]
    assert len(ours) == 1, done.stderr
    for word in words:
        assert word in ours[0], ours[0]
    assert "http://" not in done.stdout
    return ours[0]


# --- a learner's session, as a browser makes it ------------------------------------------------------------


class Learner:
    def __init__(self, room: Classroom, name: str, password: str) -> None:
        import requests

        self.room, self.name = room, name
        self.s = requests.Session()
        self.ok = self.login(password)

    def login(self, password: str) -> bool:
        """The login form, with the hub's XSRF cookie; True if the hub let us in."""
        self.s.get(f"{self.room.url}/hub/login", timeout=30)
        xsrf = self.s.cookies.get("_xsrf", path="/hub/")
        r = self.s.post(
            f"{self.room.url}/hub/login",
            data={"username": self.name, "password": password, "_xsrf": xsrf},
            allow_redirects=False,
            timeout=30,
        )
        return r.status_code == 302 and "jupyterhub-session-id" in self.s.cookies

    def hub(self, method: str, path: str) -> Any:
        xsrf = self.s.cookies.get("_xsrf", path="/hub/")
        r = self.s.request(method, f"{self.room.url}/hub/api{path}", headers={"X-XSRFToken": xsrf}, timeout=30)
        r.raise_for_status()
        return r.json() if r.content else None

    def start(self) -> float:
        """Start this learner's server through the hub; return the seconds until it is ready."""
        started = time.monotonic()
        self.hub("POST", f"/users/{self.name}/server")
        while time.monotonic() - started < 90:
            if self.hub("GET", f"/users/{self.name}")["servers"].get("", {}).get("ready"):
                break
            time.sleep(0.25)
        else:
            raise AssertionError(f"{self.name}'s server not ready in 90 s")
        # the first visit to a page goes through the hub's OAuth and sets the server's own cookies
        r = self.s.get(f"{self.room.url}/user/{self.name}/lab", timeout=30)
        assert r.status_code == 200 and f"/user/{self.name}/lab" in r.url, (r.status_code, r.url)
        return time.monotonic() - started

    def server(self, method: str, path: str, **kwargs: Any) -> Any:
        base = f"/user/{self.name}/"
        xsrf = self.s.cookies.get("_xsrf", path=base) or self.s.cookies.get("_xsrf")
        r = self.s.request(
            method, f"{self.room.url}{base}api{path}", headers={"X-XSRFToken": xsrf}, timeout=60, **kwargs
        )
        r.raise_for_status()
        return r.json() if r.content else None

    def run(self, code: str) -> str:
        """Execute ``code`` in a new kernel of this learner's server; return what it printed (or the error)."""
        import websocket

        kernel = self.server("POST", "/kernels", json={"name": "python3"})
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.s.cookies)
        url = f"ws://127.0.0.1:{self.room.port}/user/{self.name}/api/kernels/{kernel['id']}/channels"
        ws = websocket.create_connection(url, header=[f"Cookie: {cookies}"], timeout=60)
        msg_id = uuid.uuid4().hex
        request = {
            "header": {
                "msg_id": msg_id,
                "msg_type": "execute_request",
                "username": self.name,
                "session": msg_id,
                "version": "5.3",
                "date": "",
            },
            "parent_header": {},
            "metadata": {},
            "content": {
                "code": code,
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
            "channel": "shell",
            "buffers": [],
        }
        ws.send(json.dumps(request))
        out: list[str] = []
        try:
            while True:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    out.append(content["text"])
                elif kind == "error":
                    out.append(f"{content['ename']}: {content['evalue']}")
                elif kind == "status" and content["execution_state"] == "idle":
                    break
        finally:
            ws.close()
            self.server("DELETE", f"/kernels/{kernel['id']}")
        return "".join(out)

    def notebook(self, name: str) -> dict[str, Any]:
        return self.server("GET", f"/contents/workspace/{name}")

    def texts(self, name: str) -> str:
        return json.dumps(self.notebook(name)["content"]["cells"])


# --- the tests, in order -----------------------------------------------------------------------------------


def test_bad_input_starts_nothing(room: Classroom, tmp_path: Path) -> None:
    refused(room.make("classroom", "STUDENTS=0"), "STUDENTS=0")
    refused(room.make("classroom", "STUDENTS=abc"), "abc", "roster")
    (tmp_path / "twice.txt").write_text("dctest1\ndctest2\ndctest1\n")
    refused(room.make("classroom", f"STUDENTS={tmp_path / 'twice.txt'}"), "dctest1", "more than once")
    (tmp_path / "bad.txt").write_text("dctest1\nBad Name\n")
    refused(room.make("classroom", f"STUDENTS={tmp_path / 'bad.txt'}"), "'Bad Name'", "login name")
    no_npm = ["NPM=/nonexistent/npm", f"CLASSROOM_CHP_DIR={tmp_path / 'chp'}"]
    refused(room.make("classroom", "STUDENTS=2", *no_npm), "npm not found")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", room.port + 1))
        busy.listen()
        refused(room.make("classroom", "STUDENTS=2"), f"port {room.port + 1} is in use")
    assert not room.hub.exists(), "a refused start left files behind"


def test_a_class_through_the_hub(room: Classroom) -> None:
    started = time.monotonic()
    done = room.make("classroom", f"STUDENTS={room.base / 'roster.txt'}", timeout=600)
    assert done.returncode == 0, done.stderr + done.stdout
    TIMES["make classroom (s)"] = time.monotonic() - started
    TIMES["hub start (s)"] = float((room.hub / "start_seconds").read_text())
    assert f"at http://127.0.0.1:{room.port}/" in done.stdout and "passwords.csv" in done.stdout
    assert "classroom-stop" in done.stdout
    assert ("not run as root" in done.stdout) != ROOT_MODE
    # secrets: only root (or the lecturer running it) may read them
    assert room.hub.stat().st_mode & 0o777 == 0o700
    for name in (
        "passwords.csv",
        "api_token",
        "secret_key",
        "cookie_secret",
        "proxy_token",
        "jupyterhub.sqlite",
        "jupyterhub.pid",
    ):
        assert (room.hub / name).stat().st_mode & 0o777 == 0o600, name
    passwords = room.passwords()
    assert sorted(passwords) == sorted([*STUDENTS, ADMIN]) and len(set(passwords.values())) == 4
    if ROOT_MODE:
        for name in STUDENTS:
            assert Path(f"/home/{name}").stat().st_mode & 0o777 == 0o700

    # a second start while it runs is refused, and changes nothing
    refused(room.make("classroom", "STUDENTS=2"), "already runs")

    # logging in: the right password only, each learner as themself only
    assert not Learner(room, "dctest1", "wrong-password").ok
    assert not Learner(room, "dctest1", passwords["dctest2"]).ok
    assert not Learner(room, "nobody", passwords["dctest1"]).ok
    one = Learner(room, "dctest1", passwords["dctest1"])
    two = Learner(room, "dctest2", passwords["dctest2"])
    assert one.ok and two.ok

    TIMES["server ready, one learner (s)"] = one.start()
    listing = {f["name"] for f in one.server("GET", "/contents/workspace")["content"]}
    assert {"00_welcome.ipynb", "01_by_hand.ipynb", "08_in_practice.ipynb"} <= listing
    assert "BEGIN SOLUTION" not in one.texts("01_by_hand.ipynb")  # the learners' edition
    printed = one.run("import os\nprint(6 * 7, os.environ['OMP_NUM_THREADS'], os.environ['MEM_LIMIT'])")
    assert printed.split() == ["42", "1", str(1536 * 1024**2)], printed
    assert "ok" in one.run("import dilconv_lib\nprint('ok')")
    # the memory limit holds in the kernel: 2 GB of data is refused, not given
    assert "MemoryError" in one.run("import numpy as np\nx = np.ones(2 * 1024**3 // 8)\nprint(x.nbytes)")

    # an edit saved through the contents API, as JupyterLab saves it
    model = one.notebook("01_by_hand.ipynb")
    model["content"]["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "dctest1's own note"})
    one.server("PUT", "/contents/workspace/01_by_hand.ipynb", json={"type": "notebook", "content": model["content"]})

    # tokens: student2's own token opens their server, and not student1's
    TIMES["server ready, second learner (s)"] = two.start()
    token2 = room.api("POST", "/users/dctest2/tokens", json={"note": "test"})["token"]
    import requests

    def with_token(user: str) -> int:
        url = f"{room.url}/user/{user}/api/contents"
        return requests.get(url, headers={"Authorization": f"token {token2}"}, timeout=30).status_code

    assert with_token("dctest2") == 200
    assert with_token("dctest1") == 403

    if ROOT_MODE:  # one learner's kernel reaches neither another's files nor the instructor edition
        probe = (
            "import os\n"
            "for path, mode in [('/home/dctest1/workspace/01_by_hand.ipynb', 'r'), ('/home/dctest1/mine.txt', 'w'),\n"
            f"                   ({str(room.hub / 'course' / 'notebooks' / '01_by_hand.ipynb')!r}, 'r'),\n"
            f"                   ({str(ROOT / 'notebooks' / '01_by_hand.ipynb')!r}, 'r')]:\n"
            "    try:\n"
            "        open(path, mode).close(); print('OPENED', path)\n"
            "    except OSError as e:\n"
            "        print(type(e).__name__)\n"
        )
        assert two.run(probe).split() == ["PermissionError"] * 4

    # memory of the idle servers, as classroom-status reports it
    time.sleep(2)
    status = room.make("classroom-status")
    assert status.returncode == 0, status.stderr
    rows = {line.split()[0]: line.split()[1:] for line in status.stdout.splitlines()[2:]}
    assert rows["dctest1"][0] == "running" and rows["dctest3"] == ["-"], status.stdout
    TIMES["idle server memory (MB)"] = float(rows["dctest2"][1])

    # an upstream change to the notebook dctest1 edited, published, pulled, and dctest1's next start
    nb_path = room.upstream / "notebooks" / "01_by_hand.ipynb"
    nb = json.loads(nb_path.read_text())
    nb["cells"].append({"cell_type": "markdown", "id": "upstream-fix", "metadata": {}, "source": ["An upstream fix."]})
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    subprocess.run(["git", "-C", str(room.upstream), "commit", "-qam", "An upstream fix"], check=True)
    done = room.make("classroom-update", timeout=120)
    assert done.returncode == 0 and "moved from" in done.stdout, done.stderr
    room.api("DELETE", "/users/dctest1/server")
    while room.api("GET", "/users/dctest1")["servers"]:
        time.sleep(0.25)
    one.start()
    mine, new = one.texts("01_by_hand.ipynb"), one.texts("01_by_hand.new.ipynb")
    assert "dctest1's own note" in mine and "An upstream fix." not in mine
    assert "An upstream fix." in new and "dctest1's own note" not in new

    # a force-push, or an unreachable repository, leaves the course as it was
    course = room.hub / "course"
    head = subprocess.run(["git", "-C", str(course), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    subprocess.run(["git", "-C", str(room.upstream), "commit", "-q", "--amend", "-m", "rewritten"], check=True)
    refused(room.make("classroom-update"), "force-push", "stays")
    room.upstream.rename(room.base / "gone")
    refused(room.make("classroom-update"), "cannot be reached", "stays")
    room.base.joinpath("gone").rename(room.upstream)
    after = subprocess.run(["git", "-C", str(course), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert after == head


def test_a_learner_logs_in_with_a_browser(room: Classroom) -> None:
    """Playwright, as the browser tests drive it: the login form, then JupyterLab on the learner's workspace."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser extra (Playwright)")
    if not os.access("/usr/bin/chromium", os.X_OK):
        pytest.skip("no Chromium at /usr/bin/chromium (Debian: apt-get install chromium)")
    if not (room.hub / "jupyterhub.pid").exists():
        pytest.skip("the hub did not start (see the test before)")
    password = room.passwords()["dctest3"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(f"{room.url}/hub/login", timeout=60_000)
            page.fill("input[name=username]", "dctest3")
            page.fill("input[name=password]", password)
            page.click("input[type=submit], button[type=submit]")
            # the hub starts the server, then JupyterLab opens the welcome notebook of the learner's workspace
            page.wait_for_selector(".jp-DirListing-item[title*='00_welcome.ipynb']", timeout=90_000)
            assert re.search(r"/user/dctest3/lab", page.url), page.url
        finally:
            browser.close()


def test_stop_leaves_nothing_and_a_restart_brings_the_class_back(room: Classroom) -> None:
    if not (room.hub / "classroom.json").exists():
        pytest.skip("the hub did not start (see the tests before)")
    import psutil

    passwords = room.passwords()
    done = room.make("classroom-stop", timeout=60)
    assert done.returncode == 0, done.stderr
    assert all(classroom.port_free("127.0.0.1", p) for p in (room.port, room.port + 1, room.port + 2)), (
        "something still listens"
    )
    left = []
    for proc in psutil.process_iter(["pid"]):
        try:
            env = proc.environ()
        except (psutil.Error, OSError):
            continue
        if env.get("JUPYTERHUB_USER", "").startswith("dctest") or str(room.hub) in " ".join(proc.cmdline()):
            left.append(proc.pid)
    assert not left, f"processes left: {left}"
    assert (room.hub / "jupyterhub.sqlite").exists() and room.passwords() == passwords
    if ROOT_MODE:
        assert Path("/home/dctest1/workspace/01_by_hand.ipynb").exists()
    # the same class again, the same passwords, the edit still there
    done = room.make("classroom", timeout=120)
    assert done.returncode == 0, done.stderr
    assert room.passwords() == passwords
    one = Learner(room, "dctest1", passwords["dctest1"])
    assert one.ok
    one.start()
    assert "dctest1's own note" in one.texts("01_by_hand.ipynb")
    done = room.make("classroom-stop", timeout=60)
    assert done.returncode == 0, done.stderr
    assert all(classroom.port_free("127.0.0.1", p) for p in (room.port, room.port + 1, room.port + 2))
