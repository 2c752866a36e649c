"""The Chinese edition is kept in step with the English: every markdown cell translated from its current
English, formulas, code, links and numbers kept, the glossary's terms used; every code cell with an English
sentence translated, its code tokens the English ones; the edition built from it, with its language cell and
its stubs in Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools import editions, i18n

LANG = "zh"
NOTEBOOKS = i18n.notebook_paths()
WELCOME = i18n.NOTEBOOKS / "00_welcome.ipynb"
notebooks = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


def catalogue(path: Path) -> dict[str, dict[str, str]]:
    return i18n.load_catalogue(i18n.catalogue_path(LANG, path))


def code_catalogue(path: Path) -> dict[str, dict[str, str]]:
    return i18n.load_catalogue(i18n.code_catalogue_path(LANG, path))


@notebooks
def test_every_markdown_cell_is_translated_from_its_current_english(path: Path) -> None:
    found = i18n.problems(nbformat.read(path, as_version=4), catalogue(path), path.name)
    assert not found, "re-translate (python -m tools.i18n todo):\n" + "\n".join(found)


@notebooks
def test_catalogue_has_no_entry_for_a_cell_that_is_gone(path: Path) -> None:
    ids = {cell.id for cell in i18n.markdown_cells(nbformat.read(path, as_version=4))}
    assert set(catalogue(path)) <= ids


@notebooks
def test_translation_keeps_formulas_code_links_and_numbers(path: Path) -> None:
    cat, found = catalogue(path), []
    for cell in i18n.markdown_cells(nbformat.read(path, as_version=4)):
        entry = cat.get(cell.id)
        if entry is not None:
            adapted = bool(entry.get("adapted"))
            found += [
                f"cell {cell.id}: {p}" for p in i18n.invariant_problems(cell.source, entry["text"], adapted=adapted)
            ]
    assert not found, "\n".join(found)


def test_an_adapted_entry_still_keeps_formulas_and_numbers() -> None:
    english = "Run `make lab` for $k = 3$ in `workspace/`."
    assert (
        i18n.invariant_problems(english, "运行 `make lab COURSE_LANG=zh`，$k = 3$，在 `workspace-zh/`。", adapted=True)
        == []
    )
    assert i18n.invariant_problems(english, "运行 `make lab COURSE_LANG=zh`，$k = 3$，在 `workspace-zh/`。")
    assert i18n.invariant_problems(english, "运行 `make lab COURSE_LANG=zh`，$k = 5$。", adapted=True)


# --- the glossary: 00's English / 中文 table ----------------------------------------------------------


def glossary() -> list[tuple[list[str], list[str]]]:
    """(English terms, Chinese forms) per row of 00's glossary table; any form may stand for any term."""
    rows = []
    for cell in i18n.markdown_cells(nbformat.read(WELCOME, as_version=4)):
        if not cell.source.lstrip().startswith(("## Glossary", "## Appendix: glossary")):
            continue
        for line in cell.source.splitlines():
            cols = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cols) < 3 or cols[0] in ("English", "---") or not re.search(r"[\u4e00-\u9fff]", cols[1]):
                continue
            english = [t.strip() for t in re.sub(r"\(([^)]*)\)", "", cols[0]).split(",") if t.strip()]
            chinese = [t.strip() for t in re.split(r"[/（），,、]", cols[1]) if t.strip()]
            rows.append((english, chinese))
    return rows


def test_the_glossary_is_read() -> None:
    rows = glossary()
    assert len(rows) >= 15
    assert (["receptive field"], ["感受野"]) in rows
    assert (["dilated convolution", "atrous convolution"], ["空洞卷积", "膨胀卷积"]) in rows


def glossary_problems(english: str, chinese: str) -> list[str]:
    """Glossary terms used in the English markdown whose Chinese forms appear nowhere in the translation."""
    found = []
    for terms, forms in glossary():
        used = [t for t in terms if re.search(rf"(?<![\w-]){re.escape(t)}s?(?![\w-])", english, re.I)]
        if used and not any(form in chinese for form in forms):
            found.append(f"{used[0]!r} is used, but none of {forms} appears in the translation")
    return found


