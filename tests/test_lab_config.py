"""JupyterLab as the course ships it (lab/): no news pop-up for anyone, no nbgrader authoring tools for a learner."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "lab"
SHARE = Path(sys.prefix) / "share" / "jupyter"


def test_news_and_update_checks_are_off_and_valid_settings() -> None:
    overrides = json.loads((LAB / "overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    # the keys and values are the ones JupyterLab's own schema declares (a typo would be ignored silently)
    schema = json.loads((SHARE / "lab/schemas/@jupyterlab/apputils-extension/notification.json").read_text())
    assert set(notification) <= set(schema["properties"])
    assert {"const": "false", "title": "Never"} in schema["properties"]["fetchNews"]["oneOf"]


def test_make_install_puts_the_overrides_where_jupyterlab_reads_them() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "cp lab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json" in makefile
    installed = SHARE / "lab/settings/overrides.json"
    assert installed.read_text() == (LAB / "overrides.json").read_text(), "make install: overrides.json out of date"


def test_the_learners_lab_has_no_nbgrader() -> None:
    page = json.loads((LAB / "student/labconfig/page_config.json").read_text())
    assert page["disabledExtensions"] == {"@jupyter/nbgrader": True}
    off = json.loads((LAB / "student/jupyter_server_config.d/course-student.json").read_text())
    # every server extension nbgrader enables when installed is switched off again
    installed = json.loads((Path(sys.prefix) / "etc/jupyter/jupyter_server_config.d/nbgrader.json").read_text())
    enabled = {name for name, on in installed["ServerApp"]["jpserver_extensions"].items() if on}
    assert off["ServerApp"]["jpserver_extensions"] == dict.fromkeys(enabled, False)


def test_every_student_lab_uses_the_learners_config_and_instructors_do_not() -> None:
    makefile = (ROOT / "Makefile").read_text()
    lab_rule = makefile[makefile.index("\nlab: install") : makefile.index("\ntest: install")]
    starts = [line.strip() for line in lab_rule.splitlines() if "$(LAB)" in line]
    assert len(starts) == 4
    for line in starts:
        assert ("$(STUDENT_LAB)" in line) == ("workspace" in line), line
    assert "LAB_IP ?= 127.0.0.1" in makefile
