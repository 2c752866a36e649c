"""The exercise checkers answer in the learner's language, with the same diagnoses.

Every message the checkers produce under their own tests (``tests/test_exercises*.py``, the doctests of
``dilconv_lib/exercises.py``, and notebook 08's checkers in ``dilconv_lib/practice.py``) is recorded by
running those tests once, in a subprocess, with the function that prints each verdict wrapped; each must
have a Chinese translation. A checker added later without one fails ``test_every_message_has_a_translation``,
which names the English line to add to ``dilconv_lib/messages.py``.
"""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dilconv_lib import exercises, naive, output_size
from dilconv_lib.exercises import (
    KERNEL_MISTAKES,
    SHARE_MISTAKES,
    SIZE_MISTAKES,
    Verdict,
    check_conv1d,
    check_conv2d,
    check_effective_kernel_size,
    check_output_size,
    check_valid_share,
)
from dilconv_lib.messages import _ZH, LANGUAGES, language, translate

ROOT = Path(__file__).resolve().parents[1]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"(?<!\w)[A-Za-z]{2,}(?!\w)")  # an English word; x, d, k_l, C_in and 2p are not
PROSE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")  # three English words in a row ("k x k" is code)
# code, quotes, sets, and authors (Araujo et al.)
QUOTED = re.compile(r"`[^`]*`|(?<!\w)'[^'\n]*'(?!\w)|\"[^\"\n]*\"|\{[^{}\n]*\}|[A-Z]\w+ et al\.")

RECORDER = textwrap.dedent(
    """
    import json, sys
    import pytest
    import dilconv_lib.exercises as exercises

    records = []

    def record(verdict):
        records.append({"message": verdict.message, "ok": verdict.ok, "mistake": verdict.mistake})
        return verdict

    def wrap(module, name, position):  # record the verdict a function takes (position 0) or returns (None)
        original = getattr(module, name, None)
        if original is None:
            return
        if position is None:
            setattr(module, name, lambda *args, **kwargs: record(original(*args, **kwargs)))
        else:
            setattr(module, name, lambda verdict, quiet: original(record(verdict), quiet))

    wrap(exercises, "_finish", 0)
    codes = [pytest.main(["--doctest-modules", "dilconv_lib/exercises.py", *sys.argv[2:]])]
    try:  # notebook 08's checkers live in dilconv_lib.practice
        import dilconv_lib.practice as practice
    except ImportError:
        pass
    else:
        wrap(practice, "_verdict", None)
        wrap(practice, "_finish", 0)
        tests = ["--doctest-modules", "dilconv_lib/practice.py", "tests/test_practice.py", "-k", "check"]
        codes.append(pytest.main(["-q", *tests]))
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump({"exit": [int(code) for code in codes], "records": records}, out)
    """
)


def english_words(line: str) -> int:
    """The English words of a line outside code spans and quotes."""
    return len(WORD.findall(QUOTED.sub("", line)))


def numbers(text: str) -> Counter[str]:
    """The numbers a message writes in digits; "1-D" and "2-D" may become 一维 and 二维."""
    return Counter(re.findall(r"\d+", re.sub(r"\b[12]-D\b", "", text)))


