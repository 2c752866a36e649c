"""The shape every notebook keeps, whoever writes it: these tests read the stored .ipynb files only.

nbval (``make nbval``) re-executes the notebooks and compares outputs; these tests check what nbval
cannot see: each notebook starts with a cell that installs the course on Google Colab (and does nothing
elsewhere), then opens with what the learner will be able to do, is listed on the welcome notebook's map,
stores the outputs of every code cell (with no errors except where a cell is tagged ``raises-exception``,
no SVG and no machine paths), runs on the ``python3`` kernel, marks its exercise solutions so that a
student edition can be made by stripping them, and doubles as a slide deck: every cell has a slide type,
every section starts a slide, no slide is too long, and notes for the lecturer ride along.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import io
import re
import tomllib
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WELCOME = ROOT / "notebooks" / "00_welcome.ipynb"

# The learning path, in order (README.md's syllabus); the welcome notebook's map lists every step.
LEARNING_PATH = [
    "00_welcome",
    "01_by_hand",
    "02_vectorized",
    "03_torch",
    "04_receptive_fields",
    "05_gridding",
    "06_context_module",
    "07_beyond",
    "08_in_practice",
]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

# Outputs must not depend on the machine that stored them.
MACHINE_SPECIFIC = {
    "a machine path": re.compile(r"(?<![\w.])/(?:work|tmp|home|root|Users|private/var)/"),
    "a memory address": re.compile(r"\bat 0x[0-9a-fA-F]{6,}"),
}

# Slides (RISE's cell metadata ``slideshow.slide_type``): "-" continues the current slide, "skip" hides a
# cell, "notes" goes to the lecturer's view.
SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
# A slide is a "slide" or "subslide" cell and the "-" and "fragment" cells after it. Generous budgets: a
# notebook with a slide per section meets them; one with no slide breaks exceeds them by far.
MAX_SLIDE_MARKDOWN_LINES = 40
MAX_SLIDE_LINES = 90  # markdown and code source together

# The first cell of every notebook installs the course on Google Colab, and does nothing anywhere else.
COLAB_TAG = "colab-setup"

notebooks = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def tags(cell: nbformat.NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def slide_type(cell: nbformat.NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def title_index(nb: nbformat.NotebookNode) -> int:
    """The index of the notebook's first cell that is not the Colab set-up cell: its title."""
    return next(n for n, cell in enumerate(nb.cells) if COLAB_TAG not in tags(cell))


ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def output_texts(output: nbformat.NotebookNode) -> list[str]:
    """Every piece of text in one stored output (streams, text-like data, tracebacks), colour codes removed."""
    texts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", [])]
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith(("+json", "/json", "latex")):
            texts.append(value if isinstance(value, str) else str(value))
    return [ANSI_COLOUR.sub("", text) for text in texts]


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
    nb = read(path)
    first = nb.cells[title_index(nb)]
    assert first.cell_type == "markdown", f"{path.name}: the first cell after the Colab cell must be markdown"
    assert re.search(r"\bable to\b", first.source, re.IGNORECASE), (
        f"{path.name}: the first cell after the Colab cell must say what the learner will be able to do "
        "('... you will be able to')"
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
    assert f"({path.name})" in text, f"{path.name} is not linked from 00_welcome's map"


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


# --- Google Colab -------------------------------------------------------------------------------------------


def colab_problems(nb: nbformat.NotebookNode) -> list[str]:
    """What is wrong with the notebook's Colab set-up cell, which must come first."""
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "code" or COLAB_TAG not in tags(first):
        return [f"the first cell must be a code cell tagged {COLAB_TAG!r} that installs the course on Colab"]
    problems = []
    if "google.colab" not in first.source:
        problems.append("the Colab cell must install only when 'google.colab' is imported, that is on Colab")
    if "--no-deps" not in first.source:
        problems.append(
            "the Colab cell must pip install with --no-deps: the course's pinned torch would replace Colab's"
        )
    if first.get("outputs"):
        problems.append("the Colab cell must store no output (it does nothing outside Colab)")
    if slide_type(first) != "skip":
        problems.append(f"the Colab cell's slide_type must be 'skip', not {slide_type(first)!r}")
    if not first.metadata.get("jupyter", {}).get("source_hidden"):
        problems.append(
            "the Colab cell must be collapsed (jupyter.source_hidden): a learner's first screen is the title"
        )
    later = [n for n, cell in enumerate(nb.cells) if n and COLAB_TAG in tags(cell)]
    if later:
        problems.append(f"only the first cell may be tagged {COLAB_TAG!r}, not cells {later}")
    return problems


def colab_url(source: str) -> str:
    match = re.search(r"git\+(https://[^\s\"']+)", source)
    assert match, "the Colab cell installs no git+https:// URL"
    return match.group(1)


@notebooks
def test_first_cell_installs_the_course_on_colab(path: Path) -> None:
    problems = colab_problems(read(path))
    assert not problems, f"{path.name}: " + "; ".join(problems)


@notebooks
def test_colab_cell_does_nothing_elsewhere(path: Path) -> None:
    first = read(path).cells[0]
    assert COLAB_TAG in tags(first), f"{path.name}: no Colab cell first"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        exec(compile(first.source, f"{path.name}, cell 0", "exec"), {})  # this process is not Colab
    assert printed.getvalue() == ""


def test_colab_cells_are_one_cell() -> None:
    sources = {path.name: read(path).cells[0].source for path in NOTEBOOKS}
    assert len(set(sources.values())) == 1, f"the notebooks' Colab cells differ: {sorted(sources)}"


def test_colab_installs_the_repository_named_in_pyproject() -> None:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"].get("urls", {})
    assert urls, "pyproject.toml has no [project.urls] to compare the Colab cell's repository with"
    url = colab_url(read(WELCOME).cells[0].source)
    known = {u.removesuffix("/").removesuffix(".git") for u in urls.values()}
    assert url.removesuffix("/").removesuffix(".git") in known, f"{url} is not among pyproject's [project.urls]"


# --- Slides -------------------------------------------------------------------------------------------------


def slides(nb: nbformat.NotebookNode) -> list[tuple[int, list[nbformat.NotebookNode]]]:
    """Each slide: the index of its "slide" or "subslide" cell, and its cells shown ("-" and "fragment")."""
    out: list[tuple[int, list[nbformat.NotebookNode]]] = []
    for n, cell in enumerate(nb.cells):
        kind = slide_type(cell)
        if kind in ("slide", "subslide"):
            out.append((n, [cell]))
        elif kind in ("-", "fragment") and out:
            out[-1][1].append(cell)
    return out


def markdown_lines(source: str) -> list[str]:
    """The lines of a markdown cell outside fenced code blocks."""
    lines, fenced = [], False
    for line in source.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def slide_type_problems(nb: nbformat.NotebookNode) -> list[str]:
    problems = []
    for n, cell in enumerate(nb.cells):
        kind = slide_type(cell)
        if kind not in SLIDE_TYPES:
            problems.append(f"cell {n}: slide_type {kind!r}, expected one of {SLIDE_TYPES}")
        elif kind == "notes" and cell.cell_type != "markdown":
            problems.append(f"cell {n}: notes for the lecturer belong in a markdown cell")
    return problems


def title_problems(nb: nbformat.NotebookNode) -> list[str]:
    kind = slide_type(nb.cells[title_index(nb)])
    return [] if kind == "slide" else [f"the title (the first cell after the Colab cell) is {kind!r}, not a slide"]


def notes_and_fragment_problems(nb: nbformat.NotebookNode) -> list[str]:
    kinds = {slide_type(cell) for cell in nb.cells}
    return [f"no {kind!r} cell" for kind in ("notes", "fragment") if kind not in kinds]


def section_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Every ``#`` or ``##`` heading opens a cell that starts a slide, so that each section is one."""
    problems = []
    for n, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or slide_type(cell) == "notes":
            continue
        lines = markdown_lines(cell.source)
        headings = [k for k, line in enumerate(lines) if re.match(r"#{1,2} ", line)]
        if any(k > 0 for k in headings):
            problems.append(f"cell {n}: a # or ## heading after the cell's first line; split the cell there")
        if headings[:1] == [0] and slide_type(cell) != "slide":
            problems.append(f"cell {n}: {lines[0]!r} opens a section but its slide_type is {slide_type(cell)!r}")
        if lines[:1] and lines[0].startswith("### ") and slide_type(cell) not in ("slide", "subslide"):
            problems.append(f"cell {n}: {lines[0]!r} should start a slide or subslide, not {slide_type(cell)!r}")
    return problems


def slide_length_problems(nb: nbformat.NotebookNode) -> list[str]:
    problems = []
    for n, cells in slides(nb):
        markdown = sum(len(c.source.splitlines()) for c in cells if c.cell_type == "markdown")
        total = sum(len(c.source.splitlines()) for c in cells)
        if markdown > MAX_SLIDE_MARKDOWN_LINES:
            problems.append(
                f"the slide at cell {n} holds {markdown} lines of markdown (at most {MAX_SLIDE_MARKDOWN_LINES})"
            )
        if total > MAX_SLIDE_LINES:
            problems.append(f"the slide at cell {n} holds {total} lines of source (at most {MAX_SLIDE_LINES})")
    return problems


@notebooks
def test_every_cell_has_a_slide_type(path: Path) -> None:
    problems = slide_type_problems(read(path))
    assert not problems, f"{path.name}: " + "; ".join(problems)


@notebooks
def test_title_is_a_slide(path: Path) -> None:
    problems = title_problems(read(path))
    assert not problems, f"{path.name}: " + "; ".join(problems)


@notebooks
def test_has_notes_for_the_lecturer_and_fragments(path: Path) -> None:
    problems = notes_and_fragment_problems(read(path))
    assert not problems, f"{path.name}: " + "; ".join(problems)


@notebooks
def test_every_section_starts_a_slide(path: Path) -> None:
    problems = section_problems(read(path))
    assert not problems, f"{path.name}: " + "; ".join(problems)


@notebooks
def test_no_slide_is_too_long(path: Path) -> None:
    nb = read(path)
    assert len(slides(nb)) > 1, f"{path.name}: one slide for the whole notebook"
    problems = slide_length_problems(nb)
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_the_slide_and_colab_checks_find_broken_notebooks() -> None:
    """Each check above passes on the welcome notebook and fails on a copy broken in its own way."""
    nb = read(WELCOME)
    checks = [colab_problems, slide_type_problems, title_problems, notes_and_fragment_problems, section_problems]
    checks.append(slide_length_problems)
    assert not [problem for check in checks for problem in check(nb)]
    title = title_index(nb)

    def broken(change) -> nbformat.NotebookNode:
        copied = copy.deepcopy(nb)
        change(copied)
        return copied

    assert colab_url(nb.cells[0].source).startswith("https://github.com/")
    no_colab = broken(lambda b: b.cells.pop(0))
    assert colab_problems(no_colab) and title_index(no_colab) == 0
    with_output = broken(lambda b: b.cells[0].outputs.append(nbformat.v4.new_output("stream", text="hi\n")))
    assert colab_problems(with_output)
    shown = broken(lambda b: b.cells[0].metadata.slideshow.update(slide_type="slide"))
    assert colab_problems(shown)
    with_deps = broken(lambda b: setattr(b.cells[0], "source", b.cells[0].source.replace('"--no-deps",', "")))
    assert colab_problems(with_deps)

    untyped = broken(lambda b: b.cells[3].metadata.pop("slideshow"))
    assert slide_type_problems(untyped)
    code_notes = broken(
        lambda b: b.cells.append(nbformat.v4.new_code_cell("1", metadata={"slideshow": {"slide_type": "notes"}}))
    )
    assert slide_type_problems(code_notes)
    continued_title = broken(lambda b: b.cells[title].metadata.slideshow.update(slide_type="-"))
    assert title_problems(continued_title)

    def retype(old: str, new: str):
        return lambda b: [c.metadata.slideshow.update(slide_type=new) for c in b.cells if slide_type(c) == old]

    assert notes_and_fragment_problems(broken(retype("notes", "skip"))) == ["no 'notes' cell"]
    assert notes_and_fragment_problems(broken(retype("fragment", "-"))) == ["no 'fragment' cell"]

    def merge_sections(b: nbformat.NotebookNode) -> None:
        b.cells[title].source += "\n\n" + b.cells[title + 1].source
        del b.cells[title + 1]

    assert section_problems(broken(merge_sections))
    assert section_problems(broken(lambda b: b.cells[title + 1].metadata.slideshow.update(slide_type="fragment")))
    assert not section_problems(broken(lambda b: setattr(b.cells[title], "source", "```\n## not a heading\n```")))

    def one_slide(b: nbformat.NotebookNode) -> None:
        for cell in b.cells[title + 1 :]:
            if slide_type(cell) in ("slide", "subslide"):
                cell.metadata.slideshow.update(slide_type="-")

    assert len(slides(broken(one_slide))) == 1 and slide_length_problems(broken(one_slide))


@notebooks
def test_rise_uses_a_theme_whose_fonts_ship_with_it(path: Path) -> None:
    """RISE's default theme loads its fonts from Google Fonts; "white" presents offline. Scrolling shows tall slides."""
    assert read(path).metadata.get("rise") == {"theme": "white", "scroll": True}


def test_readme_launches_the_first_notebook_on_binder_and_colab() -> None:
    readme = (ROOT / "README.md").read_text()
    (url,) = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"].values()
    repo = url.removeprefix("https://github.com/")
    first = NOTEBOOKS[0].name
    assert f"https://mybinder.org/v2/gh/{repo}/main?labpath=workspace%2F{first}" in readme
    assert f"https://colab.research.google.com/github/{repo}/blob/main/notebooks/{first}" in readme


# --- what a learner reads ------------------------------------------------------------------------------

# The main path: what a learner reads top to bottom. Tooling (strategy rules, byte models, compile internals)
# and reference material go to a final section whose heading starts with one of these; the lecturer's notes
# are not read by learners at all.
OFF_MAIN_PATH = ("## Under the hood", "## Appendix")
MAX_MAIN_PATH_WORDS = 2500
MAX_WELCOME_WORDS = 1200  # the welcome: the map and the notation, then the course starts
MAX_NOTE_WORDS = 60  # a note says what a lecturer does in the room; facts a learner needs are in the main text
WORD = re.compile(r"[A-Za-z0-9']+")


def words(text: str) -> int:
    """Words of English prose (and of its formulas): runs of letters, digits and apostrophes.

    >>> words("A 3x3 kernel, $d = 2$: o = (L + 2p - d(k-1) - 1)/s + 1.")
    14
    """
    return len(WORD.findall(text))


def main_path_words(nb: nbformat.NotebookNode) -> int:
    total = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown" or slide_type(cell) == "notes":
            continue
        if cell.source.lstrip().startswith(OFF_MAIN_PATH):
            break
        total += words(cell.source)
    return total


@notebooks
def test_the_main_path_is_short_enough_to_read_in_one_sitting(path: Path) -> None:
    limit = MAX_WELCOME_WORDS if path == WELCOME else MAX_MAIN_PATH_WORDS
    count = main_path_words(read(path))
    assert count <= limit, f"{path.name}: {count} words of markdown on the main path (at most {limit})"


@notebooks
def test_lecturer_notes_are_short(path: Path) -> None:
    long = [
        (n, words(cell.source))
        for n, cell in enumerate(read(path).cells)
        if slide_type(cell) == "notes" and words(cell.source) > MAX_NOTE_WORDS
    ]
    assert not long, f"{path.name}: notes for the lecturer over {MAX_NOTE_WORDS} words (cell, words): {long}"


def loop_depth(source: str) -> int:
    """The deepest nest of ``for``/``while`` loops (comprehensions count) in a cell's code.

    >>> loop_depth("for a in x:\\n    for b in y:\\n        s = [c for c in b]")
    3
    """
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return 0

    def depth(node: ast.AST) -> int:
        inner = max((depth(child) for child in ast.iter_child_nodes(node)), default=0)
        return inner + isinstance(node, ast.For | ast.While | ast.comprehension)

    return depth(tree)


def test_the_learner_writes_the_loops() -> None:
    """Notebook 01 gives no loop nest three deep: the learner writes the convolution loops, in the exercises."""
    nb = read(ROOT / "notebooks" / "01_by_hand.ipynb")
    given = [
        (n, loop_depth(cell.source))
        for n, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and BEGIN not in cell.source and loop_depth(cell.source) >= 3
    ]
    assert not given, f"01_by_hand: given cells with a loop nest three deep (cell, depth): {given}"
    solved = [loop_depth(cell.source) for cell in nb.cells if cell.cell_type == "code" and BEGIN in cell.source]
    assert max(solved, default=0) >= 6, "01_by_hand: no exercise holds the 2-D loops (six deep)"
