"""Translated editions of the course: catalogues per notebook, kept in step with the English by hashes.

``i18n/<lang>/<notebook>.yml`` holds, for each markdown cell (keyed by its cell id), the translation and a
hash of the English source it was made from::

    cells:
      eb9eb479:
        source: 3f2a9c0d1e2b     # sha256 of the English cell, first 12 hex digits
        text: |-
          # 空洞卷积：从循环到网络
          ...

``i18n/<lang>/code/<notebook>.yml`` does the same for the code cells whose comments, printed sentences,
figure text or assert messages are translated: the whole cell, in which every code token is the English
one (:func:`code_tokens`; only comments and prose string literals change). A code cell with no entry is
copied unchanged.

When an English cell changes, its hash no longer matches and ``tests/test_i18n.py`` names the cell, so a
maintainer sees exactly what to re-translate; it also names a code cell that has an English sentence and no
entry. ``i18n/<lang>/terms.yml`` gives the one word for each concept that every translation uses.

Commands (``python -m tools.i18n ...``):

- ``build --lang zh --out build/zh``: the translated notebooks (same file names, same outputs), each with
  one more code cell after its title, tagged ``course-language``, that sets the library's language
  (``dilconv_lib.set_language``), so that printed output, figures and checkers speak it;
- ``todo --lang zh [NOTEBOOK ...]``: the cells still to translate (missing or stale), markdown and code,
  with their English text, as a YAML file for a translator to fill in;
- ``merge --lang zh FILE``: put a filled-in todo file into the catalogues (hashes from the current English).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import re
import sys
import tokenize
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import nbformat
import yaml
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CATALOGUES = ROOT / "i18n"
LANGUAGES = {"zh": "zh-CN"}  # catalogue folder -> the language tag the edition declares

# The cell a translated notebook gets after its title, before any cell that uses the library: every learner runs
# it (unlike the Colab set-up cell), and the library's printed output, figures and checkers follow it
# (dilconv_lib.i18n). No notebook starts a Python process that prints, so no environment variable is needed.
LANGUAGE_TAG = "course-language"  # the cell's tag and its id
LANGUAGE_CELL = 'import dilconv_lib\n\ndilconv_lib.set_language("{lang}")  # {comment}'
LANGUAGE_COMMENT = {"zh": "本课程的输出、图和检查器都用中文"}


def source_hash(source: str) -> str:
    """The first 12 hex digits of the sha256 of a cell's English source.

    >>> source_hash("# Title")
    '79aeaf7ba450'
    """
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def notebook_paths(folder: Path = NOTEBOOKS) -> list[Path]:
    return sorted(folder.glob("[0-9]*.ipynb"))


def markdown_cells(nb: NotebookNode) -> Iterator[NotebookNode]:
    return (cell for cell in nb.cells if cell.cell_type == "markdown")


def code_cells(nb: NotebookNode) -> Iterator[NotebookNode]:
    return (cell for cell in nb.cells if cell.cell_type == "code")


def catalogue_path(lang: str, notebook: Path | str, root: Path = CATALOGUES) -> Path:
    return root / lang / f"{Path(notebook).stem}.yml"


def code_catalogue_path(lang: str, notebook: Path | str, root: Path = CATALOGUES) -> Path:
    return root / lang / "code" / f"{Path(notebook).stem}.yml"


def load_catalogue(path: Path) -> dict[str, dict[str, str]]:
    """Cell id -> {"source": hash, "text": translation}; empty when the file does not exist."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cells = data.get("cells") or {}
    if not isinstance(cells, dict):
        raise ValueError(f"{path}: 'cells' must map cell ids to entries")
    return {str(k): v for k, v in cells.items()}


