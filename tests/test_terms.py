r"""One word a concept, and Chinese that reads as Chinese: the term table and the Chinese edition's text.

``i18n/zh/terms.yml`` gives every term of the course one Chinese word and the words rejected for it. These tests
read the Chinese a learner meets (the markdown catalogues ``i18n/zh/NN_*.yml`` and ``README.zh-CN.md``, the code
catalogues ``i18n/zh/code/*.yml``, the library's ``dilconv_lib/locale/zh/*.yml``) and fail, naming the file, the
cell and the text, on

- a rejected word, unless it lies inside a longer word that the term's ``allow`` lists;
- a line break inside a Chinese sentence of the markdown: Markdown renders it as a space, a stray one between
  two Chinese characters;
- italics around Chinese: Chinese type has no italics, so emphasis is bold;
- an English word a reader reads inside ``\text{}`` in a formula; notation (``k_\text{eff}``) stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ZH = ROOT / "i18n" / "zh"
TERMS = ZH / "terms.yml"
README = ROOT / "README.zh-CN.md"
MARKDOWN = sorted(ZH.glob("[0-9]*.yml"))  # one catalogue a notebook (tools/i18n.py)
CODE = sorted((ZH / "code").glob("*.yml"))  # the notebooks' code comments and strings, where present
LIBRARY = sorted((ROOT / "dilconv_lib" / "locale" / "zh").glob("*.yml"))  # dilconv_lib.i18n's catalogue

# \text{} contents that are notation, read as a name and not as a word: subscripts and the names of arrays
NOTATION = {"in", "out", "eff", "max", "fan_in", "layers", "cols"}

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef“”‘’…—"  # 。，、：；（）「」 ... and the quotes Chinese uses
_CHINESE = re.compile(f"[{CJK}{CJK_PUNCTUATION}]")

Text = tuple[str, str, str]  # (file, where in it, the text)


class _UniqueKeys(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice (the safe loader keeps the last one silently)."""


def _no_duplicates(loader: _UniqueKeys, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    twice = sorted({str(k) for k in keys if keys.count(k) > 1})
    if twice:
        raise yaml.constructor.ConstructorError(None, None, f"keys written twice: {twice}", node.start_mark)
    return loader.construct_mapping(node, deep)


_UniqueKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def load_terms(path: Path = TERMS) -> dict[str, dict[str, Any]]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeys)[
        "terms"
    ]  # a SafeLoader, refusing duplicate keys


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def markdown_texts() -> list[Text]:
    """Every translated markdown cell, and the Chinese README."""
    texts = []
    for path in MARKDOWN:
        cells = yaml.safe_load(path.read_text(encoding="utf-8"))["cells"]
        texts += [(_name(path), f"cell {cid}", str(entry["text"])) for cid, entry in cells.items()]
    return texts + [(_name(README), "README", README.read_text(encoding="utf-8"))]


def _strings(node: object, where: str = "") -> Iterator[tuple[str, str]]:
    """Every string value in a YAML tree with where it sits (keys are English templates or ids: not read)."""
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{where}/{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, f"{where}[{i}]")


def all_texts() -> list[Text]:
    texts = markdown_texts()
    for path in CODE + LIBRARY:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [(_name(path), where[:70], text) for where, text in _strings(data)]
    return texts


def _around(text: str, start: int, end: int, width: int = 20) -> str:
    return "…" + text[max(0, start - width) : end + width].replace("\n", "⏎") + "…"


# --- (a), (b): one word a concept ---------------------------------------------------------------------


def rejected_words(terms: dict[str, dict[str, Any]]) -> dict[str, list[tuple[str, str, list[str]]]]:
    """Rejected word -> (term, its chosen word, the longer words allowed to hold it) for each term rejecting it."""
    found: dict[str, list[tuple[str, str, list[str]]]] = {}
    for term, entry in terms.items():
        for word in entry.get("rejected", []):
            found.setdefault(word, []).append((term, entry["zh"], list(entry.get("allow", []))))
    return found


def _inside_allowed(text: str, start: int, end: int, allowed: list[str]) -> bool:
    """Whether text[start:end] lies inside an occurrence of one of the allowed longer words."""
    for word in allowed:
        for begin in range(max(0, end - len(word)), start + 1):
            if text.startswith(word, begin):
                return True
    return False