@notebooks
def test_glossary_terms_are_translated_as_the_glossary_says(path: Path) -> None:
    cat = catalogue(path)
    cells = [c for c in i18n.markdown_cells(nbformat.read(path, as_version=4)) if c.id in cat]
    english = "\n".join(c.source for c in cells)
    chinese = "\n".join(cat[c.id]["text"] for c in cells)
    assert not glossary_problems(english, chinese)


def test_glossary_check_catches_a_missing_term() -> None:
    assert glossary_problems("the receptive field grows", "感受野变大") == []
    assert glossary_problems("the receptive field grows", "视野变大") != []


# --- the checks find what they are for ---------------------------------------------------------------


def test_a_changed_english_cell_is_named() -> None:
    nb = nbformat.read(WELCOME, as_version=4)
    cell = next(i18n.markdown_cells(nb))
    cat = {cell.id: {"source": i18n.source_hash(cell.source), "text": "译文"}}
    assert not [p for p in i18n.problems(nb, cat, "00") if cell.id in p]
    cell.source += "\nOne more English sentence."
    assert [p for p in i18n.problems(nb, cat, "00") if cell.id in p and "changed in English" in p]


def test_invariants_catch_a_changed_formula_number_or_code_span() -> None:
    english = "Dilation $d = 2$ on `F.conv2d`: 5 pixels, see [02](02_vectorized.ipynb)."
    assert (
        i18n.invariant_problems(english, "膨胀率 $d = 2$ 作用于 `F.conv2d`：5 个像素，见 [02](02_vectorized.ipynb)。")
        == []
    )
    assert i18n.invariant_problems(
        english, "膨胀率 $d = 3$ 作用于 `F.conv2d`：5 个像素，见 [02](02_vectorized.ipynb)。"
    )
    assert i18n.invariant_problems(
        english, "膨胀率 $d = 2$ 作用于 `F.conv1d`：5 个像素，见 [02](02_vectorized.ipynb)。"
    )
    assert i18n.invariant_problems(
        english, "膨胀率 $d = 2$ 作用于 `F.conv2d`：6 个像素，见 [02](02_vectorized.ipynb)。"
    )


# --- code cells: comments and prose translated, every other token the English one ---------------------


@notebooks
def test_every_code_cell_with_english_is_translated_from_its_current_english(path: Path) -> None:
    found = i18n.code_problems(nbformat.read(path, as_version=4), code_catalogue(path), path.name)
    assert not found, "translate the code cells (python -m tools.i18n todo):\n" + "\n".join(found)


CODE_ENTRIES = [
    (cat_path, cid)
    for cat_path in sorted((i18n.CATALOGUES / LANG / "code").glob("*.yml"))
    for cid in i18n.load_catalogue(cat_path)
]


@pytest.mark.parametrize("cat_path, cid", CODE_ENTRIES, ids=[f"{p.stem}:{cid}" for p, cid in CODE_ENTRIES])
def test_code_translation_keeps_every_code_token(cat_path: Path, cid: str) -> None:
    notebook = i18n.NOTEBOOKS / f"{cat_path.stem}.ipynb"
    assert notebook.exists(), f"{cat_path.name} is the catalogue of no notebook"
    english = {cell.id: cell.source for cell in i18n.code_cells(nbformat.read(notebook, as_version=4))}
    assert cid in english, f"{cat_path.name}: {cid} is not a code cell of {notebook.name}"
    translation = i18n.load_catalogue(cat_path)[cid]["text"]
    assert i18n.code_tokens(translation) == i18n.code_tokens(english[cid])
    assert not i18n.translation_problems(english[cid], translation)


def test_code_strings_are_told_from_prose_narrowly() -> None:
    # Code: one word, no space: keys, modes, format specs, line styles, einsums, colours, module names.
    for code in (
        "same",
        "valid",
        "basic",
        "o",
        "k--",
        "s-",
        ".3f",
        "\n",
        "",
        "tab:blue",
        "oc,nchw->nohw",
        "zero-inserted",
    ):
        assert i18n.is_code_string(code), code
    # Prose may be translated: a space, a capital or a bracket with a word of four letters (a translation that
    # changes it must make it Chinese).
    for prose in (
        "tap loop",
        "dilated kernel",
        " sum:",
        "(unchanged)",
        "Done",
        "the padding is ignored",
        "每次调用的时间",
    ):
        assert not i18n.is_code_string(prose), prose


