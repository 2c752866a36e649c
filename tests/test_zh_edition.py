"""The built Chinese edition (``make test-zh`` runs this on ``build/zh/notebooks``): the same notebooks as the
English ones, code and outputs alike, with the markdown in Chinese and the checkers answering in Chinese.

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


def differences(english: nbformat.NotebookNode, chinese: nbformat.NotebookNode) -> list[str]:
    """Where the Chinese notebook's code or outputs are not the English one's, checker verdicts aside."""
    found = []
    if [c.cell_type for c in english.cells] != [c.cell_type for c in chinese.cells]:
        return ["the cells are not the same kinds in the same order"]
    for n, (e, c) in enumerate(zip(english.cells, chinese.cells)):
        if e.cell_type != "code":
            continue
        if n > 0 and e.source != c.source:
            found.append(f"cell {n}: the code differs")
        if {"nbval-ignore-output", "nbval-skip"} & set(e.metadata.get("tags", [])):
            continue  # outputs nbval does not compare either (timings, widgets)
        for a, b in zip(texts(e), texts(c), strict=False):
            same_verdict = VERDICT.match(a) and VERDICT.match(b) and a[0] == b[0]
            if a != b and not same_verdict:
                found.append(f"cell {n}: output {a[:80]!r} became {b[:80]!r}")
        if len(texts(e)) != len(texts(c)):
            found.append(f"cell {n}: {len(texts(e))} outputs became {len(texts(c))}")
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
    markdown = [c.source for c in chinese.cells if c.cell_type == "markdown"]
    assert all(CJK.search(m) for m in markdown if len(m) > 40), "a long markdown cell without Chinese"
    graded = [c for c in chinese.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    verdicts = [t for c in graded for t in texts(c) if VERDICT.match(t)]
    assert all(CJK.search(v) for v in verdicts), "a checker answered in English"


def test_differences_are_found() -> None:
    english = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("x")])
    english.cells[1].outputs = [nbformat.v4.new_output("stream", text="✓ right: 3.2 ms\n")]
    chinese = nbformat.from_dict(english)
    chinese.cells[1].outputs = [nbformat.v4.new_output("stream", text="✓ 正确：4.1 ms\n")]
    assert differences(english, chinese) == []  # the same verdict, in Chinese
    chinese.cells[1].outputs = [nbformat.v4.new_output("stream", text="✗ 错误\n")]
    assert differences(english, chinese)
    chinese.cells[1].source = "x + 1"
    assert "cell 1: the code differs" in differences(english, chinese)
    split = nbformat.from_dict(english)  # one stream flushed in two pieces is the same output
    split.cells[1].outputs = [nbformat.v4.new_output("stream", text=t) for t in ("✓ right: ", "3.2 ms\n")]
    assert differences(english, split) == []