def rejected_in(text: str, terms: dict[str, dict[str, Any]]) -> list[str]:
    """Each rejected word in ``text``, with the word to use instead and where it stands.

    >>> terms = {"stride": {"zh": "步长", "rejected": ["步幅"]}, "cell": {"zh": "单元格", "rejected": ["单元"],
    ...          "allow": ["单元格"]}}
    >>> rejected_in("步长为 2 的单元格", terms)
    []
    >>> rejected_in("步幅为 2 的单元", terms)
    ["'步幅' (stride: 步长) in …步幅为 2 的单元…", "'单元' (cell: 单元格) in …步幅为 2 的单元…"]
    """
    found = []
    for word, owners in rejected_words(terms).items():
        allowed = [longer for _, _, allow in owners for longer in allow]
        for m in re.finditer(re.escape(word), text):
            if not _inside_allowed(text, m.start(), m.end(), allowed):
                use = " or ".join(f"{term}: {zh}" for term, zh, _ in owners)
                found.append(f"{word!r} ({use}) in {_around(text, m.start(), m.end())}")
    return found


def test_the_term_table_loads_with_one_chinese_word_a_term() -> None:
    terms = load_terms()
    assert len(terms) >= 20
    bad = []
    for term, entry in terms.items():
        zh = entry.get("zh") if isinstance(entry, dict) else None
        if not isinstance(zh, str) or not zh.strip() or re.search(r"[/、,，;；]|\s或\s", zh):
            bad.append(f"{term!r}: 'zh' must be one Chinese word, not {zh!r}")
            continue
        for key in ("rejected", "allow"):
            words = entry.get(key, [])
            if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
                bad.append(f"{term!r}: {key!r} must be a list of words, not {words!r}")
        for longer in entry.get("allow", []):
            if not any(word in longer for word in entry.get("rejected", [])):
                bad.append(f"{term!r}: allowed {longer!r} holds none of its rejected words")
        unknown = set(entry) - {"zh", "rejected", "allow", "note"}
        if unknown:
            bad.append(f"{term!r}: unknown keys {sorted(unknown)}")
    assert not bad, "\n".join(bad)


def test_no_word_is_both_chosen_and_rejected() -> None:
    terms = load_terms()
    chosen = {entry["zh"]: term for term, entry in terms.items()}
    both = [
        f"{word!r} is chosen for {chosen[word]!r} and rejected for {rejecting!r}"
        for word, owners in rejected_words(terms).items()
        for rejecting, _, _ in owners
        if word in chosen
    ]
    assert not both, "\n".join(both)
    # a chosen word that holds a rejected one must be allowed, or every correct use of it would fail below
    inside = [
        f"{term!r}: {entry['zh']}: {hit}" for term, entry in terms.items() for hit in rejected_in(entry["zh"], terms)
    ]
    assert not inside, "add the chosen word to the term's allow list:\n" + "\n".join(inside)


def test_no_rejected_word_in_the_chinese_edition() -> None:
    terms = load_terms()
    found = [f"{file} {where}: {hit}" for file, where, text in all_texts() for hit in rejected_in(text, terms)]
    assert not found, "use the term table's word (i18n/zh/terms.yml):\n" + "\n".join(found)


def test_the_checks_read_every_catalogue() -> None:
    files = {file for file, _, _ in all_texts()}
    assert len(MARKDOWN) >= 9 and {_name(p) for p in MARKDOWN + CODE + LIBRARY + [README]} <= files


# --- (c): no line break inside a Chinese sentence -----------------------------------------------------

_QUOTE = re.compile(r"\s*>\s?")
_BLOCK = re.compile(r"\s*(#|\||```|~~~|\$\$|<|!\[)")  # heading, table row, fence, display formula, HTML, image
_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])(?:\s|$)")


def line_kinds(text: str) -> list[tuple[str, str]]:
    """(the line without its blockquote marker, kind) per line; kind: blank, code, formula, block, item or text.

    >>> [k for _, k in line_kinds("句一\\n句二\\n\\n$$\\nx\\n$$\\n- 项\\n| a |\\n```\\n代码\\n```")]
    ['text', 'text', 'blank', 'formula', 'formula', 'formula', 'item', 'block', 'code', 'code', 'code']
    """
    kinds, fence, formula = [], False, False
    for line in text.split("\n"):
        m = _QUOTE.match(line)
        body = line[m.end() :] if m else line
        s = body.strip()
        if fence or s.startswith(("```", "~~~")):
            kind = "code"
            fence = not fence if s.startswith(("```", "~~~")) else fence
        elif formula or s.startswith("$$") or s.endswith("$$"):
            kind = "formula"
            formula = formula != bool(s.count("$$") % 2)  # an odd number of $$ opens or closes a block
        elif not s:
            kind = "blank"
        elif _BLOCK.match(body):
            kind = "block"
        elif _ITEM.match(body):
            kind = "item"
        else:
            kind = "text"
        kinds.append((body, kind))
    return kinds


