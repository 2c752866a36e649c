"""The classroom beyond one machine, from the local hub's own settings (docs/classroom.md, "Beyond one machine").

``python -m tools.chart`` writes, from :mod:`tools.classroom`'s settings (its constants, and what its
:func:`~tools.classroom.configure` gives a JupyterHub), what other hosts need:

- ``classroom/values.yaml`` (and ``values.zh.yaml``, the Chinese class): the values of Zero to JupyterHub's chart
  (:data:`CHART_VERSION`); ``classroom/lti.yaml``, the values that put a learning platform's LTI 1.3 login in place
  of the passwords; ``classroom/exchange-pvc.yaml``, the volume nbgrader's exchange shares;
  ``classroom/hub/Dockerfile``, the chart's hub image with the course's authenticator;
- ``classroom/tljh/install.sh``: the same class on The Littlest JupyterHub (:data:`TLJH_VERSION`).

``python -m tools.chart --check`` fails when one of them is not what the settings give (tests/test_chart.py).
``python -m tools.chart secrets --students 30`` writes what must never be committed, into ``build/chart/`` (0600):
``secrets.yaml`` (the passwords' secret key and the learners' names, for ``helm ... --values``) and
``passwords.csv``; a second run keeps the secret key, so the passwords stay the same.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tools import classroom

__all__ = ["local_hub", "lti_values", "outputs", "tljh_recipe", "values", "main"]

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "classroom"
# What has no counterpart in the local hub:
CHART_VERSION = "4.4.0"  # Zero to JupyterHub's chart (JupyterHub 5.5); classroom/chart/ holds its schema
CHART_REPO = "https://hub.jupyter.org/helm-chart/"
TLJH_VERSION = "2.0.0"  # The Littlest JupyterHub (JupyterHub 5); classroom/tljh/ holds its config schema
IMAGE = "ghcr.io/dilconv-course/dilconv-course"  # the course's image: repo2docker of this repository (.binder/)
IMAGE_TAG = "main"  # moved by each build: pulled at every start (pullPolicy Always), so a rebuild reaches learners
HUB_IMAGE = "ghcr.io/dilconv-course/classroom-hub"  # the chart's hub image with the course's authenticator
REPO_DIR = (
    "/srv/course"  # repo2docker --target-repo-dir: the chart's home volume hides $HOME, where it copies by default
)
NB_PREFIX = "/srv/conda/envs/notebook"  # repo2docker's environment (NB_PYTHON_PREFIX) in the image
CONFIG_DIR = "/etc/dilconv"  # the servers' Jupyter settings (JUPYTER_CONFIG_PATH), one folder a role
EXCHANGE_CLAIM = "nbgrader-exchange"  # the ReadWriteMany volume every server mounts
EXCHANGE_MOUNT = "/srv/nbgrader"  # nbgrader's release makes exchange/ in it, open to all as nbgrader requires
EXCHANGE_SIZE = "5Gi"  # 29 notebooks of well under 1 MB, a submission each per learner and try: room for 1000 learners
# Memory a learner's server is guaranteed: notebook 06 peaks at 752 MB beside an idle server's 137-155 MB, so 1.2 GB
# holds a learner training in 06 without the node running short; the limit is the local hub's MEM_LIMIT.
MEM_GUARANTEE = 1229 * 1024**2
ZH_LOCALE = "zh_CN"  # JupyterLab's language pack's locale, as tools.classroom.singleuser writes it
ADMIN = "lecturer"  # the lecturer's login, tools.classroom's --admin default (CLASSROOM_ADMIN)
# The course's image from a fresh clone: repo2docker builds .binder/ (environment.yml, postBuild) as the chart's user.
REPO2DOCKER = ["repo2docker", "--user-id", "1000", "--user-name", "jovyan", "--target-repo-dir", REPO_DIR]
REPO2DOCKER += ["--image-name", f"{IMAGE}:{IMAGE_TAG}"]
HEADER = (
    "# Written by tools/chart.py from tools/classroom.py's settings: do not edit; `python -m tools.chart` remakes it.\n"
)


def local_hub(lang: str = "en", admin: str = ADMIN) -> Any:
    """The traitlets config the local hub runs with (:func:`tools.classroom.configure`), for a class in ``lang``:
    what the values take their limits, culling, authenticator, environment and URLs from."""
    from traitlets.config import Config

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = {
            "students": [],
            "admin": admin,
            "ip": "127.0.0.1",
            "port": 8000,
            "repo": str(ROOT),
            "lang": lang,
            "root": True,  # a Unix user a learner, as a pod a learner: the classroom as graded
            "public": str(folder / "public"),
            "env": str(folder / "env"),
            "chp": "configurable-http-proxy",
            "ssl_cert": "",
            "ssl_key": "",
        }
        (folder / "classroom.json").write_text(json.dumps(settings))
        for name in classroom.SECRETS:
            (folder / name).write_text("00")  # never read from the result: values carry no secret
        c = Config()
        classroom.configure(c, folder)
    return c


def mib(size: int) -> str:
    """A byte count as KubeSpawner and SystemdSpawner read it (``M`` is 1024**2), exactly.

    >>> mib(1536 * 1024**2)
    '1536M'
    """
    if size % 1024**2:
        raise ValueError(f"{size} bytes is not a whole number of MiB")
    return f"{size // 1024**2}M"


def locked(package: str) -> str:
    """``package``'s version in the lock (constraints.txt): the k8s hub and TLJH install what the local hub runs."""
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        if name.strip().lower() == package.lower():
            return version.split(";")[0].strip()
    raise KeyError(f"{package} is not in constraints.txt")


