"""The course's editions (``tools.editions``): each is built once per test run, into a temporary folder.

- The student edition keeps no solution, and keeps everything else. How it runs (errors only in the exercises
  and in the cells that check or use them, each telling the learner what to do) is checked where it runs as a
  learner runs it, in JupyterLab (``make test-browser``: ``tests/browser/test_notebooks.py``, with the helpers
  of ``tests/browser/learner.py``); here only :func:`~tests.browser.learner.told` is tested.
- The slides and the static site have one file per notebook, the site an index that links them all, and
  neither loads anything from the network: every script, style sheet, image and font is local.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from IPython.core.inputtransformer2 import TransformerManager
from nbformat import NotebookNode

from tests.browser.learner import STUB, tags, told
from tools import editions, manifest
from tools.editions import (
    BEGIN,
    END,
    NOTE_TAG,
    SETUP_TAG,
    WIDGET_NOTE,
    WIDGET_VIEW,
    build_html,
    build_slides,
    build_student,
    is_lecturer_note,
    main,
    presentable,
    strip_solutions,
    student_notebook,
    syllabus,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
notebooks = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


def read(path: Path) -> NotebookNode:
    return nbformat.read(path, as_version=4)


# --- the student edition ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def student(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("student")
    build_student(ROOT / "notebooks", out)
    return out


def test_student_edition_has_every_notebook(student: Path) -> None:
    assert sorted(p.name for p in student.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]


def solution_lines(nb: NotebookNode) -> tuple[set[str], set[str]]:
    """The (stripped) lines inside solution regions that appear nowhere else in the notebook, and the rest."""
    inside, outside = set(), set()
    for cell in nb.cells:
        within = False
        for line in cell.source.splitlines():
            if line.strip() in (BEGIN, END):
                within = line.strip() == BEGIN
            elif line.strip():
                (inside if within else outside).add(line.strip())
    return inside - outside, outside


@notebooks
def test_student_edition_keeps_no_solution(path: Path, student: Path) -> None:
    solutions, _ = solution_lines(read(path))
    nb = read(student / path.name)
    for n, cell in enumerate(nb.cells):
        marks = {line.strip() for line in cell.source.splitlines()} & {BEGIN, END}
        assert not marks, f"{path.name}, cell {n}: a marker is left"
        left = solutions & {line.strip() for line in cell.source.splitlines()}
        assert not left, f"{path.name}, cell {n}: solution lines left: {sorted(left)}"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}, cell {n}: outputs left"
    assert "widgets" not in nb.metadata


@notebooks
def test_student_edition_keeps_everything_else(path: Path, student: Path) -> None:
    teacher, learner = read(path), read(student / path.name)
    teacher.cells = [c for c in teacher.cells if not is_lecturer_note(c)]
    assert [c.cell_type for c in learner.cells] == [c.cell_type for c in teacher.cells]
    for n, (t, s) in enumerate(zip(teacher.cells, learner.cells)):
        assert s.metadata == t.metadata, f"{path.name}, cell {n}: metadata (tags, slides) must stay"
        if not solution_lines(nbformat.v4.new_notebook(cells=[t]))[0] and "<!-- BEGIN SOLUTION -->" not in t.source:
            assert s.source == t.source, f"{path.name}, cell {n}: changed although it holds no solution"
        else:
            assert STUB in s.source or "*Your answer here.*" in s.source


def paste_solutions(stubbed: str, solved: str) -> str:
    """``stubbed`` (a student cell) with each stub replaced by the matching solution region of ``solved``.

    What a learner who copies the instructor's answers into the stubs has: the regions' code without markers.
    """
    regions, region = [], None
    for line in solved.splitlines():
        if line.strip() == BEGIN:
            region = []
        elif line.strip() == END:
            regions.append(region)
            region = None
        elif region is not None:
            region.append(line)
    lines, out = stubbed.splitlines(), []
    n = 0
    while n < len(lines):
        if n + 1 < len(lines) and STUB in lines[n + 1]:  # the stub: a comment line, then the raise
            out += regions.pop(0)
            n += 2
        else:
            out.append(lines[n])
            n += 1
    assert not regions, "a solution region has no stub in the student cell"
    return "\n".join(out)


@notebooks
def test_solutions_pasted_into_the_stubs_give_the_instructors_code(path: Path, student: Path) -> None:
    """With every answer pasted back, the student edition is the instructor's code, which nbval runs without
    an error: nothing outside the exercises differs (the test above) and nothing depends on a lecturer's note."""
    teacher = [c for c in read(path).cells if not is_lecturer_note(c)]
    for n, (t, s) in enumerate(zip(teacher, read(student / path.name).cells, strict=True)):
        if t.cell_type == "code" and BEGIN in t.source:
            without_markers = "\n".join(line for line in t.source.splitlines() if line.strip() not in (BEGIN, END))
            assert paste_solutions(s.source, t.source) == without_markers, f"{path.name}, cell {n}"


