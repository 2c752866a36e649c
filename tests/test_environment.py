"""environment.yml (conda, Binder) and pyproject.toml (pip, the Makefile) name the same pinned packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_TO_PIP = {"pytorch": "torch"}  # conda-forge's name for torch


def pip_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [s for extra in project["optional-dependencies"].values() for s in extra]
    pins = {}
    for spec in specs:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)~=(\d+)\.(\d+)\.\d+", spec)
        assert m, f"pyproject.toml: {spec!r} is not pinned to a minor version as name~=X.Y.Z"
        pins[m[1].lower()] = f"{m[2]}.{m[3]}"
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=")
            pins[CONDA_TO_PIP.get(name, name)] = version
    return pins


def test_environment_yml_mirrors_pyproject() -> None:
    conda = conda_pins()
    assert conda.pop("python") == "3.11"
    assert conda == pip_pins()


def test_environment_yml_uses_conda_forge_only() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge", "nodefaults"]
    assert {"pip": ["-e ."]} in env["dependencies"]


def test_python_version_agrees() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.12"


def test_binder_environment_is_the_course_environment_without_the_editable_install() -> None:
    """Binder builds the environment before it copies the course, so `.binder/postBuild` installs the library."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    binder = yaml.safe_load((ROOT / ".binder" / "environment.yml").read_text())
    env["dependencies"].remove({"pip": ["-e ."]})
    assert binder == env
    post_build = (ROOT / ".binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build