def refresh_command(lang: str) -> str:
    """The start hook's shell command: the learner's ``workspace/`` brought up to date by the course's rule
    (:func:`tools.workspace.sync`: new notebooks added, an edited one kept with the new version beside it), from the
    edition in the class's language, as ``python -m tools.classroom singleuser`` does on the local hub."""
    sync = 'python -m tools.workspace --notebooks "$src" --workspace "$HOME/workspace"'
    if lang == "zh":  # the Chinese instructor edition, built where the learner may write (the image is read-only)
        src = 'src=$(mktemp -d) && python -m tools.i18n build --lang zh --out "$src" >/dev/null && '
        return f'cd {REPO_DIR} && {src}{sync} && rm -rf "$src" && mkdir -p "$HOME/assignments"'
    return f'cd {REPO_DIR} && src=notebooks && {sync} && mkdir -p "$HOME/assignments"'


def lab_overrides(lang: str) -> dict[str, Any]:
    """JupyterLab's default settings for learners: the course's (no news pop-up), and for ``zh`` its menus in
    Chinese (a learner may still switch language: overrides are defaults, their own settings win)."""
    overrides: dict[str, Any] = json.loads((ROOT / "lab" / "overrides.json").read_text())
    if lang == "zh":
        overrides["@jupyterlab/translation-extension:plugin"] = {"locale": ZH_LOCALE}
    return overrides


def server_settings(role: str) -> dict[str, dict[str, Any]]:
    """The Jupyter settings a role's server reads (``CONFIG_DIR/ROLE``), as tools.classroom.lab_settings writes them
    for the local hub: a learner gets nbgrader's Assignments panel and Validate, the lecturer all of nbgrader. The
    image turns nbgrader off at its own level (.binder/postBuild, for Binder): here it is turned on again."""
    extensions = {
        f"nbgrader.server_extensions.{part}": role == "lecturer" or on
        for part, on in classroom.LEARNER_NBGRADER.items()
    }
    disabled: dict[str, bool] = {"@jupyter/nbgrader": False}
    if role == "learner":
        disabled.update(dict.fromkeys(classroom.LEARNER_LAB_OFF, True))
    return {
        "jupyter_server_config.d/dilconv.json": {"ServerApp": {"jpserver_extensions": extensions}},
        "labconfig/page_config.json": {"disabledExtensions": disabled},
    }


