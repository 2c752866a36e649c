"""The classroom: JupyterHub serving the course to a class from one machine (``make classroom``, docs/classroom.md).

``python -m tools.classroom start|stop|status|update`` (the ``classroom*`` targets of ``classroom.mk``):

- ``start``: checks everything first (learners' names, ports, Node and npm, a hub already running), so that bad
  input starts nothing; then the hub's own copy of the course (a git clone of ``--repo``), the learners' edition,
  the learners (a Unix user each when run as root, home 0700), a password each, and JupyterHub in the background.
- ``stop``: the hub, its proxy and every learner's server; homes, passwords and the hub's database stay.
- ``status``: the learners, whose server runs, and the memory it holds.
- ``update``: a fast-forward of the hub's copy of the course, then the learners' edition rebuilt; each learner's
  next server start brings their ``workspace/`` up to date by :func:`tools.workspace.sync` (nothing overwritten).
- ``release``: the assignments (one a notebook) made by nbgrader from the instructor edition in the class's
  language, lecturer's notes left out, and released through the exchange every learner reaches.
- ``grade``: nbgrader collects, autogrades and makes feedback, releases the feedback, and writes ``grades.csv``.
- ``singleuser``: what a learner's server runs first, as the learner: their ``workspace/`` refreshed, a memory
  limit set, then ``jupyterhub-singleuser``.
- ``lecturer-release``, ``lecturer-grade``: nbgrader's part of ``release`` and ``grade``, run as the lecturer in
  their nbgrader course directory (``~/grading``), so that learners' code, which autograde runs, never runs as root.

Everything the hub keeps is in ``--dir`` (``build/classroom/``, 0700; secrets 0600). What learners read (their
edition, the library, the tools that refresh a workspace) is in ``--prefix``: never the instructor edition.
Standard library only at import: a learner's server imports this module before anything else.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["ClassroomError", "configure", "course_stubs", "nbgrader_config", "parse_students", "main"]

ROOT = Path(__file__).resolve().parents[1]
CHP_VERSION = "5.3.0"  # configurable-http-proxy, npm's reference proxy for JupyterHub
NAME = re.compile(r"[a-z][a-z0-9_-]{0,30}")  # a Unix login JupyterHub keeps as is (it lower-cases names)
PASSWORD_LENGTH = 12  # hex digits of HashAuthenticator's PBKDF2 digest: 48 bits
MEM_LIMIT = 1536 * 1024**2  # 1.5 GB: notebook 06 peaks at 752 MB (docs/classroom.md)
IDLE_TIMEOUT = 3600
SECRETS = ("secret_key", "api_token", "proxy_token", "cookie_secret")
# what the hub's lecturer token may do: COURSE.md's measured set, plus reading servers for `status`
LECTURER_SCOPES = ["admin:users", "admin:servers", "access:servers", "tokens", "list:users", "read:users"]
COURSE_ID = "dilconv"  # nbgrader's course id: the exchange's folder for this course
GRADING = "grading"  # the lecturer's nbgrader course directory (source, release, submitted, ...), in their home
GRADE_TIMEOUT = 120  # seconds a cell may run under autograde: notebook 06 trains for about 25 s on 2 cores
# nbgrader's server extensions a learner's server runs: the Assignments panel (fetch, submit, fetch feedback) and
# Validate; not the lecturer's formgrader and course list. In the lab: the same, and no Create Assignment toolbar.
LEARNER_NBGRADER = {"assignment_list": True, "validate_assignment": True, "formgrader": False, "course_list": False}
LEARNER_LAB_OFF = [
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:create-assignment",
]
TOOLS = ("__init__.py", "classroom.py", "workspace.py", "manifest.py", "editions.py")  # what servers import of tools/


class ClassroomError(RuntimeError):
    """Bad input or a state that stops a command: one line that names the problem and what to do."""


def is_root() -> bool:
    """Whether we run as root, where each learner gets a Unix user of their own."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


# --- input ------------------------------------------------------------------------------------------------


def parse_students(students: str) -> list[str]:
    """The learners' names from ``STUDENTS``: a count (``student1`` ... ``studentN``) or a roster file.

    >>> parse_students("3")
    ['student1', 'student2', 'student3']
    >>> parse_students("0")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tools.classroom.ClassroomError: STUDENTS=0: give a number of learners from 1 to 500, or a roster file ...
    """
    text = students.strip()
    if text.isdigit():
        n = int(text)
        if not 1 <= n <= 500:
            raise ClassroomError(
                f"STUDENTS={text}: give a number of learners from 1 to 500, or a roster file (one login name a line)"
            )
        return [f"student{i}" for i in range(1, n + 1)]
    roster = Path(text)
    if not text or not roster.is_file():
        raise ClassroomError(
            f"STUDENTS={text!r} is neither a number of learners nor a roster file: "
            "give e.g. STUDENTS=30 or STUDENTS=roster.txt (one login name a line)"
        )
    names = [line.strip() for line in roster.read_text(encoding="utf-8").splitlines()]
    names = [n for n in names if n and not n.startswith("#")]
    check_names(names, str(roster))
    return names