ENGLISH_CELL = """\
x = np.ones(3)  # the step between taps
plt.plot(x, "k--", label="dilated kernel")
print(f"{name}: spans {n} pixels", sep="")
assert mode == "same", f"{mode!r} is not a mode of this layer"
"""
CHINESE_CELL = """\
x = np.ones(3)  # 采样点之间的步距
plt.plot(x, "k--", label="空洞卷积核")
print(f"{name}：覆盖 {n} 个像素", sep="")
assert mode == "same", f"{mode!r} 不是这一层的模式"
"""


def test_a_translation_may_change_comments_and_prose_only() -> None:
    assert i18n.code_tokens(CHINESE_CELL) == i18n.code_tokens(ENGLISH_CELL)
    assert i18n.translation_problems(ENGLISH_CELL, CHINESE_CELL) == []


@pytest.mark.parametrize(
    "old, new",
    [
        ('"k--"', '"k-"'),  # a line style
        ('mode == "same"', 'mode == "相同"'),  # a mode, translated
        ('mode == "same"', 'mode == "valid"'),  # a mode, changed
        ('sep=""', 'sep=" "'),  # an empty string
        ("np.ones(3)", "np.ones(4)"),  # a number
        ("x = np.ones", "y = np.ones"),  # a name
        ("{n} 个像素", "{n + 1} 个像素"),  # an f-string's field
        ("{mode!r}", "{mode}"),  # its conversion
        ("{name}：覆盖 {n}", "{n}：覆盖 {name}"),  # the order of its fields
        ('label="空洞卷积核"', 'label="dilated kernels"'),  # prose changed, but not translated
        ("覆盖 {n} 个像素", "覆盖 {n} 个像素（3 种）"),  # a number added to a printed sentence
    ],
)
def test_a_translation_that_changes_code_is_caught(old: str, new: str) -> None:
    assert old in CHINESE_CELL
    assert i18n.translation_problems(ENGLISH_CELL, CHINESE_CELL.replace(old, new))


def test_format_specs_pragmas_magics_and_nbgrader_markers_are_code() -> None:
    english = '%matplotlib inline\ndef f(x):\n    ### BEGIN SOLUTION\n    return f"{x:>7.3f} ms"  # noqa: E501 (long)\n'
    english += "    ### END SOLUTION\n"
    chinese = english.replace("(long)", "（很长）").replace(" ms", " 毫秒")
    assert i18n.translation_problems(english, chinese) == []
    for old, new in [
        ("{x:>7.3f}", "{x:>7.2f}"),  # a format spec
        ("# noqa: E501 （很长）", "# 很长"),  # a pragma dropped
        ("%matplotlib inline", "%matplotlib widget"),  # a magic
        ("    ### BEGIN SOLUTION", "    ### BEGIN SOLUTION（解答开始）"),  # a marker with more on its line
        ("    ### END SOLUTION", "  ### END SOLUTION"),  # a marker indented differently
        ("    ### BEGIN SOLUTION\n    return", "    return"),  # a marker dropped
    ]:
        assert old in chinese
        assert i18n.code_tokens(chinese.replace(old, new)) != i18n.code_tokens(english), (old, new)


def test_code_problems_name_an_untranslated_stale_or_wrong_code_cell() -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1  # the step between taps", id="prose"),
            nbformat.v4.new_code_cell("y = x  # (N, C_in, L)", id="shapes"),
        ]
    )
    found = i18n.code_problems(nb, {}, "nb")
    assert len(found) == 1 and "prose" in found[0] and "no translation" in found[0]
    right = {
        "prose": {"source": i18n.source_hash("x = 1  # the step between taps"), "text": "x = 1  # 采样点之间的步距"}
    }
    assert i18n.code_problems(nb, right, "nb") == []
    assert "changed in English" in i18n.code_problems(nb, {"prose": {**right["prose"], "source": "0"}}, "nb")[0]
    wrong = {"prose": {**right["prose"], "text": "x = 2  # 采样点之间的步距"}}
    assert "differs" in i18n.code_problems(nb, wrong, "nb")[0]
    assert "not a code cell" in i18n.code_problems(nb, {**right, "gone": right["prose"]}, "nb")[0]