def code_spans(text: str) -> Counter[str]:
    return Counter(re.findall(r"`[^`]*`", text))


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[Verdict]:
    """Every distinct verdict the checkers give under their own tests (08's too, in practice.py), in English."""
    out = tmp_path_factory.mktemp("messages") / "records.json"
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_exercises*.py"))
    env = {key: value for key, value in os.environ.items() if key != "DILCONV_LANG"}
    args = ["-q", *tests]
    run = subprocess.run(
        [sys.executable, "-c", RECORDER, str(out), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.exists(), f"recording the checkers' messages failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    records = json.loads(out.read_text(encoding="utf-8"))["records"]
    verdicts = {r["message"]: Verdict(ok=r["ok"], message=r["message"], mistake=r["mistake"]) for r in records}
    assert len(verdicts) >= 50, f"only {len(verdicts)} messages recorded:\n{run.stdout[-3000:]}"
    return list(verdicts.values())


def table_verdicts() -> list[Verdict]:
    """The diagnoses of the module-level mistake tables, tests or not, as a checker words them."""
    tables = [SIZE_MISTAKES, KERNEL_MISTAKES, SHARE_MISTAKES, exercises._conv_mistakes(1), exercises._conv_mistakes(2)]
    verdicts = [
        exercises._failure("my_fn", ["my_fn(3, 1) returned 2; expected 3.", f"Diagnosis: {m.advice}"], m.key)
        for table in tables
        for m in table
    ]
    alike = [m.looks_like for m in exercises._conv_mistakes(2)]
    for n in range(1, len(alike) + 1):
        lines = [f"Your shape is what you get with {' or '.join(alike[:n])}."]
        verdicts.append(exercises._failure("my_conv2d", lines, "shape"))
    return verdicts


def untranslated(message: str, chinese: str) -> list[str]:
    """The English lines of a message whose translation is missing or still holds English prose."""
    found = []
    for english_line, line in zip(message.split("\n"), chinese.split("\n"), strict=True):
        for marker in ("抛出了", "无法按答案读取："):  # what follows is the learner's or NumPy's own words
            line = line.split(marker)[0]
        if (english_words(line) >= 3 and not CHINESE.search(line)) or PROSE.search(QUOTED.sub("", line)):
            found.append(english_line.strip())
    return found


# --- (1) every message the checkers produce is translated ------------------------------------------------


def test_every_message_has_a_translation(recorded: list[Verdict]) -> None:
    missing = sorted(
        {line for v in [*recorded, *table_verdicts()] for line in untranslated(v.message, translate(v.message, "zh"))}
    )
    assert not missing, (
        f"{len(missing)} checker line(s) have no Chinese translation; add a pattern for each to _ZH in "
        "dilconv_lib/messages.py:\n" + "\n".join(missing[:40])
    )


def test_translations_keep_numbers_and_code(recorded: list[Verdict]) -> None:
    for verdict in [*recorded, *table_verdicts()]:
        chinese = translate(verdict.message, "zh")
        assert numbers(chinese) == numbers(verdict.message), (verdict.message, chinese)
        assert code_spans(chinese) == code_spans(verdict.message), (verdict.message, chinese)


def test_finish_keeps_the_verdict(recorded: list[Verdict], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DILCONV_LANG", "zh")
    for verdict in recorded:
        chinese = exercises._finish(verdict, True)
        assert (chinese.ok, chinese.mistake, bool(chinese)) == (verdict.ok, verdict.mistake, bool(verdict))
        assert chinese.message == translate(verdict.message, "zh")


def test_the_table_is_consistent() -> None:
    """Each Chinese template carries the same parts, numbers and code as its English pattern, and is Chinese."""

    def fields(template: str) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}

    for english, chinese in _ZH:
        assert fields(english) == fields(chinese), english
        assert numbers(english) == numbers(chinese), english
        assert code_spans(english) == code_spans(chinese), english
        assert CHINESE.search(chinese) or english_words(english) < 3, english
    assert len({english for english, _ in _ZH}) == len(_ZH), "a pattern is listed twice"


def test_a_line_no_pattern_knows_stays_english() -> None:
    message = "✗ f is not right yet.\n  f(1) returned 3; expected a list of two rates, one per layer."
    assert translate(message, "zh").split("\n") == ["✗ f 还不对。", message.split("\n")[1]]


def test_an_array_over_several_lines_is_carried_over() -> None:
    got, expected = np.arange(9.0).reshape(3, 3), np.ones((3, 3))
    message = f"✗ f is not right yet.\n  f(1) returned {got!r}; expected {expected!r}."
    chinese = translate(message, "zh")
    assert chinese == f"✗ f 还不对。\n  f(1) 返回了 {got!r}；应为 {expected!r}。"


# --- (2) English is untouched ------------------------------------------------------------------------------


@pytest.mark.parametrize("setting", [None, "en", "EN", "fr"])
def test_english_is_untouched(
    setting: str | None, recorded: list[Verdict], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if setting is None:
        monkeypatch.delenv("DILCONV_LANG", raising=False)
    else:
        monkeypatch.setenv("DILCONV_LANG", setting)
    for verdict in recorded:
        assert exercises._finish(verdict, True) == verdict
        assert translate(verdict.message, "en") == verdict.message
    assert check_output_size(output_size)
    assert (
        capsys.readouterr().out == "✓ output_size is right on all 10 cases (dilations 1 to 16, padding and stride).\n"
    )


# --- (3) the same diagnosis in both languages --------------------------------------------------------------


def _size_fn(mistake: Any) -> Callable[..., int]:
    def my_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
        return int(mistake.answer(size, kernel_size, stride, padding, dilation))

    return my_output_size


def _gaps_conv1d(
    input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: int = 1
) -> Any:
    return naive.conv1d(input, weight, bias, stride, padding, dilation + 1)


def _rows_only(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1) -> Any:
    dh = dilation if isinstance(dilation, int) else dilation[0]
    return naive.conv2d(input, weight, bias, stride, padding, dh)


def _stub(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("Exercise: write the body")


def _out_of_range(input: Any, weight: Any, *args: Any, **kwargs: Any) -> Any:
    return input[0, 0, 99]


PLANTED: list[tuple[Callable[..., Verdict], Callable[..., Any], str]] = [
    *[(check_output_size, _size_fn(m), m.key) for m in SIZE_MISTAKES],
    *[(check_effective_kernel_size, lambda k, d, m=m: int(m.answer(k, d)), m.key) for m in KERNEL_MISTAKES],
    *[(check_valid_share, lambda n, r, m=m: float(m.answer(n, r)), m.key) for m in SHARE_MISTAKES],
    (check_conv1d, _gaps_conv1d, "dilation_gaps"),
    (check_conv2d, _rows_only, "dilation_first_only"),
    (check_conv1d, _stub, "not_implemented"),
    (check_conv1d, _out_of_range, "raised"),
    (check_output_size, lambda *args, **kwargs: 2.5, "not_an_int"),
]


@pytest.mark.parametrize(
    ("checker", "fn", "key"), PLANTED, ids=[f"{checker.__name__}-{key}" for checker, _, key in PLANTED]
)
def test_the_same_diagnosis_in_both_languages(
    checker: Callable[..., Verdict], fn: Callable[..., Any], key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DILCONV_LANG", raising=False)
    english = checker(fn, quiet=True)
    monkeypatch.setenv("DILCONV_LANG", "zh")
    chinese = checker(fn, quiet=True)
    assert (english.ok, english.mistake) == (chinese.ok, chinese.mistake) == (False, key)
    assert chinese.message == translate(english.message, "zh") != english.message
    assert not CHINESE.search(english.message)
    assert not untranslated(english.message, chinese.message)


# --- (4) the language is read when a checker runs ----------------------------------------------------------


def test_the_language_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def span(kernel_size: int, dilation: int) -> int:
        return dilation * (kernel_size - 1) + 1

    monkeypatch.delenv("DILCONV_LANG", raising=False)
    assert language() == "en"
    check_effective_kernel_size(span)
    monkeypatch.setenv("DILCONV_LANG", "zh")  # as the Chinese edition's first cell does, after the import
    assert language() == "zh"
    check_effective_kernel_size(span)
    monkeypatch.setenv("DILCONV_LANG", "en")
    check_effective_kernel_size(span)
    assert capsys.readouterr().out.splitlines() == [
        "✓ span is right on all 9 cases (kernels of 1 to 7 taps, dilations 1 to 16).",
        "✓ span 在全部 9 个用例上都正确（卷积核 1 到 7 个采样点，膨胀率 1 到 16）。",
        "✓ span is right on all 9 cases (kernels of 1 to 7 taps, dilations 1 to 16).",
    ]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("zh", "zh"),
        ("ZH", "zh"),
        ("zh-CN", "zh"),
        ("zh_CN", "zh"),
        (" zh ", "zh"),
        ("en", "en"),
        ("", "en"),
        ("de", "en"),
    ],
)
def test_language_settings(setting: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DILCONV_LANG", setting)
    assert language() == expected
    assert expected in LANGUAGES
