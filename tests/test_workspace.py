"""The learner's own copy, workspace/ (tools/workspace.py, `make lab`): nothing the course does ever loses a
learner's work. Each test works on a copy of the course's make files, tools and notebooks in a temporary folder.

`make lab`'s set-up step runs once as make runs it, in a fresh process (:func:`delivered`); the tests that
go on from there copy that course and run the same step, ``python -m tools.workspace``, in this process
(:func:`set_up`). The make targets (student, clean, distclean) run through make, since what they do to
``workspace/`` is the point.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import editions, manifest
from tools.editions import BEGIN, notebook_paths
from tools.workspace import main as workspace_main
from tools.workspace import sync

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = notebook_paths(ROOT / "notebooks")
EXERCISE = "01_by_hand.ipynb"
ANSWER = "    return 42  # my own answer"


def copy_course(to: Path) -> Path:
    """A copy of what `make lab`, `make student` and `make clean` use."""
    for name in ["Makefile", "pyproject.toml", "constraints.txt"]:
        shutil.copy(ROOT / name, to / name)
    shutil.copytree(ROOT / "tools", to / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", to / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return to


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the course after `make lab`'s set-up step ran once, as make runs it; and what it said."""
    course = copy_course(tmp_path_factory.mktemp("delivered"))
    done = subprocess.run(
        [sys.executable, "-m", "tools.workspace"], cwd=course, capture_output=True, text=True, check=True
    )
    return course, done.stdout


@pytest.fixture
def course(delivered: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the delivered course, of this test's own, and the working directory."""
    shutil.copytree(delivered[0], tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def set_up() -> str:
    """`make lab`'s set-up step, ``python -m tools.workspace`` in the course's folder, in this process."""
    return "".join(f"{line}\n" for line in workspace_main([]))


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


def test_first_run_makes_the_student_edition(delivered: tuple[Path, str]) -> None:
    course, said = delivered
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
    before = {p.name: p.read_bytes() for p in (course / "workspace").iterdir()}
    assert set_up() == ""
    assert {p.name: p.read_bytes() for p in (course / "workspace").iterdir()} == before


def test_missing_notebooks_are_added(course: Path) -> None:
    (course / "workspace" / "05_gridding.ipynb").unlink()
    mine = answer(course / "workspace" / EXERCISE)
    assert set_up() == "workspace: added 05_gridding.ipynb.\n"
    assert (course / "workspace" / "05_gridding.ipynb").is_file()
    assert (course / "workspace" / EXERCISE).read_bytes() == mine


def test_a_learners_edit_survives_everything(course: Path) -> None:
    """The set-up step, `make student`, `make clean` and an upstream change to the same notebook."""
    mine = answer(course / "workspace" / EXERCISE)
    mine_too = course / "workspace" / "my_notes.ipynb"
    mine_too.write_text("{}")

    assert set_up() == ""  # the set-up step again: nothing to do
    make(course, "student")
    assert (course / "build" / "student" / EXERCISE).is_file()
    make(course, "clean")
    assert not (course / "build").exists()

    change_upstream(course)
    said = set_up().splitlines()
    assert said == [
        f"workspace/{EXERCISE}: the course's version changed; the new one is beside yours as "
        f"{EXERCISE.replace('.ipynb', '.new.ipynb')} (yours is untouched)."
    ]
    new = course / "workspace" / EXERCISE.replace(".ipynb", ".new.ipynb")
    assert "A paragraph added upstream." in new.read_text() and ANSWER not in new.read_text()
    assert set_up() == ""  # delivered once, not on every run
    assert len(list((course / "workspace").glob("*.new*.ipynb"))) == 1

    make(course, "distclean", venv=str(course / "no-venv"))  # with a stand-in, not the running environment
    assert (course / "workspace" / EXERCISE).read_bytes() == mine
    assert mine_too.read_text() == "{}"


def test_an_untouched_copy_is_not_overwritten_either(course: Path) -> None:
    """An upstream change never replaces a file, even one the learner never opened: it lands beside it."""
    before = (course / "workspace" / "00_welcome.ipynb").read_bytes()
    change_upstream(course, "00_welcome.ipynb")
    assert "00_welcome.new.ipynb" in set_up()
    assert (course / "workspace" / "00_welcome.ipynb").read_bytes() == before
    change_upstream(course, "00_welcome.ipynb")  # and again: a second new version, beside the first
    assert "00_welcome.new-2.ipynb" in set_up()


def test_make_student_refuses_to_replace_a_changed_notebook(course: Path) -> None:
    editions.main(["student"])  # what `make student` runs, here in this process: the second run is the test
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


def test_the_workspace_is_never_the_notebooks_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="notebooks' own folder"):
        sync(tmp_path / "notebooks", tmp_path / "notebooks")


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