def test_todo_and_merge_carry_code_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    english = "x = 1  # the step between taps"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(english, id="c"), nbformat.v4.new_markdown_cell()])
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, tmp_path / "nb" / "00_x.ipynb")
    monkeypatch.setattr(i18n, "NOTEBOOKS", tmp_path / "nb")
    monkeypatch.setattr(i18n, "catalogue_path", lambda lang, notebook: tmp_path / "md.yml")
    monkeypatch.setattr(i18n, "code_catalogue_path", lambda lang, notebook: tmp_path / "code.yml")
    listed = i18n.todo(LANG)["00_x.ipynb"]
    assert listed["c"] == {"en": english, "text": english}  # to translate in place
    with pytest.raises(ValueError, match="differs"):
        i18n.merge(LANG, {"00_x.ipynb": {"c": {"text": "x = 2  # 采样点之间的步距"}}})
    assert i18n.merge(LANG, {"00_x.ipynb": {"c": {"text": "x = 1  # 采样点之间的步距"}}}) == ["00_x.ipynb:c"]
    saved = i18n.load_catalogue(tmp_path / "code.yml")
    assert saved == {"c": {"source": i18n.source_hash(english), "text": "x = 1  # 采样点之间的步距"}}
    assert (tmp_path / "code.yml").read_text(encoding="utf-8").startswith("# 00_x.ipynb: code cells whose comments")
    assert "c" not in i18n.todo(LANG).get("00_x.ipynb", {})


# --- the built edition ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return i18n.build(LANG, tmp_path_factory.mktemp("zh"), strict=False)


def language_cells(nb: nbformat.NotebookNode) -> list[int]:
    return [n for n, c in enumerate(nb.cells) if i18n.LANGUAGE_TAG in c.metadata.get("tags", [])]


def test_build_translates_the_cells_and_keeps_the_code_and_outputs(built: list[Path]) -> None:
    assert [p.name for p in built] == [p.name for p in NOTEBOOKS]
    for english_path, built_path in zip(NOTEBOOKS, built, strict=True):
        english, chinese = nbformat.read(english_path, as_version=4), nbformat.read(built_path, as_version=4)
        assert chinese.metadata["language"] == "zh-CN"
        cells = [c for n, c in enumerate(chinese.cells) if n not in language_cells(chinese)]
        assert [c.cell_type for c in cells] == [c.cell_type for c in english.cells]
        code = code_catalogue(english_path)
        for e, b in zip(english.cells, cells, strict=True):
            if e.cell_type != "code":
                continue
            assert (b.get("outputs"), b.metadata) == (e.get("outputs"), e.metadata)
            expected = nbformat.from_dict(e)
            if "colab-setup" in e.metadata.get("tags", []):  # the edition's Colab cell also installs its font
                i18n.add_colab_font(expected, LANG, i18n.font_pin())
                assert i18n.font_pin() in b.source
            assert i18n.code_tokens(b.source) == i18n.code_tokens(expected.source)
            entry = code.get(e.id)
            fresh = entry is not None and entry["source"] == i18n.source_hash(e.source)
            if fresh and not i18n.translation_problems(e.source, entry["text"]):
                assert b.source.startswith(entry["text"])
            else:  # no translation, or a stale or wrong one: the English (a strict build refuses it)
                assert b.source == e.source
        assert "DILCONV_LANG" not in chinese.cells[0].source  # the Colab set-up cell sets no language


def test_build_sets_the_language_in_a_cell_every_learner_runs(built: list[Path]) -> None:
    for built_path in built:
        nb = nbformat.read(built_path, as_version=4)
        (n,) = language_cells(nb)
        cell = nb.cells[n]
        assert cell.id == "course-language" and cell.cell_type == "code"
        assert cell.source == (
            'import dilconv_lib\n\ndilconv_lib.set_language("zh")  # 本课程的输出、图和检查器都用中文'
        )
        title = next(m for m, c in enumerate(nb.cells) if c.cell_type == "markdown")
        uses = [
            m
            for m, c in enumerate(nb.cells)
            if c.cell_type == "code" and m != n and re.search(r"^\s*(import|from) dilconv_lib\b", c.source, re.M)
        ]
        assert title < n and "colab-setup" in nb.cells[0].metadata.get("tags", [])
        assert all(n < m for m in uses if "colab-setup" not in nb.cells[m].metadata.get("tags", []))


