"""The classroom beyond one machine (tools/chart.py): what helm, a cluster, TLJH and a learning platform would read,
checked here by parsing, since none of them runs here.

- ``classroom/`` is what the generator writes (no hand edit, nothing stale);
- the chart's values, merged onto the chart's defaults as helm merges them, validate against the chart's own schema
  (``classroom/chart/``: Zero to JupyterHub at a pinned commit), alone, with the LTI layer, and with the secrets;
- they agree with the local hub (``tools.classroom.configure``): limits, culling, authenticator, language, image;
- they hold no secret; the start hook, run here, refreshes a workspace by the course's rule;
- the TLJH recipe, parsed, gives a config TLJH's schema accepts, with the same settings;
- ``repo2docker --no-build`` writes the image's Dockerfile from ``.binder/`` (skipped without repo2docker).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from traitlets.config import Config

from tools import chart, classroom

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "classroom"
CHART = OUT / "chart"
DOCS = ROOT / "docs" / "classroom.md"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def helm_merge(base: Any, over: Any) -> Any:
    """What helm does with ``--values``: maps merged key by key, anything else (lists included) replaced; a null
    removes the default's key."""
    if not (isinstance(base, dict) and isinstance(over, dict)):
        return copy.deepcopy(over)
    merged = copy.deepcopy(base)
    for key, value in over.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def chart_values(*layers: dict[str, Any]) -> dict[str, Any]:
    merged = load(CHART / "values.yaml")
    for layer in layers:
        merged = helm_merge(merged, layer)
    return merged


def validate(values: dict[str, Any]) -> None:
    schema = load(CHART / "values.schema.yaml")
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(values)


def bytes_of(spec: str) -> int:
    """KubeSpawner's and SystemdSpawner's reading of a memory size (jupyterhub.traitlets.ByteSpecification)."""
    units = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
    return int(float(spec[:-1]) * units[spec[-1]])


def test_helm_merge() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert helm_merge(base, {"a": {"c": [3]}, "d": None, "e": 2}) == {"a": {"b": 1, "c": [3]}, "e": 2}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1}


def test_written_files_are_up_to_date() -> None:
    stale = [str(p.relative_to(ROOT)) for p, text in chart.outputs().items() if p.read_text(encoding="utf-8") != text]
    assert not stale, f"run `python -m tools.chart`: {stale}"
    assert chart.main(["--check"]) == 0


def test_vendored_chart_is_pinned() -> None:
    readme = (CHART / "README.md").read_text()
    assert re.search(r"\b[0-9a-f]{40}\b", readme), "the README names the chart's commit"
    assert f"{chart.CHART_VERSION}" in readme
    assert "BSD 3-Clause" in (CHART / "LICENSE").read_text()
    assert load(CHART / "values.yaml")["singleuser"]["uid"] == 1000  # the user repo2docker builds the image for
    assert "--user-id 1000" in shlex.join(chart.REPO2DOCKER)


@pytest.mark.parametrize("name", ["values.yaml", "values.zh.yaml"])
def test_values_validate_against_the_chart_schema(name: str) -> None:
    validate(chart_values(load(OUT / name)))
    validate(chart_values(load(OUT / name), load(OUT / "lti.yaml")))


def test_the_schema_bites() -> None:
    """A misspelt key or a wrong type fails: the validation above is not vacuous."""
    schema_errors = [
        {"singleuser": {"memory": {"limt": "1536M"}}},
        {"singleuser": {"cpu": {"limit": "one"}}},
        {"hub": {"config": {"lowercase": {}}}},
        {"cull": {"timeout": "an hour"}},
    ]
    for bad in schema_errors:
        with pytest.raises(jsonschema.ValidationError):
            validate(chart_values(load(OUT / "values.yaml"), bad))


def test_secrets_file(tmp_path: Path) -> None:
    said = chart.write_secrets("3", "lecturer", tmp_path)
    assert "3 learners" in said[0]
    secrets_yaml = tmp_path / "secrets.yaml"
    assert secrets_yaml.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "passwords.csv").stat().st_mode & 0o777 == 0o600
    layer = load(secrets_yaml)
    validate(chart_values(load(OUT / "values.yaml"), layer))
    key = layer["hub"]["config"]["HashAuthenticator"]["secret_key"]
    assert layer["hub"]["config"]["Authenticator"]["allowed_users"] == ["student1", "student2", "student3"]
    rows = (tmp_path / "passwords.csv").read_text().splitlines()
    assert rows[1] == f"student1,{classroom.password(key, 'student1')}"
    chart.write_secrets("4", "lecturer", tmp_path)  # a later run: the same key, so the same passwords
    assert load(secrets_yaml)["hub"]["config"]["HashAuthenticator"]["secret_key"] == key
    assert chart.main(["secrets", "--students", "0", "--out", str(tmp_path)]) == 1