def nbgrader_settings(role: str) -> str:
    """``nbgrader_config.py`` of a role: the course's exchange on the shared volume; the lecturer's course directory,
    ``~/grading``, with the course's stubs (:func:`tools.classroom.nbgrader_config`, from the image's copy)."""
    exchange = f"{EXCHANGE_MOUNT}/exchange"
    if role == "learner":
        return (
            "# Written by tools/chart.py: where a learner's nbgrader finds the course's assignments\n"
            "import os\n\n"
            f"c.CourseDirectory.course_id = {classroom.COURSE_ID!r}  # noqa: F821 (c: nbgrader's config)\n"
            f"c.Exchange.root = {exchange!r}  # noqa: F821\n"
            'c.Exchange.assignment_dir = os.path.expanduser("~/assignments")  # noqa: F821\n'
        )
    return (
        "# Written by tools/chart.py: the lecturer's nbgrader (the formgrader, release, grading)\n"
        "import os\nimport sys\n\n"
        f"sys.path.insert(0, {REPO_DIR!r})  # the course's tools, in the image\n"
        "from tools.classroom import nbgrader_config\n\n"
        f'nbgrader_config(c, exchange={exchange!r}, root=os.path.expanduser("~/{classroom.GRADING}"))  # noqa: F821\n'
    )


# Run by the hub before each server starts: JupyterHub's own hook, as the local hub picks JUPYTER_CONFIG_PATH by user.
ROLE_HOOK = f"""\
# Written by tools/chart.py: the lecturer's server runs all of nbgrader (the formgrader on ~/grading), a learner's
# the Assignments panel and Validate only, as on the local hub.
def dilconv_role(spawner):
    role = "lecturer" if spawner.user.admin else "learner"
    spawner.environment = {{**spawner.environment, "JUPYTER_CONFIG_PATH": "{CONFIG_DIR}/" + role}}


c.KubeSpawner.pre_spawn_hook = dilconv_role
"""


def values(lang: str = "en") -> dict[str, Any]:
    """Zero to JupyterHub's values for the course's class in ``lang``: no secret (``secrets.yaml`` adds them)."""
    c = local_hub(lang)
    env = c.Spawner.environment
    files: dict[str, Any] = {
        "lab-overrides": {
            "mountPath": f"{NB_PREFIX}/share/jupyter/lab/settings/overrides.json",
            "data": lab_overrides(lang),
        }
    }
    for role in ("learner", "lecturer"):
        for name, data in server_settings(role).items():
            key = f"{role}-{name.split('/')[0].replace('_', '-').removesuffix('.d')}"
            files[key] = {"mountPath": f"{CONFIG_DIR}/{role}/{name}", "data": data}
        files[f"{role}-nbgrader"] = {
            "mountPath": f"{CONFIG_DIR}/{role}/nbgrader_config.py",
            "stringData": nbgrader_settings(role),
        }
    return {
        "hub": {
            "image": {
                "name": HUB_IMAGE,
                "tag": f"{CHART_VERSION}-hashauthenticator-{locked('jupyterhub-hashauthenticator')}",
            },
            "concurrentSpawnLimit": c.JupyterHub.concurrent_spawn_limit,
            "config": {
                "JupyterHub": {"authenticator_class": c.JupyterHub.authenticator_class},
                "HashAuthenticator": {"password_length": c.HashAuthenticator.password_length},
                "Authenticator": {"admin_users": sorted(c.Authenticator.admin_users)},
                "KubeSpawner": {"notebook_dir": c.Spawner.notebook_dir},
            },
            "extraConfig": {"dilconv-role": ROLE_HOOK},
        },
        "singleuser": {
            "image": {"name": IMAGE, "tag": IMAGE_TAG, "pullPolicy": "Always"},
            "memory": {"guarantee": mib(MEM_GUARANTEE), "limit": mib(c.Spawner.mem_limit)},
            "cpu": {"limit": c.Spawner.cpu_limit},
            "defaultUrl": c.Spawner.default_url,
            "extraEnv": {"OMP_NUM_THREADS": env["OMP_NUM_THREADS"], "DILCONV_LANG": env["DILCONV_LANG"]},
            "lifecycleHooks": {"postStart": {"exec": {"command": ["sh", "-c", refresh_command(lang)]}}},
            "extraFiles": files,
            "storage": {
                "extraVolumes": [{"name": EXCHANGE_CLAIM, "persistentVolumeClaim": {"claimName": EXCHANGE_CLAIM}}],
                "extraVolumeMounts": [{"name": EXCHANGE_CLAIM, "mountPath": EXCHANGE_MOUNT}],
            },
        },
        "cull": {"enabled": True, "timeout": classroom.IDLE_TIMEOUT},
    }


