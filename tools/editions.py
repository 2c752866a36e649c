"""The course's editions, made from the notebooks in ``notebooks/`` (the instructor edition).

- ``student``: the notebooks with every solution replaced by a stub and every output cleared
  (``build/student/``). In code cells the lines between nbgrader's ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` become ``# Your code here`` and ``raise NotImplementedError("Exercise: ...")``
  at the same indentation; in markdown cells the text between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->`` becomes ``*Your answer here.*``. The stubs speak the notebooks' language (their
  metadata's ``language``, which ``tools/i18n.py`` sets, or ``--lang``): in the Chinese edition
  ``# 在这里写你的代码`` and ``raise NotImplementedError("练习：...")``, the names in the hint left as code.
  The lecturer's notes are left out. A rebuild
  refuses to replace a notebook changed since it was built (a learner's answers); ``make lab`` gives the
  learner a copy of this edition of their own, ``workspace/`` (:mod:`tools.workspace`).
- ``slides``: one reveal.js deck per notebook, ``NAME.slides.html`` (``build/slides/``), from the cells'
  ``slideshow`` metadata, as ``jupyter nbconvert --to slides`` makes them.
- ``html``: one static page per notebook with its stored outputs, ``NAME.html``, and ``index.html``, the
  syllabus (``build/html/``): the instructor edition, solutions and lecturer's notes included.

Slides and pages load nothing from the network: reveal.js (fetched once from the npm registry with
``npm pack`` into ``build/vendor/``) and MathJax 2.7 (from the ``jupyter-server-mathjax`` package) are
copied next to them; jQuery, require.js, Mermaid and the widget manager, which nbconvert's templates
load from CDNs, are left out. Widgets need a kernel: their outputs become a line of text. The first
cell of a notebook that sets it up on Colab (tagged ``colab-setup``) is left out of slides and pages.

``python -m tools.editions {student,slides,html} [--out DIR] [--notebooks DIR] [--lang {en,zh}]`` (``make student``,
``make slides``, ``make html``) writes one edition.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib.util
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, SlidesExporter
from nbformat import NotebookNode

from tools import manifest

__all__ = [
    "STUBS",
    "LearnersWork",
    "build_html",
    "build_slides",
    "build_student",
    "is_lecturer_note",
    "strip_solutions",
    "stub_language",
    "student_notebook",
    "syllabus",
]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# The stubs' words in each language the editions speak: the code line, the exercise's message (its hint, what
# to write, in {hint}), the markdown answer; and the hint's phrases, whose {function} and {names} stay code.
STUBS = {
    "en": {
        "code": "# Your code here",
        "raise": "Exercise: {hint}",
        "answer": "*Your answer here.*",
        "body": "write the body of {function}",
        "cell": "fill in this cell",
        "set": "set {names}",
        "comma": ", ",
        "and": " and ",
    },
    "zh": {
        "code": "# 在这里写你的代码",
        "raise": "练习：{hint}",
        "answer": "（在这里写你的答案。）",  # no italics in Chinese
        "body": "写出 {function} 的函数体",
        "cell": "补全这个单元格",
        "set": "给 {names} 赋值",
        "comma": "、",
        "and": " 和 ",
    },
}
MARKDOWN_SOLUTION = re.compile(r"<!-- BEGIN SOLUTION -->.*?<!-- END SOLUTION -->", re.DOTALL)
SETUP_TAG = "colab-setup"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "[An interactive widget: open the notebook in JupyterLab to use it.]"
# A relative link to a notebook, e.g. "](01_by_hand.ipynb" or "](01_by_hand.ipynb#section".
NOTEBOOK_LINK = re.compile(r"(\]\()(?![a-z][a-z0-9+.-]*:)([^)\s]+?)\.ipynb(?=[)#])")

REVEAL_VERSION = "4.0.2"  # what nbconvert 7's reveal template is written for
REVEAL_THEME = "white"  # its fonts ship with reveal.js; most other themes load theirs from Google Fonts
REVEAL_FILES = ["LICENSE", "dist/reveal.css", "dist/reveal.js", f"dist/theme/{REVEAL_THEME}.css", "dist/theme/fonts"]
REVEAL_FILES += ["plugin/notes"]  # speaker notes: press S in a deck
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"

# The blocks of nbconvert's templates that load jQuery, require.js, Mermaid and the widget manager from
# CDNs, emptied; MathJax (MATHJAX_URL) told to use the only fonts jupyter-server-mathjax ships, STIX-Web.
_OFFLINE_BLOCKS = """
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({"HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}});
</script>
{{ super() }}
{%- endblock html_head_js_mathjax -%}
"""
NOTE_TAG = "lecturer-note"  # given to the lecturer's notes on a page, which the template styles apart
# Chinese text in the machine's own CJK fonts, named after the Latin ones (nothing is fetched: a machine
# without any of them shows its default CJK font, or boxes).
CJK_FONTS = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", "Heiti SC", "SimHei"'
)
LATIN_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial'
# nbconvert's "lab" template, less every script it loads from a CDN, with the lecturer's notes set apart.
PAGE_TEMPLATE = (
    "{%- extends 'index.html.j2' -%}"
    + _OFFLINE_BLOCKS
    + "{% block extra_css %}<style>\n"
    + f".celltag_{NOTE_TAG} {{ border-left: 4px solid #c98a00; background: #fff8e8; padding: 0.1em 0.8em; }}\n"
    + f":root {{ --jp-content-font-family: {LATIN_FONTS}, {CJK_FONTS}, sans-serif; "
    + f"--jp-ui-font-family: {LATIN_FONTS}, {CJK_FONTS}, sans-serif; }}\n"
    + "</style>{% endblock extra_css %}\n"
)
# nbconvert's "reveal" template, less its CDN scripts, and reveal.js loaded by plain script tags, not require.js;
# the white theme's own font ("Source Sans Pro", shipped with reveal.js) first, then the CJK fonts.
SLIDES_TEMPLATE = (
    "{%- extends 'index.html.j2' -%}"
    + _OFFLINE_BLOCKS
    + "{% block extra_css %}{{ super() }}<style>\n"
    + f'.reveal {{ font-family: "Source Sans Pro", Helvetica, {CJK_FONTS}, sans-serif; }}\n'
    + "</style>{% endblock extra_css %}\n"
    + """
{%- block footer_js -%}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
  controls: true, progress: true, history: true, plugins: [RevealNotes],
  transition: "{{ resources.reveal.transition }}", slideNumber: "{{ resources.reveal.number }}",
  width: {{ resources.reveal.width or 960 }}, height: {{ resources.reveal.height or 700 }},
});
function fitSlide() {
  // a slide taller than the screen scrolls instead of running off it
  var room = document.querySelector(".reveal").offsetHeight * 0.95;
  document.querySelectorAll("section.present section").forEach(function (section) {
    if (section.offsetHeight > room) {
      section.style.height = "calc(95vh)";
      section.style.overflowY = "scroll";
      section.style.marginTop = "20px";
    }
  });
  if (window.MathJax && MathJax.Hub) {
    MathJax.Hub.Rerender(Reveal.getCurrentSlide());
  }
}
Reveal.on("ready", fitSlide);
Reveal.on("slidechanged", fitSlide);
</script>
{%- endblock footer_js -%}
"""
)


# --- the student edition ------------------------------------------------------------------------------


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _parse(code: str) -> ast.Module | None:
    """``code`` parsed as Python, IPython's line magics and shell escapes (``%timeit``, ``!pip``) read as
    ``pass`` so that line numbers stay; None when it is not Python."""
    lines = [re.sub(r"^(\s*)[%!].*", r"\1pass", line) for line in code.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _enclosing_function(lines: list[str], index: int) -> str | None:
    """The name of the innermost ``def`` that line ``index`` lies in, or None at the top level (or when the
    cell is not Python).

    >>> _enclosing_function(["def f(", "    x,", "):", "    ### BEGIN SOLUTION", "    return x"], 3)
    'f'
    >>> _enclosing_function(["%time x = 1", "def g():", "    ### BEGIN SOLUTION", "    pass"], 2)
    'g'
    """
    tree = _parse("\n".join(lines))
    if tree is None:
        return None
    line = index + 1  # ast counts lines from 1
    inside = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.lineno < line <= node.end_lineno
    ]
    return max(inside, key=lambda node: node.lineno).name if inside else None


def _bound_names(code: str) -> list[str]:
    """Names that the top-level statements of ``code`` assign or define, in order."""
    tree = _parse(textwrap.dedent(code))
    if tree is None:
        return []
    names: list[str] = []
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            targets: list[ast.AST] = []
            names.append(statement.name)
        elif isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
            targets = [statement.target]
        else:
            targets = []
        for target in targets:
            names += [node.id for node in ast.walk(target) if isinstance(node, ast.Name)]
    return [name for n, name in enumerate(names) if name not in names[:n] and name != "_"]


def stub_language(language: str | None) -> str:
    """The key of :data:`STUBS` for a notebook's language tag ("zh-CN", "zh", "en", None: English).

    >>> stub_language("zh-CN"), stub_language("en"), stub_language(None)
    ('zh', 'en', 'en')
    """
    code = (language or "en").lower().replace("_", "-").split("-")[0]
    return code if code in STUBS else "en"


def _hint(lines: list[str], begin: int, end: int, after: str, lang: str = "en") -> str:
    """What a stub asks for, in ``lang``: the body of the function it lies in, or the names its region sets
    that the code ``after`` it uses."""
    words = STUBS[lang]
    function = _enclosing_function(lines, begin)
    if function:
        return words["body"].format(function=function)
    bound = _bound_names("\n".join(lines[begin + 1 : end]))
    wanted = [name for name in bound if re.search(rf"\b{re.escape(name)}\b", after)] or bound
    if not wanted:
        return words["cell"]
    names = wanted[0] if len(wanted) == 1 else words["comma"].join(wanted[:-1]) + words["and"] + wanted[-1]
    return words["set"].format(names=names)


def strip_solutions(source: str, following: str = "", lang: str = "en") -> str:
    """A code cell's source with each solution region replaced by a stub.

    Parameters
    ----------
    source : the cell's code, solution regions between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
    following : the code that comes after the cell (the next code cell, usually the check): the hint
        of a stub outside any function names what the region sets that this code, or the rest of the
        cell, uses
    lang : the stubs' language, a key of :data:`STUBS` ("en", "zh")

    Returns
    -------
    str
        The source with each region (its marker lines included) replaced by ``# Your code here`` and
        ``raise NotImplementedError("Exercise: ...")`` at the region's indentation.

    Examples
    --------
    >>> cell = "def f(x):\\n    ### BEGIN SOLUTION\\n    return x + 1\\n    ### END SOLUTION"
    >>> print(strip_solutions(cell))
    def f(x):
        # Your code here
        raise NotImplementedError("Exercise: write the body of f")
    >>> cell = "### BEGIN SOLUTION\\nr = 3\\nrates = [1, r, 9]\\n### END SOLUTION"
    >>> print(strip_solutions(cell, following="assert rates[0] == 1"))
    # Your code here
    raise NotImplementedError("Exercise: set rates")
    >>> print(strip_solutions(cell, lang="zh"))
    # 在这里写你的代码
    raise NotImplementedError("练习：给 r 和 rates 赋值")
    >>> strip_solutions("### BEGIN SOLUTION\\nr = 3")
    Traceback (most recent call last):
    ...
    ValueError: '### BEGIN SOLUTION' on line 1 has no '### END SOLUTION' after it
    """
    lines = source.splitlines()
    out: list[str] = []
    n = 0
    while n < len(lines):
        if lines[n].strip() != BEGIN:
            out.append(lines[n])
            n += 1
            continue
        end = next((m for m in range(n + 1, len(lines)) if lines[m].strip() == END), None)
        if end is None:
            raise ValueError(f"{BEGIN!r} on line {n + 1} has no {END!r} after it")
        hint = _hint(lines, n, end, "\n".join([*lines[end + 1 :], following]), lang)
        indent = _indent(lines[n])
        message = json.dumps(STUBS[lang]["raise"].format(hint=hint), ensure_ascii=False)
        out += [f"{indent}{STUBS[lang]['code']}", f"{indent}raise NotImplementedError({message})"]
        n = end + 1
    stray = [m + 1 for m, line in enumerate(out) if "BEGIN SOLUTION" in line or "END SOLUTION" in line]
    if stray:  # e.g. an END without a BEGIN, or a marker with more text on its line: its solution would leak
        raise ValueError(f"a solution marker is left on line {stray[0]} of the stripped cell; write it as {BEGIN!r}")
    return "\n".join(out)


def is_lecturer_note(cell: NotebookNode) -> bool:
    """Whether ``cell`` is a note for the lecturer: slide type ``notes`` (shown in the speaker view only)."""
    return cell.metadata.get("slideshow", {}).get("slide_type") == "notes"


def student_notebook(nb: NotebookNode, lang: str | None = None) -> NotebookNode:
    """A copy of ``nb`` with its solutions stripped (:func:`strip_solutions`) and its outputs cleared.

    Markdown between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` becomes ``*Your answer here.*``;
    execution counts and stored widget state go with the outputs; the lecturer's notes (cells whose slide
    type is ``notes``) go too, since some of them name an exercise's answer; tags and slide metadata stay.
    The stubs are in ``lang`` ("en", "zh"), by default the language of the notebook's metadata.
    """
    words = stub_language(lang or nb.metadata.get("language"))
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.cells = [cell for cell in nb.cells if not is_lecturer_note(cell)]
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for n, cell in enumerate(code):
        if BEGIN in cell.source:
            cell.source = strip_solutions(cell.source, code[n + 1].source if n + 1 < len(code) else "", words)
        cell.outputs, cell.execution_count = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = MARKDOWN_SOLUTION.sub(STUBS[words]["answer"], cell.source)
    return nb


def notebook_paths(folder: Path) -> list[Path]:
    """The course's notebooks in ``folder``, in the order of the learning path (their file names)."""
    paths = sorted(Path(folder).glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {folder}")
    return paths


def _fresh(out: Path, notebooks: Path, pattern: str) -> None:
    """Make ``out`` and delete what an earlier build left in it (files matching ``pattern``)."""
    if Path(out).resolve() == Path(notebooks).resolve():
        raise ValueError(f"out must not be the notebooks' own folder, {notebooks}")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(pattern):
        old.unlink()


class LearnersWork(RuntimeError):
    """A build would delete or overwrite a notebook that was changed after the course wrote it."""


def build_student(notebooks: Path, out: Path, lang: str | None = None) -> list[Path]:
    """Write the student edition of every notebook in ``notebooks`` to ``out``; return the files written.

    The stubs are in ``lang`` ("en", "zh"), by default in each notebook's own language (its metadata).

    ``out`` may hand out work that learners then do in place: an earlier build's notebooks are replaced
    only when they are still as built (their hashes are in ``out/.delivered.json``, :mod:`tools.manifest`);
    if any was changed since, or was never built here, nothing is written and :class:`LearnersWork` says which.
    """
    if Path(out).resolve() == Path(notebooks).resolve():
        raise ValueError(f"out must not be the notebooks' own folder, {notebooks}")
    out.mkdir(parents=True, exist_ok=True)
    changed = manifest.learners(out)
    if changed:
        names = ", ".join(p.name for p in changed)
        raise LearnersWork(
            f"{out} holds notebooks changed after they were built, or not built here: {names}. "
            "Nothing was written: move them elsewhere (your work belongs in workspace/, see `make lab`), "
            "or delete them yourself, and run again."
        )
    for old in out.glob("*.ipynb"):
        old.unlink()
    written, hashes = [], {}
    for path in notebook_paths(notebooks):
        nb = student_notebook(nbformat.read(path, as_version=4), lang)
        nbformat.write(nb, out / path.name)
        written.append(out / path.name)
        hashes[path.name] = manifest.digest(out / path.name)
    manifest.save(out, hashes)
    return written


# --- slides and static pages --------------------------------------------------------------------------


def presentable(nb: NotebookNode, suffix: str) -> NotebookNode:
    """A copy of ``nb`` to render: no Colab set-up cell, no widget state, links to notebooks ending in ``suffix``.

    >>> cell = nbformat.v4.new_markdown_cell("Next: [`01_by_hand`](01_by_hand.ipynb), [paper](https://x.org/a.ipynb)")
    >>> presentable(nbformat.v4.new_notebook(cells=[cell]), ".html").cells[0].source
    'Next: [`01_by_hand`](01_by_hand.html), [paper](https://x.org/a.ipynb)'
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.cells = [cell for cell in nb.cells if SETUP_TAG not in cell.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = NOTEBOOK_LINK.sub(rf"\g<1>\g<2>{suffix}", cell.source)
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output.data = {"text/plain": WIDGET_NOTE}
    return nb


def fetch_reveal(cache: Path, version: str = REVEAL_VERSION) -> Path:
    """reveal.js from the npm registry (``npm pack``), unpacked into ``cache/reveal.js-VERSION`` once."""
    folder = cache / f"reveal.js-{version}"
    if (folder / "package.json").is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"the slides need reveal.js {version} from the npm registry: install Node.js (npm)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        done = subprocess.run(
            [npm, "pack", f"reveal.js@{version}", "--pack-destination", tmp], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm pack reveal.js@{version} failed:\n{done.stderr}")
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        (Path(tmp) / "package").rename(folder)
    return folder


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copyfile(source, target)


def copy_mathjax(out: Path) -> None:
    """Copy MathJax 2.7 (``jupyter-server-mathjax``'s static files) to ``out/mathjax``."""
    spec = importlib.util.find_spec("jupyter_server_mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the offline pages need MathJax: pip install jupyter-server-mathjax")
    _copy(Path(spec.submodule_search_locations[0]) / "static", out / "mathjax")


def _export(exporter: HTMLExporter, nb: NotebookNode, path: Path, target: Path) -> Path:
    resources = {"metadata": {"name": path.stem, "path": str(path.parent)}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    target.write_text(body, encoding="utf-8")
    return target


def build_slides(notebooks: Path, out: Path, cache: Path = Path("build/vendor")) -> list[Path]:
    """Write a reveal.js deck ``NAME.slides.html`` for every notebook to ``out``, with reveal.js and MathJax.

    reveal.js is fetched into ``cache`` when it is not there yet (:func:`fetch_reveal`).
    """
    reveal = fetch_reveal(cache)
    _fresh(out, notebooks, "*.slides.html")
    for name in REVEAL_FILES:
        _copy(reveal / name, out / "reveal.js" / name)
    copy_mathjax(out)
    exporter = SlidesExporter(
        reveal_url_prefix="reveal.js", reveal_theme=REVEAL_THEME, mathjax_url=MATHJAX_URL, embed_images=True
    )
    exporter.raw_template = SLIDES_TEMPLATE
    written = []
    for path in notebook_paths(notebooks):
        nb = presentable(nbformat.read(path, as_version=4), ".slides.html")
        written.append(_export(exporter, nb, path, out / f"{path.stem}.slides.html"))
    return written


def _outline(nb: NotebookNode, fallback: str) -> tuple[str, str, list[str]]:
    """A notebook's title (its first heading), what it is about (its opening paragraph, less the sentence
    that announces what the learner will be able to do), and that list of outcomes."""
    source = next((cell.source for cell in nb.cells if cell.cell_type == "markdown"), "")
    lines = source.splitlines()
    heading = next((n for n, line in enumerate(lines) if re.match(r"#+\s", line)), None)
    title = re.sub(r"^#+\s+", "", lines[heading]).strip() if heading is not None else fallback
    body = lines[heading + 1 :] if heading is not None else lines
    paragraphs = [p.strip() for p in "\n".join(body).split("\n\n") if p.strip()]
    opening = " ".join(paragraphs[0].split()) if paragraphs and not paragraphs[0].startswith("- ") else ""
    sentences = re.split(r"(?<=[.!?])\s+|(?<=[。！？])", opening)
    before = sentences[: next((n for n, s in enumerate(sentences) if _announces(s)), len(sentences))]
    outcomes: list[str] = []
    announced = False
    for line in body:
        if _announces(line):
            announced = True
        elif announced and line.startswith("- "):
            outcomes.append(line[2:].strip())
        elif announced and outcomes and line.startswith(" ") and line.strip():
            outcomes[-1] += " " + line.strip()
        elif outcomes:
            break
    return title, " ".join(before or sentences[:1]), [o.rstrip(";.") for o in outcomes]


def _announces(text: str) -> bool:
    """Whether a line of a notebook's opening cell announces its outcomes ("able to", 中文 "能够")."""
    return "able to" in text or "能够" in text


# The syllabus page's own words, and the link to the same site in the other language (build/html and
# build/zh/html, as `make html` and `make zh` write them).
SYLLABUS_WORDS = {
    "en": (
        "Syllabus",
        "The course in {n} notebooks, one step each: follow them in order.",
        "After it you will be able to:",
    ),
    "zh-CN": ("课程大纲", "本课程共 {n} 个 notebook，每个一步：请按顺序学习。", "学完之后你将能够："),
}
OTHER_LANGUAGE = {"en": "[中文版](../zh/html/index.html)", "zh-CN": "[English](../../html/index.html)"}


def language_of(paths: Sequence[Path]) -> str:
    """The language a set of notebooks is written in: their metadata's ``language`` (tools/i18n.py), else "en"."""
    return str(nbformat.read(paths[0], as_version=4).metadata.get("language", "en")) if paths else "en"


def syllabus(paths: Sequence[Path]) -> str:
    """The syllabus in markdown: for each notebook, in order, its title (linking its page), what it is
    about and what the learner leaves able to do, all read from the notebook; then a link to the other language."""
    language = language_of(paths)
    title_word, intro, after = SYLLABUS_WORDS.get(language, SYLLABUS_WORDS["en"])
    parts = [f"# {title_word}", intro.format(n=len(paths)), OTHER_LANGUAGE.get(language, OTHER_LANGUAGE["en"])]
    for path in paths:
        title, about, outcomes = _outline(nbformat.read(path, as_version=4), path.stem)
        parts.append(f"## [{title}]({path.stem}.html)")
        if about:
            parts.append(about)
        if outcomes:
            parts.append(after + "\n\n" + "\n".join(f"- {o}" for o in outcomes))
    return "\n\n".join(parts) + "\n"


def build_html(notebooks: Path, out: Path) -> list[Path]:
    """Write every notebook, with its stored outputs, as ``NAME.html`` to ``out``, and ``index.html``, the syllabus.

    Figures stay embedded as PNG data; MathJax is copied next to the pages. The lecturer's notes are set
    apart (a coloured bar and background).
    """
    _fresh(out, notebooks, "*.html")
    copy_mathjax(out)
    exporter = HTMLExporter(mathjax_url=MATHJAX_URL, embed_images=True)
    exporter.raw_template = PAGE_TEMPLATE
    paths = notebook_paths(notebooks)
    written = []
    for path in paths:
        nb = presentable(nbformat.read(path, as_version=4), ".html")
        for cell in filter(is_lecturer_note, nb.cells):
            cell.metadata.setdefault("tags", []).append(NOTE_TAG)
        written.append(_export(exporter, nb, path, out / f"{path.stem}.html"))
    index = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(syllabus(paths))])
    index.metadata["title"] = SYLLABUS_WORDS.get(language_of(paths), SYLLABUS_WORDS["en"])[0]
    written.append(_export(exporter, index, Path(notebooks) / "index.ipynb", out / "index.html"))
    return written


# --- command line -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> list[Path]:
    """``python -m tools.editions {student,slides,html} [--out DIR] [--notebooks DIR] [--lang {en,zh}]``."""
    parser = argparse.ArgumentParser(prog="python -m tools.editions", description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", choices=["student", "slides", "html"])
    parser.add_argument("--out", type=Path, default=None, help="where to write it (default build/EDITION)")
    parser.add_argument("--notebooks", type=Path, default=Path("notebooks"), help="the instructor edition")
    parser.add_argument(
        "--lang", choices=sorted(STUBS), default=None, help="the student stubs' language (default: the notebooks')"
    )
    args = parser.parse_args(argv)
    out = args.out or Path("build") / args.edition
    try:
        if args.edition == "student":
            written = build_student(args.notebooks, out, args.lang)
        else:
            written = {"slides": build_slides, "html": build_html}[args.edition](args.notebooks, out)
    except LearnersWork as refusal:
        parser.exit(1, f"{args.edition}: {refusal}\n")
    print(f"{args.edition}: {len(written)} files in {out}")
    return written


if __name__ == "__main__":
    main()