def sentence_breaks(text: str) -> list[int]:
    """Line numbers (0-based) after which a paragraph's line break falls beside a Chinese character.

    A break between a text or list-item line and the text line that continues it counts when the character
    before it or after it is Chinese or Chinese punctuation; a break before a list item, a heading, a table row,
    a formula, code or HTML does not, nor one a line ends on purpose (two spaces or a backslash).

    >>> sentence_breaks("第一句，\\n第二句。")
    [0]
    >>> sentence_breaks("- 第一项\\n- 第二项\\n\\n$$\\n\\\\text{中文}\\n$$\\nan English\\nsentence")
    []
    """
    kinds = line_kinds(text)
    found = []
    for i in range(len(kinds) - 1):
        (a, kind_a), (b, kind_b) = kinds[i], kinds[i + 1]
        if kind_a not in ("text", "item") or kind_b != "text" or a.endswith(("  ", "\\")):
            continue
        if _CHINESE.match(a.rstrip()[-1]) or _CHINESE.match(b.lstrip()[0]):
            found.append(i)
    return found


@pytest.mark.parametrize("path", MARKDOWN + [README], ids=lambda p: p.stem)
def test_no_line_break_inside_a_chinese_sentence(path: Path) -> None:
    found = []
    for file, where, text in markdown_texts():
        if file == _name(path):
            lines = text.split("\n")
            found += [f"{file} {where}: …{lines[i][-20:]}⏎{lines[i + 1][:20]}…" for i in sentence_breaks(text)]
    assert not found, "join these lines (a line break renders as a space):\n" + "\n".join(found)


# --- (d): no italics around Chinese ---------------------------------------------------------------------

_FENCE = re.compile(r"```.*?```|~~~.*?~~~", re.S)
_MATH = re.compile(r"\$\$.+?\$\$|\$(?:[^$\n]|\n(?!\n))+?\$", re.S)  # as tools/i18n.py finds formulas
_CODE = re.compile(r"`[^`]+`")
_ITALIC = re.compile(
    r"(?<![*\\])\*(?![*\s])[^*\n]+?(?<![*\s\\])\*(?!\*)"  # *...*, not ** (bold is taken out first)
    r"|(?<![A-Za-z0-9_\\])_(?![_\s])[^_\n]+?(?<![_\s\\])_(?![A-Za-z0-9_])"  # _..._, not snake_case
)


def chinese_italics(text: str) -> list[str]:
    """Each ``*...*`` or ``_..._`` holding Chinese outside code and formulas.

    >>> chinese_italics("在*每一*侧，**粗体**、`a*b*c`、$x_i * y_j$ 和 *A guide* 都不算")
    ['*每一*']
    """
    prose = _CODE.sub(" ", _MATH.sub(" ", _FENCE.sub(" ", text))).replace("**", "\0\0")
    prose = re.sub(r"(?m)^(\s*(?:>\s*)?)\*\s", r"\1  ", prose)  # a list item's marker
    return [m.group(0) for m in _ITALIC.finditer(prose) if _CHINESE.search(m.group(0))]


def test_no_italics_around_chinese() -> None:
    found = [f"{file} {where}: {hit}" for file, where, text in markdown_texts() for hit in chinese_italics(text)]
    assert not found, "Chinese has no italics: make these bold or plain:\n" + "\n".join(found)


# --- (e): formulas' words in Chinese ---------------------------------------------------------------------

_TEXT = re.compile(r"\\text(?:rm|normal|bf|it|sf|tt)?\{([^{}]*)\}")


def english_in_formulas(text: str) -> list[str]:
    r"""Each ``\text{}`` in a formula holding an English word of four letters or more that is not notation.

    >>> english_in_formulas(r"$k_\text{eff}$，$$64C^2 \text{ weights}, \quad n_\text{layers}$$，`\text{code}`")
    ['\\text{ weights}']
    """
    found = []
    for formula in _MATH.findall(_CODE.sub(" ", _FENCE.sub(" ", text))):
        for m in _TEXT.finditer(formula):
            content = m.group(1).replace("\\_", "_").strip()
            if content not in NOTATION and re.search(r"[A-Za-z]{4,}", content):
                found.append(m.group(0))
    return found


def test_formulas_say_their_words_in_chinese() -> None:
    found = [f"{file} {where}: {hit}" for file, where, text in markdown_texts() for hit in english_in_formulas(text)]
    assert not found, "translate the words inside \\text{} (or add notation to NOTATION):\n" + "\n".join(found)