def lti_values() -> dict[str, Any]:
    """The values that log learners in from a learning platform through LTI 1.3 (jupyterhub-ltiauthenticator, in
    the chart's hub image) instead of the passwords: layered after ``values.yaml``. The platform's addresses and
    the tool's client id come from registering the hub there (placeholders here: Moodle's paths)."""
    return {
        "hub": {
            "config": {
                "JupyterHub": {"authenticator_class": "ltiauthenticator.lti13.auth.LTI13Authenticator"},
                "LTI13Authenticator": {
                    "issuer": "https://moodle.example.edu",
                    "authorize_url": "https://moodle.example.edu/mod/lti/auth.php",
                    "jwks_endpoint": "https://moodle.example.edu/mod/lti/certs.php",
                    "client_id": ["REPLACE-WITH-THE-PLATFORM-CLIENT-ID"],
                    "username_key": "email",
                },
                # the platform decides who enters: everyone it sends is one of the course's learners
                "Authenticator": {"allow_all": True, "admin_users": ["lecturer@example.edu"]},
            }
        }
    }


def exchange_claim() -> dict[str, Any]:
    """The volume nbgrader's exchange lives on, shared by every server: ReadWriteMany (NFS, CephFS, a cloud's file
    storage), made once before the chart is installed."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": EXCHANGE_CLAIM},
        "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": EXCHANGE_SIZE}}},
    }


def hub_dockerfile() -> str:
    """The chart's hub image with the course's authenticator at the lock's version (the chart's has none)."""
    return (
        "# Written by tools/chart.py: Zero to JupyterHub's hub with the classroom's authenticator (docs/classroom.md)\n"
        f"FROM quay.io/jupyterhub/k8s-hub:{CHART_VERSION}\n"
        "# hashauthenticator 0.6 imports oauthenticator, which the chart's hub image has\n"
        f"RUN pip install --no-cache-dir jupyterhub-hashauthenticator=={locked('jupyterhub-hashauthenticator')}\n"
    )


def tljh_settings(lang: str = "en") -> list[list[str]]:
    """``tljh-config`` commands (arguments) for the course's class: authenticator, limits, culling, the app."""
    c = local_hub(lang)
    return [
        ["set", "auth.type", c.JupyterHub.authenticator_class],
        ["set", "auth.HashAuthenticator.password_length", str(c.HashAuthenticator.password_length)],
        ["set", "limits.memory", mib(c.Spawner.mem_limit)],
        ["set", "limits.cpu", repr(float(c.Spawner.cpu_limit))],
        ["set", "services.cull.enabled", "true"],
        ["set", "services.cull.timeout", str(classroom.IDLE_TIMEOUT)],
        ["set", "user_environment.default_app", "jupyterlab"],
        *[["add-item", "users.admin", name] for name in sorted(c.Authenticator.admin_users)],
    ]