class _Literal(str):
    """A string written as a YAML block scalar (``|-``), so that a translation reads as it renders."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


yaml.SafeDumper.add_representer(_Literal, _literal)


def save_catalogue(path: Path, notebook: str, cells: dict[str, dict[str, str]], *, code: bool = False) -> None:
    entries = {
        cid: {"source": e["source"], "text": _Literal(e["text"].rstrip("\n"))}
        | ({"adapted": e["adapted"]} if e.get("adapted") else {})  # why its code differs from the English
        for cid, e in sorted(cells.items())
    }
    if code:
        header = f"# {notebook}: code cells whose comments and strings are translated, keyed by cell id\n"
    else:
        header = (
            f"# {notebook}: the translation of each markdown cell, keyed by cell id. 'source' is the hash of the\n"
            "# English it was made from (tools/i18n.py); when the English changes, tests/test_i18n.py names the cell.\n"
        )
    body = yaml.safe_dump({"cells": entries}, allow_unicode=True, sort_keys=False, width=1000)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + body, encoding="utf-8")


def problems(nb: NotebookNode, catalogue: dict[str, dict[str, str]], name: str) -> list[str]:
    """Every markdown cell of ``nb`` without a translation made from its current English, by cell id."""
    found = []
    for n, cell in enumerate(markdown_cells(nb)):
        cid = cell.get("id")
        entry = catalogue.get(cid) if cid else None
        first = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
        if not cid:
            found.append(f"{name}: markdown cell {n} has no id")
        elif entry is None or not str(entry.get("text", "")).strip():
            found.append(f"{name}: cell {cid} ({first!r}) has no translation")
        elif entry.get("source") != source_hash(cell.source):
            found.append(f"{name}: cell {cid} ({first!r}) changed in English since it was translated")
    return found


def code_problems(nb: NotebookNode, catalogue: dict[str, dict[str, str]], name: str) -> list[str]:
    """What the code catalogue of ``nb`` lacks or gets wrong, by cell id: a code cell with an English sentence
    (:func:`english_prose`) and no entry, an entry made from older English, an entry that changes the code
    (:func:`translation_problems`), an entry for a cell that is not a code cell of ``nb``."""
    found, ids = [], set()
    for n, cell in enumerate(code_cells(nb)):
        cid = cell.get("id")
        ids.add(cid)
        entry = catalogue.get(cid) if cid else None
        if entry is None or not str(entry.get("text", "")).strip():
            prose = english_prose(cell.source)
            if prose:
                found.append(f"{name}: code cell {cid or n} has English ({prose[0][:60]!r}) and no translation")
        elif entry.get("source") != source_hash(cell.source):
            found.append(f"{name}: code cell {cid} changed in English since it was translated")
        else:
            found += [f"{name}: code cell {cid}: {p}" for p in translation_problems(cell.source, entry["text"])]
    found += [f"{name}: the code catalogue's {cid} is not a code cell" for cid in catalogue if cid not in ids]
    return found


def _code_translation(cell: NotebookNode, catalogue: dict[str, dict[str, str]]) -> str | None:
    """The entry's text for a code cell when it was made from the current English and keeps its code."""
    entry = catalogue.get(cell.get("id", ""))
    if entry is None or entry.get("source") != source_hash(cell.source) or not str(entry.get("text", "")).strip():
        return None
    return None if translation_problems(cell.source, entry["text"]) else str(entry["text"])


def language_cell(lang: str) -> NotebookNode:
    """The code cell that sets the edition's language, tagged and identified ``course-language``.

    >>> print(language_cell("zh").source)
    import dilconv_lib
    <BLANKLINE>
    dilconv_lib.set_language("zh")  # 本课程的输出、图和检查器都用中文
    """
    cell = nbformat.v4.new_code_cell(LANGUAGE_CELL.format(lang=lang, comment=LANGUAGE_COMMENT[lang]))
    cell.id = LANGUAGE_TAG
    # left out of the slides: the Colab set-up cell and the imports are too
    cell.metadata.update({"tags": [LANGUAGE_TAG], "slideshow": {"slide_type": "skip"}})
    return cell


_IMPORTS_LIBRARY = re.compile(r"^\s*(?:import|from)\s+dilconv_lib\b", re.M)


def language_cell_index(nb: NotebookNode) -> int:
    """Where the language cell goes: after the title (the first markdown cell), and before the first code cell
    other than the Colab set-up that imports ``dilconv_lib``, whichever comes first."""
    cells = list(nb.cells)
    title = next((n for n, c in enumerate(cells) if c.cell_type == "markdown"), None)
    setup = next((n for n, c in enumerate(cells) if "colab-setup" not in c.metadata.get("tags", [])), len(cells))
    after_title = setup if title is None else title + 1
    uses = (
        n
        for n, c in enumerate(cells)
        if c.cell_type == "code"
        and "colab-setup" not in c.metadata.get("tags", [])
        and _IMPORTS_LIBRARY.search(c.source)
    )
    return min(after_title, next(uses, len(cells)))