def test_pasting_solutions_back_is_checked() -> None:
    solved = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION"
    stubbed = strip_solutions(solved)
    assert paste_solutions(stubbed, solved) == "def f(x):\n    return x + 1"
    assert paste_solutions(stubbed.replace("def f(x):", "def f(y):"), solved) != "def f(x):\n    return x + 1"


@notebooks
def test_student_edition_leaves_out_the_lecturers_notes(path: Path, student: Path) -> None:
    notes = [c.source for c in read(path).cells if is_lecturer_note(c)]
    assert notes, f"{path.name} has no notes for the lecturer to leave out"
    learner = [c.source for c in read(student / path.name).cells]
    assert not [note for note in notes if note in learner], f"{path.name}: a lecturer's note is left"


@notebooks
def test_student_edition_is_valid_python(path: Path, student: Path) -> None:
    transform = TransformerManager().transform_cell  # %magics into Python, as IPython does
    for n, cell in enumerate(read(student / path.name).cells):
        if cell.cell_type == "code":
            ast.parse(transform(cell.source), filename=f"{path.name}, cell {n}")


def test_stub_keeps_indentation_and_names_the_function() -> None:
    source = "\n".join(
        [
            "def outer(x):",
            "    def inner(y):",
            "        if y:",
            "            ### BEGIN SOLUTION",
            "            return y",
            "            ### END SOLUTION",
            "        return 0",
            "",
            "    ### BEGIN SOLUTION",
            "    return inner(x)",
            "    ### END SOLUTION",
        ]
    )
    stripped = strip_solutions(source)
    assert stripped.splitlines() == [
        "def outer(x):",
        "    def inner(y):",
        "        if y:",
        "            # Your code here",
        '            raise NotImplementedError("Exercise: write the body of inner")',
        "        return 0",
        "",
        "    # Your code here",
        '    raise NotImplementedError("Exercise: write the body of outer")',
    ]
    ast.parse(stripped)


def test_stub_at_top_level_names_what_the_check_uses() -> None:
    source = f"{BEGIN}\nreach = 15\nshare, other = reach / 31, 0\n{END}\nprint(other)"
    assert strip_solutions(source, following="assert share < 1") == "\n".join(
        ["# Your code here", 'raise NotImplementedError("Exercise: set share and other")', "print(other)"]
    )
    assert "Exercise: set reach, share and other" in strip_solutions(f"{BEGIN}\nreach = 15\nshare, other = 1, 2\n{END}")
    assert "Exercise: fill in this cell" in strip_solutions(f"{BEGIN}\nprint(1)\n{END}")


def test_markdown_solutions_and_outputs_go() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"state": {}}
    answer = "The answer is <!-- BEGIN SOLUTION -->\n**67**, because 2L + 1.\n<!-- END SOLUTION -->."
    code = nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")
    code.outputs, code.execution_count = [nbformat.v4.new_output("stream", text="1")], 3
    nb.cells = [nbformat.v4.new_markdown_cell(answer), code, nbformat.v4.new_code_cell("assert f() == 1")]
    stripped = student_notebook(nb)
    assert stripped.cells[0].source == "The answer is *Your answer here.*."
    assert stripped.cells[1].outputs == [] and stripped.cells[1].execution_count is None
    assert "widgets" not in stripped.metadata and nb.cells[1].outputs  # the original is left alone


def test_command_line_replaces_an_earlier_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    renamed = tmp_path / "00_renamed.ipynb"  # a notebook an earlier build wrote, since renamed
    renamed.write_text("{}")
    manifest.save(tmp_path, {renamed.name: manifest.digest(renamed)})
    written = main(["student", "--out", str(tmp_path), "--notebooks", str(ROOT / "notebooks")])
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == sorted(p.name for p in written)
    assert sorted(p.name for p in written) == [p.name for p in NOTEBOOKS]
    assert manifest.learners(tmp_path) == []  # each as built
    assert capsys.readouterr().out == f"student: {len(NOTEBOOKS)} files in {tmp_path}\n"


def test_a_rebuild_never_deletes_a_learners_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "student"
    build_student(ROOT / "notebooks", out)
    answered = out / NOTEBOOKS[1].name
    answered.write_text(answered.read_text().replace("# Your code here", "return 42  # my answer"))
    stray = out / "99_mine.ipynb"
    stray.write_text("{}")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(SystemExit) as exit:
        main(["student", "--out", str(out), "--notebooks", str(ROOT / "notebooks")])
    assert exit.value.code == 1
    said = capsys.readouterr().err
    assert f"{answered.name}, 99_mine.ipynb" in said and "Nothing was written" in said
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_an_edition_never_overwrites_the_notebooks() -> None:
    with pytest.raises(ValueError, match="notebooks' own folder"):
        build_student(ROOT / "notebooks", ROOT / "notebooks")


