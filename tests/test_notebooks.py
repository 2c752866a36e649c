"""The shape every notebook keeps, whoever writes it: these tests read the stored .ipynb files only.

nbval (``make nbval``) re-executes the notebooks and compares outputs; these tests check what nbval
cannot see: each notebook opens with what the learner will be able to do, is listed on the welcome
notebook's map, stores the outputs of every code cell (with no errors except where a cell is tagged
``raises-exception``, no SVG and no machine paths), runs on the ``python3`` kernel, and marks its
exercise solutions so that a student edition can be made by stripping them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WELCOME = ROOT / "notebooks" / "00_welcome.ipynb"

# The learning path, in order (COURSE.md); the welcome notebook's map lists every step.
LEARNING_PATH = [
    "00_welcome",
    "01_by_hand",
    "02_vectorized",
    "03_torch",
    "04_receptive_fields",
    "05_gridding",
    "06_context_module",
    "07_beyond",
]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

# Outputs must not depend on the machine that stored them.
MACHINE_SPECIFIC = {
    "a machine path": re.compile(r"(?<![\w.])/(?:work|tmp|home|root|Users|private/var)/"),
    "a memory address": re.compile(r"\bat 0x[0-9a-fA-F]{6,}"),
}

notebooks = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def tags(cell: nbformat.NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def output_texts(output: nbformat.NotebookNode) -> list[str]:
    """Every piece of text in one stored output (streams, text-like data, tracebacks), colour codes removed."""
    texts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", [])]
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith(("+json", "/json", "latex")):
            texts.append(value if isinstance(value, str) else str(value))
    return [ANSI_COLOUR.sub("", text) for text in texts]


def strip_solutions(source: str) -> str:
    """What nbgrader's ClearSolutions leaves: each solution region becomes ``raise NotImplementedError()``."""
    lines, out, inside = source.splitlines(), [], False
    for line in lines:
        if line.strip() == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
            inside = True
        elif line.strip() == END:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def test_there_are_notebooks() -> None:
    assert WELCOME in NOTEBOOKS


@notebooks
def test_valid_nbformat_and_python3_kernel(path: Path) -> None:
    nb = read(path)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"


@notebooks
def test_file_name_is_numbered(path: Path) -> None:
    assert re.fullmatch(r"\d\d_[a-z0-9_]+", path.stem), f"{path.name}: name it NN_topic.ipynb"


@notebooks
def test_opens_with_what_the_learner_will_be_able_to_do(path: Path) -> None:
    first = read(path).cells[0]
    assert first.cell_type == "markdown", f"{path.name}: the first cell must be markdown"
    assert re.search(r"\bable to\b", first.source, re.IGNORECASE), (
        f"{path.name}: the first cell must say what the learner will be able to do ('... you will be able to')"
    )


def test_welcome_map_lists_the_learning_path_in_order() -> None:
    text = "\n".join(cell.source for cell in read(WELCOME).cells if cell.cell_type == "markdown")
    table_rows = [line for line in text.splitlines() if line.startswith("|")]
    positions = []
    for name in LEARNING_PATH:
        rows = [n for n, row in enumerate(table_rows) if name in row]
        assert rows, f"00_welcome's map has no row for {name}"
        positions.append(rows[0])
    assert positions == sorted(positions), "00_welcome's map lists the steps out of order"


@notebooks
def test_every_notebook_is_on_the_welcome_map(path: Path) -> None:
    text = "\n".join(cell.source for cell in read(WELCOME).cells if cell.cell_type == "markdown")
    assert f"({path.name})" in text or path.stem in text, f"{path.name} is not on 00_welcome's map"


@notebooks
def test_every_code_cell_was_executed(path: Path) -> None:
    for n, cell in enumerate(read(path).cells):
        if cell.cell_type == "code" and cell.source.strip():
            assert cell.execution_count is not None, f"{path.name}, cell {n}: not executed (run `make notebooks`)"