# On Colab, which has no CJK font, the edition's Colab set-up cell also installs the one its figures use: mplfonts'
# Noto Sans CJK SC (dilconv_lib.i18n reads the font file only, so its dependencies are not installed).
COLAB_FONT = {
    "zh": (
        "\n    # 中文图用的字体：只用它的字体文件，所以不装它的依赖\n"
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "{package}"], check=True)'
    ),
}


def add_colab_font(cell: NotebookNode, lang: str, package: str) -> None:
    """Add to a Colab set-up cell (``if "google.colab" in sys.modules:`` ... its last line) the font install.

    >>> cell = nbformat.v4.new_code_cell('import sys\\n\\nif "google.colab" in sys.modules:\\n    import subprocess')
    >>> add_colab_font(cell, "zh", "mplfonts==0.0.11")
    >>> print(cell.source.splitlines()[-1])
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "mplfonts==0.0.11"], check=True)
    """
    if lang in COLAB_FONT and 'if "google.colab" in sys.modules:' in cell.source:
        cell.source = cell.source.rstrip("\n") + "\n" + COLAB_FONT[lang].replace("{package}", package)


def font_pin() -> str:
    """The CJK font package as constraints.txt pins it (``mplfonts==X``)."""
    lock = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return next(line.strip() for line in lock if line.startswith("mplfonts=="))


def translate(
    nb: NotebookNode,
    catalogue: dict[str, dict[str, str]],
    lang: str,
    code: dict[str, dict[str, str]] | None = None,
) -> NotebookNode:
    """A copy of ``nb`` in ``lang``: each markdown cell from ``catalogue``, each code cell with an entry in
    ``code`` from that entry (only where it keeps the code), the language cell inserted; outputs and the other
    metadata stay as they are."""
    out = nbformat.from_dict(nb)  # a deep copy
    for cell in markdown_cells(out):
        entry = catalogue.get(cell.get("id", ""))
        if entry is not None and entry.get("source") == source_hash(cell.source):
            cell.source = entry["text"]
    for cell in code_cells(out):
        text = _code_translation(cell, code or {})
        if text is not None:
            cell.source = text
        if "colab-setup" in cell.metadata.get("tags", []):
            add_colab_font(cell, lang, font_pin())
    out.cells.insert(language_cell_index(out), language_cell(lang))
    out.metadata["language"] = LANGUAGES.get(lang, lang)
    return out


def build(lang: str, out: Path, notebooks: Path = NOTEBOOKS, *, strict: bool = True) -> list[Path]:
    """Write the ``lang`` edition of every notebook into ``out``; refuse untranslated cells when ``strict``."""
    paths, missing = [], []
    out.mkdir(parents=True, exist_ok=True)
    for path in notebook_paths(notebooks):
        nb = nbformat.read(path, as_version=4)
        catalogue = load_catalogue(catalogue_path(lang, path))
        code = load_catalogue(code_catalogue_path(lang, path))
        missing += problems(nb, catalogue, path.name) + code_problems(nb, code, path.name)
        target = out / path.name
        nbformat.write(translate(nb, catalogue, lang, code), target)
        paths.append(target)
    if strict and missing:
        raise SystemExit("untranslated cells (run `python -m tools.i18n todo`):\n" + "\n".join(missing))
    return paths


