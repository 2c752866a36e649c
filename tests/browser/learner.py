"""What a learner is told when the student edition of a notebook runs top to bottom with its exercises undone.

A student notebook (``tools.editions.student_notebook``) has stubs where the solutions were: each raises
``NotImplementedError("Exercise: ...")``. Run from top to bottom with the exercises left undone, its cells may
fail only in the exercises and in the cells that check or use them, every such failure tells the learner which
exercise to do, and every exercise is checked by some cell. :func:`unexpected_failures`, :func:`untold_failures`
and :func:`unchecked_exercises` say where a notebook saved after such a run does otherwise (the run: JupyterLab's,
``tests/browser/test_notebooks.py``); ``tests/test_editions.py`` tests :func:`told`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from IPython.core.inputtransformer2 import TransformerManager
from nbformat import NotebookNode

from tools.editions import is_lecturer_note

STUB = 'raise NotImplementedError("Exercise: '
HINT = re.compile(r'NotImplementedError\("(Exercise: [^"]+)"\)')


def tags(cell: NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def names(source: str, context: type[ast.expr_context]) -> set[str]:
    """Names that a cell stores (defines) or loads (uses), anywhere in it."""
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return set()
    found = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, context)}
    if context is ast.Store:
        found |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        found |= {
            (a.asname or a.name).split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import | ast.ImportFrom)
            for a in n.names
        }
    return found


def error(cell: NotebookNode) -> NotebookNode | None:
    return next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)


def stdout(cell: NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def failures(nb: NotebookNode, teacher: NotebookNode) -> Iterator[tuple[int, NotebookNode, bool, bool]]:
    """(index, cell, is an exercise, depends on one) for every code cell of a student notebook ``nb`` that ran.

    What an exercise defines in the instructor edition ``teacher`` is missing or a stub in ``nb``; so is
    what a cell that failed, or that used such a name, defines.
    """
    tainted: set[str] = set()
    originals = [cell for cell in teacher.cells if not is_lecturer_note(cell)]  # as the student edition has them
    for n, (cell, original) in enumerate(zip(nb.cells, originals, strict=True)):
        if cell.cell_type != "code":
            continue
        exercise = STUB in cell.source
        depends = bool(names(cell.source, ast.Load) & tainted)
        if exercise or depends or error(cell):
            tainted |= names(cell.source, ast.Store) | names(original.source, ast.Store)
        yield n, cell, exercise, depends


def hints(nb: NotebookNode) -> list[str]:
    """What the stubs ask for, e.g. ``"Exercise: write the body of my_conv1d"``, ``"Exercise: set a and b"``."""
    return HINT.findall("\n".join(cell.source for cell in nb.cells if cell.cell_type == "code"))


def told(text: str, asked: list[str]) -> bool:
    """Does an error (with what the cell printed) tell the learner which exercise to do?"""
    if text.startswith("NameError"):  # a name the learner never met: the stub's own words must say what to do
        return False
    return (
        any(hint in text for hint in asked)  # the stub's own words, raised or quoted by a check
        or "is not implemented yet: fill in" in text  # a dilconv_lib.exercises checker's verdict
    )


def unexpected_failures(nb: NotebookNode, teacher: NotebookNode) -> list[str]:
    """The cells of ``nb`` that fail although they are no exercise and use none (nor are tagged to raise)."""
    return [
        f"cell {n} fails but is no exercise and uses none: {err.ename}: {err.evalue}"
        for n, cell, exercise, depends in failures(nb, teacher)
        if (err := error(cell)) and not (exercise or depends or "raises-exception" in tags(cell))
    ]


def untold_failures(nb: NotebookNode, teacher: NotebookNode) -> list[str]:
    """The failures of ``nb`` that do not tell the learner which exercise to do, and stubs that raise otherwise."""
    asked = hints(nb)
    problems = []
    for n, cell, exercise, _ in failures(nb, teacher):
        err = error(cell)
        if not err or "raises-exception" in tags(cell):
            continue
        said = f"{err.ename}: {err.evalue}\n{stdout(cell)}"
        if exercise and not (err.ename == "NotImplementedError" and err.evalue in asked):
            problems.append(f"cell {n}, an exercise, raises something other than its stub: {said!r}")
        if not told(said, asked):
            problems.append(f"cell {n}: the learner gets {said!r}, which does not say what to do")
    return problems


def unchecked_exercises(nb: NotebookNode) -> list[str]:
    """The stubs of ``nb`` that no failing cell names: the learner would not be told that the exercise is undone."""
    said = "\n".join(f"{e.evalue}\n{stdout(c)}" for c in nb.cells if (e := error(c)))
    return [
        f"nothing checks the exercise ({hint})"
        for hint in hints(nb)
        if not (
            hint in said
            or (
                (function := re.fullmatch(r"Exercise: write the body of (\w+)", hint))
                and f"{function[1]} is not implemented yet" in said
            )
        )
    ]
