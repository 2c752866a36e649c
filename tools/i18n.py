"""Translated editions of the course: one catalogue per notebook, kept in step with the English by hashes.

Code cells are shared; only markdown cells are translated. ``i18n/<lang>/<notebook>.yml`` holds, for each
markdown cell (keyed by its cell id), the translation and a hash of the English source it was made from::

    cells:
      eb9eb479:
        source: 3f2a9c0d1e2b     # sha256 of the English cell, first 12 hex digits
        text: |-
          # 空洞卷积：从循环到网络
          ...

When an English cell changes, its hash no longer matches and ``tests/test_i18n.py`` names the cell, so a
maintainer sees exactly what to re-translate. ``i18n/<lang>/glossary.yml`` lists the terms whose
translation must be used consistently.

Commands (``python -m tools.i18n ...``):

- ``build --lang zh --out build/zh``: the translated notebooks (same file names, same outputs); the first
  cell also sets ``DILCONV_LANG``, so that the exercise checkers answer in that language;
- ``todo --lang zh [NOTEBOOK ...]``: the cells still to translate (missing or stale), with their English
  text, as a YAML file for a translator to fill in;
- ``merge --lang zh FILE``: put a filled-in todo file into the catalogues (hashes from the current English).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
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

# What the first cell of a translated notebook adds: the checkers read it (dilconv_lib.exercises).
LANGUAGE_LINES = (
    '\nimport os\n\nos.environ["DILCONV_LANG"] = "{lang}"  # the exercise checkers answer in this language\n'
)


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


def catalogue_path(lang: str, notebook: Path | str, root: Path = CATALOGUES) -> Path:
    return root / lang / f"{Path(notebook).stem}.yml"


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


def save_catalogue(path: Path, notebook: str, cells: dict[str, dict[str, str]]) -> None:
    entries = {
        cid: {"source": e["source"], "text": _Literal(e["text"].rstrip("\n"))} for cid, e in sorted(cells.items())
    }
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


def translate(nb: NotebookNode, catalogue: dict[str, dict[str, str]], lang: str) -> NotebookNode:
    """A copy of ``nb`` with each markdown cell in ``lang``; code, outputs and metadata stay as they are."""
    out = nbformat.from_dict(nb)  # a deep copy
    for cell in markdown_cells(out):
        entry = catalogue.get(cell.get("id", ""))
        if entry is not None and entry.get("source") == source_hash(cell.source):
            cell.source = entry["text"]
    first = out.cells[0] if out.cells else None
    if first is not None and first.cell_type == "code" and "colab-setup" in first.metadata.get("tags", []):
        first.source = first.source.rstrip("\n") + "\n" + LANGUAGE_LINES.format(lang=lang)
    out.metadata["language"] = LANGUAGES.get(lang, lang)
    return out


def build(lang: str, out: Path, notebooks: Path = NOTEBOOKS, *, strict: bool = True) -> list[Path]:
    """Write the ``lang`` edition of every notebook into ``out``; refuse untranslated cells when ``strict``."""
    paths, missing = [], []
    out.mkdir(parents=True, exist_ok=True)
    for path in notebook_paths(notebooks):
        nb = nbformat.read(path, as_version=4)
        catalogue = load_catalogue(catalogue_path(lang, path))
        missing += problems(nb, catalogue, path.name)
        target = out / path.name
        nbformat.write(translate(nb, catalogue, lang), target)
        paths.append(target)
    if strict and missing:
        raise SystemExit("untranslated cells (run `python -m tools.i18n todo`):\n" + "\n".join(missing))
    return paths


def todo(lang: str, names: Sequence[str] = ()) -> dict[str, Any]:
    """The cells still to translate: {notebook: {cell id: {"en": English, "text": old translation or ""}}}."""
    result: dict[str, Any] = {}
    for path in notebook_paths():
        if names and path.stem not in names and path.name not in names:
            continue
        nb = nbformat.read(path, as_version=4)
        catalogue = load_catalogue(catalogue_path(lang, path))
        cells = {}
        for cell in markdown_cells(nb):
            entry = catalogue.get(cell.get("id", ""), {})
            if entry.get("source") != source_hash(cell.source) or not str(entry.get("text", "")).strip():
                cells[cell.id] = {"en": _Literal(cell.source), "text": _Literal(entry.get("text", ""))}
        if cells:
            result[path.name] = cells
    return result


def merge(lang: str, filled: dict[str, Any]) -> list[str]:
    """Put translations ({notebook: {cell id: {"text": ...}}}) into the catalogues; return what was merged."""
    merged = []
    for name, cells in filled.items():
        path = NOTEBOOKS / name
        nb = nbformat.read(path, as_version=4)
        english = {cell.id: cell.source for cell in markdown_cells(nb)}
        cat_path = catalogue_path(lang, path)
        catalogue = load_catalogue(cat_path)
        for cid, entry in cells.items():
            text = str(entry.get("text", "")).strip()
            if cid not in english:
                raise ValueError(f"{name}: no markdown cell with id {cid}")
            if text:
                catalogue[cid] = {"source": source_hash(english[cid]), "text": text}
                merged.append(f"{name}:{cid}")
        save_catalogue(cat_path, name, catalogue)
    return merged


# --- what must survive a translation: formulas, code, links and numbers ---------------------------------

_MATH = re.compile(r"\$\$.+?\$\$|\$(?:[^$\n]|\n(?!\n))+?\$", re.S)  # inline math may run over one line break
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
    """
    fences = _FENCE.findall(markdown)
    rest = _FENCE.sub(" ", markdown)
    math = _MATH.findall(rest)
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


def invariant_problems(english: str, translation: str) -> list[str]:
    """What a translation dropped or added among the English cell's formulas, code, links and numbers."""
    found = []
    en, tr = invariants(english), invariants(translation)
    for kind in en:
        lost, added = en[kind] - tr[kind], tr[kind] - en[kind]
        if lost or added:
            found.append(f"{kind}: missing {sorted(lost)}, extra {sorted(added)}")
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