def todo(lang: str, names: Sequence[str] = ()) -> dict[str, Any]:
    """The cells still to translate: {notebook: {cell id: {"en": English, "text": old translation or ""}}}.

    A code cell is listed when its entry is stale or changes the code, or it has an English sentence and no
    entry; its "text" starts as the old translation, or as the English to translate in place."""
    result: dict[str, Any] = {}
    for path in notebook_paths(NOTEBOOKS):  # the module's NOTEBOOKS now, which a test may replace
        if names and path.stem not in names and path.name not in names:
            continue
        nb = nbformat.read(path, as_version=4)
        catalogue = load_catalogue(catalogue_path(lang, path))
        code = load_catalogue(code_catalogue_path(lang, path))
        cells = {}
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                entry = catalogue.get(cell.get("id", ""), {})
                if entry.get("source") != source_hash(cell.source) or not str(entry.get("text", "")).strip():
                    cells[cell.id] = {"en": _Literal(cell.source), "text": _Literal(entry.get("text", ""))}
            elif cell.cell_type == "code":
                entry = code.get(cell.get("id", ""), {})
                stale = bool(entry) and entry.get("source") != source_hash(cell.source)
                wrong = bool(entry) and not stale and translation_problems(cell.source, str(entry.get("text", "")))
                if stale or wrong or (not entry and english_prose(cell.source)):
                    old = str(entry.get("text", "")) or cell.source
                    cells[cell.id] = {"en": _Literal(cell.source), "text": _Literal(old)}
        if cells:
            result[path.name] = cells
    return result


def merge(lang: str, filled: dict[str, Any]) -> list[str]:
    """Put translations ({notebook: {cell id: {"text": ...}}}) into the catalogues; return what was merged.

    A code cell's translation must keep its code (:func:`translation_problems`); one that is still the
    English is left out."""
    merged = []
    for name, cells in filled.items():
        path = NOTEBOOKS / name
        nb = nbformat.read(path, as_version=4)
        english = {cell.id: cell for cell in nb.cells if cell.cell_type in ("markdown", "code")}
        catalogues = {
            kind: (where, load_catalogue(where))
            for kind, where in (("markdown", catalogue_path(lang, path)), ("code", code_catalogue_path(lang, path)))
        }
        for cid, entry in cells.items():
            if cid not in english:
                raise ValueError(f"{name}: no markdown or code cell with id {cid}")
            cell = english[cid]
            text = str(entry.get("text", "")).strip("\n" if cell.cell_type == "code" else None)
            if not text.strip() or (cell.cell_type == "code" and text == cell.source):
                continue
            if cell.cell_type == "code":
                wrong = translation_problems(cell.source, text)
                if wrong:
                    raise ValueError(f"{name}: code cell {cid}: " + "; ".join(wrong))
            catalogues[cell.cell_type][1][cid] = {"source": source_hash(cell.source), "text": text}
            merged.append(f"{name}:{cid}")
        for kind, (where, catalogue) in catalogues.items():
            if catalogue or where.exists():
                save_catalogue(where, name, catalogue, code=kind == "code")
    return merged


# --- what must survive a translation: formulas, code, links and numbers ---------------------------------

_MATH = re.compile(r"\$\$.+?\$\$|\$(?:[^$\n]|\n(?!\n))+?\$", re.S)  # inline math may run over one line break
# words a reader reads inside a formula (\text{holes}) are translated; the rest of the formula is kept
_TEXT = re.compile(r"\\text\{[^{}]*\}")
_FENCE = re.compile(r"```.*?```", re.S)
_CODE = re.compile(r"`[^`]+`")  # a code span may run across a line break
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.×])\d+(?:\.\d+)?")  # a digit after a Chinese character counts too
_DIMENSIONS = re.compile(r"\b[123]-D\b")  # "1-D", "2-D": Chinese writes 一维, 二维


def invariants(markdown: str) -> dict[str, Counter[str]]:
    """The parts of a markdown cell a translation keeps verbatim, each as a multiset.

    >>> inv = invariants("Dilation $d = 2$ reads `x[::2]`: 5 of [9](a.ipynb) pixels.")
    >>> sorted(inv["math"]), sorted(inv["code"]), sorted(inv["links"]), sorted(inv["numbers"])
    (['$d = 2$'], ['`x[::2]`'], ['a.ipynb'], ['5', '9'])
    >>> invariants(r"$3\\text{ holes}$")["math"] == invariants(r"$3\\text{ 个孔洞}$")["math"]
    True
    """
    fences = _FENCE.findall(markdown)
    rest = _FENCE.sub(" ", markdown)
    math = [_TEXT.sub(r"\\text{…}", m) for m in _MATH.findall(rest)]
    rest = _MATH.sub(" ", rest)
    code = _CODE.findall(rest)
    rest = _CODE.sub(" ", rest)
    links = _LINK.findall(rest)
    rest = _DIMENSIONS.sub(" ", _LINK.sub("] ", rest))
    return {
        "math": Counter(math),
        "code": Counter(fences) + Counter(code),
        "links": Counter(links),
        "numbers": Counter(_NUMBER.findall(rest)),
    }