def tljh_hub_config(lang: str = "en") -> str:
    """The course's part of TLJH's hub configuration (``jupyterhub_config.d/dilconv.py``): what tljh-config has no
    key for. A learner's server starts through the start hook, then ``jupyterhub-singleuser`` with the hub's
    arguments."""
    c = local_hub(lang)
    env = {k: c.Spawner.environment[k] for k in ("OMP_NUM_THREADS", "DILCONV_LANG")}
    cmd = ["sh", "-c", refresh_command(lang) + ' && exec jupyterhub-singleuser "$@"', "jupyterhub-singleuser"]
    return (
        "# Written by classroom/tljh/install.sh (tools/chart.py): the course's settings tljh-config has no key for\n"
        f"c.Spawner.environment = {env!r}  # noqa: F821 (c: JupyterHub's config)\n"
        f"c.Spawner.notebook_dir = {c.Spawner.notebook_dir!r}  # noqa: F821\n"
        f"c.Spawner.default_url = {c.Spawner.default_url!r}  # noqa: F821\n"
        f"c.JupyterHub.concurrent_spawn_limit = {c.JupyterHub.concurrent_spawn_limit!r}  # noqa: F821\n"
        f"c.Spawner.cmd = {cmd!r}  # noqa: F821\n"
    )


def tljh_recipe(lang: str = "en") -> str:
    """``classroom/tljh/install.sh``: The Littlest JupyterHub on a fresh Ubuntu VM, with the course's class."""
    sets = "\n".join("tljh-config " + shlex.join(args) for args in tljh_settings(lang))
    admins = " ".join(sorted(local_hub(lang).Authenticator.admin_users))
    overrides = json.dumps(lab_overrides(lang), indent=2)
    name = "install.zh.sh" if lang == "zh" else "install.sh"
    pin = f"jupyterhub-hashauthenticator=={locked('jupyterhub-hashauthenticator')}"
    return f"""#!/bin/bash
# Written by tools/chart.py from tools/classroom.py's settings: do not edit; `python -m tools.chart` remakes it.
# The course's class on The Littlest JupyterHub {TLJH_VERSION}, on a fresh Ubuntu VM, as root (docs/classroom.md):
#   bash classroom/tljh/{name} roster.txt      # one login name a line; passwords in /root/dilconv-passwords.csv
set -euo pipefail
roster=${{1:?give the roster: one login name a line}}
[ -d {REPO_DIR} ] || git clone https://github.com/dilconv-course/dilconv-course {REPO_DIR}
curl -fsSL https://tljh.jupyter.org/bootstrap.py | python3 - --version {TLJH_VERSION}
# the hub's authenticator; the course and its language pack in the learners' environment, at the lock's versions
/opt/tljh/hub/bin/python -m pip install --quiet {pin}
cd {REPO_DIR}
/opt/tljh/user/bin/python -m pip install --quiet -c constraints.txt \\
    $(/opt/tljh/user/bin/python -m tools.torch_index --override auto) torch
/opt/tljh/user/bin/python -m pip install --quiet -c constraints.txt -e ".[lab,editions]"
# the passwords' secret: made once, root's only; tljh-config keeps it in /opt/tljh/config/config.yaml (root's only)
[ -f /root/dilconv-secret-key ] || (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' \\
    > /root/dilconv-secret-key)
tljh-config set auth.HashAuthenticator.secret_key "$(cat /root/dilconv-secret-key)"
{sets}
while read -r name; do
    case "$name" in ''|'#'*) ;; *) tljh-config add-item users.allowed "$name" ;; esac
done < "$roster"
mkdir -p /opt/tljh/user/share/jupyter/lab/settings
cat > /opt/tljh/user/share/jupyter/lab/settings/overrides.json <<'EOF'
{overrides}
EOF
cat > /opt/tljh/config/jupyterhub_config.d/dilconv.py <<'EOF'
{tljh_hub_config(lang)}EOF
(umask 077 && python3 - "$roster" {admins} > /root/dilconv-passwords.csv <<'EOF'
import csv, sys
sys.path.insert(0, "{REPO_DIR}")
from tools.classroom import parse_students, password
key = open("/root/dilconv-secret-key").read().strip()
rows = [["user", "password"]] + [[n, password(key, n)] for n in parse_students(sys.argv[1]) + sys.argv[2:]]
csv.writer(sys.stdout).writerows(rows)
EOF
)
tljh-config reload
echo "classroom: passwords in /root/dilconv-passwords.csv (hand each learner their row)"
"""


