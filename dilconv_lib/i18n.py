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
import os
import string
import warnings
from pathlib import Path

__all__ = ["LANGUAGES", "MissingTranslation", "N_", "catalogue", "language", "set_language", "template_fields", "tr"]

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
