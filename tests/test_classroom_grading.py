"""Grading end to end on the running classroom (``make test-classroom-grading``; skipped elsewhere, and not as root).

Three learners and a lecturer on a free port of 127.0.0.1, each a Unix user (``dcgrade1`` ... ``dcgrade3``,
``dcgradeadmin``: a prefix no real account has), the hub's files and the exchange in a temporary folder, the course
pulled from this checkout's commits. One notebook is released, 01 (three checked exercises, a point each: so the three
learners' scores differ; a second notebook would double the grading time and test nothing more). The class:

- ``dcgrade1`` answers everything right (the instructor's solutions put back), through JupyterLab's Assignments
  panel (the server extension it calls: fetch, submit, fetch feedback);
- ``dcgrade2`` works with ``nbgrader fetch_assignment`` / ``submit`` as their Unix user: first everything right,
  then, after a first grading, resubmits with one wrong answer (the output size without the dilation, the classic
  slip): the resubmission replaces the first, so the score falls from 3 to 2;
- ``dcgrade3`` answers nothing (the stubs raise ``NotImplementedError``: every check fails), and tries to submit in
  ``dcgrade1``'s name (``nbgrader submit --student``): ``make classroom-grade`` sets it aside, else dcgrade1, whose
  latest submission it would be, would score 0.

Expected ``grades.csv``: dcgrade1 3/3, dcgrade2 2/3, dcgrade3 0/3. A learner can neither
list the exchange's submissions nor read another's copy, collected submission or feedback; the learners' servers
run the Assignments panel and not the formgrader, which the lecturer's server runs.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tools.classroom import free_port

ROOT = Path(__file__).resolve().parents[1]
STUDENTS = ["dcgrade1", "dcgrade2", "dcgrade3"]
ADMIN = "dcgradeadmin"
ASSIGNMENTS = ["01_by_hand"]
ROOT_MODE = hasattr(os, "geteuid") and os.geteuid() == 0
ENV = Path(os.environ.get("CLASSROOM_ENV", "/opt/dilconv-classroom/venv"))  # made once by `make classroom`
TIMES: dict[str, float] = {}
# the wrong answer: 01's first exercise without the dilation (the effective kernel is d(k-1)+1, not k)
WRONG = {
    "01-ex1-output-size": "def my_output_size(size, kernel_size, stride=1, padding=0, dilation=1):\n"
    "    return (size + 2 * padding - kernel_size) // stride + 1\n"
}
EXPECTED = {  # (learner, notebook) -> score, of 3: 01 has three checked exercises, a point each
    ("dcgrade1", "01_by_hand"): 3,  # every answer right
    ("dcgrade2", "01_by_hand"): 2,  # one wrong (the resubmission); 3 before it
    ("dcgrade3", "01_by_hand"): 0,  # nothing answered
}
MAX = {"01_by_hand": 3}

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("DILCONV_TEST_CLASSROOM") != "1", reason="starts JupyterHub: `make test-classroom-grading`"
    ),
    pytest.mark.skipif(not ROOT_MODE, reason="learners told apart by Unix user: run as root"),
]


@dataclass
class Room:
    base: Path
    port: int

    @property
    def hub(self) -> Path:
        return self.base / "hub"

    @property
    def public(self) -> Path:
        return self.base / "prefix" / "course"

    @property
    def exchange(self) -> Path:
        return self.base / "prefix" / "exchange" / "dilconv"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def make(self, target: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        variables = [
            f"CLASSROOM_DIR={self.hub}",
            f"CLASSROOM_PORT={self.port}",
            f"CLASSROOM_PREFIX={self.base / 'prefix'}",
            f"CLASSROOM_REPO={ROOT}",
            f"CLASSROOM_ADMIN={ADMIN}",
            f"CLASSROOM_ENV={ENV}",
        ]
        started = time.monotonic()
        done = subprocess.run(
            ["make", "--no-print-directory", target, *variables, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        TIMES[f"{target} #{sum(k.startswith(target + ' #') for k in TIMES) + 1}"] = time.monotonic() - started
        return done

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        token = (self.hub / "api_token").read_text().strip()
        r = requests.request(
            method, f"{self.url}/hub/api{path}", headers={"Authorization": f"token {token}"}, timeout=30, **kwargs
        )
        r.raise_for_status()
        return r.json() if r.content else None

    def as_user(self, name: str, *cmd: str) -> subprocess.CompletedProcess[str]:
        """``cmd`` as the Unix user ``name``, with what their server's terminal has (the learners' nbgrader)."""
        env = {
            "HOME": f"/home/{name}",
            "USER": name,
            "LOGNAME": name,
            "PATH": f"{ENV / 'bin'}:/usr/bin:/bin",
            "PYTHONPATH": str(self.public / "lib"),
            "JUPYTER_CONFIG_PATH": str(self.public / "lab" / "learner"),
            "LANG": "C.UTF-8",
        }
        return subprocess.run(
            list(cmd),
            user=name,
            group=name,
            extra_groups=[],
            cwd=f"/home/{name}",
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )


class Server:
    """A learner's server reached with their own token, as JupyterLab's Assignments panel calls it."""

    def __init__(self, room: Room, name: str) -> None:
        import requests

        self.room, self.name = room, name
        self.s = requests.Session()
        self.s.headers["Authorization"] = "token " + room.api("POST", f"/users/{name}/tokens", json={})["token"]

    def get(self, path: str) -> Any:
        r = self.s.get(f"{self.room.url}/user/{self.name}/{path}", timeout=60)
        r.raise_for_status()
        return r.json()

    def status(self, path: str) -> int:
        return int(self.s.get(f"{self.room.url}/user/{self.name}/{path}", timeout=60).status_code)

    def assignments(self, action: str, name: str) -> Any:
        body = {"course_id": "dilconv", "assignment_id": name}
        r = self.s.post(f"{self.room.url}/user/{self.name}/assignments/{action}", json=body, timeout=120)
        r.raise_for_status()
        return r.json()

    def read(self, path: str) -> dict[str, Any]:
        return dict(self.get(f"api/contents/{path}")["content"])

    def save(self, path: str, nb: dict[str, Any]) -> None:
        url = f"{self.room.url}/user/{self.name}/api/contents/{path}"
        r = self.s.put(url, json={"type": "notebook", "content": nb}, timeout=60)
        r.raise_for_status()


def remove_users() -> None:
    """Delete the test's Unix users and their homes (only names with the test's prefix)."""
    import pwd

    for name in [*STUDENTS, ADMIN]:
        assert name.startswith("dcgrade")
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)  # this user's processes only
        subprocess.run(["userdel", "--remove", name], capture_output=True)


@pytest.fixture(scope="module")
def room() -> Iterator[Room]:
    remove_users()  # a run killed before its clean-up left them
    base = Path(tempfile.mkdtemp(prefix="dcgrade-classroom-"))
    base.chmod(0o755)  # learners traverse it to the exchange and CLASSROOM_PREFIX
    room = Room(base, free_port())
    (base / "roster.txt").write_text("\n".join(STUDENTS) + "\n")
    started = time.monotonic()
    try:
        yield room
    finally:
        if (room.hub / "classroom.json").exists():
            room.make("classroom-stop", timeout=60)
        remove_users()
        shutil.rmtree(base, ignore_errors=True)
        TIMES["whole test"] = time.monotonic() - started
        print("\ngrading timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in TIMES.items()))


def answered(nb: dict[str, Any], solutions: dict[str, str], wrong: dict[str, str] | None = None) -> dict[str, Any]:
    """``nb`` with each solution cell's source replaced by the instructor's (or by ``wrong``'s), by grade id."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell["source"] = (wrong or {}).get(grade_id) or solutions[grade_id]
    return nb


def instructor_solutions(room: Room, name: str) -> dict[str, str]:
    """grade id -> source of the instructor's solution cells (markers removed, as a learner would write it)."""
    nb = nbformat.read(room.hub / "course" / "notebooks" / f"{name}.ipynb", as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: "\n".join(
            line for line in cell.source.splitlines() if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line
        )
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


def grades(room: Room) -> dict[tuple[str, str], tuple[str, str]]:
    with open(room.hub / "grades.csv") as f:
        return {(r["learner"], r["notebook"]): (r["score"], r["max score"]) for r in csv.DictReader(f)}


def test_grading_end_to_end(room: Room) -> None:
    done = room.make("classroom", f"STUDENTS={room.base / 'roster.txt'}", timeout=600)
    assert done.returncode == 0, done.stderr + done.stdout
    # two learners' servers and the lecturer's start while the lecturer releases (the two share the cores)
    started = time.monotonic()
    for name in ("dcgrade1", "dcgrade3", ADMIN):
        room.api("POST", f"/users/{name}/server")
    refused = room.make("classroom-release", "ASSIGNMENTS=00_welcome 99_nothing")
    assert refused.returncode != 0 and "99_nothing is not a notebook" in refused.stderr, refused.stderr
    done = room.make("classroom-release", f"ASSIGNMENTS={' '.join(ASSIGNMENTS)}")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "released 01_by_hand (en)" in done.stdout, done.stdout
    again = room.make("classroom-release", "ASSIGNMENTS=01_by_hand")
    assert again.returncode == 0 and "already released" in again.stdout, again.stderr + again.stdout

    # what is released: the learner's edition of the notebook (the course's stubs, no lecturer's note), locked checks
    from tools.editions import student_notebook

    for name in ASSIGNMENTS:
        released = nbformat.read(room.exchange / "outbound" / name / f"{name}.ipynb", as_version=4)
        edition = student_notebook(nbformat.read(room.hub / "course" / "notebooks" / f"{name}.ipynb", as_version=4))
        assert [c.source for c in released.cells] == [c.source for c in edition.cells], name
        assert "BEGIN SOLUTION" not in json.dumps(released)
        checks = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert len(checks) == MAX[name] and all(c.metadata["nbgrader"]["points"] == 1 for c in checks)

    # the learners' servers: the Assignments panel on, the formgrader off; the lecturer's: the formgrader on
    for name in ("dcgrade1", "dcgrade3", ADMIN):
        while not room.api("GET", f"/users/{name}")["servers"].get("", {}).get("ready"):
            assert time.monotonic() - started < 90, f"{name}'s server not ready in 90 s"
            time.sleep(0.25)
    TIMES["three servers ready (with the release)"] = time.monotonic() - started
    one, three, lecturer = Server(room, "dcgrade1"), Server(room, "dcgrade3"), Server(room, ADMIN)
    listed = one.get("assignments?course_id=dilconv")
    assert listed["success"] and {a["assignment_id"] for a in listed["value"]} == set(ASSIGNMENTS), listed
    assert one.status("formgrader") == 404 and lecturer.status("formgrader") == 200

    # dcgrade1 through the panel: fetch, answer right, submit; dcgrade3 fetches and submits the stubs
    for name in ASSIGNMENTS:
        for server in (one, three):
            server.assignments("fetch", name)
        path = f"assignments/{name}/{name}.ipynb"
        one.save(path, answered(one.read(path), instructor_solutions(room, name)))
        for server in (one, three):
            assert server.assignments("submit", name)["success"]

    # dcgrade2 with nbgrader's commands as their Unix user: everything right
    def cli(user: str, *args: str) -> str:
        done = room.as_user(user, str(ENV / "bin" / "nbgrader"), *args)
        assert done.returncode == 0, done.stderr
        return done.stderr + done.stdout

    def answer_as(user: str, name: str, wrong: dict[str, str] | None = None) -> None:
        path = Path(f"/home/{user}/assignments/{name}/{name}.ipynb")
        nb = answered(json.loads(path.read_text()), instructor_solutions(room, name), wrong)
        path.write_text(json.dumps(nb, indent=1))  # root writes it; the learner still owns it
        os.chown(path, *(lambda u: (u.pw_uid, u.pw_gid))(__import__("pwd").getpwnam(user)))

    cli("dcgrade2", "fetch_assignment", *ASSIGNMENTS)
    for name in ASSIGNMENTS:
        answer_as("dcgrade2", name)
        cli("dcgrade2", "submit", name)
    # dcgrade3 submits their (empty) notebook in dcgrade1's name
    cli("dcgrade3", "submit", "01_by_hand", "--student", "dcgrade1")

    # the first grading: everything right for dcgrade2; the forged submission set aside
    done = room.make("classroom-grade")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "dcgrade3 submitted in another's name" in done.stdout, done.stdout
    first = grades(room)
    assert first[("dcgrade2", "01_by_hand")] == ("3", "3"), first
    assert first[("dcgrade1", "01_by_hand")] == ("3", "3"), first

    # a learner reaches nobody else's work: not the exchange's list, not another's copy, not the lecturer's files
    probe = (
        "import os, sys\n"
        "for path in sys.argv[1:]:\n"
        "    try:\n"
        "        os.listdir(path) if os.path.isdir(path) else open(path).close(); print('OPENED', path)\n"
        "    except OSError as e:\n"
        "        print(type(e).__name__)\n"
    )
    others = [
        str(room.exchange / "inbound"),
        str(room.exchange / "feedback"),
        "/home/dcgrade1/assignments/01_by_hand/01_by_hand.ipynb",
        f"/home/{ADMIN}/grading/submitted",
    ]
    seen = room.as_user("dcgrade3", str(ENV / "bin" / "python"), "-c", probe, *others)
    assert seen.stdout.split() == ["PermissionError"] * len(others), seen.stdout + seen.stderr

    # dcgrade2 resubmits 01 with one wrong answer: the latest submission is the one graded
    answer_as("dcgrade2", "01_by_hand", WRONG)
    cli("dcgrade2", "submit", "01_by_hand")
    done = room.make("classroom-grade")
    assert done.returncode == 0, done.stderr + done.stdout
    final = grades(room)
    assert final == {k: (str(v), str(MAX[k[1]])) for k, v in EXPECTED.items()}, final
    assert (room.hub / "grades.csv").stat().st_mode & 0o777 == 0o600

    # feedback: each learner fetches their own, with their score
    one.assignments("fetch_feedback", "01_by_hand")
    feedback = one.get("api/contents/assignments/01_by_hand/feedback")["content"]
    html = one.get(f"api/contents/{feedback[0]['path']}/01_by_hand.html")["content"]
    assert "01_by_hand (Score: 3.0 / 3.0)" in html
    cli("dcgrade2", "fetch_feedback", "01_by_hand")
    folders = sorted(Path("/home/dcgrade2/assignments/01_by_hand/feedback").iterdir())
    assert len(folders) == 2  # one a graded submission
    assert "01_by_hand (Score: 2.0 / 3.0)" in (folders[-1] / "01_by_hand.html").read_text()
    assert "01_by_hand (Score: 3.0 / 3.0)" in (folders[0] / "01_by_hand.html").read_text()