def test_what_tells_the_learner_what_to_do() -> None:
    asked = ["Exercise: write the body of f", "Exercise: set rates and field"]
    assert told("AssertionError: f raised Exercise: write the body of f. Pad each branch.", asked)
    assert told("AssertionError: \n✗ f is not implemented yet: fill in its body ...", asked)
    # a check that reads what an unanswered exercise sets: the learner meets a NameError, which tells nothing
    assert not told("NameError: name 'field' is not defined\n", asked)
    assert not told("NameError: name 'other' is not defined\n", asked)
    assert not told("TypeError: unsupported operand type(s) for +: 'int' and 'str'\n", asked)


# --- slides and the static site -----------------------------------------------------------------------


@functools.cache
def parse(page: Path) -> BeautifulSoup:
    """A built page, parsed once for all the tests that read it."""
    return BeautifulSoup(page.read_text(errors="replace"), "html.parser")


@pytest.fixture(scope="module")
def slides(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vendor = ROOT / "build" / "vendor"
    if not any(vendor.glob("reveal.js-*/package.json")) and shutil.which("npm") is None and not os.environ.get("CI"):
        pytest.skip("the slides need reveal.js, fetched with npm (Node.js), which is not installed")
    out = tmp_path_factory.mktemp("slides")
    build_slides(ROOT / "notebooks", out, cache=vendor)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    build_html(ROOT / "notebooks", out)
    return out


def test_one_deck_per_notebook(slides: Path) -> None:
    assert sorted(p.name for p in slides.glob("*.html")) == [f"{p.stem}.slides.html" for p in NOTEBOOKS]
    html = (slides / NOTEBOOKS[0].with_suffix(".slides.html").name).read_text()
    assert "Reveal.initialize" in html and 'class="reveal"' in html


def test_one_page_per_notebook_and_an_index(site: Path) -> None:
    assert sorted(p.name for p in site.glob("*.html")) == sorted([f"{p.stem}.html" for p in NOTEBOOKS] + ["index.html"])


def test_the_index_links_every_page_in_order(site: Path) -> None:
    soup = parse(site / "index.html")
    links = [a["href"] for a in soup.select("h2 a[href]") if not a["href"].startswith("#")]
    assert links == [f"{p.stem}.html" for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        first = next(cell for cell in read(path).cells if cell.cell_type == "markdown")
        heading = next(line for line in first.source.splitlines() if line.startswith("#"))
        assert soup.find("a", href=f"{path.stem}.html").get_text(strip=True) == heading.lstrip("# ").strip()


@pytest.mark.parametrize("edition", ["slides", "site"])
def test_links_between_notebooks_lead_to_their_pages(edition: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(edition)
    for page in out.glob("*.html"):
        soup = parse(page)
        for link in soup.find_all("a", href=True):
            target = link["href"].split("#")[0]
            if target in OTHER_LANGUAGE_TARGETS and page.name == "index.html":
                continue  # the same site in the other language, built by `make zh` beside this one
            if target and not re.match(r"[a-z][a-z0-9+.-]*:", target):
                assert (out / target).is_file(), f"{page.name} links {link['href']}, which is not in the build"


OTHER_LANGUAGE_TARGETS = {re.search(r"\((.*)\)", link).group(1) for link in editions.OTHER_LANGUAGE.values()}


def test_the_index_links_the_other_language(site: Path) -> None:
    hrefs = [a["href"] for a in parse(site / "index.html").find_all("a", href=True)]
    assert "../zh/html/index.html" in hrefs


def test_pages_and_slides_name_a_cjk_font_stack_and_fetch_no_font() -> None:
    for template in (editions.PAGE_TEMPLATE, editions.SLIDES_TEMPLATE):
        assert '"Noto Sans CJK SC"' in template and "Microsoft YaHei" in template
        assert "@font-face" not in template and "url(" not in template


def test_syllabus_in_chinese(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "# 空洞卷积\n\n这是开场白。学完之后你将能够：\n\n- 画出采样位置；\n- 计算输出尺寸。"
            )
        ]
    )
    nb.metadata["language"] = "zh-CN"
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    text = editions.syllabus([tmp_path / "01_x.ipynb"])
    assert text.startswith("# 课程大纲") and "[English](../../html/index.html)" in text
    assert "- 画出采样位置；" in text and "这是开场白。" in text


@pytest.mark.parametrize("edition", ["slides", "site"])
def test_colab_set_up_is_left_out(edition: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(edition)
    for path in NOTEBOOKS:
        setup = [c.source.splitlines()[0] for c in read(path).cells if SETUP_TAG in tags(c) and c.source.strip()]
        page = next(out.glob(f"{path.stem}.*html"))
        text = parse(page).get_text()
        assert not [line for line in setup if line in text], f"{page.name} shows the Colab set-up cell"


def test_pages_keep_their_figures_as_png(site: Path) -> None:
    with_figures = [p for p in NOTEBOOKS if '"image/png"' in p.read_text()]
    assert with_figures
    for path in with_figures:
        assert 'src="data:image/png;base64,' in (site / f"{path.stem}.html").read_text()


def test_syllabus_is_read_from_the_notebooks(tmp_path: Path) -> None:
    intro = (
        "# 09 · Dilated attention\n\nAttention can be dilated too. After it you will be able to:\n\n"
        "- compute which keys a dilated query reads;\n- compare it with a\n  dilated convolution.\n\nMore text."
    )
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(intro)]), tmp_path / "09_attn.ipynb")
    text = syllabus([tmp_path / "09_attn.ipynb"])
    assert "## [09 · Dilated attention](09_attn.html)\n\nAttention can be dilated too.\n\n" in text
    assert "- compute which keys a dilated query reads\n- compare it with a dilated convolution\n" in text


