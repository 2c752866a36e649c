"""The library's catalogue (dilconv_lib/locale/<lang>/*.yml) and the templates in its source, in step.

Every template the library shows is a string literal passed to ``tr``, ``N_`` or ``passed``
(:mod:`dilconv_lib.i18n`): these tests find them all in the source, without running it, and fail on a template
with no translation, on a translation no code uses, on a translation whose fields differ from the English,
and on a template written as an f-string (its fields would be filled in before the look-up).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
import yaml

from dilconv_lib import i18n

LIBRARY = Path(i18n.__file__).parent
MARKERS = {"tr", "N_", "passed"}  # functions whose first argument is a template
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != "en"]


def _marker(call: ast.Call) -> str | None:
    f = call.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
    return name if name in MARKERS else None


def templates_in_source() -> tuple[dict[str, list[str]], list[str]]:
    """Template -> where it is written; and the places that pass an f-string as a template."""
    found: dict[str, list[str]] = {}
    fstrings = []
    for path in sorted(LIBRARY.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _marker(node) and node.args:
                where = f"{path.relative_to(LIBRARY.parent)}:{node.lineno}"
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.setdefault(first.value, []).append(where)
                elif isinstance(first, ast.JoinedStr):
                    fstrings.append(where)
    return found, fstrings


def test_templates_are_found() -> None:
    found, _ = templates_in_source()
    assert len(found) >= 15, "the source scan finds too few templates: is MARKERS right?"
    assert "✗ {name} is not right yet." in found


def test_no_template_is_an_f_string() -> None:
    _, fstrings = templates_in_source()
    assert not fstrings, "an f-string passed as a template (use named fields instead): " + ", ".join(fstrings)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_template_has_a_translation(lang: str) -> None:
    found, _ = templates_in_source()
    entries = i18n.catalogue(lang)
    missing = [f"{where[0]}: {template!r}" for template, where in sorted(found.items()) if template not in entries]
    assert not missing, f"{len(missing)} templates with no {lang} entry in dilconv_lib/locale/{lang}/:\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_translation_is_used(lang: str) -> None:
    found, _ = templates_in_source()
    unused = sorted(set(i18n.catalogue(lang)) - set(found))
    assert not unused, f"{len(unused)} {lang} entries that no code uses:\n" + "\n".join(map(repr, unused))


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_fields(lang: str) -> None:
    wrong = [
        f"{english!r}: {sorted(i18n.template_fields(english))} vs {sorted(i18n.template_fields(text))}"
        for english, text in i18n.catalogue(lang).items()
        if i18n.template_fields(english) != i18n.template_fields(text)
    ]
    assert not wrong, "translations whose fields differ from the English:\n" + "\n".join(wrong)


def _field_order(template: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(template) if field]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_fields_in_order(lang: str) -> None:
    # The editions print the same numbers in the same order (tests/test_zh_edition.py compares them so).
    wrong = [
        f"{english!r}: {_field_order(english)} vs {_field_order(text)}"
        for english, text in i18n.catalogue(lang).items()
        if _field_order(english) != _field_order(text)
    ]
    assert not wrong, "translations that reorder their fields:\n" + "\n".join(wrong)


ENGLISH_PROSE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b")  # four English words in a row


def test_chinese_entries_hold_no_english_sentence() -> None:
    # Code and names in backticks are not prose.
    prose = [
        text for text in i18n.catalogue("zh").values() if ENGLISH_PROSE.search(re.sub(r"`[^`]*`|\{[^}]*\}", "", text))
    ]
    assert not prose, "Chinese entries with an English sentence:\n" + "\n".join(prose)


def test_each_file_is_a_mapping_of_strings() -> None:
    for path in sorted((LIBRARY / "locale").glob("*/*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict) and data, path
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()), path


def test_missing_translation_is_an_error_in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DILCONV_I18N_STRICT", "1")
    i18n.set_language("zh")
    try:
        with pytest.raises(i18n.MissingTranslation, match="no zh translation"):
            i18n.tr("a sentence no catalogue holds")
    finally:
        i18n.set_language(None)


def test_missing_translation_warns_outside_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DILCONV_I18N_STRICT", raising=False)
    i18n.set_language("zh")
    try:
        with pytest.warns(UserWarning, match="showing English"):
            assert i18n.tr("another sentence no catalogue holds {n}", n=1) == "another sentence no catalogue holds 1"
    finally:
        i18n.set_language(None)


def test_unknown_language(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="lang must be one of 'en', 'zh', got 'klingon'"):
        i18n.set_language("klingon")
    monkeypatch.setenv("DILCONV_LANG", "xx-test")
    with pytest.warns(UserWarning, match=r"DILCONV_LANG='xx-test' is not a language of the course \(en, zh\)"):
        assert i18n.language() == "en"


def test_language_is_read_at_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DILCONV_LANG", "zh")
    assert i18n.tr("✗ {name} is not right yet.", name="f") == "✗ f 还不对。"
    monkeypatch.setenv("DILCONV_LANG", "en")
    assert i18n.tr("✗ {name} is not right yet.", name="f") == "✗ f is not right yet."
    i18n.set_language("zh")  # set_language wins over the environment
    try:
        assert i18n.tr("✗ {name} is not right yet.", name="f") == "✗ f 还不对。"
    finally:
        i18n.set_language(None)
