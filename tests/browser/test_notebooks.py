"""The learner's edition of every notebook runs top to bottom in JupyterLab, as ``make lab`` gives it.

Each student notebook runs once, every cell of it (on past the exercises, which fail until the learner does
them), and its widgets render and respond. The copy the lab saved is then checked for what the learner is told
(``tests/browser/learner.py``): cells fail only in the exercises and in the cells that check or use them, every
failure says which exercise to do, and every exercise is checked.

The first notebook with an integer slider (an explorer) also gets its slider moved, in the same run; a tiny
notebook of its own checks the same on a plain ``interact``, so the widget front end is exercised even while
no course notebook has a slider.
"""

from __future__ import annotations

import nbformat
import playwright.sync_api  # noqa: F401  (run.sh installs it: a missing one is an error, never a skip)
import pytest
from nbformat import NotebookNode

from tests.browser.lab import NOTEBOOK_DIR, NotebookReport, move_first_slider, run_notebook, uses_int_slider
from tests.browser.learner import hints, unchecked_exercises, unexpected_failures, untold_failures
from tools.editions import BEGIN

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
NAMES = [path.name for path in NOTEBOOKS]
EXPLORER = next((path.name for path in NOTEBOOKS if uses_int_slider(path)), None)

SLIDER_NOTEBOOK = "_slider_check.ipynb"
SLIDER_SOURCE = """\
import ipywidgets as widgets


@widgets.interact(n=widgets.IntSlider(value=3, min=0, max=10))
def show(n):
    print(f"n = {n}, n squared = {n * n}")"""


@pytest.fixture(scope="session")
def runs() -> dict[str, NotebookReport | Exception]:
    """Each notebook's run in the lab, by name: its report, or what stopped it. One run a notebook."""
    return {}


def run_once(page, lab, runs: dict, name: str) -> NotebookReport:
    try:
        runs[name] = run_notebook(page, lab, name)
    except Exception as exc:
        runs[name] = exc
        raise
    return runs[name]


def executed(request: pytest.FixtureRequest, runs: dict, name: str) -> NotebookNode:
    """The student notebook ``name`` as the lab saved it after its run; run now if no test has run it yet."""
    if name not in runs:
        run_once(request.getfixturevalue("page"), request.getfixturevalue("lab"), runs, name)
    result = runs[name]
    if isinstance(result, Exception):
        pytest.fail(f"{name} did not run in JupyterLab: {type(result).__name__}: {result}", pytrace=False)
    return result.notebook


def teacher(name: str) -> NotebookNode:
    """The instructor edition of ``name``, whose student edition the lab ran."""
    return nbformat.read(NOTEBOOK_DIR / name, as_version=4)


def check_slider(page):
    value_before, value_after, outputs_before, outputs_after = move_first_slider(page)
    assert value_after != value_before, "the slider did not move"
    assert outputs_after != outputs_before, "moving the slider left the outputs as they were"
    return outputs_after


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_in_lab(page, lab, runs, name):
    """Every cell ran and every widget rendered; the errors are the exercises', judged by the tests below."""
    report = run_once(page, lab, runs, name)
    problems = report.unexecuted + report.widget_problems
    if problems or report.executed != report.code_cells:
        pytest.fail(str(report), pytrace=False)
    if name == EXPLORER:
        check_slider(page)


@pytest.mark.parametrize("name", NAMES)
def test_student_edition_fails_only_in_exercises_and_their_checks(request, runs, name):
    problems = unexpected_failures(executed(request, runs, name), teacher(name))
    assert not problems, f"{name}: " + "\n".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_every_failure_tells_the_learner_what_to_do(request, runs, name):
    problems = untold_failures(executed(request, runs, name), teacher(name))
    assert not problems, f"{name}: " + "\n".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_is_checked(request, runs, name):
    """Each stub makes some cell fail: the learner is told, not left with an unchecked answer."""
    nb = executed(request, runs, name)
    if any(BEGIN in cell.source for cell in teacher(name).cells):
        assert hints(nb), f"{name}: the lab ran no stub, so not the student edition"
    problems = unchecked_exercises(nb)
    assert not problems, f"{name}: " + "\n".join(problems)


def test_slider_updates_output(page, lab):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SLIDER_SOURCE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    lab.add_notebook(nb, SLIDER_NOTEBOOK)
    report = run_notebook(page, lab, SLIDER_NOTEBOOK)
    if report.problems or report.widget_views != 1:
        pytest.fail(str(report), pytrace=False)

    outputs = check_slider(page)
    assert "n = 4, n squared = 16" in outputs
