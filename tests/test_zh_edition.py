"""The built Chinese edition (``make test-zh`` runs this on ``build/zh/notebooks``): the same notebooks as the
English ones, with one more cell that sets the language; the same code tokens (comments, printed sentences,
figure text and assert messages in Chinese) and the same numbers printed, with the markdown in Chinese and the
checkers and printed output in Chinese.

Run by ``make test-zh`` after ``make zh`` has built and executed the edition; ``make unit`` leaves it out.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import nbformat
import pytest

from tools import i18n

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = i18n.notebook_paths()
CJK = re.compile(r"[\u4e00-\u9fff]")
VERDICT = re.compile(r"^[✓✗]")
ENGLISH_PROSE = i18n.ENGLISH_PROSE  # four English words in a row


@pytest.fixture(scope="module")
def built(request: pytest.FixtureRequest) -> Path:
    folder = request.config.getoption("--zh-notebooks")
    if folder is None:
        pytest.fail("give the built Chinese notebooks: make test-zh (pytest ... --zh-notebooks build/zh/notebooks)")
    return Path(folder)


def sanitize(text: str) -> str:
    """The text nbval compares: timings and addresses masked as tests/nbval_sanitize.cfg masks them."""
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "nbval_sanitize.cfg")
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


def texts(cell: nbformat.NotebookNode) -> list[str]:
    """A code cell's outputs as nbval compares them: streams (consecutive chunks of one stream joined, as a
    kernel may flush them in pieces), plain text, error names."""
    found: list[str] = []
    stream = None
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == stream:
            found[-1] += output.text
            continue
        stream = output.name if output.output_type == "stream" else None
        if output.output_type == "stream":
            found.append(output.text)
        elif output.output_type == "error":
            found.append(output.ename)
        else:
            found.append(str(output.get("data", {}).get("text/plain", "")))
    return [sanitize(t) for t in found]


def is_language_cell(cell: nbformat.NotebookNode) -> bool:
    return i18n.LANGUAGE_TAG in cell.metadata.get("tags", [])


def differences(english: nbformat.NotebookNode, chinese: nbformat.NotebookNode) -> list[str]:
    """Where the Chinese notebook's code or outputs are not the English one's: its language cell aside, the
    same cells, the same code tokens (:func:`tools.i18n.code_tokens`), and outputs that print the same numbers
    in the same order (the words may be Chinese) or give the same checker verdict."""
    found = []
    cells = [c for c in chinese.cells if not is_language_cell(c)]
    if [c.cell_type for c in english.cells] != [c.cell_type for c in cells]:
        return ["the cells are not the same kinds in the same order"]
    for n, (e, c) in enumerate(zip(english.cells, cells)):
        if e.cell_type != "code":
            continue
        expected = nbformat.from_dict(e)
        if "colab-setup" in e.metadata.get("tags", []):  # the edition's Colab cell installs its font too
            i18n.add_colab_font(expected, "zh", i18n.font_pin())
        if i18n.code_tokens(expected.source) != i18n.code_tokens(c.source):
            found.append(f"cell {n}: the code differs")
        if {"nbval-ignore-output", "nbval-skip"} & set(e.metadata.get("tags", [])):
            continue  # outputs nbval does not compare either (timings, widgets)
        for a, b in zip(texts(e), texts(c), strict=False):
            if VERDICT.match(a) or VERDICT.match(b):  # a checker's verdict: the same one, in other words
                same = bool(VERDICT.match(a) and VERDICT.match(b)) and a[0] == b[0]
            else:  # anything else: the same numbers in the same order
                same = i18n.numbers(a) == i18n.numbers(b)
            if a != b and not same:
                found.append(f"cell {n}: output {a[:80]!r} became {b[:80]!r}")
        if len(texts(e)) != len(texts(c)):
            found.append(f"cell {n}: {len(texts(e))} outputs became {len(texts(c))}")
    return found


def english_output(cell: nbformat.NotebookNode) -> list[str]:
    """The lines a code cell prints (stdout, stderr, plain text) that hold an English sentence, code in
    backticks aside."""
    found = []
    for output in cell.get("outputs", []):
        text = output.get("text") if output.output_type == "stream" else output.get("data", {}).get("text/plain")
        lines = str(text or "").splitlines()
        found += [line for line in lines if ENGLISH_PROSE.search(re.sub(r"`[^`]*`", " ", line))]
    return found


@pytest.mark.parametrize("path", ENGLISH, ids=[p.stem for p in ENGLISH])
def test_same_code_and_outputs_as_the_english(built: Path, path: Path) -> None:
    english = nbformat.read(path, as_version=4)
    chinese = nbformat.read(built / path.name, as_version=4)
    assert not differences(english, chinese)


@pytest.mark.parametrize("path", ENGLISH, ids=[p.stem for p in ENGLISH])
def test_markdown_is_chinese_and_checkers_answer_in_chinese(built: Path, path: Path) -> None:
    chinese = nbformat.read(built / path.name, as_version=4)
    assert chinese.metadata["language"] == "zh-CN"
    assert [c.id for c in chinese.cells if is_language_cell(c)] == [i18n.LANGUAGE_TAG]
    markdown = [c.source for c in chinese.cells if c.cell_type == "markdown"]
    assert all(CJK.search(m) for m in markdown if len(m) > 40), "a long markdown cell without Chinese"
    graded = [c for c in chinese.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    verdicts = [t for c in graded for t in texts(c) if VERDICT.match(t)]
    assert all(CJK.search(v) for v in verdicts), "a checker answered in English"


@pytest.mark.parametrize("path", ENGLISH, ids=[p.stem for p in ENGLISH])
def test_printed_output_is_chinese(built: Path, path: Path) -> None:
    chinese = nbformat.read(built / path.name, as_version=4)
    found = [f"cell {c.id}: {line[:100]}" for c in chinese.cells if c.cell_type == "code" for line in english_output(c)]
    assert not found, "English sentences printed:\n" + "\n".join(found)


def test_differences_are_found() -> None:
    english = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("x")])
    english.cells[1].outputs = [nbformat.v4.new_output("stream", text="✓ right: 3.2 ms\n")]
    chinese = nbformat.from_dict(english)
    chinese.cells[1].outputs = [nbformat.v4.new_output("stream", text="✓ 正确：4.1 ms\n")]
    assert differences(english, chinese) == []  # the same verdict, in Chinese
    chinese.cells[1].outputs = [nbformat.v4.new_output("stream", text="✗ 错误\n")]
    assert differences(english, chinese)
    chinese.cells[1].outputs = [nbformat.v4.new_output("stream", text="✗ 错误：3.2 ms\n")]
    assert differences(english, chinese)  # the same numbers, but the other verdict
    chinese.cells[1].source = "x + 1"
    assert "cell 1: the code differs" in differences(english, chinese)
    split = nbformat.from_dict(english)  # one stream flushed in two pieces is the same output
    split.cells[1].outputs = [nbformat.v4.new_output("stream", text=t) for t in ("✓ right: ", "3.2 ms\n")]
    assert differences(english, split) == []


def test_translated_code_and_output_with_the_same_numbers_are_no_difference() -> None:
    english = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print(f"{n} taps")  # count')])
    english.cells[0].outputs = [nbformat.v4.new_output("stream", text="1-D: 3 taps, 0.25 s\n")]
    chinese = nbformat.from_dict(english)
    chinese.cells[0].source = 'print(f"{n} 个采样点")  # 数一数'
    chinese.cells[0].outputs = [nbformat.v4.new_output("stream", text="一维：3 个采样点，0.25 s\n")]
    chinese.cells.insert(0, i18n.language_cell("zh"))
    assert differences(english, chinese) == []
    chinese.cells[1].outputs = [nbformat.v4.new_output("stream", text="一维：4 个采样点，0.25 s\n")]
    (found,) = differences(english, chinese)  # a number changed
    assert found.startswith("cell 0: output '1-D: 3 taps")
    chinese.cells[1].source = 'print(f"{n + 1} 个采样点")'
    assert "cell 0: the code differs" in differences(english, chinese)


def test_english_sentences_in_output_are_found() -> None:
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output("stream", text="一维：3 次比较都一致\nall 3 comparisons agree with torch\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "tensor([1., 2.])"}),
    ]
    assert english_output(cell) == ["all 3 comparisons agree with torch"]