def invariant_problems(english: str, translation: str, *, adapted: bool = False) -> list[str]:
    """What a translation dropped or added among the English cell's formulas, code, links and numbers.

    ``adapted``: the entry says why its code differs on purpose (the Chinese learner's own commands and folder,
    ``make lab COURSE_LANG=zh`` and ``workspace-zh/``); its formulas, links and numbers are still compared.
    """
    found = []
    en, tr = invariants(english), invariants(translation)
    for kind in en:
        if adapted and kind == "code":
            continue
        lost, added = en[kind] - tr[kind], tr[kind] - en[kind]
        if lost or added:
            found.append(f"{kind}: missing {sorted(lost)}, extra {sorted(added)}")
    return found


# --- what must survive a translation of a code cell: every token but comments and prose ------------------

MAGIC = -1  # the token type code_tokens gives an IPython magic or shell line (%timeit, !pip), kept as text
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")  # nbgrader's, after ###
# pragmas a comment may hold, which tools read: ruff's noqa (with its codes), mypy's type:, fmt:, coverage's
_PRAGMA = re.compile(r"\b(?:noqa\b(?::\s*[A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)?|type:\s*\S+|fmt:\s*\w+|pragma: no cover)")
_MAGIC_LINE = re.compile(r"[ \t]*[%!]")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
ENGLISH_PROSE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b")  # four English words in a row
_SKIPPED = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+: an f-string is several tokens
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


_KEY = re.compile(r"[a-z0-9_.,:;/+<>=*-]*")  # a key, a mode, an einsum, a colour: "same", "tab:blue", "oc,nchw->nohw"


def is_code_string(value: str | bytes) -> bool:
    """Whether a string literal's value is code, which a translation keeps as it is: no space, and either no
    run of four letters (a line style, a format spec, a separator) or only lowercase letters, digits and the
    punctuation of keys (a key, a mode, an einsum, a colour). Anything else may be prose; a translation that
    changes it must make it Chinese (:func:`translation_problems`).

    >>> [is_code_string(s) for s in ("same", "valid", "basic", "o", "k--", "\\n", ".3f", "oc,nchw->nohw")]
    [True, True, True, True, True, True, True, True]
    >>> [is_code_string(s) for s in ("tap loop", " sum:", "(unchanged)", "Done", "卷积核")]
    [False, False, False, False, False]
    """
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    if " " in text or _CJK.search(text):
        return False
    return not re.search(r"[A-Za-z]{4}", text) or bool(_KEY.fullmatch(text))


