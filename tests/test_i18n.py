"""The Chinese edition is kept in step with the English: every markdown cell translated from its current
English, formulas, code, links and numbers kept, the glossary's terms used, and the edition built from it."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools import i18n

LANG = "zh"
NOTEBOOKS = i18n.notebook_paths()
WELCOME = i18n.NOTEBOOKS / "00_welcome.ipynb"
notebooks = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


def catalogue(path: Path) -> dict[str, dict[str, str]]:
    return i18n.load_catalogue(i18n.catalogue_path(LANG, path))


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
            found += [f"cell {cell.id}: {p}" for p in i18n.invariant_problems(cell.source, entry["text"])]
    assert not found, "\n".join(found)


# --- the glossary: 00's English / 中文 table ----------------------------------------------------------


def glossary() -> list[tuple[list[str], list[str]]]:
    """(English terms, Chinese forms) per row of 00's glossary table; any form may stand for any term."""
    rows = []
    for cell in i18n.markdown_cells(nbformat.read(WELCOME, as_version=4)):
        if not cell.source.lstrip().startswith("## Glossary"):
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


# --- the built edition ---------------------------------------------------------------------------------


def test_build_translates_markdown_only_and_sets_the_language(tmp_path: Path) -> None:
    paths = i18n.build(LANG, tmp_path, strict=False)
    assert [p.name for p in paths] == [p.name for p in NOTEBOOKS]
    for english_path, built_path in zip(NOTEBOOKS, paths):
        english, built = nbformat.read(english_path, as_version=4), nbformat.read(built_path, as_version=4)
        assert built.metadata["language"] == "zh-CN"
        assert [c.cell_type for c in built.cells] == [c.cell_type for c in english.cells]
        for e, b in zip(english.cells[1:], built.cells[1:]):
            if e.cell_type == "code":
                assert (b.source, b.get("outputs")) == (e.source, e.get("outputs"))
        assert 'os.environ["DILCONV_LANG"] = "zh"' in built.cells[0].source


def test_strict_build_refuses_untranslated_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "CATALOGUES", tmp_path / "empty")
    monkeypatch.setattr(i18n, "catalogue_path", lambda lang, nb, root=tmp_path / "empty": root / lang / "x.yml")
    with pytest.raises(SystemExit, match="untranslated"):
        i18n.build(LANG, tmp_path / "out")
