"""constraints.txt, the course's one lock, and the wheel the Colab cell installs.

- Every package pyproject.toml names is pinned, exactly, in constraints.txt, at a version its range admits;
  `make` installs with the lock; CI proves it resolves for Python 3.11 to 3.14 (`make lock-check`).
- The wheel's metadata admits Colab's Python and Colab's own NumPy, torch, matplotlib, ipywidgets and PyYAML: the
  first cell of every notebook installs it with `--no-deps` beside them.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "constraints.txt"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# Colab's runtime as googlecolab/backend-info's pip-freeze.txt and os-info.txt give it on 2026-08-19, just before
# the move to Python 3.13 (googlecolab/colabtools#6081): what the first cell installs the library beside.
COLAB = {
    "python": "3.13.15",
    "numpy": "2.1.3",
    "torch": "2.11.0",
    "matplotlib": "3.10.0",
    "ipywidgets": "7.7.1",
    "pyyaml": "6.0.3",
}
COLAB_PACKAGES = sorted(COLAB.keys() - {"python"})


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for n, line in enumerate(LOCK.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9][A-Za-z0-9.]*)", line)
        assert m, f"constraints.txt, line {n}: {line!r} is not name==version"
        name = canonicalize_name(m[1])
        assert name not in found, f"constraints.txt pins {name} twice"
        found[name] = m[2]
    return found


def requirements() -> list[Requirement]:
    specs = PROJECT["dependencies"] + [s for extra in PROJECT["optional-dependencies"].values() for s in extra]
    return [r for r in map(Requirement, specs) if canonicalize_name(r.name) != canonicalize_name(PROJECT["name"])]


@pytest.mark.parametrize("requirement", requirements(), ids=str)
def test_lock_pins_what_pyproject_names_within_its_range(requirement: Requirement) -> None:
    locked = pins().get(canonicalize_name(requirement.name))
    assert locked, f"{requirement.name} is in pyproject.toml but not pinned in constraints.txt"
    outside = f"constraints.txt's {requirement.name}=={locked} is outside {requirement}"
    assert requirement.specifier.contains(locked), outside


def test_pyproject_says_ranges_and_the_lock_says_versions() -> None:
    for requirement in requirements():
        assert not any(s.operator in ("==", "===", "~=") for s in requirement.specifier), (
            f"pyproject.toml pins {requirement}: exact versions belong in constraints.txt"
        )


def test_make_installs_with_the_lock_and_checks_that_it_resolves() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK := constraints.txt" in makefile
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line and "--dry-run" not in line]
    for line in installs:
        if "--upgrade pip" not in line:
            assert "-c $(LOCK)" in line, line
    # make lock-check: pip resolves the lock, without installing, once for each Python version it names
    recipe = makefile.split("\nlock-check:", 1)[1].split("\n\n", 1)[0]
    assert "$(LOCK)" in recipe and "--dry-run" in recipe and "--python-version $$v.0" in recipe


def test_the_browser_tests_take_playwright_from_the_lock() -> None:
    run = (ROOT / "tests" / "browser" / "run.sh").read_text()
    assert "PLAYWRIGHT_VERSION" not in run
    assert "-c constraints.txt" in run and "pins()" not in run
    assert "playwright" in pins()


def colab_cell() -> str:
    return nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4).cells[0].source


@pytest.fixture(scope="module")
def metadata(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The METADATA of the wheel `pip wheel` builds from the course (what Colab's `pip install git+...` builds)."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("dilconv_lib-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        message = Parser().parsestr(archive.read(name).decode())
        files = archive.namelist()
    fields: dict[str, list[str]] = {key: message.get_all(key) or [] for key in set(message.keys())}
    fields["files"] = files
    return fields


def test_the_colab_cell_installs_the_course_without_its_dependencies() -> None:
    cell = colab_cell()
    assert '"google.colab" in sys.modules' in cell
    assert '"--no-deps"' in cell and "git+https://github.com/dilconv-course/dilconv-course" in cell


def test_wheel_admits_colabs_python(metadata: dict[str, list[str]]) -> None:
    (requires_python,) = metadata["Requires-Python"]
    for python in ["3.11", "3.12", "3.13", COLAB["python"], "3.14"]:
        assert SpecifierSet(requires_python).contains(python), f"Requires-Python {requires_python} refuses {python}"


def test_wheel_admits_colabs_own_packages(metadata: dict[str, list[str]]) -> None:
    requires = {canonicalize_name(r.name): r for r in map(Requirement, metadata["Requires-Dist"]) if r.marker is None}
    assert sorted(requires) == COLAB_PACKAGES
    for name, requirement in requires.items():
        assert requirement.specifier.contains(COLAB[name]), f"{requirement} refuses Colab's {name} {COLAB[name]}"
        assert requirement.specifier.contains(pins()[name])  # and the lock's


def test_wheel_is_the_library_with_its_licences(metadata: dict[str, list[str]]) -> None:
    assert metadata["License-Expression"] == ["MIT AND CC-BY-SA-4.0"]
    assert {f.rsplit("/", 1)[-1] for f in metadata["files"] if "/licenses/" in f} == {"LICENSE", "LICENSE-CC-BY-SA-4.0"}
    packages = {f.split("/")[0] for f in metadata["files"] if not f.split("/")[0].endswith(".dist-info")}
    assert packages == {"dilconv_lib"}, "tools/ and tests/ stay out of the wheel"


def test_colab_versions_are_not_newer_than_the_lock() -> None:
    """The ranges' lower ends matter: Colab's versions are older than the lock's."""
    for name in COLAB_PACKAGES:
        assert Version(COLAB[name]) <= Version(pins()[name])