def check_names(names: Sequence[str], where: str) -> None:
    """Refuse an empty list, a duplicate, or a name that is not a plain lower-case Unix login."""
    if not names:
        raise ClassroomError(f"{where} names no learner: one login name a line")
    bad = [n for n in names if not NAME.fullmatch(n)]
    if bad:
        raise ClassroomError(
            f"{where}: {', '.join(map(repr, bad))} cannot be a login name: use lower-case letters, digits, - and _, "
            "starting with a letter, at most 31 characters"
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ClassroomError(f"{where} names {', '.join(twice)} more than once: each learner once")


def port_free(ip: str, port: int) -> bool:
    """Whether ``ip:port`` can be bound now, as a server binds it (closing connections, TIME_WAIT, do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip, port))
        except OSError:
            return False
    return True


def free_port(ip: str = "127.0.0.1") -> int:
    """A port P with P, P+1 and P+2 free on ``ip`` (the hub takes all three: proxy, hub, proxy's API)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind((ip, 0))
            port = int(s.getsockname()[1])
        if port < 65000 and all(port_free(ip, p) for p in (port, port + 1, port + 2)):
            return port
    raise RuntimeError(f"no three free ports in a row on {ip}")


def running_pid(folder: Path) -> int | None:
    """The pid of the hub this classroom started, if it still runs."""
    path = folder / "jupyterhub.pid"
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _write_secret(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, mode 0600 from the start (never readable by others, not even briefly)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def _run(cmd: Sequence[str | Path], what: str, **kwargs: Any) -> str:
    """Run ``cmd``; on failure a :class:`ClassroomError` that says ``what`` failed, with the last line it printed."""
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise ClassroomError(f"{what} failed: {last}")
    return str(done.stdout)


# --- what the hub needs: the proxy, the learners' environment ------------------------------------------


def proxy(chp_dir: Path, npm: str) -> Path:
    """configurable-http-proxy from npm in ``chp_dir`` (installed once); Node must be there to run it."""
    exe = chp_dir / "node_modules" / ".bin" / "configurable-http-proxy"
    if not shutil.which("node"):
        raise ClassroomError(
            "node not found: the hub's proxy needs Node.js 18 or later (Debian: apt-get install nodejs)"
        )
    if exe.exists():
        return exe
    if not shutil.which(npm):
        raise ClassroomError(
            f"{npm} not found: install npm (Debian: apt-get install npm) to fetch the hub's proxy once"
        )
    chp_dir.mkdir(parents=True, exist_ok=True)
    _run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", chp_dir, f"configurable-http-proxy@{CHP_VERSION}"],
        "npm install configurable-http-proxy",
    )
    return exe


def _executable_by_all(path: Path) -> bool:
    """Whether every user may run ``path``: the file and each folder above it open to others."""
    real = path.resolve()
    if not real.is_file() or not real.stat().st_mode & 0o001:
        return False
    return all(p.stat().st_mode & 0o001 for p in real.parents)


def learners_env(env: Path, python: str) -> Path:
    """The learners' Python environment at ``env``, made once from ``python`` (one every learner may run), that
    all may read and none may write; returns its Python. Installed with the lock: what the course's notebooks need
    (the library's dependencies, JupyterLab, the editions' tools, nbgrader), the single-user server and its memory
    display. The lecturer's grading runs from it too (``alembic``, which nbgrader's gradebook needs, is in its bin/)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = project["dependencies"] + extras["lab"] + extras["editions"] + extras["nbgrader"]  # the Assignments panel
    wanted += [s for s in extras["classroom"] if s.startswith(("jupyterhub>", "jupyter-resource-usage"))]
    stamp = env / ".classroom-installed"
    want = json.dumps({"requirements": sorted(wanted), "lock": (ROOT / "constraints.txt").read_text()})
    if stamp.is_file() and stamp.read_text() == want:
        return env / "bin" / "python"
    if not _executable_by_all(Path(python)):
        raise ClassroomError(
            f"{python} cannot be run by every user (a private home above it?): name one that can, "
            "CLASSROOM_PYTHON=/usr/bin/python3.X (3.11 to 3.14)"
        )
    version = _run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], f"{python} --version").strip()
    if version not in ("3.11", "3.12", "3.13", "3.14"):
        raise ClassroomError(f"{python} is Python {version}: the course needs 3.11 to 3.14 (CLASSROOM_PYTHON=...)")
    print(f"classroom: making the learners' environment in {env} from {python} (once; a few minutes)", flush=True)
    os.umask(0o022)
    _run([python, "-m", "venv", env], f"{python} -m venv {env}")
    pip: list[str | Path] = [env / "bin" / "python", "-m", "pip", "install", "--quiet", "-c", ROOT / "constraints.txt"]
    index = _run([sys.executable, "-m", "tools.torch_index", "--override", "auto"], "tools.torch_index", cwd=ROOT)
    _run(pip + index.split() + ["torch"], "installing torch into the learners' environment")
    _run(pip + wanted, "installing the course's packages into the learners' environment")
    settings = env / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "lab" / "overrides.json", settings / "overrides.json")  # no news pop-up
    stamp.write_text(want)
    return env / "bin" / "python"


# --- the course: the hub's copy, and what learners read ------------------------------------------------


def _git(course: Path, *args: str) -> str:
    return _run(["git", "-C", course, *args], f"git {args[0]}").strip()


def clone(repo: str, course: Path) -> str:
    """The hub's own copy of the course, a clone of ``repo`` (made once); returns its commit."""
    if not (course / ".git").is_dir():
        _run(["git", "clone", "--quiet", repo, course], f"git clone {repo}")
    return _git(course, "rev-parse", "--short", "HEAD")


def pull(repo: str, course: Path) -> tuple[str, str]:
    """Fast-forward the hub's copy to ``repo``'s HEAD; refuse a rewritten history. Returns (before, after)."""
    before = _git(course, "rev-parse", "--short", "HEAD")
    done = subprocess.run(["git", "-C", course, "fetch", "--quiet", repo, "HEAD"], capture_output=True, text=True)
    if done.returncode != 0:
        why = (done.stderr.strip() or "no answer").splitlines()[-1]
        raise ClassroomError(f"{repo} cannot be reached ({why}): the course stays at {before}; try again later")
    merged = subprocess.run(["git", "-C", course, "merge", "--ff-only", "--quiet", "FETCH_HEAD"], capture_output=True)
    if merged.returncode != 0:
        raise ClassroomError(
            f"{repo}'s history no longer contains the course's {before} (a force-push or a diverging change): "
            "the course stays as it was; make the repository a fast-forward of it, then update again"
        )
    return before, _git(course, "rev-parse", "--short", "HEAD")


def publish(course: Path, public: Path, lang: str) -> None:
    """What learners read, in ``public`` (replaced whole, atomically): ``student/``, the learners' edition built
    from the hub's copy ``course``; ``lib/``, the library and the tools that refresh a workspace (on PYTHONPATH);
    ``lab/``, JupyterLab's learner settings. Readable by all, writable by none but the hub."""
    import nbformat  # the hub's environment: the editions extra

    from tools.editions import notebook_paths, student_notebook

    os.umask(0o022)
    staging = public.with_name(public.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    source = instructor_notebooks(course, lang, public.with_name(public.name + ".zh-notebooks"))
    (staging / "student").mkdir(parents=True)
    for path in notebook_paths(source):
        nb = student_notebook(nbformat.read(path, as_version=4))  # type: ignore[no-untyped-call]
        text = nbformat.writes(nb)  # type: ignore[no-untyped-call]
        (staging / "student" / path.name).write_text(text + "\n", encoding="utf-8")  # as tools.workspace writes it
    shutil.copytree(course / "dilconv_lib", staging / "lib" / "dilconv_lib")
    copy_tools(staging / "lib")
    lab_settings(staging, exchange=public.parent / "exchange")
    old = public.with_name(public.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if public.exists():
        public.rename(old)
    staging.rename(public)
    shutil.rmtree(old, ignore_errors=True)
    if source != course / "notebooks":
        shutil.rmtree(source, ignore_errors=True)


def instructor_notebooks(course: Path, lang: str, scratch: Path) -> Path:
    """The folder of the instructor edition in ``lang``: the hub's copy's ``notebooks/``, or for ``zh`` the Chinese
    edition built into ``scratch`` (the caller removes it)."""
    if lang != "zh":
        return course / "notebooks"
    cmd: list[str | Path] = [sys.executable, "-m", "tools.i18n", "build", "--lang", "zh", "--out", scratch]
    _run(cmd, "building the Chinese edition (tools.i18n)", cwd=course)
    return scratch


def copy_tools(lib: Path) -> None:
    """The classroom's own code into ``lib/tools`` (on the servers' PYTHONPATH), whatever commit is served."""
    (lib / "tools").mkdir(parents=True, exist_ok=True)
    for name in TOOLS:
        shutil.copy(ROOT / "tools" / name, lib / "tools" / name)


def lab_settings(public: Path, exchange: Path) -> None:
    """The servers' Jupyter settings in ``public/lab`` (``JUPYTER_CONFIG_PATH``), made from ``lab/student`` (what
    ``make lab`` gives a learner, every nbgrader part off): ``learner/`` turns on nbgrader's Assignments panel and
    Validate, with the course's exchange; ``lecturer/`` turns on all of nbgrader (the formgrader, Create Assignment),
    with the lecturer's course directory, ``~/grading``. Not run as root, both are ``lab/student``: nbgrader tells
    learners apart by Unix user, so a class that shares one cannot be graded."""
    for who in ("learner", "lecturer"):
        target = public / "lab" / who
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "lab" / "student", target)
        if not is_root():
            continue
        for server in (target / "jupyter_server_config.d").glob("*.json"):
            config = json.loads(server.read_text())
            extensions = config.get("ServerApp", {}).get("jpserver_extensions", {})
            for part in LEARNER_NBGRADER:
                if f"nbgrader.server_extensions.{part}" in extensions:
                    extensions[f"nbgrader.server_extensions.{part}"] = who == "lecturer" or LEARNER_NBGRADER[part]
            server.write_text(json.dumps(config, indent=2) + "\n")
        page = target / "labconfig" / "page_config.json"
        config = json.loads(page.read_text()) if page.is_file() else {}
        disabled = config.setdefault("disabledExtensions", {})
        disabled.pop("@jupyter/nbgrader", None)  # the whole extension off, in lab/student: here, plugin by plugin
        if who == "learner":
            disabled.update(dict.fromkeys(LEARNER_LAB_OFF, True))
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(json.dumps(config, indent=2) + "\n")
    if not is_root():
        return
    (public / "lab" / "learner" / "nbgrader_config.py").write_text(
        "# Written by tools/classroom.py: where a learner's nbgrader finds the course's assignments\n"
        "import os\n\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}  # noqa: F821 (c: nbgrader's config)\n"
        f"c.Exchange.root = {str(exchange)!r}  # noqa: F821\n"
        'c.Exchange.assignment_dir = os.path.expanduser("~/assignments")  # noqa: F821\n'
    )
    (public / "lab" / "lecturer" / "nbgrader_config.py").write_text(
        "# Written by tools/classroom.py: the lecturer's nbgrader (formgrader, make classroom-release and -grade)\n"
        "import os\n\n"
        "from tools.classroom import nbgrader_config  # PYTHONPATH: the course's lib/\n\n"
        f'nbgrader_config(c, exchange={str(exchange)!r}, root=os.path.expanduser("~/{GRADING}"))  # noqa: F821\n'
    )


def close_checkout(checkout: Path) -> str | None:
    """Run as root, learners must not read the instructor edition in the lecturer's checkout: if others may enter
    it (no folder above it closed), close its top folder to them (``chmod o-rwx``) and say so."""
    real = checkout.resolve()
    if any(not p.stat().st_mode & 0o001 for p in [real, *real.parents]):
        return None
    real.chmod(real.stat().st_mode & ~0o007)
    return f"classroom: {real} is now closed to other users (chmod o-rwx): it holds the instructor edition"


# --- learners ---------------------------------------------------------------------------------------------


def password(secret_key: str, name: str) -> str:
    """``name``'s password: what HashAuthenticator accepts (a PBKDF2 of the name, keyed by the hub's secret)."""
    import hashlib

    digest = hashlib.pbkdf2_hmac("sha256", name.encode(), secret_key.encode(), 25000)
    return digest.hex()[:PASSWORD_LENGTH]


def make_unix_user(name: str) -> None:
    """A Unix user ``name`` with a home only they may enter (useradd -m makes 0755 homes on Debian)."""
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        _run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name], f"useradd {name}")
    home = Path(pwd.getpwnam(name).pw_dir)
    home.chmod(0o700)


def foreign_users(names: Sequence[str], ours: Sequence[str]) -> list[str]:
    """Of ``names``, the Unix users that exist already and were not made by this classroom."""
    import pwd

    found = []
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        if name not in ours:
            found.append(name)
    return found


# --- the hub's configuration --------------------------------------------------------------------------


def configure(c: Any, folder: Path) -> None:
    """Fill JupyterHub's config ``c`` from the classroom in ``folder`` (``jupyterhub_config.py`` calls this)."""
    s = json.loads((folder / "classroom.json").read_text())
    read = {name: (folder / name).read_text().strip() for name in SECRETS}
    public, env = Path(s["public"]), Path(s["env"])
    labs = {who: str(public / "lab" / who) for who in ("learner", "lecturer")}
    c.JupyterHub.ip, c.JupyterHub.port = s["ip"], s["port"]
    c.JupyterHub.hub_ip, c.JupyterHub.hub_port = "127.0.0.1", s["port"] + 1
    c.JupyterHub.db_url = f"sqlite:///{folder / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret = bytes.fromhex(read["cookie_secret"])
    if s.get("ssl_cert"):
        c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = s["ssl_cert"], s["ssl_key"]
    c.ConfigurableHTTPProxy.command = [s["chp"]]
    c.ConfigurableHTTPProxy.auth_token = read["proxy_token"]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s['port'] + 2}"
    c.ConfigurableHTTPProxy.pid_file = str(folder / "proxy.pid")
    c.JupyterHub.authenticator_class = "hashauthenticator.HashAuthenticator"
    c.HashAuthenticator.secret_key = read["secret_key"]
    c.HashAuthenticator.password_length = PASSWORD_LENGTH
    c.Authenticator.allowed_users = set(s["students"]) | {s["admin"]}
    c.Authenticator.admin_users = {s["admin"]}
    c.JupyterHub.spawner_class = "localprocess" if s["root"] else "simple"
    if not s["root"]:
        c.SimpleLocalProcessSpawner.home_dir_template = str(folder / "homes" / "{username}")
    c.Spawner.cmd = [str(env / "bin" / "python"), "-m", "tools.classroom", "singleuser", "--public", str(public)]
    c.Spawner.cmd += ["--lang", s["lang"], "--mem", str(MEM_LIMIT)]
    c.Spawner.environment = {
        "PYTHONPATH": str(public / "lib"),  # the library and tools.workspace, as served
        "PATH": f"{env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        # learners: nbgrader's Assignments panel only; the lecturer: all of nbgrader, the formgrader included
        "JUPYTER_CONFIG_PATH": lambda spawner: labs["lecturer" if spawner.user.name == s["admin"] else "learner"],
        "OMP_NUM_THREADS": "1",
        "DILCONV_LANG": s["lang"],
    }
    c.Spawner.notebook_dir = "~"
    c.Spawner.default_url = "/lab/tree/workspace/00_welcome.ipynb"
    c.Spawner.mem_limit = MEM_LIMIT  # shown by jupyter-resource-usage (MEM_LIMIT), enforced by `singleuser`
    c.Spawner.cpu_limit = 1.0
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 120
    c.JupyterHub.concurrent_spawn_limit = 10  # a room logging in at once: the rest wait and retry
    c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server
    c.ResourceUseDisplay.track_cpu_percent = True
    c.JupyterHub.services = [
        {"name": "lecturer", "api_token": read["api_token"]},
        {
            "name": "idle-culler",
            "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}"],
        },
    ]
    c.JupyterHub.load_roles = [
        {"name": "classroom-lecturer", "scopes": LECTURER_SCOPES + ["read:servers"], "services": ["lecturer"]},
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        },
    ]


