"""The checks themselves: broken notebooks must be reported, and a cell tagged raises-exception must not.

Run All stops at the first error; the course's run goes on past every error until each cell has run.
"""

from __future__ import annotations

import nbformat
import playwright.sync_api  # noqa: F401  (run.sh installs it: a missing one is an error, never a skip)

from tests.browser.lab import run_notebook
from tests.browser.learner import unchecked_exercises, unexpected_failures, untold_failures
from tools.editions import student_notebook

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = KERNELSPEC
    return nb


def code(source: str, *tags: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})


def test_reports_raising_cell(page, lab):
    lab.add_notebook(
        notebook(
            code("print('fine')"),
            code("raise ValueError('meant to raise')", "raises-exception"),
            code("import sys\nprint('a warning, not an error', file=sys.stderr)"),
            # JupyterLab shows "[ ]" on queued cells once one has failed, tagged or not: the run must still
            # be followed to its end.
            code("import time\ntime.sleep(1)\nprint('slow, and fine')"),
            code("1 / 0"),
            code("print('never reached')"),
        ),
        "_broken_raises.ipynb",
    )
    report = run_notebook(page, lab, "_broken_raises.ipynb", every_cell=False)  # Run All alone
    print(report)

    assert len(report.errors) == 1, str(report)
    assert report.errors[0].startswith("cell 5 ") and "ZeroDivisionError" in report.errors[0]
    assert report.unexecuted == ["cell 6 (\"print('never reached')\"): not executed"]
    assert report.executed == 5
    assert not report.widget_problems


def test_runs_every_cell_past_each_error(page, lab):
    lab.add_notebook(
        notebook(
            code("print('fine')"),
            code("raise NotImplementedError('Exercise: write the body of f')"),
            code("print('after the first error')"),
            code("raise ValueError('meant to raise')", "raises-exception"),
            code("undefined_name"),
            code(""),  # JupyterLab sends no empty cell to the kernel
            code("import time\ntime.sleep(1)\nprint('after the second error')"),
        ),
        "_broken_twice.ipynb",
    )
    report = run_notebook(page, lab, "_broken_twice.ipynb")
    print(report)

    assert [e.split(" ")[1] for e in report.errors] == ["2", "5"], str(report)
    assert "NotImplementedError: Exercise" in report.errors[0] and "NameError" in report.errors[1]
    assert not report.unexecuted and report.executed == report.code_cells == 6, str(report)
    printed = ["".join(o.get("text", "") for o in cell.outputs) for cell in report.notebook.cells]
    assert printed[2] == "after the first error\n" and printed[6] == "after the second error\n"


def test_learner_checks_flag_what_the_student_edition_does_wrong(page, lab):
    teacher = notebook(
        code("def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION"),
        code("assert f(1) == 2"),  # its check: fails with the stub's own words
        code("1 / 0"),  # fails, but is no exercise and uses none
        code("[f][0] + 1"),  # uses the exercise, and fails without saying which one
        code("def h():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),  # nothing calls it
        code("print('end')"),
    )
    lab.add_notebook(student_notebook(teacher), "_learner.ipynb")
    report = run_notebook(page, lab, "_learner.ipynb")
    print(report)

    assert report.executed == report.code_cells == 6, str(report)
    assert unexpected_failures(report.notebook, teacher) == [
        "cell 2 fails but is no exercise and uses none: ZeroDivisionError: division by zero"
    ]
    assert [p.split(":")[0] for p in untold_failures(report.notebook, teacher)] == ["cell 2", "cell 3"]
    assert unchecked_exercises(report.notebook) == ["nothing checks the exercise (Exercise: write the body of h)"]


def test_reports_unrenderable_widgets(page, lab):
    lab.add_notebook(
        notebook(
            code("import ipywidgets as widgets\nfrom traitlets import Unicode\nwidgets.IntSlider(value=1)"),
            # A model the front end does not know.
            code(
                "class UnknownModel(widgets.DOMWidget):\n"
                "    _model_name = Unicode('NoSuchModel').tag(sync=True)\n"
                "    _model_module = Unicode('no-such-widget-module').tag(sync=True)\n"
                "    _view_name = Unicode('NoSuchView').tag(sync=True)\n"
                "    _view_module = Unicode('no-such-widget-module').tag(sync=True)\n\n\n"
                "UnknownModel()"
            ),
            # A known model whose view does not exist.
            code(
                "class UnknownView(widgets.DOMWidget):\n"
                "    _view_name = Unicode('NoSuchView').tag(sync=True)\n\n\n"
                "UnknownView()"
            ),
            # A view of a model that the kernel never created.
            code(
                "from IPython.display import display\n\n"
                "view = {'model_id': 'no-such-model-id', 'version_major': 2, 'version_minor': 0}\n"
                "display({'application/vnd.jupyter.widget-view+json': view, 'text/plain': 'a widget'}, raw=True)"
            ),
            code("widgets.Button(description='fine')"),
        ),
        "_broken_widgets.ipynb",
    )
    report = run_notebook(page, lab, "_broken_widgets.ipynb")
    print(report)

    assert not report.errors and not report.unexecuted, str(report)
    assert report.widget_outputs == 5
    assert report.widget_views == 2, str(report)
    failed_cells = {problem.split(" ")[1] for problem in report.widget_problems}
    assert failed_cells == {"2", "3", "4"}, str(report)