def test_rendering_drops_the_colab_cell_and_the_widgets() -> None:
    setup = nbformat.v4.new_code_cell("%pip install dilconv-lib", metadata={"tags": [SETUP_TAG]})
    widget = nbformat.v4.new_code_cell("explore()")
    widget.outputs = [
        nbformat.v4.new_output("display_data", data={WIDGET_VIEW: {"model_id": "1"}, "text/plain": "VBox()"})
    ]
    nb = nbformat.v4.new_notebook(cells=[setup, widget], metadata={"widgets": {"state": {}}})
    shown = presentable(nb, ".slides.html")
    assert [c.source for c in shown.cells] == ["explore()"]
    assert shown.cells[0].outputs[0].data == {"text/plain": WIDGET_NOTE} and "widgets" not in shown.metadata


# Where a page can make the browser fetch something: attributes of elements, CSS url() and @import, and
# script code (a loader such as require.js or the widget manager's builds its URLs in JavaScript).
LOADS = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src", "video": "src",
         "audio": "src", "embed": "src", "object": "data", "input": "src", "track": "src"}  # fmt: skip
CSS_LOAD = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*([^'")\s]+)""")
REMOTE = re.compile(r"^(?:[a-z]+:)?//", re.IGNORECASE)


def resource_loads(path: Path) -> Iterator[str]:
    """Every address that ``path`` (a page or a style sheet) makes the browser load."""
    if path.suffix == ".css":
        yield from CSS_LOAD.findall(path.read_text(errors="replace"))
        return
    soup = parse(path)
    for tag, attribute in LOADS.items():
        yield from (element[attribute] for element in soup.find_all(tag) if element.get(attribute))
    for style in soup.find_all("style"):
        yield from CSS_LOAD.findall(style.get_text())
    for element in soup.find_all(style=True):
        yield from CSS_LOAD.findall(element["style"])
    for script in soup.find_all("script"):
        if "json" not in (script.get("type") or ""):
            yield from re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s'\"`)]*", script.get_text())


def test_resource_loads_are_found(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<link rel="stylesheet" href="https://cdn.example.org/a.css"><script src="local.js"></script>'
        "<style>@import 'https://fonts.example.com/f.css'; b { background: url(img/b.png) }</style>"
        '<script>var s = "https://unpkg.com/x@1/dist/embed.js";</script><a href="https://arxiv.org/abs/1511.07122">paper</a>'
    )
    assert sorted(resource_loads(page)) == sorted(
        [
            "https://cdn.example.org/a.css",
            "local.js",
            "https://fonts.example.com/f.css",
            "img/b.png",
            "https://unpkg.com/x@1/dist/embed.js",
        ]
    )


@pytest.mark.parametrize("edition", ["slides", "site"])
def test_nothing_is_loaded_from_the_network(edition: str, request: pytest.FixtureRequest) -> None:
    out: Path = request.getfixturevalue(edition)
    files = [*out.glob("*.html"), *out.rglob("*.css")]
    assert len(files) > len(NOTEBOOKS)
    for path in files:
        for address in resource_loads(path):
            assert not REMOTE.match(address), f"{path.relative_to(out)} loads {address}"
            if address.startswith("data:") or path.suffix == ".css":
                continue
            local = (path.parent / address.split("?")[0].split("#")[0]).resolve()
            assert local.is_file(), f"{path.relative_to(out)} loads {address}, which is not in the build"


def test_pages_set_the_lecturers_notes_apart(site: Path) -> None:
    for path in NOTEBOOKS:
        notes = sum(is_lecturer_note(cell) for cell in read(path).cells)
        page = (site / f"{path.stem}.html").read_text()
        assert page.count(f"celltag_{NOTE_TAG}") == notes + 1, path.name  # each note, and the style sheet