def test_the_language_cell_goes_after_the_title_and_before_the_library() -> None:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    setup = code("import sys")
    setup.metadata["tags"] = ["colab-setup"]
    nb = nbformat.v4.new_notebook(cells=[setup, md("# Title"), md("Text"), code("from dilconv_lib import x")])
    assert i18n.language_cell_index(nb) == 2
    nb = nbformat.v4.new_notebook(cells=[setup, code("import dilconv_lib"), md("# Title")])
    assert i18n.language_cell_index(nb) == 1


def test_the_english_notebooks_have_no_language_cell() -> None:
    for path in NOTEBOOKS:
        assert not language_cells(nbformat.read(path, as_version=4))


def test_strict_build_refuses_untranslated_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "CATALOGUES", tmp_path / "empty")
    monkeypatch.setattr(i18n, "catalogue_path", lambda lang, nb, root=tmp_path / "empty": root / lang / "x.yml")
    with pytest.raises(SystemExit, match="untranslated"):
        i18n.build(LANG, tmp_path / "out")


def test_a_code_translation_that_changes_the_code_is_not_built() -> None:
    english = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1  # one", id="c")])
    entry = {"source": i18n.source_hash("x = 1  # one"), "text": "x = 2  # 一"}
    assert i18n.translate(english, {}, LANG, {"c": entry}).cells[-1].source == "x = 1  # one"
    entry["text"] = "x = 1  # 一"
    assert i18n.translate(english, {}, LANG, {"c": entry}).cells[-1].source == "x = 1  # 一"


# --- the student edition of the Chinese notebooks: stubs in Chinese ---------------------------------------


def test_chinese_stubs(built: list[Path]) -> None:
    welcome = nbformat.read(next(p for p in built if p.name == WELCOME.name), as_version=4)
    stubbed = editions.student_notebook(welcome)  # the language from the notebook's metadata
    sources = "\n".join(c.source for c in stubbed.cells if c.cell_type == "code")
    assert "# 在这里写你的代码" in sources
    assert 'raise NotImplementedError("练习：写出 my_effective_kernel_size 的函数体")' in sources
    assert "Your code here" not in sources and "Exercise:" not in sources
    english = editions.student_notebook(nbformat.read(WELCOME, as_version=4))
    assert 'raise NotImplementedError("Exercise: write the body of my_effective_kernel_size")' in "\n".join(
        c.source for c in english.cells
    )
    assert editions.student_notebook(welcome, "en").cells[1:] != stubbed.cells[1:]


def test_chinese_stub_hints_keep_the_names_as_code() -> None:
    cell = "### BEGIN SOLUTION\nshare = 1\nother = 2\nthird = 3\n### END SOLUTION"
    assert editions.strip_solutions(cell, "print(share, other, third)", lang="zh").splitlines() == [
        "# 在这里写你的代码",
        'raise NotImplementedError("练习：给 share、other 和 third 赋值")',
    ]
    assert editions.strip_solutions("### BEGIN SOLUTION\n### END SOLUTION", lang="zh").splitlines()[1] == (
        'raise NotImplementedError("练习：补全这个单元格")'
    )
    # the English stubs, byte for byte as before
    assert editions.strip_solutions(cell, "print(share, other, third)") == (
        '# Your code here\nraise NotImplementedError("Exercise: set share, other and third")'
    )


def test_student_command_takes_the_language(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION")]
    )
    nbformat.write(nb, tmp_path / "in" / "00_a.ipynb")
    editions.main(["student", "--notebooks", str(tmp_path / "in"), "--out", str(tmp_path / "zh"), "--lang", "zh"])
    editions.main(["student", "--notebooks", str(tmp_path / "in"), "--out", str(tmp_path / "en")])
    zh = nbformat.read(tmp_path / "zh" / "00_a.ipynb", as_version=4).cells[0].source
    en = nbformat.read(tmp_path / "en" / "00_a.ipynb", as_version=4).cells[0].source
    assert zh == 'def f(x):\n    # 在这里写你的代码\n    raise NotImplementedError("练习：写出 f 的函数体")'
    assert en == 'def f(x):\n    # Your code here\n    raise NotImplementedError("Exercise: write the body of f")'
