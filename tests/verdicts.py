"""One check, for every checker test: a verdict in Chinese is the English one in other words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dilconv_lib.exercises import Verdict
from dilconv_lib.i18n import set_language

ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b")  # four English words in a row
# name(arguments), brackets balanced three deep: the learner's function-call text
_ARGUMENTS = r"\((?:[^()\n]|\((?:[^()\n]|\([^()\n]*\))*\))*\)"
_LEARNERS_EXCEPTION = re.compile(r"它抛出了 \w+：.*")  # the text after it is the learner's, in any language
UNSET = object()


def english_sentences(message: str, name: str = "") -> list[str]:
    """The English sentences in a Chinese verdict, outside code in backticks, calls of ``name`` (of any
    function when ``name`` is empty) and the message of an exception the learner's code raised."""
    text = re.sub(r"`[^`]*`", "", message)
    text = re.sub((re.escape(name) if name else r"[\w<>]+") + _ARGUMENTS, "", text)
    text = _LEARNERS_EXCEPTION.sub("", text)
    return ENGLISH_SENTENCE.findall(text)


def verdict_in_chinese(check: Callable[..., Verdict], answer: Any, mistake: Any = UNSET) -> None:
    """``check(answer)`` in Chinese: the same ``ok`` and ``mistake`` as in English (and ``mistake`` when given),
    Chinese text, and no English sentence left.

    ``answer`` is what the learner hands the checker (a function, or for some checkers a value).
    """
    try:
        set_language("en")
        english = check(answer, quiet=True)
        set_language("zh")
        chinese = check(answer, quiet=True)
    finally:
        set_language(None)
    if mistake is not UNSET:
        assert english.mistake == mistake, english.message
    assert (chinese.ok, chinese.mistake) == (english.ok, english.mistake), chinese.message
    assert chinese.message != english.message
    assert re.search(r"[\u4e00-\u9fff]", chinese.message), chinese.message
    left = english_sentences(chinese.message, getattr(answer, "__name__", ""))
    assert not left, f"English left in {chinese.message!r}: {left}"