def walk(data: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [item for k, v in data.items() for item in walk(v, f"{path}.{k}")]
    if isinstance(data, list):
        return [item for i, v in enumerate(data) for item in walk(v, f"{path}[{i}]")]
    return [(path, data)]


def test_no_secret_in_the_committed_files() -> None:
    secret_words = re.compile(r"secret|token|password|cookie|api_key|private", re.I)
    for name in ("values.yaml", "values.zh.yaml", "lti.yaml", "exchange-pvc.yaml"):
        for path, value in walk(load(OUT / name)):
            key = path.rsplit(".", 1)[-1]
            assert not secret_words.search(key) or key == "password_length", f"{name}: {path}"
            assert not re.fullmatch(r"[0-9a-f]{32,}", str(value)), f"{name}: {path} looks like a key"
    for path in (OUT / "tljh").glob("install*.sh"):
        assert not re.search(r"\b[0-9a-f]{32,}\b", path.read_text()), path


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_values_agree_with_the_local_hub(lang: str) -> None:
    """The same class as `make classroom COURSE_LANG=...`: read from the committed file, against the local hub's
    configuration as tools.classroom.configure makes it."""
    local = chart.local_hub(lang)
    values = load(OUT / ("values.zh.yaml" if lang == "zh" else "values.yaml"))
    hub, user = values["hub"], values["singleuser"]
    # limits
    assert bytes_of(user["memory"]["limit"]) == classroom.MEM_LIMIT == local.Spawner.mem_limit
    assert 1.1e9 < bytes_of(user["memory"]["guarantee"]) < bytes_of(user["memory"]["limit"])  # 1.2 GB, measured
    assert user["cpu"]["limit"] == local.Spawner.cpu_limit
    assert user["extraEnv"]["OMP_NUM_THREADS"] == local.Spawner.environment["OMP_NUM_THREADS"] == "1"
    assert hub["concurrentSpawnLimit"] == local.JupyterHub.concurrent_spawn_limit
    # culling: the chart's culler, the local hub's timeout
    assert values["cull"] == {"enabled": True, "timeout": classroom.IDLE_TIMEOUT}
    culler = next(s for s in local.JupyterHub.services if s["name"] == "idle-culler")
    assert f"--timeout={values['cull']['timeout']}" in culler["command"]
    # authenticator (its secret is not here: test_secrets_file)
    assert hub["config"]["JupyterHub"]["authenticator_class"] == local.JupyterHub.authenticator_class
    assert hub["config"]["HashAuthenticator"] == {"password_length": classroom.PASSWORD_LENGTH}
    assert set(hub["config"]["Authenticator"]["admin_users"]) == local.Authenticator.admin_users
    # language: the checkers' and JupyterLab's
    assert user["extraEnv"]["DILCONV_LANG"] == local.Spawner.environment["DILCONV_LANG"] == lang
    overrides = user["extraFiles"]["lab-overrides"]["data"]
    assert {k: v for k, v in overrides.items() if "translation" not in k} == json.loads(
        (ROOT / "lab" / "overrides.json").read_text()
    )  # the news pop-up off, as the local hub's learners' environment has it
    locale = overrides.get("@jupyterlab/translation-extension:plugin", {}).get("locale")
    assert locale == (chart.ZH_LOCALE if lang == "zh" else None)
    import inspect

    assert f'{{"locale": "{chart.ZH_LOCALE}"}}' in inspect.getsource(classroom.singleuser)
    # what a learner opens, where
    assert user["defaultUrl"] == local.Spawner.default_url
    assert hub["config"]["KubeSpawner"]["notebook_dir"] == local.Spawner.notebook_dir
    # the image: the course's, built by repo2docker into the folder the start hook reads
    assert user["image"] == {"name": chart.IMAGE, "tag": chart.IMAGE_TAG, "pullPolicy": "Always"}
    assert chart.REPO2DOCKER[chart.REPO2DOCKER.index("--target-repo-dir") + 1] == chart.REPO_DIR
    assert f"cd {chart.REPO_DIR} " in user["lifecycleHooks"]["postStart"]["exec"]["command"][-1]


def test_exchange_on_a_shared_volume() -> None:
    values = load(OUT / "values.yaml")
    claim = load(OUT / "exchange-pvc.yaml")
    assert claim["kind"] == "PersistentVolumeClaim" and claim["spec"]["accessModes"] == ["ReadWriteMany"]
    storage = values["singleuser"]["storage"]
    (volume,) = storage["extraVolumes"]
    (mount,) = storage["extraVolumeMounts"]
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"] == mount["name"] == volume["name"]
    for role in ("learner", "lecturer"):
        config = values["singleuser"]["extraFiles"][f"{role}-nbgrader"]["stringData"]
        assert f"{mount['mountPath']}/exchange" in config
        compile(config, f"{role}/nbgrader_config.py", "exec")


def test_role_hook() -> None:
    """The hub's pre-spawn hook gives the lecturer all of nbgrader and a learner the Assignments panel."""
    code = load(OUT / "values.yaml")["hub"]["extraConfig"]["dilconv-role"]
    c = Config()
    exec(compile(code, "extraConfig", "exec"), {"c": c})

    class User:
        def __init__(self, admin: bool) -> None:
            self.admin = admin

    class Spawner:
        def __init__(self, admin: bool) -> None:
            self.user = User(admin)
            self.environment = {"OMP_NUM_THREADS": "1"}

    for admin, role in ((True, "lecturer"), (False, "learner")):
        spawner = Spawner(admin)
        c.KubeSpawner.pre_spawn_hook(spawner)
        assert spawner.environment == {"OMP_NUM_THREADS": "1", "JUPYTER_CONFIG_PATH": f"{chart.CONFIG_DIR}/{role}"}
    files = load(OUT / "values.yaml")["singleuser"]["extraFiles"]
    for role in ("learner", "lecturer"):
        assert {f["mountPath"] for k, f in files.items() if k.startswith(role)} == {
            f"{chart.CONFIG_DIR}/{role}/{name}"
            for name in ("jupyter_server_config.d/dilconv.json", "labconfig/page_config.json", "nbgrader_config.py")
        }


@pytest.mark.skipif(not classroom.is_root(), reason="the local hub writes nbgrader's settings when run as root")
def test_role_settings_are_the_local_hubs(tmp_path: Path) -> None:
    """Each role's Jupyter settings on the cluster are the ones tools.classroom.lab_settings writes for the local
    hub; but the image turns nbgrader off at its own level (.binder/postBuild), so the values turn it on again."""
    classroom.lab_settings(tmp_path, exchange=Path(chart.EXCHANGE_MOUNT) / "exchange")
    files = load(OUT / "values.yaml")["singleuser"]["extraFiles"]
    for role in ("learner", "lecturer"):
        local_dir = tmp_path / "lab" / role
        (server,) = (local_dir / "jupyter_server_config.d").glob("*.json")
        ours = files[f"{role}-jupyter-server-config"]["data"]["ServerApp"]["jpserver_extensions"]
        assert ours == json.loads(server.read_text())["ServerApp"]["jpserver_extensions"]
        page = json.loads((local_dir / "labconfig" / "page_config.json").read_text())
        ours_page = dict(files[f"{role}-labconfig"]["data"]["disabledExtensions"])
        assert ours_page.pop("@jupyter/nbgrader") is False
        assert ours_page == page["disabledExtensions"]
    learner = (tmp_path / "lab" / "learner" / "nbgrader_config.py").read_text()
    assert learner.split("\n", 1)[1] == files["learner-nbgrader"]["stringData"].split("\n", 1)[1]


def test_start_hook_refreshes_the_workspace(tmp_path: Path) -> None:
    """The postStart command, run here with the checkout in the image's place: a first start makes workspace/, a
    later one keeps the learner's edit and puts the new version beside it (tools.workspace's rule)."""
    command = load(OUT / "values.yaml")["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[:2] == ["sh", "-c"]
    script = command[2].replace(f"cd {chart.REPO_DIR} ", f"cd {shlex.quote(str(ROOT))} ")
    env = {**os.environ, "HOME": str(tmp_path), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run(["sh", "-c", script], env=env, check=True, capture_output=True, timeout=120)
    welcome = tmp_path / "workspace" / "00_welcome.ipynb"
    assert welcome.is_file() and (tmp_path / "assignments").is_dir()
    assert "BEGIN SOLUTION" not in "".join(p.read_text() for p in (tmp_path / "workspace").glob("*.ipynb"))
    welcome.write_text(welcome.read_text().replace('"cells": [', '"cells": [\n  ', 1))  # the learner's edit
    edited = welcome.read_text()
    manifest = tmp_path / "workspace" / ".delivered.json"
    delivered = json.loads(manifest.read_text())
    delivered["files"]["00_welcome.ipynb"] = "an older version"  # as if the course changed since
    manifest.write_text(json.dumps(delivered))
    subprocess.run(["sh", "-c", script], env=env, check=True, capture_output=True, timeout=120)
    assert welcome.read_text() == edited
    assert (tmp_path / "workspace" / "00_welcome.new.ipynb").is_file()


# --- The Littlest JupyterHub -----------------------------------------------------------------------------


def tljh_parse_value(text: str) -> Any:
    """tljh-config's reading of a value (tljh/config.py, parse_value, at TLJH_VERSION)."""
    if re.match(r"^\d+$", text):
        return int(text)
    if re.match(r"^\d+\.\d*$", text):
        return float(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def heredoc(script: str, target: str) -> str:
    match = re.search(rf"cat > {re.escape(target)} <<'EOF'\n(.*?)\nEOF\n", script, re.S)
    assert match, target
    return match.group(1)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tljh_recipe(lang: str) -> None:
    path = OUT / "tljh" / ("install.zh.sh" if lang == "zh" else "install.sh")
    script = path.read_text()
    if shutil.which("bash"):
        subprocess.run(["bash", "-n", str(path)], check=True)
    assert f"--version {chart.TLJH_VERSION}" in script
    config: dict[str, Any] = json.loads((OUT / "tljh" / "config_defaults.json").read_text())
    for line in script.splitlines():
        if not line.startswith("tljh-config ") or "$" in line or line == "tljh-config reload":
            continue  # the secret (from a root-only file) and the roster's names are read at run time
        command, key, value = shlex.split(line)[1:]
        *parents, leaf = key.split(".")
        node = config
        for part in parents:
            node = node.setdefault(part, {})
        if command == "set":
            node[leaf] = tljh_parse_value(value)
        else:
            assert command == "add-item"
            node.setdefault(leaf, []).append(tljh_parse_value(value))
    jsonschema.Draft7Validator(json.loads((OUT / "tljh" / "config_schema.json").read_text())).validate(config)
    local = chart.local_hub(lang)
    assert config["auth"]["type"] == local.JupyterHub.authenticator_class
    assert config["auth"]["HashAuthenticator"] == {"password_length": classroom.PASSWORD_LENGTH}
    assert bytes_of(config["limits"]["memory"]) == classroom.MEM_LIMIT
    assert config["limits"]["cpu"] == local.Spawner.cpu_limit
    assert config["services"]["cull"]["enabled"] and config["services"]["cull"]["timeout"] == classroom.IDLE_TIMEOUT
    assert set(config["users"]["admin"]) == local.Authenticator.admin_users
    assert 'tljh-config set auth.HashAuthenticator.secret_key "$(cat /root/dilconv-secret-key)"' in script
    # what tljh-config has no key for: the hub's configuration, run here
    c = Config()
    exec(compile(heredoc(script, "/opt/tljh/config/jupyterhub_config.d/dilconv.py"), "dilconv.py", "exec"), {"c": c})
    assert c.Spawner.environment == {k: local.Spawner.environment[k] for k in ("OMP_NUM_THREADS", "DILCONV_LANG")}
    assert c.Spawner.default_url == local.Spawner.default_url
    assert c.Spawner.cmd[-1] == "jupyterhub-singleuser" and chart.refresh_command(lang) in c.Spawner.cmd[2]
    overrides = json.loads(heredoc(script, "/opt/tljh/user/share/jupyter/lab/settings/overrides.json"))
    assert overrides == chart.lab_overrides(lang)


# --- LTI -------------------------------------------------------------------------------------------------


def test_lti_layer() -> None:
    layer = load(OUT / "lti.yaml")["hub"]["config"]
    assert layer["JupyterHub"]["authenticator_class"] == "ltiauthenticator.lti13.auth.LTI13Authenticator"
    merged = chart_values(load(OUT / "values.yaml"), load(OUT / "lti.yaml"))["hub"]["config"]
    assert "HashAuthenticator" in merged  # left in place, unused: the authenticator class is LTI's


# --- the docs ----------------------------------------------------------------------------------------------


def test_docs_give_the_commands() -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Beyond one machine: Kubernetes") :]
    assert shlex.join([*chart.REPO2DOCKER, "--push", "."]) in section
    assert f"--version {chart.CHART_VERSION}" in section and chart.CHART_REPO in section
    assert "python -m tools.chart secrets" in section
    assert "classroom/tljh/install.sh" in section and "lti.yaml" in section
