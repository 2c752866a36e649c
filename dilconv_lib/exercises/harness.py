"""The one harness every checker shares: the verdict, the case loop, the learner's call, the printing.

A checker calls the learner's function on small cases, compares each answer with the library's and, when
one is wrong, tries the usual mistakes (:class:`Mistake`) and names the first that explains every answer.
Every sentence goes through :func:`dilconv_lib.i18n.tr`, so a verdict is in the learner's language from the
start; :func:`finish` prints it.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from dilconv_lib.i18n import tr

__all__ = [
    "Mistake",
    "Verdict",
    "call_learner",
    "advise",
    "diagnosis",
    "first_suspect",
    "checked_array",
    "exception_lines",
    "failure",
    "finish",
    "first_wrong",
    "float_array",
    "int_list",
    "is_int",
    "name_of",
    "not_an_array",
    "not_implemented",
    "one_int",
    "passed",
    "run_cases",
    "same_array",
]


IntOrPair = int | tuple[int, ...]


ConvFunction = Callable[..., Any]


@dataclass(frozen=True)
class Verdict:
    """What a checker found.

    Attributes
    ----------
    ok : True when every case was answered right.
    message : the text the checker prints, success line or diagnosis.
    mistake : None when right; otherwise the name of the mistake that explains every answer
        (e.g. ``"dilation_gaps"``, ``"padding_ignored"``, ``"kernel_flipped"``), or the kind of
        failure when none does: ``"not_implemented"`` (it raised ``NotImplementedError``, as the
        student edition's stubs do), ``"raised"``, ``"not_an_array"``, ``"not_an_int"``, ``"shape"``,
        ``"values"``.

    A verdict is truthy exactly when ``ok``.

    >>> bool(Verdict(ok=False, message="✗ f is not right yet.", mistake="shape"))
    False
    """

    ok: bool
    message: str
    mistake: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def name_of(fn: Callable[..., Any]) -> str:
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")
    return getattr(fn, "__name__", type(fn).__name__)


def finish(verdict: Verdict, quiet: bool) -> Verdict:
    """Print the verdict (already in the learner's language) unless ``quiet``; return it."""
    if not quiet:
        print(verdict.message)
    return verdict


def passed(template: str, /, **fields: object) -> Verdict:
    """A right answer: ``template`` (marked with ``N_`` or written here) in the learner's language.

    >>> passed("✓ {name} is right.", name="f").message
    '✓ f is right.'
    """
    return Verdict(ok=True, message=tr(template, **fields))


def failure(name: str, lines: list[str], mistake: str) -> Verdict:
    """A wrong answer: the verdict's first line, then ``lines`` (each already translated), indented."""
    text = "\n".join([tr("✗ {name} is not right yet.", name=name), *(f"  {line}" for line in lines)])
    return Verdict(ok=False, message=text, mistake=mistake)


def diagnosis(mistake: Mistake, *, looks_like: bool = False) -> str:
    """The line that names a mistake of a table: its advice, after what it looks like when ``looks_like``."""
    if looks_like:
        return tr(
            "Diagnosis: that is what you get with {like}: {advice}",
            like=tr(mistake.looks_like),
            advice=tr(mistake.advice),
        )
    return advise(mistake.advice)


def advise(advice: str, /, **fields: object) -> str:
    """The line that names a mistake found without a table: ``advice``, marked with ``N_``, with its fields.

    >>> advise("the padding is on one side only")
    'Diagnosis: the padding is on one side only'
    """
    return tr("Diagnosis: {advice}", advice=tr(advice, **fields))


def first_suspect(
    name: str, lines: list[str], suspects: list[tuple[str, bool, str]], otherwise: list[str], quiet: bool
) -> Verdict:
    """A wrong answer: the first suspect ``(mistake, explains the answer, advice marked with N_)`` that explains it
    names the mistake; when none does, the lines ``otherwise`` (already translated) say what is right."""
    for key, explains, advice in suspects:
        if explains:
            return finish(failure(name, [*lines, advise(advice)], key), quiet)
    return finish(failure(name, [*lines, *otherwise], "values"), quiet)


def not_implemented(name: str) -> Verdict:
    """The student edition's stub: the learner has not written the function yet."""
    message = tr(
        "✗ {name} is not implemented yet: fill in its body in place of `raise NotImplementedError(...)`, "
        "run that cell, then run this check again.",
        name=name,
    )
    return Verdict(ok=False, message=message, mistake="not_implemented")


def exception_lines(error: Exception) -> list[str]:
    """What the learner's code raised, and a hint for the usual cause of an ``IndexError``."""
    lines = [tr("It raised {error}: {text}", error=type(error).__name__, text=error)]
    if isinstance(error, IndexError):
        lines.append(
            tr(
                "An IndexError usually means a loop runs past the end of the (padded) input: check the "
                "output length and the index i*s + ki*d."
            )
        )
    return lines


class Mistake(NamedTuple):
    """A usual mistake: its name, what it looks like, and the wrong answer it gives.

    ``looks_like`` and ``advice`` are templates marked with ``N_`` where the table is written; they are
    translated when shown (:func:`diagnosis`).
    """

    key: str
    looks_like: str  # finishes "that is what you get with ..."
    advice: str
    answer: Callable[..., Any]


def is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def not_an_array(got: Any) -> str | None:
    """Why ``got`` is not an array of numbers, or None when it is one."""
    if got is None:
        return tr("It returned None: did you forget `return out`?")
    if not isinstance(got, np.ndarray):
        return tr("It returned a {kind}, not a NumPy array (np.ndarray).", kind=type(got).__name__)
    if got.dtype.kind not in "biuf":
        return tr("It returned an array of {dtype}, not of numbers.", dtype=got.dtype)
    return None


def first_wrong(answers: list[Any], expected: list[Any]) -> int:
    return next(n for n, (a, e) in enumerate(zip(answers, expected)) if a != e)


def call_learner(
    fn: Callable[..., Any], name: str, quiet: bool, *args: Any, show_call: bool = False
) -> tuple[Any, Verdict | None]:
    """Call the learner's function; a stub or an exception becomes the verdict to return.

    With ``show_call``, the call (its arguments' reprs) is written above what it raised.
    """
    try:
        return fn(*args), None
    except NotImplementedError:
        return None, finish(not_implemented(name), quiet)
    except Exception as error:  # anything the learner's code raises is reported, not re-raised
        shown = [f"{name}({', '.join(map(repr, args))}):"] if show_call else []
        return None, finish(failure(name, [*shown, *exception_lines(error)], "raised"), quiet)


def checked_array(got: Any, name: str, expected_shape: tuple[int, ...], quiet: bool) -> tuple[Any, Verdict | None]:
    problem = not_an_array(got)
    if problem is not None:
        return None, finish(failure(name, [problem], "not_an_array"), quiet)
    got = np.asarray(got, dtype=float)
    if got.shape != expected_shape:
        return got, finish(
            failure(
                name, [tr("Expected shape {expected}, got {got}.", expected=expected_shape, got=got.shape)], "shape"
            ),
            quiet,
        )
    return got, None


def run_cases(
    fn: Callable[..., Any],
    cases: list[tuple[Any, ...]],
    expected: Callable[..., Any],
    same: Callable[[Any, Any], bool],
    mistakes: list[Mistake],
    fallback: str,
    success: str,
    quiet: bool,
    convert: Callable[[Any], Any] = lambda value: value,
    shown: Callable[[tuple[Any, ...]], str] | None = None,
) -> Verdict:
    """Call ``fn(*case)`` on every case; compare with ``expected(*case)``; name a mistake that explains all answers.

    ``convert`` turns an answer into the form ``same`` compares (it may raise TypeError or ValueError with
    a message for the learner, already translated). ``success`` (a template with the fields ``name`` and
    ``count``, the number of cases) and ``fallback`` (no fields) are marked with ``N_`` by the caller and
    translated here; ``shown`` writes a case's arguments.
    """
    name = name_of(fn)
    shown = shown or (lambda case: ", ".join(map(repr, case)))
    answers = []
    for case in cases:
        call = f"{name}({shown(case)})"
        try:
            raw = fn(*case)
        except NotImplementedError:
            return finish(not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            return finish(failure(name, [f"{call}:", *exception_lines(error)], "raised"), quiet)
        try:
            answers.append(convert(raw))
        except (TypeError, ValueError) as error:
            return finish(
                failure(name, [tr("{call} returned {got}: {why}", call=call, got=repr(raw), why=error)], "wrong_type"),
                quiet,
            )
    wrong = [n for n, (case, got) in enumerate(zip(cases, answers)) if not same(got, expected(*case))]
    if not wrong:
        return finish(passed(success, name=name, count=len(cases)), quiet)
    case = cases[wrong[0]]
    call = f"{name}({shown(case)})"
    lines = [
        tr(
            "{call} returned {got}; expected {right}.",
            call=call,
            got=repr(answers[wrong[0]]),
            right=repr(expected(*case)),
        )
    ]
    for mistake in mistakes:
        explains = True
        for c, got in zip(cases, answers):
            try:
                explains = same(got, mistake.answer(*c))
            except Exception:  # a mistake's formula may not apply to every case
                explains = False
            if not explains:
                break
        if explains:
            lines.append(diagnosis(mistake, looks_like=True))
            return finish(failure(name, lines, mistake.key), quiet)
    lines.append(tr(fallback))
    return finish(failure(name, lines, "values"), quiet)


def one_int(value: Any) -> int:
    if not is_int(value):
        raise TypeError(tr("expected an int"))
    return int(value)


def int_list(value: Any) -> list[int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(tr("expected a list of ints"))
    items = list(value)
    if not all(is_int(v) for v in items):
        raise TypeError(tr("expected a list of ints"))
    return [int(v) for v in items]


def float_array(value: Any) -> np.ndarray:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(tr("expected an array of numbers")) from error


def same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a.shape == np.shape(b) and np.allclose(a, b))