@notebooks
def test_errors_only_where_tagged_raises_exception(path: Path) -> None:
    for n, cell in enumerate(read(path).cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" in tags(cell):
            assert errors, f"{path.name}, cell {n}: tagged raises-exception but stored no error"
        else:
            assert not errors, f"{path.name}, cell {n}: stored error {errors[0].ename}: {errors[0].evalue}"


@notebooks
def test_no_svg_outputs(path: Path) -> None:
    for n, cell in enumerate(code_cells(read(path))):
        for output in cell.outputs:
            assert "image/svg+xml" not in output.get("data", {}), f"{path.name}, code cell {n}: SVG output; use PNG"


@notebooks
def test_outputs_are_machine_independent(path: Path) -> None:
    for n, cell in enumerate(code_cells(read(path))):
        for output in cell.outputs:
            for text in output_texts(output):
                for what, pattern in MACHINE_SPECIFIC.items():
                    match = pattern.search(text)
                    assert not match, f"{path.name}, code cell {n}: output holds {what}: {match.group(0)!r}"


@notebooks
def test_solution_markers_match(path: Path) -> None:
    for n, cell in enumerate(read(path).cells):
        marks = [line.strip() for line in cell.source.splitlines() if line.strip() in (BEGIN, END)]
        if cell.cell_type != "code":
            assert not marks, f"{path.name}, cell {n}: solution markers belong in code cells"
            continue
        assert marks == [BEGIN, END] * (len(marks) // 2), (
            f"{path.name}, cell {n}: solution markers must come in {BEGIN!r} / {END!r} pairs, got {marks}"
        )


@notebooks
def test_student_edition_is_valid_python(path: Path) -> None:
    transform = TransformerManager().transform_cell  # turns %magics into Python, as IPython does
    for n, cell in enumerate(code_cells(read(path))):
        if BEGIN in cell.source:
            stripped = strip_solutions(cell.source)
            assert BEGIN not in stripped and END not in stripped
            ast.parse(transform(stripped), filename=f"{path.name}, cell {n} (solutions stripped)")


def checker_calls(nb: nbformat.NotebookNode) -> list[str]:
    """Names imported from ``dilconv_lib.exercises`` that the notebook's code calls."""
    transform = TransformerManager().transform_cell
    trees = [ast.parse(transform(cell.source)) for cell in code_cells(nb)]
    imported = {
        alias.asname or alias.name
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "dilconv_lib.exercises"
        for alias in node.names
    }
    return [
        node.func.id
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in imported
    ]


@notebooks
def test_exercises_come_with_solutions(path: Path) -> None:
    """A notebook that calls an exercise checker keeps the solution it checks between markers."""
    nb = read(path)
    if checker_calls(nb):
        assert any(BEGIN in cell.source for cell in code_cells(nb)), f"{path.name}: calls a checker, marks no solution"


def test_checker_calls_are_found() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%matplotlib inline\nfrom dilconv_lib.exercises import check_conv1d as check"),
        nbformat.v4.new_code_cell("assert check(my_conv1d)\nprint(check_conv1d)"),
    ]
    assert checker_calls(nb) == ["check"]


def test_machine_specific_text_is_found() -> None:
    traceback = "File \x1b[32m/work/main/dilconv_lib/checks.py:42\x1b[0m, in check_int"
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=[traceback])
    found = [what for text in output_texts(error) for what, p in MACHINE_SPECIFIC.items() if p.search(text)]
    assert found == ["a machine path"]
    shown = nbformat.v4.new_output("execute_result", data={"text/plain": "<function f at 0x7f3a2b4c5d60>"})
    found = [what for text in output_texts(shown) for what, p in MACHINE_SPECIFIC.items() if p.search(text)]
    assert found == ["a memory address"]
    assert not any(
        p.search("dilation 3 spans 7 x 7 (0x0 is fine) and/tmp/ or a/work/b") for p in MACHINE_SPECIFIC.values()
    )


def test_strip_solutions_keeps_the_indentation() -> None:
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n\n\nf"
    stripped = strip_solutions(source)
    assert stripped == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\n\nf"
    ast.parse(stripped)