def render(data: Any, header: str = HEADER) -> str:
    """YAML as committed: the keys in the order written, Chinese as is, long strings as blocks."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return header + yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=120)


def outputs() -> dict[Path, str]:
    """Every file this module writes, by path: what ``--check`` compares."""
    return {
        OUT / "values.yaml": render(values("en")),
        OUT / "values.zh.yaml": render(values("zh")),
        OUT / "lti.yaml": render(lti_values()),
        OUT / "exchange-pvc.yaml": render(exchange_claim()),
        OUT / "hub" / "Dockerfile": hub_dockerfile(),
        OUT / "tljh" / "install.sh": tljh_recipe("en"),
        OUT / "tljh" / "install.zh.sh": tljh_recipe("zh"),
    }


def write_secrets(students: str, admin: str, out: Path) -> list[str]:
    """``secrets.yaml`` (the passwords' secret key, the learners allowed) and ``passwords.csv`` in ``out``, 0600;
    the key of an earlier run is kept, so the passwords stay the same."""
    import yaml

    names = classroom.parse_students(students)
    classroom.check_names([admin], "--admin")
    out.mkdir(parents=True, exist_ok=True)
    path = out / "secrets.yaml"
    old = yaml.safe_load(path.read_text()) if path.is_file() else {}
    key = (old or {}).get("hub", {}).get("config", {}).get("HashAuthenticator", {}).get("secret_key")
    key = key or secrets.token_hex(32)
    data = {
        "hub": {
            "config": {
                "HashAuthenticator": {"secret_key": key},
                "Authenticator": {"allowed_users": names, "admin_users": [admin]},
            }
        }
    }
    header = "# Written by `python -m tools.chart secrets`: never commit it; helm upgrade ... --values this file\n"
    classroom._write_secret(path, render(data, header))
    with open(os.open(out / "passwords.csv", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", newline="") as f:
        csv.writer(f).writerows([["user", "password"]] + [[n, classroom.password(key, n)] for n in [*names, admin]])
    return [f"chart: {len(names)} learners and {admin!r}: {path} (for helm), {out / 'passwords.csv'} (0600 both)"]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.chart [--check]`` or ``python -m tools.chart secrets --students N``."""
    parser = argparse.ArgumentParser(prog="python -m tools.chart", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=["write", "secrets"], default="write")
    parser.add_argument("--check", action="store_true", help="fail when a written file is out of date")
    parser.add_argument("--students", default="", help="secrets: a number of learners, or a roster file")
    parser.add_argument("--admin", default=ADMIN, help="secrets: the lecturer")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "chart", help="secrets: where (untracked)")
    args = parser.parse_args(argv)
    if args.command == "secrets":
        try:
            said = write_secrets(args.students, args.admin, args.out)
        except classroom.ClassroomError as e:
            print(f"chart: {e}", file=sys.stderr)
            return 1
        print("\n".join(said))
        return 0
    stale = []
    for path, text in outputs().items():
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        if args.check:
            stale.append(str(path.relative_to(ROOT)))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if path.suffix == ".sh":
            path.chmod(0o755)
        print(f"chart: wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"chart: out of date: {', '.join(stale)}: run `python -m tools.chart`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