class _Scan:
    """One pass over a cell: its code tokens, its string literals' values (an f-string's with ``{}`` for each
    field), and its comments, in order."""

    def __init__(self, source: str) -> None:
        self.tokens: list[tuple[int, str]] = []
        self.strings: list[str] = []
        self.comments: list[str] = []
        lines = io.StringIO(source).readlines()  # split at "\n" only, as tokenize counts rows
        magic = {n: line.strip() for n, line in enumerate(lines, 1) if _MAGIC_LINE.match(line)}
        code = "".join("\n" if n in magic else line for n, line in enumerate(lines, 1))
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
        except (tokenize.TokenError, SyntaxError):  # not Python (a %%bash cell): every line is code
            self.tokens = [(MAGIC, line.strip()) for line in lines if line.strip()]
            return
        starts = [0] + [m.end() for m in re.finditer("\n", code)]  # the offset of each row in `code`
        pending = sorted(magic.items())
        n = 0
        while n < len(tokens):
            tok = tokens[n]
            while pending and pending[0][0] <= tok.start[0]:
                self.tokens.append((MAGIC, pending.pop(0)[1]))
            n += 1
            if tok.type in _SKIPPED:
                continue
            if tok.type == tokenize.COMMENT:
                self._comment(tok)
            elif tok.type == tokenize.STRING:
                self._string(tok.string)
            elif tok.type == _FSTRING_START:  # up to its own FSTRING_END, nested f-strings included
                depth = 1
                while depth:
                    depth += {_FSTRING_START: 1, _FSTRING_END: -1}.get(tokens[n].type, 0)
                    n += 1
                end = tokens[n - 1].end
                self._string(code[starts[tok.start[0] - 1] + tok.start[1] : starts[end[0] - 1] + end[1]])
            else:
                self.tokens.append((tok.type, tok.string))
        self.tokens += [(MAGIC, text) for _, text in pending]

    def _comment(self, tok: tokenize.TokenInfo) -> None:
        if any(marker in tok.string for marker in MARKERS):  # the whole line, exactly: nbgrader reads it
            self.tokens.append((tokenize.COMMENT, tok.line.rstrip("\r\n")))
            return
        self.tokens += [(tokenize.COMMENT, m.group().rstrip()) for m in _PRAGMA.finditer(tok.string)]
        self.comments.append(tok.string.lstrip("#").strip())

    def _string(self, text: str) -> None:
        node = ast.parse(text.strip(), mode="eval").body
        if isinstance(node, ast.Constant):
            value = node.value.decode("latin-1") if isinstance(node.value, bytes) else str(node.value)
            self.strings.append(value)
            if is_code_string(value):
                self.tokens.append((tokenize.STRING, text))
        elif isinstance(node, ast.JoinedStr):
            self._fstring(node)

    def _fstring(self, node: ast.JoinedStr) -> None:
        """An f-string is one string, its fields written ``{}``: a translation may move its words around them."""
        self.strings.append("".join(str(p.value) if isinstance(p, ast.Constant) else "{}" for p in node.values))
        literal = "".join(str(p.value) for p in node.values if isinstance(p, ast.Constant))
        if is_code_string(literal):
            self.tokens.append((tokenize.STRING, literal))
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                self._field(part)

    def _field(self, part: ast.FormattedValue) -> None:
        """An f-string's ``{expression!conversion:spec}``: all of it is code."""
        if isinstance(part.value, ast.Constant) and isinstance(part.value.value, str):
            # a string formatted as it stands, f"{'time':>14}", is only ever shown: it may be prose
            self.tokens.append((tokenize.OP, "{"))
            self.strings.append(part.value.value)
        else:
            inner = _Scan(ast.unparse(part.value))
            self.tokens += [(tokenize.OP, "{"), *inner.tokens]
            self.strings += inner.strings
        if part.conversion != -1:
            self.tokens += [(tokenize.OP, "!"), (tokenize.NAME, chr(part.conversion))]
        if isinstance(part.format_spec, ast.JoinedStr):
            self.tokens.append((tokenize.OP, ":"))
            for spec in part.format_spec.values:
                if isinstance(spec, ast.Constant):
                    self.tokens.append((tokenize.STRING, str(spec.value)))
                elif isinstance(spec, ast.FormattedValue):
                    self._field(spec)
        self.tokens.append((tokenize.OP, "}"))


def code_tokens(source: str) -> list[tuple[int, str]]:
    """The tokens of a code cell that a translation keeps, as (token type, text).

    Left out: comments (but for nbgrader's marker lines, kept whole, and pragmas such as ``noqa``), line
    breaks and indentation, and string literals that may be prose; kept: every other token, the string
    literals that are code (:func:`is_code_string`), and the fields of an f-string (expression, conversion,
    format spec). A line of IPython magic or shell (``%timeit``, ``!pip``) is kept as its text.

    >>> code_tokens('print(f"{n} taps", sep="")  # how many') == code_tokens('print(f"{n} 个采样点", sep="")  # 多少')
    True
    >>> code_tokens('plot(x, "k--")') == code_tokens('plot(x, "k-")')
    False
    >>> code_tokens('print(f"{t:.3f} ms")') == code_tokens('print(f"{t:.2f} 毫秒")')
    False
    >>> [text for _, text in code_tokens("%xmode Minimal\\nx = 1  # noqa: E731 (a lambda)")]
    ['%xmode Minimal', 'x', '=', '1', 'noqa: E731']
    """
    return _Scan(source).tokens


