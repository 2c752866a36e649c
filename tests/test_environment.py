"""environment.yml (conda, Binder), pyproject.toml (what the library needs) and constraints.txt (the exact
versions `make` installs) agree: conda gets the lock's minor version of every package pyproject names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
# conda-forge's names for the pip packages, where they differ: the CPU-friendly, Qt-free and pandoc-free builds
CONDA_TO_PIP = {"pytorch": "torch", "matplotlib-base": "matplotlib", "nbconvert-core": "nbconvert"}
# the browser extra (tests/browser/run.sh installs it, with Debian's chromium); JupyterLab's Chinese language pack,
# which environment.yml installs with pip; the classroom's authenticator, likewise
NOT_IN_CONDA = {
    "playwright",
    "jupyterlab-language-pack-zh-cn",
    "jupyterhub-hashauthenticator",
    "jupyter-repo2docker",
    "jupyterhub-ltiauthenticator",
}


def named_in_pyproject() -> set[str]:
    """Every package pyproject.toml's dependencies and extras name (the course's own extras aside)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [s for extra in project["optional-dependencies"].values() for s in extra]
    names = {canonicalize_name(Requirement(spec).name) for spec in specs}
    return names - {canonicalize_name(project["name"])} - NOT_IN_CONDA


def locked_minor() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if m := re.fullmatch(r"([A-Za-z0-9_.-]+)==(\d+)\.(\d+)(?:\.\S+)?", line.strip()):
            pins[canonicalize_name(m[1])] = f"{m[2]}.{m[3]}"
    return pins


def conda_specs(path: Path) -> dict[str, tuple[str, str | None]]:
    """name -> (version, build) of each conda dependency of ``path``, under its pip name."""
    specs = {}
    for dep in yaml.safe_load(path.read_text())["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version, *build = dep.split("=")
            specs[canonicalize_name(CONDA_TO_PIP.get(name, name))] = (version, build[0] if build else None)
    return specs


def test_environment_yml_pins_what_pyproject_names_at_the_locked_minor_version() -> None:
    conda = conda_specs(ROOT / "environment.yml")
    assert conda.pop("python") == ("3.11", None)
    lock = locked_minor()
    assert set(conda) == named_in_pyproject()
    for name, (version, _) in conda.items():
        assert version == lock[name], f"environment.yml has {name}={version}, constraints.txt {lock[name]}"


def test_environment_yml_is_for_a_laptop() -> None:
    """The CPU build of PyTorch, matplotlib without Qt, nbconvert without pandoc, conda-forge only."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge", "nodefaults"]
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    assert conda_specs(ROOT / "environment.yml")["torch"][1] == "cpu*"
    assert "matplotlib-base" in {d.split("=")[0] for d in deps} and "matplotlib" not in {d.split("=")[0] for d in deps}
    assert "nbconvert-core" in {d.split("=")[0] for d in deps} and "nbconvert" not in {d.split("=")[0] for d in deps}
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip[0] == "-e ."
    lock = (ROOT / "constraints.txt").read_text().splitlines()
    for spec in pip[1:]:  # each at its version in the lock
        assert spec.removeprefix("--no-deps ") in lock, spec


def test_python_versions_agree() -> None:
    """pyproject admits 3.11 to 3.14 (and later); the Makefile looks for them, newest first; conda has CI's 3.11."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK_PYTHONS := 3.14 3.13 3.12 3.11" in makefile
    assert "(3, 11) <= sys.version_info[:2] <= (3, 14)" in makefile
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    jobs = workflow["jobs"]
    # the full check on the oldest and the newest Python; a smoke test on the others, and on macOS and Windows
    assert jobs["full"]["strategy"]["matrix"]["python-version"] == ["3.11", "3.14"]
    assert any("bash .ci/run" in step.get("run", "") for step in jobs["full"]["steps"])
    smoke = jobs["smoke"]["strategy"]["matrix"]["include"]
    assert {m["python-version"] for m in smoke} == {"3.12", "3.13"}
    assert {m["os"] for m in smoke} == {"ubuntu-latest", "macos-latest", "windows-latest"}
    runs = [step.get("run", "") for step in jobs["smoke"]["steps"]]
    assert any("make install" in r for r in runs) and "make unit" in runs
    assert any(r.startswith("make nbval NOTEBOOKS=notebooks/") for r in runs)


def test_binder_environment_is_the_course_environment_without_the_editable_install() -> None:
    """Binder builds the environment before it copies the course, so `.binder/postBuild` installs the library,
    then makes workspace/, which the Binder badge opens."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    binder = yaml.safe_load((ROOT / ".binder" / "environment.yml").read_text())
    next(d for d in env["dependencies"] if isinstance(d, dict))["pip"].remove("-e .")
    assert binder == env
    post_build = (ROOT / ".binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build
    assert "python -m tools.workspace" in post_build
    assert "cp lab/overrides.json" in post_build
    assert "labextension disable --level=sys_prefix @jupyter/nbgrader" in post_build
    readme = (ROOT / "README.md").read_text()
    assert "labpath=workspace%2F00_welcome.ipynb" in readme
