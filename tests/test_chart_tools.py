"""The classroom's Kubernetes and LMS settings against the real tools (``make test-classroom``, which installs the
classroom extra; ``tests/test_chart.py`` checks all that parsing can without them): the LTI layer's keys are traits
of jupyterhub-ltiauthenticator, and repo2docker writes the course image's Dockerfile from ``.binder/``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from ltiauthenticator.lti13.auth import LTI13Authenticator
from repo2docker.__main__ import main as _repo2docker_main  # noqa: F401  (installed: a missing one fails here)

from tools import chart

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "classroom"


def test_lti_layer_names_real_traits() -> None:
    layer = yaml.safe_load((OUT / "lti.yaml").read_text(encoding="utf-8"))["hub"]["config"]
    traits = LTI13Authenticator.class_trait_names(config=True)
    assert set(layer["LTI13Authenticator"]) <= set(traits)
    assert set(layer["Authenticator"]) <= set(traits)


def test_repo2docker_writes_the_dockerfile() -> None:
    repo2docker = str(Path(sys.executable).with_name("repo2docker"))  # the environment's, as pip installed it
    command = [repo2docker, *chart.REPO2DOCKER[1:], "--no-build", "--debug", "."]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    dockerfile = done.stdout
    assert "\nFROM " in dockerfile
    assert ".binder/environment.yml" in dockerfile and "./.binder/postBuild" in dockerfile
    # the repository goes to REPO_DIR (the build argument --target-repo-dir sets), not to $HOME, the home volume
    assert "ARG REPO_DIR=" in dockerfile and "src/ ${REPO_DIR}/" in dockerfile
