"""The learner's own copy, workspace/ (tools/workspace.py, `make lab`): nothing the course does ever loses a
learner's work. Each test works on a copy of the course's make files, tools and notebooks in a temporary folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import manifest
from tools.editions import BEGIN, notebook_paths
from tools.workspace import sync

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = notebook_paths(ROOT / "notebooks")
EXERCISE = "01_by_hand.ipynb"
ANSWER = "    return 42  # my own answer"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of what `make lab`, `make student` and `make clean` use."""
    for name in ["Makefile", "pyproject.toml", "constraints.txt"]:
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return tmp_path


def set_up(course: Path) -> str:
    """`make lab`'s set-up step, as make runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "tools.workspace"], cwd=course, capture_output=True, text=True, check=True
    )
    return done.stdout


def make(course: Path, *targets: str, venv: str = sys.prefix) -> str:
    """A make target, with the running interpreter's environment as the course's (nothing is installed)."""
    done = subprocess.run(
        ["make", "--no-print-directory", "-o", "install", *targets, f"VENV={venv}"],
        cwd=course,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def answer(path: Path) -> bytes:
    """A learner's edit: the first stub of ``path`` answered. Returns the file's new bytes."""
    text = path.read_text()
    assert "# Your code here" in text
    path.write_text(text.replace("    # Your code here\\n", f"{ANSWER}\\n", 1))
    assert ANSWER in path.read_text()
    return path.read_bytes()


def change_upstream(course: Path, name: str = EXERCISE) -> None:
    """A new version of a notebook in the course: one more markdown cell at the end."""
    path = course / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A paragraph added upstream."))
    nbformat.write(nb, path)


def test_first_run_makes_the_student_edition(course: Path) -> None:
    said = set_up(course)
    workspace = course / "workspace"
    first = f"workspace: your copy of the course ({len(NOTEBOOKS)} notebooks, the solutions left out)."
    assert said.splitlines() == [first]
    assert sorted(p.name for p in workspace.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    for path in workspace.glob("*.ipynb"):
        lines = [line.strip() for c in nbformat.read(path, as_version=4).cells for line in c.source.splitlines()]
        assert BEGIN not in lines, f"{path.name} holds a solution"
    assert manifest.learners(workspace) == []
    assert set(json.loads((workspace / manifest.MANIFEST).read_text())["files"]) == {p.name for p in NOTEBOOKS}


def test_an_unchanged_course_adds_nothing(course: Path) -> None:
    set_up(course)
    before = {p.name: p.read_bytes() for p in (course / "workspace").iterdir()}
    assert set_up(course) == ""
    assert {p.name: p.read_bytes() for p in (course / "workspace").iterdir()} == before


def test_missing_notebooks_are_added(course: Path) -> None:
    set_up(course)
    (course / "workspace" / "05_gridding.ipynb").unlink()
    mine = answer(course / "workspace" / EXERCISE)
    assert set_up(course) == "workspace: added 05_gridding.ipynb.\n"
    assert (course / "workspace" / "05_gridding.ipynb").is_file()
    assert (course / "workspace" / EXERCISE).read_bytes() == mine


def test_a_learners_edit_survives_everything(course: Path) -> None:
    """The set-up step, `make student`, `make clean` and an upstream change to the same notebook."""
    set_up(course)
    mine = answer(course / "workspace" / EXERCISE)
    mine_too = course / "workspace" / "my_notes.ipynb"
    mine_too.write_text("{}")

    assert set_up(course) == ""  # the set-up step again: nothing to do
    make(course, "student")
    assert (course / "build" / "student" / EXERCISE).is_file()
    make(course, "clean")
    assert not (course / "build").exists()

    change_upstream(course)
    said = set_up(course).splitlines()
    assert said == [
        f"workspace/{EXERCISE}: the course's version changed; the new one is beside yours as "
        f"{EXERCISE.replace('.ipynb', '.new.ipynb')} (yours is untouched)."
    ]
    new = course / "workspace" / EXERCISE.replace(".ipynb", ".new.ipynb")
    assert "A paragraph added upstream." in new.read_text() and ANSWER not in new.read_text()
    assert set_up(course) == ""  # delivered once, not on every run
    assert len(list((course / "workspace").glob("*.new*.ipynb"))) == 1

    make(course, "distclean", venv=str(course / "no-venv"))  # with a stand-in, not the running environment
    assert (course / "workspace" / EXERCISE).read_bytes() == mine
    assert mine_too.read_text() == "{}"


def test_an_untouched_copy_is_not_overwritten_either(course: Path) -> None:
    """An upstream change never replaces a file, even one the learner never opened: it lands beside it."""
    set_up(course)
    before = (course / "workspace" / "00_welcome.ipynb").read_bytes()
    change_upstream(course, "00_welcome.ipynb")
    assert "00_welcome.new.ipynb" in set_up(course)
    assert (course / "workspace" / "00_welcome.ipynb").read_bytes() == before
    change_upstream(course, "00_welcome.ipynb")  # and again: a second new version, beside the first
    assert "00_welcome.new-2.ipynb" in set_up(course)


def test_make_student_refuses_to_replace_a_changed_notebook(course: Path) -> None:
    make(course, "student")
    mine = answer(course / "build" / "student" / EXERCISE)
    done = subprocess.run(
        ["make", "-o", "install", "student", f"VENV={sys.prefix}"], cwd=course, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert f"{EXERCISE}. Nothing was written" in done.stderr
    assert (course / "build" / "student" / EXERCISE).read_bytes() == mine
    said = make(course, "clean")  # keeps it, and says so
    assert f"kept build/student/{EXERCISE}" in said
    assert (course / "build" / "student" / EXERCISE).read_bytes() == mine
    assert not (course / "build" / "student" / "00_welcome.ipynb").exists()  # what was as built goes


def test_workspace_is_ignored_by_git_and_the_linters() -> None:
    assert "workspace/" in (ROOT / ".gitignore").read_text().splitlines()
    assert '"workspace"' in (ROOT / "pyproject.toml").read_text()  # ruff's extend-exclude


def test_the_workspace_is_never_the_notebooks_folder(course: Path) -> None:
    with pytest.raises(ValueError, match="notebooks' own folder"):
        sync(course / "notebooks", course / "notebooks")


def test_clean_keeps_a_changed_notebook_of_the_chinese_student_edition(tmp_path: Path) -> None:
    """build/zh/student is handed out like build/student: a notebook answered there survives `make clean`."""
    student = tmp_path / "build" / "zh" / "student"
    student.mkdir(parents=True)
    (student / "01_by_hand.ipynb").write_text("as built")
    (student / "02_vectorized.ipynb").write_text("as built")
    manifest.save(
        student, {name: manifest.digest(student / name) for name in ("01_by_hand.ipynb", "02_vectorized.ipynb")}
    )
    (student / "01_by_hand.ipynb").write_text("my answers")
    (tmp_path / "build" / "zh" / "html").mkdir()
    (tmp_path / "build" / "zh" / "html" / "index.html").write_text("built")
    kept = manifest.clean(tmp_path / "build")
    assert kept == [student / "01_by_hand.ipynb"]
    assert (student / "01_by_hand.ipynb").read_text() == "my answers"
    assert not (student / "02_vectorized.ipynb").exists() and not (tmp_path / "build" / "zh" / "html").exists()