def english_prose(source: str) -> list[str]:
    """The comments and prose string literals (f-strings with ``{}`` for their fields) of a code cell that hold
    an English sentence: four English words in a row, outside backticks.

    >>> english_prose('print(f"{n} taps", "k--")  # (N, C_in, L)')
    []
    >>> english_prose('x = 1  # the step between taps\\nassert x, f"{x} is not an int: {x!r}"')
    ['the step between taps', '{} is not an int: {}']
    """
    scan = _Scan(source)
    texts = scan.comments + [s for s in scan.strings if not is_code_string(s)]
    return [t for t in texts if ENGLISH_PROSE.search(re.sub(r"`[^`]*`", " ", t))]


def numbers(text: str) -> list[str]:
    """The numbers in a text, in order, as a translation keeps them ("1-D", "2-D" aside: Chinese writes 一维).

    >>> numbers("1-D: 5 comparisons agree in float64, 3x3, 0.25 s")
    ['5', '3', '0.25']
    """
    return _NUMBER.findall(_DIMENSIONS.sub(" ", text))


def translation_problems(english: str, translation: str) -> list[str]:
    """How the translation of a code cell changes more than its comments and prose: its code tokens
    (:func:`code_tokens`), a string it leaves in English but changes, the number of its string literals, or the
    numbers in one of them (in any order: where printed, ``tests/test_zh_edition.py`` compares their order).

    >>> translation_problems('print("3 taps")  # three', 'print("3 个采样点")  # 三个')
    []
    >>> translation_problems('print("3 taps")', 'print("4 个采样点")')
    ["the numbers in '3 taps' changed: ['3'] became ['4']"]
    """
    found = []
    en, tr = code_tokens(english), code_tokens(translation)
    if en != tr:
        n = next((i for i, (a, b) in enumerate(zip(en, tr)) if a != b), min(len(en), len(tr)))
        before = " ".join(text for _, text in en[max(0, n - 4) : n])
        found.append(
            f"the code differs after {before!r}: {en[n][1] if n < len(en) else 'the end'!r} "
            f"became {tr[n][1] if n < len(tr) else 'the end'!r}"
        )
    en_strings, tr_strings = _Scan(english).strings, _Scan(translation).strings
    if len(en_strings) != len(tr_strings):
        found.append(f"{len(en_strings)} string literals (and f-string parts) became {len(tr_strings)}")
    for a, b in zip(en_strings, tr_strings, strict=False):
        if a != b and not _CJK.search(b):
            found.append(f"{a!r} became {b!r}, which is not Chinese")
        elif Counter(numbers(a)) != Counter(numbers(b)):  # in any order: a sentence may put them elsewhere
            found.append(f"the numbers in {a!r} changed: {numbers(a)} became {numbers(b)}")
    return found


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.i18n", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the translated notebooks")
    b.add_argument("--lang", default="zh", choices=sorted(LANGUAGES))
    b.add_argument("--out", type=Path, default=Path("build/zh/notebooks"))
    b.add_argument("--allow-missing", action="store_true", help="keep the English of untranslated cells")
    t = sub.add_parser("todo", help="print the cells still to translate, as YAML")
    t.add_argument("--lang", default="zh", choices=sorted(LANGUAGES))
    t.add_argument("notebooks", nargs="*")
    m = sub.add_parser("merge", help="merge a filled-in todo file into the catalogues")
    m.add_argument("--lang", default="zh", choices=sorted(LANGUAGES))
    m.add_argument("file", type=Path)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    if args.command == "build":
        paths = build(args.lang, args.out, strict=not args.allow_missing)
        print(f"{len(paths)} notebooks in {args.out}")
    elif args.command == "todo":
        sys.stdout.write(
            yaml.safe_dump(todo(args.lang, args.notebooks), allow_unicode=True, sort_keys=False, width=1000)
        )
    else:
        merged = merge(args.lang, yaml.safe_load(args.file.read_text(encoding="utf-8")) or {})
        print(f"merged {len(merged)} cells")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