CONFIG = """\
# Written by `make classroom` (tools/classroom.py): the settings are in classroom.json, the secrets beside it.
import sys
from pathlib import Path

sys.path.insert(0, {root!r})
from tools.classroom import configure

configure(c, Path(__file__).resolve().parent)  # noqa: F821 (c: JupyterHub's config)
"""


# --- the commands ---------------------------------------------------------------------------------------


def _api(folder: Path, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    s = json.loads((folder / "classroom.json").read_text())
    url = f"http://127.0.0.1:{s['port'] + 1}/hub/api{path}"
    data = json.dumps(body).encode() if body is not None else None
    token = (folder / "api_token").read_text().strip()
    request = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


def start(args: argparse.Namespace) -> list[str]:
    """``make classroom``: check, prepare, start the hub, return once it answers."""
    folder: Path = args.dir.resolve()
    root = is_root()
    settings_path = folder / "classroom.json"
    old = json.loads(settings_path.read_text()) if settings_path.is_file() else {}
    # every check first: bad input leaves nothing behind
    if pid := running_pid(folder):
        raise ClassroomError(f"a classroom already runs from {folder} (hub pid {pid}): `make classroom-stop` first")
    if args.students:
        students = parse_students(args.students)
    elif old:
        students = old["students"]
    else:
        raise ClassroomError("say how many learners: make classroom STUDENTS=30 (or STUDENTS=roster.txt)")
    students = list(dict.fromkeys(old.get("students", []) + students))  # a class only grows: no one is lost
    check_names([args.admin], "CLASSROOM_ADMIN")
    if args.admin in students:
        raise ClassroomError(f"the lecturer {args.admin!r} is in the roster too: name the lecturer CLASSROOM_ADMIN=...")
    if not 1 <= args.port <= 65533:
        raise ClassroomError(
            f"CLASSROOM_PORT={args.port}: give a port from 1 to 65533 (the hub uses it and the next two)"
        )
    for port in (args.port, args.port + 1, args.port + 2):
        if not port_free(args.ip if port == args.port else "127.0.0.1", port):
            raise ClassroomError(
                f"port {port} is in use: pick another, CLASSROOM_PORT=... (the hub takes it and the next two)"
            )
    if bool(args.ssl_cert) != bool(args.ssl_key):
        raise ClassroomError("TLS needs both CLASSROOM_SSL_CERT and CLASSROOM_SSL_KEY")
    if args.lang not in ("en", "zh"):
        raise ClassroomError(f"COURSE_LANG={args.lang}: en or zh")
    if root and (foreign := foreign_users(students + [args.admin], old.get("made_users", []))):
        raise ClassroomError(
            f"Unix users {', '.join(foreign)} exist already and are not this classroom's: "
            "rename them in the roster (a classroom password must not open an existing account)"
        )
    chp = proxy(args.chp_dir.resolve(), args.npm)
    said: list[str] = []
    # then the work
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for name in SECRETS:
        if not (folder / name).is_file():
            _write_secret(folder / name, secrets.token_hex(32))
    if root:
        env_python = learners_env(args.env, args.python)
        public = args.prefix.resolve() / "course"
        public.parent.mkdir(parents=True, exist_ok=True)
        if line := close_checkout(ROOT):
            said.append(line)
    else:
        env_python, public = Path(sys.prefix) / "bin" / "python", folder / "public"
        said.append(
            "classroom: not run as root, so every learner's server runs as you, and any learner's code can read "
            "the others' work (docs/classroom.md: when that is acceptable)"
        )
    commit = clone(old.get("repo", args.repo), folder / "course")
    if not public.is_dir() or old.get("lang") != args.lang:
        publish(folder / "course", public, args.lang)
    else:  # a class published by an older classroom: the servers' settings as this one writes them
        copy_tools(public / "lib")
        lab_settings(public, public.parent / "exchange")
    made = list(old.get("made_users", []))
    if root:
        for name in students + [args.admin]:
            if name not in made:
                make_unix_user(name)
                made.append(name)
        make_exchange(public.parent / "exchange", args.admin)  # before any learner can log in and take its name
    settings = {
        "students": students,
        "admin": args.admin,
        "ip": args.ip,
        "port": args.port,
        "repo": old.get("repo", args.repo),
        "lang": args.lang,
        "root": root,
        "public": str(public),
        "env": str(env_python.parent.parent),
        "chp": str(chp),
        "ssl_cert": args.ssl_cert,
        "ssl_key": args.ssl_key,
        "made_users": made,
    }
    settings_path.write_text(json.dumps(settings, indent=1) + "\n")
    (folder / "jupyterhub_config.py").write_text(CONFIG.format(root=str(ROOT)))
    key = (folder / "secret_key").read_text().strip()
    rows = [["user", "password"]] + [[n, password(key, n)] for n in students + [args.admin]]
    with open(os.open(folder / "passwords.csv", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        csv.writer(f).writerows(rows)
    for name in ("jupyterhub.sqlite", "jupyterhub.log"):  # the hub's database and log: 0600 before it opens them
        os.close(os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        (folder / name).chmod(0o600)
    _launch(folder, args.ip, args.port, bool(args.ssl_cert))
    scheme = "https" if args.ssl_cert else "http"
    host = "127.0.0.1" if args.ip == "127.0.0.1" else (socket.gethostname() if args.ip == "0.0.0.0" else args.ip)
    if args.ip != "127.0.0.1":
        said.append(
            f"classroom: WARNING: serving {args.ip}, every machine that reaches this one can try to log in"
            + ("" if args.ssl_cert else "; passwords cross the network unencrypted: set CLASSROOM_SSL_CERT and _KEY")
        )
    said += [
        f"classroom: {len(students)} learners and the lecturer {args.admin!r}, course {commit} ({args.lang}), "
        f"at {scheme}://{host}:{args.port}/",
        f"classroom: passwords in {folder / 'passwords.csv'}; the lecturer's API token in {folder / 'api_token'}",
        "classroom: stop with `make classroom-stop` (homes, passwords and the hub's database stay)",
    ]
    return said


def _launch(folder: Path, ip: str, port: int, tls: bool) -> None:
    """Start JupyterHub in the background, detached; wait until it answers, else stop it and say why."""
    log = open(folder / "jupyterhub.log", "ab")
    hub = Path(sys.executable).parent / "jupyterhub"
    started = time.monotonic()
    proc = subprocess.Popen(
        [hub, "-f", folder / "jupyterhub_config.py"],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # survives make's exit; stopped by its pid file
    )
    _write_secret(folder / "jupyterhub.pid", f"{proc.pid}\n")
    url = f"http://127.0.0.1:{port + 1}/hub/api/"  # the hub itself; then the proxy in front of it
    front = f"{'https' if tls else 'http'}://{'127.0.0.1' if ip in ('0.0.0.0', '127.0.0.1') else ip}:{port}/hub/api/"
    while time.monotonic() - started < 90:
        if proc.poll() is not None:
            break
        if _answers(url) and (tls or _answers(front)):
            (folder / "start_seconds").write_text(f"{time.monotonic() - started:.1f}\n")
            return
        time.sleep(0.3)
    _stop_pid(proc.pid)
    tail = (folder / "jupyterhub.log").read_text(errors="replace").strip().splitlines()[-1:]
    raise ClassroomError(f"the hub did not answer within 90 s and was stopped: {tail} (log: {folder}/jupyterhub.log)")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _stop_pid(pid: int, wait: float = 30) -> None:
    """SIGTERM ``pid`` (the hub stops its proxy and the learners' servers on it), SIGKILL if it lingers."""
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    end = time.monotonic() + wait
    while time.monotonic() < end:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)


def _servers(folder: Path) -> dict[str, list[int]]:
    """This classroom's learners' server and kernel processes (any left by a crashed hub too): user -> pids."""
    import psutil  # the hub's environment

    s = json.loads((folder / "classroom.json").read_text())
    names = set(s["students"]) | {s["admin"]}
    found: dict[str, list[int]] = {}
    for p in psutil.process_iter(["pid"]):
        try:
            env = p.environ()
        except (psutil.Error, OSError):
            continue
        if env.get("JUPYTERHUB_USER") in names and env.get("JUPYTERHUB_API_URL", "").endswith(
            f":{s['port'] + 1}/hub/api"
        ):
            found.setdefault(env["JUPYTERHUB_USER"], []).append(p.pid)
    return found


def stop(args: argparse.Namespace) -> list[str]:
    """``make classroom-stop``: the hub, its proxy, every learner's server; nothing else is touched."""
    folder: Path = args.dir.resolve()
    if not (folder / "classroom.json").is_file():
        raise ClassroomError(f"no classroom in {folder}: nothing to stop")
    said = []
    if pid := running_pid(folder):
        _stop_pid(pid)
        said.append(f"classroom: the hub (pid {pid}) stopped")
    else:
        said.append("classroom: the hub was not running")
    for name in ("proxy.pid",):  # a proxy the hub left behind (a hub killed hard)
        try:
            _stop_pid(int((folder / name).read_text()), wait=5)
        except (OSError, ValueError):
            pass
    for user, pids in _servers(folder).items():
        for p in pids:
            _stop_pid(p, wait=5)
        said.append(f"classroom: stopped what was left of {user}'s server")
    (folder / "jupyterhub.pid").unlink(missing_ok=True)
    said.append("classroom: homes, passwords and the hub's database kept: `make classroom` brings the class back")
    return said


def status(args: argparse.Namespace) -> list[str]:
    """``make classroom-status``: each learner, whether their server runs, and the memory it holds."""
    import psutil

    folder: Path = args.dir.resolve()
    if not (folder / "classroom.json").is_file():
        raise ClassroomError(f"no classroom in {folder}: start one with `make classroom STUDENTS=N`")
    pid = running_pid(folder)
    if not pid:
        return [f"classroom: not running ({folder}); `make classroom` starts it"]
    users = {u["name"]: u for u in _api(folder, "GET", "/users")}
    procs = _servers(folder)
    lines = [f"classroom: hub pid {pid}; {len(users)} users", f"{'user':<20} {'server':<8} {'memory':>10}"]
    for name in sorted(users):
        running = bool(users[name].get("servers", {}).get("", {}).get("ready")) or name in procs
        rss = 0
        for p in procs.get(name, []):
            try:
                rss += psutil.Process(p).memory_info().rss
            except psutil.Error:
                pass
        lines.append(f"{name:<20} {'running' if running else '-':<8} {f'{rss / 1e6:.0f} MB' if rss else '':>10}")
    return lines


def update(args: argparse.Namespace) -> list[str]:
    """``make classroom-update``: pull the course, rebuild what learners read; their next start refreshes them."""
    folder: Path = args.dir.resolve()
    if not (folder / "classroom.json").is_file():
        raise ClassroomError(f"no classroom in {folder}: start one with `make classroom STUDENTS=N`")
    s = json.loads((folder / "classroom.json").read_text())
    before, after = pull(s["repo"], folder / "course")
    if before == after:
        return [f"classroom: the course is up to date ({after})"]
    publish(folder / "course", Path(s["public"]), s["lang"])
    return [
        f"classroom: the course moved from {before} to {after}; each learner's next server start updates their "
        "workspace/ (edited notebooks kept, the new version beside them as NAME.new.ipynb)"
    ]


def singleuser(args: argparse.Namespace, rest: Sequence[str]) -> None:
    """A learner's server, run as the learner: refresh ``~/workspace``, limit memory, start the server."""
    import resource

    from tools.workspace import sync

    home = Path.home()
    for line in sync(args.public / "student", home / "workspace"):
        print(line, flush=True)
    (home / "assignments").mkdir(exist_ok=True)  # where the Assignments panel fetches to (lab/learner's nbgrader)
    if args.lang == "zh":  # JupyterLab's menus in Chinese, written once: then the learner's own setting
        setting = home / ".jupyter/lab/user-settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings"
        if not setting.exists():
            setting.parent.mkdir(parents=True, exist_ok=True)
            setting.write_text('{"locale": "zh_CN"}\n')
    # Each process (the server, each kernel) may map at most MEM_LIMIT of data; a learner cannot raise a hard limit.
    resource.setrlimit(resource.RLIMIT_DATA, (args.mem, args.mem))
    exe = Path(sys.executable).parent / "jupyterhub-singleuser"
    os.execv(exe, [str(exe), *rest])


# --- grading with nbgrader ----------------------------------------------------------------------------------


def course_stubs() -> type:
    """nbgrader's ``ClearSolutions`` writing the course's stubs (:func:`tools.editions.strip_solutions`: the hint
    that names what to write, in the notebook's language) where nbgrader writes a bare ``raise NotImplementedError()``;
    so an assignment reads as the learner's edition of ``make lab``. Cells without the course's markers: nbgrader's."""
    from nbgrader.preprocessors import ClearSolutions  # type: ignore[import-untyped]

    from tools.editions import BEGIN, strip_solutions, stub_language

    class CourseStubs(ClearSolutions):  # type: ignore[misc]
        def preprocess(self, nb: Any, resources: Any) -> Any:
            lang = stub_language(nb.metadata.get("language"))
            code = [cell for cell in nb.cells if cell.cell_type == "code"]
            following = [cell.source for cell in code[1:]] + [""]  # the check after each exercise names its result
            self.stubs = {
                id(cell): strip_solutions(cell.source, after, lang)
                for cell, after in zip(code, following)
                if BEGIN in cell.source
            }
            return super().preprocess(nb, resources)

        def _replace_solution_region(self, cell: Any, language: str) -> bool:
            if id(cell) not in self.stubs:
                return bool(super()._replace_solution_region(cell, language))
            cell.source = self.stubs[id(cell)]
            return True

    return CourseStubs


def nbgrader_config(c: Any, exchange: str, root: str) -> None:
    """The lecturer's nbgrader settings (``lab/lecturer/nbgrader_config.py`` calls this): the course, its exchange,
    the course directory ``root``, the course's stubs, and a cell time limit under autograde."""
    from nbgrader.converters import GenerateAssignment  # type: ignore[import-untyped]

    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.root = root
    c.Exchange.root = exchange
    c.Execute.timeout = GRADE_TIMEOUT
    default = GenerateAssignment.class_traits()["preprocessors"].default()
    c.GenerateAssignment.preprocessors = [course_stubs() if p.__name__ == "ClearSolutions" else p for p in default]


def make_exchange(exchange: Path, lecturer: str) -> Path:
    """nbgrader's exchange at ``exchange``: open to all as nbgrader requires (learners' submissions land in it),
    sticky (no one removes another's entry); the course's folder in it the lecturer's (made before any learner could
    make it, and refused if someone else did)."""
    import pwd

    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o1777)  # nbgrader's release checks 0777 and ignores the sticky bit
    course = exchange / COURSE_ID
    user = pwd.getpwnam(lecturer)
    if not course.exists():
        course.mkdir()
        os.chown(course, user.pw_uid, user.pw_gid)
        course.chmod(0o755)
    elif course.stat().st_uid != user.pw_uid:
        raise ClassroomError(
            f"{course} belongs to {pwd.getpwuid(course.stat().st_uid).pw_name}, not the lecturer {lecturer!r}: "
            "someone made it before the first release; look at it, remove it, and release again"
        )
    return course


def _graded_classroom(folder: Path) -> dict[str, Any]:
    """The settings of the classroom in ``folder``, which must run as root: a Unix user a learner."""
    if not (folder / "classroom.json").is_file():
        raise ClassroomError(f"no classroom in {folder}: start one with `make classroom STUDENTS=N`")
    settings: dict[str, Any] = json.loads((folder / "classroom.json").read_text())
    if not settings["root"] or not is_root():
        raise ClassroomError(
            "grading needs a Unix user a learner (nbgrader tells learners apart by Unix user): "
            "run `make classroom`, then `make classroom-release` and `classroom-grade`, as root"
        )
    return settings


def lecturer_home(s: dict[str, Any]) -> Path:
    """The lecturer's home, where nbgrader's course directory is (``~/grading``)."""
    import pwd

    return Path(pwd.getpwnam(s["admin"]).pw_dir)


def _as_lecturer(s: dict[str, Any], args: Sequence[str], what: str) -> str:
    """``python -m tools.classroom ARGS`` as the lecturer's Unix user, in their ``~/grading``, from the
    learners' environment and the course's lib/, with a learner's memory limit: what autograde runs is learners'
    code, so it must not run as root, and it may exhaust no more memory than a learner's kernel."""
    import resource

    public, env, home = Path(s["public"]), Path(s["env"]), lecturer_home(s)
    grading = home / GRADING
    environ = {
        "HOME": str(home),
        "USER": s["admin"],
        "LOGNAME": s["admin"],
        "PATH": f"{env / 'bin'}:/usr/local/bin:/usr/bin:/bin",  # nbgrader's gradebook runs `alembic` from PATH
        "PYTHONPATH": str(public / "lib"),
        "JUPYTER_CONFIG_PATH": str(public / "lab" / "lecturer"),
        "OMP_NUM_THREADS": "1",
        "DILCONV_LANG": s["lang"],  # the checkers' messages in the feedback: the class's language
        "LANG": "C.UTF-8",
    }

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (MEM_LIMIT, MEM_LIMIT))

    cmd: list[str | Path] = [env / "bin" / "python", "-m", "tools.classroom", *args]
    as_lecturer = {"user": s["admin"], "group": s["admin"], "extra_groups": []}
    return _run(cmd, what, cwd=grading, env=environ, preexec_fn=limit, **as_lecturer)


def _chown_tree(path: Path, name: str) -> None:
    import pwd

    user = pwd.getpwnam(name)
    for p in [path, *path.rglob("*")]:
        os.chown(p, user.pw_uid, user.pw_gid, follow_symlinks=False)


def release(args: argparse.Namespace) -> list[str]:
    """``make classroom-release``: each notebook named (all by default) an nbgrader assignment of its own, made from
    the instructor edition in the class's language without the lecturer's notes, and released to the exchange."""
    import nbformat

    from tools.editions import is_lecturer_note, notebook_paths

    folder: Path = args.dir.resolve()
    s = _graded_classroom(folder)
    public, course = Path(s["public"]), folder / "course"
    names = [p.stem for p in notebook_paths(course / "notebooks")]
    wanted = args.assignments.split() or names
    if unknown := [a for a in wanted if a not in names]:
        raise ClassroomError(f"ASSIGNMENTS: {', '.join(unknown)} is not a notebook of the course: {' '.join(names)}")
    exchange = make_exchange(public.parent / "exchange", s["admin"])
    done = [a for a in wanted if (exchange / "outbound" / a).is_dir()]
    todo = [a for a in wanted if a not in done]
    said = [f"classroom: already released, left as they are: {' '.join(done)}"] if done else []
    if not todo:
        return said
    copy_tools(public / "lib")  # the lecturer's side runs this checkout's classroom code
    lab_settings(public, exchange.parent)
    grading = lecturer_home(s) / GRADING
    scratch = folder / "release.zh-notebooks"
    source = instructor_notebooks(course, s["lang"], scratch)
    try:
        for name in todo:
            nb = nbformat.read(source / f"{name}.ipynb", as_version=4)  # type: ignore[no-untyped-call]
            nb.cells = [cell for cell in nb.cells if not is_lecturer_note(cell)]  # some name an exercise's answer
            nb.metadata.pop("widgets", None)
            (grading / "source" / name).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, grading / "source" / name / f"{name}.ipynb")  # type: ignore[no-untyped-call]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    grading.chmod(0o700)
    _chown_tree(grading, s["admin"])
    _as_lecturer(s, ["lecturer-release", *todo], "nbgrader's release")
    return said + [
        f"classroom: released {' '.join(todo)} ({s['lang']}): learners fetch and submit them in JupyterLab "
        "(Nbgrader > Assignment List) or with `nbgrader fetch_assignment NAME` and `nbgrader submit NAME` in "
        "~/assignments; `make classroom-grade` grades what they submitted"
    ]


