"""Every sentence the library shows a learner, in the learner's language, from one catalogue.

A sentence is written once, in English, as a template with named fields, and shown through :func:`tr`::

    tr("✓ {name} is right on all {count} cases.", name=name, count=len(cases))

:func:`tr` looks the template up in the learner's language's catalogue and fills in the fields; in English the
template is its own translation. A template that is kept in a table and shown later is marked where it is
written with :func:`N_` (which returns it unchanged), so that ``tests/test_i18n_catalogue.py`` finds every
template in the source: it fails on a template with no translation, on a translation that no code uses, and
on one whose fields differ from the English.

The catalogue of a language ``xx`` is ``dilconv_lib/locale/xx/*.yml`` (one file a topic, each mapping
English template -> translation), shipped inside the package so that a wheel installed on Colab has it too.
YAML rather than gettext's ``.po``/``.mo``: it needs no compile step and no extra tool, a translator reads a
template and its translation side by side, and the course's markdown catalogues (``i18n/zh/``) use it too.

The language is, in this order: the one given to :func:`set_language`, else the environment variable
``DILCONV_LANG``, else English. It is read at each call, so it may be set after ``import dilconv_lib``. An
unknown ``DILCONV_LANG`` gives one warning naming the known languages, then English.

Figures need a font that has the language's letters: matplotlib's default, DejaVu Sans, has no Chinese, and
draws it as empty boxes. :func:`sync_font` puts a CJK font first in matplotlib's sans-serif list when the
language is Chinese, and takes it out again in English, so that English figures are drawn exactly as before.
It runs on :func:`set_language`, on ``import dilconv_lib`` and before each of the library's figures, so that it
serves the notebooks' own ``plt`` calls too.

A template missing from the catalogue raises :class:`MissingTranslation` where ``DILCONV_I18N_STRICT`` is
set (the tests set it) and otherwise warns once and shows the English: never a silent fallback.

Examples
--------
>>> set_language("zh")
>>> tr("✗ {name} is not right yet.", name="my_conv1d")
'✗ my_conv1d 还不对。'
>>> set_language("en")
>>> tr("✗ {name} is not right yet.", name="my_conv1d")
'✗ my_conv1d is not right yet.'
>>> set_language(None)  # back to DILCONV_LANG
"""

from __future__ import annotations

import functools
import importlib.util
import os
import string
import warnings
from pathlib import Path

__all__ = [
    "CJK_FAMILIES",
    "LANGUAGES",
    "MissingTranslation",
    "N_",
    "bundled_cjk_font",
    "catalogue",
    "language",
    "set_language",
    "sync_font",
    "template_fields",
    "tr",
]

LANGUAGES = ("en", "zh")  # English first: the language the templates are written in
LOCALE = Path(__file__).with_name("locale")

_chosen: str | None = None  # set_language's choice; None: DILCONV_LANG decides
_warned: set[str] = set()


class MissingTranslation(LookupError):
    """A template has no entry in the learner's language's catalogue (raised where ``DILCONV_I18N_STRICT`` is set)."""


def set_language(lang: str | None) -> None:
    """Show every later sentence in ``lang`` (``"en"`` or ``"zh"``); ``None`` goes back to ``DILCONV_LANG``.

    >>> set_language("fr")
    Traceback (most recent call last):
    ...
    ValueError: lang must be one of 'en', 'zh', got 'fr'
    """
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(map(repr, LANGUAGES))}, got {lang!r}")
    _chosen = lang
    sync_font()


def language() -> str:
    """The learner's language now: :func:`set_language`'s choice, else ``DILCONV_LANG``, else ``"en"``."""
    if _chosen is not None:
        return _chosen
    setting = os.environ.get("DILCONV_LANG", "").strip().lower()
    if not setting:
        return "en"
    if setting not in LANGUAGES:
        if setting not in _warned:
            _warned.add(setting)
            warnings.warn(
                f"DILCONV_LANG={setting!r} is not a language of the course ({', '.join(LANGUAGES)}); showing English",
                stacklevel=2,
            )
        return "en"
    return setting


