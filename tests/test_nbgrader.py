"""nbgrader, honestly: its own ``ClearSolutions`` preprocessor makes a student edition of every notebook.

A lecturer who uses nbgrader (``nbgrader generate_assignment``) runs ``ClearSolutions`` with its defaults,
``enforce_metadata=True``: every cell holding a solution region must be an nbgrader solution cell, and a
line that merely mentions the begin marker (in markdown too) opens a region that never ends. So, for every
notebook in ``notebooks/``:

- ``ClearSolutions`` runs without error;
- no solution line survives it (a line between the markers appears in the cleared cell no more often than
  it appears outside the regions of the original cell);
- every cell with solution markers carries nbgrader's solution metadata, and nbgrader's own
  ``CheckCellMetadata`` accepts the notebook's metadata (unique grade ids, points on grade cells).

nbgrader is an optional extra. Without it the tests are skipped on a learner's machine, but where ``CI``
is set they fail: CI must run them.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"  # nbgrader's delimiters, matched anywhere in a line

notebooks = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


def nbgrader_preprocessors() -> Any:
    """nbgrader's preprocessors module; skip without nbgrader, unless ``CI`` is set: then fail."""
    try:
        from nbgrader import preprocessors
    except ImportError as error:
        if os.environ.get("CI") is None:
            pytest.skip(f"nbgrader is not installed ({error}); CI runs these tests")
        pytest.fail(f"CI is set but nbgrader cannot be imported ({error}): install the course's nbgrader pin")
    return preprocessors


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def clear_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """nbgrader's ClearSolutions, with its defaults, on a copy of ``nb``."""
    cleared, _ = nbgrader_preprocessors().ClearSolutions().preprocess(copy.deepcopy(nb), {})
    return cleared


def solution_lines(source: str) -> tuple[list[str], list[str]]:
    """(lines between the markers, lines outside them), each stripped, blank lines left out."""
    inside, outside, within = [], [], False
    for line in source.splitlines():
        if BEGIN in line:
            within = True
        elif END in line:
            within = False
        elif line.strip():
            (inside if within else outside).append(line.strip())
    return inside, outside


def is_solution_cell(cell: nbformat.NotebookNode) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("solution", False))


@notebooks
def test_clear_solutions_runs(path: Path) -> None:
    clear_solutions(read(path))


@notebooks
def test_no_solution_line_survives(path: Path) -> None:
    nb = read(path)
    cleared = clear_solutions(nb)
    assert len(cleared.cells) == len(nb.cells)
    for n, (before, after) in enumerate(zip(nb.cells, cleared.cells)):
        inside, outside = solution_lines(before.source)
        left = [line.strip() for line in after.source.splitlines()]
        for line in inside:
            assert left.count(line) <= outside.count(line), f"{path.name}, cell {n}: {line!r} survives ClearSolutions"
        assert BEGIN not in after.source and END not in after.source


@notebooks
def test_cells_with_markers_are_nbgrader_solution_cells(path: Path) -> None:
    for n, cell in enumerate(read(path).cells):
        if BEGIN in cell.source or END in cell.source:
            assert cell.cell_type == "code" or is_solution_cell(cell), (
                f"{path.name}, cell {n}: markdown that spells out a solution marker; nbgrader reads it as a "
                "solution region. Write 'the nbgrader solution markers' instead."
            )
            assert is_solution_cell(cell), (
                f"{path.name}, cell {n}: solution markers in a cell without nbgrader's solution metadata "
                '({"nbgrader": {"solution": true, "grade": false, "locked": false, "grade_id": ..., '
                '"schema_version": 3}})'
            )


@notebooks
def test_nbgrader_accepts_the_cell_metadata(path: Path) -> None:
    nb = read(path)
    nbgrader_preprocessors().CheckCellMetadata().preprocess(copy.deepcopy(nb), {})
    grade_ids = [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells if "nbgrader" in cell.metadata]
    assert len(grade_ids) == len(set(grade_ids)), f"{path.name}: grade ids repeat: {grade_ids}"
    for n, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            assert meta.get("points", 0) > 0 and meta.get("locked"), f"{path.name}, cell {n}: a grade cell scores"


def test_the_checks_find_what_breaks_nbgrader() -> None:
    new = nbformat.v4
    solution = {"grade": False, "solution": True, "locked": False, "schema_version": 3, "grade_id": "ex1"}
    code = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION"
    good = new.new_notebook(cells=[new.new_code_cell(code, metadata={"nbgrader": solution})])
    good.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    cleared = clear_solutions(good)
    assert "return x + 1" not in cleared.cells[0].source and "raise NotImplementedError()" in cleared.cells[0].source

    mention = copy.deepcopy(good)
    mention.cells.insert(0, new.new_markdown_cell("Solutions sit between `### BEGIN SOLUTION` and the end marker."))
    with pytest.raises(RuntimeError, match="no end solution statement found"):
        clear_solutions(mention)

    bare = copy.deepcopy(good)
    del bare.cells[0].metadata["nbgrader"]
    with pytest.raises(RuntimeError, match="non-solution cell"):
        clear_solutions(bare)
