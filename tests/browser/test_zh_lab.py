"""The Chinese edition in JupyterLab, as ``make lab COURSE_LANG=zh`` gives it to a learner: a short smoke.

JupyterLab's menus are in Chinese (its language pack), and the Chinese student notebook 01 runs its first cells,
up to and including its first figure, without an error: the figure is shown and the outputs are in Chinese.
Only those cells: every Chinese notebook is executed whole once by ``make zh`` (and checked from that run by
``make test-zh``); running them all here again would execute each a fourth time in ``.ci/run``.
"""

from __future__ import annotations

import re

import nbformat
import playwright.sync_api  # noqa: F401  (run.sh installs it: a missing one is an error, never a skip)
import pytest

from tests.browser.lab import PANEL, REPO_ROOT, ZH_LAB_SETTINGS, JupyterLab, menu_bar_labels, run_notebook
from tools.i18n import build

pytestmark = pytest.mark.zh

NOTEBOOK = "01_by_hand.ipynb"
CJK = re.compile(r"[\u4e00-\u9fff]")

# Per cell of the open notebook: the text of its outputs, and how many images in them have loaded.
JS_OUTPUTS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell'))
    .map(cell => {
        const area = cell.querySelector('.jp-Cell-outputArea');
        return {text: area ? area.innerText : '',
                images: area ? Array.from(area.querySelectorAll('img')).filter(i => i.naturalWidth > 0).length : 0};
    })"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab in Chinese, its ``workspace-zh/`` the Chinese student edition, as `make lab COURSE_LANG=zh`.

    The Chinese notebooks are built as that rule builds them (``python -m tools.i18n build --lang zh``), and
    ``workspace-zh/`` is made from them by ``tools.workspace``; the settings folder is a copy of the Makefile's
    ``$(ZH_SETTINGS)`` (JupyterLab's locale ``zh_CN``).
    """
    base = tmp_path_factory.mktemp("jupyterlab-zh")
    try:
        build("zh", base / "zh-notebooks")
    except SystemExit as exc:  # untranslated cells: the Chinese edition cannot be built
        pytest.fail(str(exc), pytrace=False)
    server = JupyterLab(base, notebooks=base / "zh-notebooks", folder="workspace-zh", settings=ZH_LAB_SETTINGS)
    server.start()
    yield server
    server.stop()


def first_figure(name: str) -> str:
    """The id of the first cell whose stored English output is an image (a figure)."""
    nb = nbformat.read(REPO_ROOT / "notebooks" / name, as_version=4)
    return next(
        cell.id
        for cell in nb.cells
        if cell.cell_type == "code" and any("image/png" in o.get("data", {}) for o in cell.outputs)
    )


def test_menus_are_in_chinese(page, lab):
    page.goto(f"{lab.url}/lab/tree/{lab.folder}/{NOTEBOOK}?reset")
    page.locator(PANEL + ".jp-Notebook").first.wait_for()
    menus = menu_bar_labels(page)
    assert "文件" in menus and "File" not in menus, menus


def test_first_cells_run_up_to_the_first_figure(page, lab):
    ids = [cell.id for cell in nbformat.read(lab.root / NOTEBOOK, as_version=4).cells]
    last = ids.index(first_figure(NOTEBOOK))
    report = run_notebook(page, lab, NOTEBOOK, last=last)
    if report.problems or report.executed != report.code_cells or not report.code_cells:
        pytest.fail(str(report), pytrace=False)
    assert report.executed < len([c for c in report.notebook.cells if c.cell_type == "code"]), "ran every cell"

    figure = report.notebook.cells[last]
    assert any("image/png" in o.get("data", {}) for o in figure.outputs), "the figure cell shows no figure"
    shown = page.evaluate(JS_OUTPUTS)
    assert shown[last]["images"] >= 1, "the page shows no figure"
    said = "\n".join(cell["text"] for cell in shown[: last + 1])
    assert CJK.search(said), f"no Chinese in the outputs of the first {last + 1} cells: {said[:500]!r}"
