"""Every notebook runs top to bottom in JupyterLab, and its widgets render and respond.

The first notebook with an integer slider (an explorer) also gets its slider moved, in the same run; a tiny
notebook of its own checks the same on a plain ``interact``, so the widget front end is exercised even while
no course notebook has a slider.
"""

from __future__ import annotations

import nbformat
import playwright.sync_api  # noqa: F401  (run.sh installs it: a missing one is an error, never a skip)
import pytest

from tests.browser.lab import NOTEBOOK_DIR, move_first_slider, run_notebook, uses_int_slider

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPLORER = next((path.name for path in NOTEBOOKS if uses_int_slider(path)), None)

SLIDER_NOTEBOOK = "_slider_check.ipynb"
SLIDER_SOURCE = """\
import ipywidgets as widgets


@widgets.interact(n=widgets.IntSlider(value=3, min=0, max=10))
def show(n):
    print(f"n = {n}, n squared = {n * n}")"""


def check_slider(page):
    value_before, value_after, outputs_before, outputs_after = move_first_slider(page)
    assert value_after != value_before, "the slider did not move"
    assert outputs_after != outputs_before, "moving the slider left the outputs as they were"
    return outputs_after


@pytest.mark.parametrize("name", [path.name for path in NOTEBOOKS])
def test_notebook_runs_in_lab(page, lab, name):
    report = run_notebook(page, lab, name)
    if report.problems or report.executed != report.code_cells:
        pytest.fail(str(report), pytrace=False)
    if name == EXPLORER:
        check_slider(page)


def test_slider_updates_output(page, lab):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SLIDER_SOURCE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    lab.add_notebook(nb, SLIDER_NOTEBOOK)
    report = run_notebook(page, lab, SLIDER_NOTEBOOK)
    if report.problems or report.widget_views != 1:
        pytest.fail(str(report), pytrace=False)

    outputs = check_slider(page)
    assert "n = 4, n squared = 16" in outputs