def grade(args: argparse.Namespace) -> list[str]:
    """``make classroom-grade``: submissions collected (each learner's latest), autograded, feedback made and
    released to each learner; ``grades.csv`` written (learner, notebook, score, max score; no score: not submitted).
    A submission made in another learner's name (``nbgrader submit --student``) is set aside first."""
    import pwd

    folder: Path = args.dir.resolve()
    s = _graded_classroom(folder)
    exchange = Path(s["public"]).parent / "exchange" / COURSE_ID
    if not (exchange / "outbound").is_dir():
        raise ClassroomError("nothing released yet: `make classroom-release` first")
    said = []
    if (exchange / "inbound").is_dir():
        for entry in sorted((exchange / "inbound").iterdir()):
            owner = pwd.getpwuid(entry.stat().st_uid).pw_name
            if entry.name.split("+")[0] != owner:
                (folder / "forged").mkdir(mode=0o700, exist_ok=True)
                entry.rename(folder / "forged" / entry.name)
                said.append(f"classroom: {owner} submitted in another's name; set aside in {folder / 'forged'}")
    copy_tools(Path(s["public"]) / "lib")
    lab_settings(Path(s["public"]), exchange.parent)
    scores = json.loads(_as_lecturer(s, ["lecturer-grade"], "nbgrader's grading").splitlines()[-1])
    for name, failures in sorted(scores.pop("failed", {}).items()):
        said += [f"classroom: {name}: {failure} (no score: look at it in the formgrader)" for failure in failures]
    rows = [["learner", "notebook", "score", "max score"]]
    for name in sorted(scores):
        for learner in s["students"]:
            got = scores[name]["scores"].get(learner)
            rows.append([learner, name, "" if got is None else f"{got:g}", f"{scores[name]['max']:g}"])
    with open(os.open(folder / "grades.csv", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", newline="") as f:
        csv.writer(f).writerows(rows)
    graded = sum(len(v["scores"]) for v in scores.values())
    return said + [
        f"classroom: {graded} submissions of {len(scores)} assignments graded; scores in {folder / 'grades.csv'}",
        "classroom: feedback released: each learner fetches theirs in the Assignments panel or with "
        "`nbgrader fetch_feedback NAME`; the formgrader (the lecturer's server, Nbgrader > Formgrader) grades by hand",
    ]


def _nbgrader_api() -> Any:
    """nbgrader's API (what the formgrader uses) with the lecturer's settings, in the course directory."""
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps import NbGrader, NbGraderAPI  # type: ignore[import-untyped]

    app = NbGrader()
    app.config_file_paths.extend([*jupyter_config_path(), os.getcwd()])
    app.load_config_file()
    return NbGraderAPI(config=app.config)


def _check(result: dict[str, Any], what: str) -> None:
    if not result.get("success"):
        lines = (result.get("error") or result.get("log") or "no output").strip().splitlines()
        raise ClassroomError(f"nbgrader {what} failed: {lines[-1] if lines else ''}")


def lecturer_release(names: Sequence[str]) -> list[str]:
    """As the lecturer, in ``~/grading``: ``generate_assignment`` and ``release_assignment`` of each of ``names``."""
    api = _nbgrader_api()
    for name in names:
        _check(api.generate_assignment(name), f"generate_assignment {name}")
        _check(api.release_assignment(name), f"release_assignment {name}")
    return []


def lecturer_grade() -> list[str]:
    """As the lecturer, in ``~/grading``: for each released assignment, collect (a newer submission replaces the
    one collected), autograde what is new, make and release the feedback; print the scores, one JSON line:
    ``{assignment: {"max": points, "scores": {learner: score}}, "failed": {assignment: [why, ...]}}``. One learner's
    notebook that nbgrader cannot grade (e.g. a check cell deleted) is named, and stops no one else's grading."""
    from nbgrader.api import MissingEntry  # type: ignore[import-untyped]

    api = _nbgrader_api()
    scores: dict[str, Any] = {}
    failed: dict[str, list[str]] = {}
    for name in sorted(api.get_released_assignments()):
        _check(api.collect(name, update=True), f"collect {name}")
        students = sorted(api.get_submitted_students(name))
        for student in students:
            try:
                _check(api.autograde(name, student, force=False), f"autograde of {student}'s submission")
            except ClassroomError as e:
                failed.setdefault(name, []).append(str(e))
        if students:
            _check(api.generate_feedback(name, force=False), f"generate_feedback {name}")
            _check(api.release_feedback(name), f"release_feedback {name}")
        gb = api.gradebook
        try:
            scores[name] = {"max": gb.find_notebook(name, name).max_score, "scores": {}}
            for student in students:
                try:
                    scores[name]["scores"][student] = gb.find_submission_notebook(name, name, student).score
                except MissingEntry:
                    pass
        finally:
            gb.close()
    return [json.dumps({**scores, "failed": failed})]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.classroom start|stop|status|update|release|grade|singleuser [options]``."""
    parser = argparse.ArgumentParser(prog="python -m tools.classroom", description=__doc__.split("\n\n")[0])
    commands = ["start", "stop", "status", "update", "release", "grade", "singleuser"]
    parser.add_argument("command", choices=[*commands, "lecturer-release", "lecturer-grade"])
    parser.add_argument("--dir", type=Path, default=ROOT / "build" / "classroom", help="the hub's files (0700)")
    parser.add_argument("--students", default="", help="a number of learners, or a roster file")
    parser.add_argument("--admin", default="lecturer", help="the lecturer's login (an admin)")
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--repo", default=str(ROOT), help="the git repository the course is pulled from")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--prefix", type=Path, default=Path("/opt/dilconv-classroom"), help="what learners read")
    parser.add_argument("--env", type=Path, default=Path("/opt/dilconv-classroom/venv"), help="learners' Python")
    parser.add_argument("--python", default="/usr/bin/python3", help="a Python every learner may run")
    parser.add_argument("--chp-dir", type=Path, default=ROOT / "build" / "chp")
    parser.add_argument("--npm", default="npm")
    parser.add_argument("--ssl-cert", default="")
    parser.add_argument("--ssl-key", default="")
    parser.add_argument("--public", type=Path, help="singleuser: the learners' files")
    parser.add_argument("--assignments", default="", help="release: the notebooks to release (default: all)")
    parser.add_argument("--mem", type=int, default=MEM_LIMIT, help="singleuser: bytes of data a process may map")
    args, rest = parser.parse_known_args(argv)
    if args.command == "singleuser":
        singleuser(args, rest)
        return 0
    if rest and args.command != "lecturer-release":
        parser.error(f"unknown arguments: {' '.join(rest)}")
    run = {"start": start, "stop": stop, "status": status, "update": update, "release": release, "grade": grade}
    try:
        if args.command == "lecturer-release":
            said = lecturer_release(rest)
        elif args.command == "lecturer-grade":
            said = lecturer_grade()
        else:
            said = run[args.command](args)
    except ClassroomError as e:
        print(f"classroom: {e}", file=sys.stderr)
        return 1
    for line in said:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