def N_(template: str) -> str:  # noqa: N802 (gettext's name for "a template, translated where it is shown")
    """Mark ``template`` for the catalogue without translating it now; :func:`tr` translates it when shown.

    >>> N_("the padding is ignored")
    'the padding is ignored'
    """
    return template


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """English template -> translation, from every ``locale/<lang>/*.yml`` (English: empty).

    A template that two files both translate is an error: each lives in one topic's file.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(map(repr, LANGUAGES))}, got {lang!r}")
    entries: dict[str, str] = {}
    if lang == "en":
        return entries
    import yaml  # only when a translation is needed

    for path in sorted((LOCALE / lang).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of English template -> translation")
        for english, translated in data.items():
            if not isinstance(english, str) or not isinstance(translated, str):
                raise ValueError(f"{path}: {english!r} must map a string to a string")
            if english in entries:
                raise ValueError(f"{path}: {english!r} is translated in another file too")
            entries[english] = translated
    return entries


def template_fields(template: str) -> set[str]:
    """The names of a template's fields.

    >>> sorted(template_fields("{call} returned {got!r}; expected {right:.3f}."))
    ['call', 'got', 'right']
    """
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(template) if field}


def tr(template: str, /, **fields: object) -> str:
    """``template`` in the learner's language, with ``fields`` filled in (``str.format``'s syntax).

    >>> tr("{count} holes", count=3)
    '3 holes'
    """
    lang = language()
    if lang != "en":
        translated = catalogue(lang).get(template)
        if translated is None:
            if os.environ.get("DILCONV_I18N_STRICT"):
                raise MissingTranslation(f"no {lang} translation of {template!r} in {LOCALE / lang}")
            if template not in _warned:
                _warned.add(template)
                warnings.warn(f"no {lang} translation of {template!r}; showing English", stacklevel=2)
        else:
            template = translated
    return template.format(**fields)


# --- the font matplotlib draws the language with -------------------------------------------------------------

#: Families that draw Simplified Chinese, looked up by name where the mplfonts package is not installed: Linux's
#: (Debian's fonts-noto-cjk), Adobe's release of the same glyphs, Windows', macOS's.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC")

_font: dict[str, list[str]] = {}  # what sync_font changed: "ours" the list it set, "before" the list it replaced
_registered: set[str] = set()  # font files given to matplotlib's font manager, once each


def bundled_cjk_font() -> Path | None:
    """The Noto Sans CJK SC file of the ``mplfonts`` package, or None where it is not installed.

    Found without importing ``mplfonts``, whose import loads other packages: only its file is needed.
    ``pip install mplfonts`` brings it on every system pip runs on, Colab included, with no network at run time.
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / "NotoSansCJKsc-Regular.otf"
    return path if path.is_file() else None


def _cjk_family() -> str | None:
    """A font family matplotlib can draw Chinese with, the mplfonts file registered first; None where none."""
    from matplotlib import font_manager

    bundled = bundled_cjk_font()
    if bundled is not None:
        if str(bundled) not in _registered:
            font_manager.fontManager.addfont(str(bundled))
            _registered.add(str(bundled))
        return font_manager.FontProperties(fname=bundled).get_name()  # "Noto Sans CJK SC"
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def sync_font() -> str | None:
    """Make matplotlib's sans-serif font fit the learner's language now; return the family put first, if any.

    Chinese: a CJK family (:func:`bundled_cjk_font`, else the first of :data:`CJK_FAMILIES` installed) goes
    first in ``rcParams["font.sans-serif"]``, with DejaVu Sans right after it for the symbols the CJK face
    lacks; where there is none, one warning names ``pip install mplfonts``. English: the list this function
    replaced is put back, so that English figures are drawn pixel for pixel as before; where it changed
    nothing, nothing happens (matplotlib is not even imported). Calling it again changes nothing more.
    """
    if language() != "zh":
        if _font:
            import matplotlib

            now = list(matplotlib.rcParams["font.sans-serif"])
            ours, before = _font.pop("ours"), _font.pop("before")
            # Where someone changed the list since, keep their change and take out only the CJK family.
            matplotlib.rcParams["font.sans-serif"] = before if now == ours else [f for f in now if f != ours[0]]
        return None
    import matplotlib

    now = list(matplotlib.rcParams["font.sans-serif"])
    if _font and now == _font["ours"]:
        return str(now[0])  # already done
    family = _cjk_family()
    if family is None:
        if "font" not in _warned:
            _warned.add("font")
            warnings.warn(
                tr(
                    "No font for Chinese was found, so figures will show empty boxes instead of Chinese characters. "
                    "Run `pip install mplfonts` (it ships the Noto Sans CJK SC font), then restart the kernel."
                ),
                stacklevel=2,
            )
        return None
    ours = [family, "DejaVu Sans", *(f for f in now if f not in (family, "DejaVu Sans"))]
    _font.update(ours=ours, before=_font.get("before", now))  # the list before the first change is put back
    matplotlib.rcParams["font.sans-serif"] = ours
    return family
