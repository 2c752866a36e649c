"""Notebooks 00 and 01: the effective kernel size and the output size."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dilconv_lib.exercises.harness import (
    Mistake,
    Verdict,
    diagnosis,
    exception_lines,
    failure,
    finish,
    first_wrong,
    is_int,
    name_of,
    not_implemented,
    passed,
)
from dilconv_lib.geometry import output_size
from dilconv_lib.i18n import N_, tr

__all__ = [
    "KERNEL_CASES",
    "KERNEL_MISTAKES",
    "SIZE_CASES",
    "SIZE_MISTAKES",
    "check_effective_kernel_size",
    "check_output_size",
]


def _size_formula(i: int, s: int, p_total: int, k_eff: int, *, plus: int = 1, ceil: bool = False) -> int:
    # i + p_total - k_eff is the room left for the window to move; floor((room) / s) + plus windows fit.
    top = i + p_total - k_eff
    return (-(-top // s) if ceil else top // s) + plus


def _check_ints(
    fn: Callable[..., Any],
    cases: Sequence[tuple[int, ...]],
    mistakes: list[Mistake],
    *,
    right: Callable[..., int],
    formula: Callable[..., str],
    success: str,
    quiet: bool,
    keywords: tuple[str, ...] = (),
    int_hint: str | None = None,
) -> Verdict:
    """Both checkers of this module: an int per case, compared with ``right``; the mistake that explains all.

    ``keywords`` names the last arguments of a case, passed by keyword (as the notebook's signature has
    them); ``formula`` works the right answer out for a case, as code; ``success`` and ``int_hint`` (shown
    under an answer that is not an int) are templates marked with ``N_``.
    """
    name = name_of(fn)

    def split(case: tuple[int, ...]) -> tuple[tuple[int, ...], dict[str, int]]:
        cut = len(case) - len(keywords)
        return case[:cut], dict(zip(keywords, case[cut:]))

    def shown(case: tuple[int, ...]) -> str:
        positional, named = split(case)
        return f"{name}({', '.join([*map(str, positional), *(f'{k}={v}' for k, v in named.items())])})"

    answers = []
    for case in cases:
        positional, named = split(case)
        call = shown(case)
        try:
            got = fn(*positional, **named)
        except NotImplementedError:
            return finish(not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            return finish(failure(name, [f"{call}:", *exception_lines(error)], "raised"), quiet)
        if not is_int(got):
            lines = [
                tr(
                    "{call} returned {got} ({kind}); expected the int {right}.",
                    call=call,
                    got=repr(got),
                    kind=type(got).__name__,
                    right=right(*case),
                )
            ]
            if int_hint is not None:
                lines.append(tr(int_hint))
            return finish(failure(name, lines, "not_an_int"), quiet)
        answers.append(int(got))
    expected = [right(*case) for case in cases]
    if answers == expected:
        return finish(passed(success, name=name, count=len(cases)), quiet)

    first = first_wrong(answers, expected)
    case = cases[first]
    lines = [
        tr("{call} returned {got}; expected {right}.", call=shown(case), got=answers[first], right=expected[first])
    ]
    for mistake in mistakes:
        if all(mistake.answer(*c) == got for c, got in zip(cases, answers)):
            lines.append(diagnosis(mistake))
            return finish(failure(name, lines, mistake.key), quiet)
    lines.append(tr("The formula: {formula}.", formula=f"{formula(*case)} = {expected[first]}"))
    return finish(failure(name, lines, "values"), quiet)


SIZE_MISTAKES = [
    Mistake(
        "dilation_gaps",
        N_("dilation + 1"),
        N_(
            "off by one in the dilation: your sizes match dilation + 1, as if dilation counted the gaps "
            "between taps (CS231n and numpy-ml do: 0 = ordinary). This course, like PyTorch, counts the step "
            "between taps (1 = ordinary), so the kernel spans d(k - 1) + 1 pixels."
        ),
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, (d + 1) * (k - 1) + 1),
    ),
    Mistake(
        "dilation_minus_one",
        N_("dilation - 1"),
        N_(
            "off by one in the dilation: your sizes match dilation - 1. d - 1 is the number of skipped pixels "
            "between taps; the step is d, so the kernel spans d(k - 1) + 1 pixels."
        ),
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, (d - 1) * (k - 1) + 1),
    ),
    Mistake(
        "dilation_ignored",
        N_("dilation = 1"),
        N_(
            "the dilation is ignored: your sizes match dilation = 1. A dilated kernel spans d(k - 1) + 1 pixels, not k."
        ),
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, k),
    ),
    Mistake(
        "kernel_times_dilation",
        N_("an effective kernel of k*d"),
        N_(
            "the effective kernel is not k*d: k taps have k - 1 steps of d between them, plus the last tap, "
            "so the kernel spans d(k - 1) + 1 pixels."
        ),
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, k * d),
    ),
    Mistake(
        "kernel_no_plus_one",
        N_("an effective kernel of d(k - 1)"),
        N_(
            "the effective kernel is one pixel short: your sizes match a kernel spanning d(k - 1) pixels. "
            "d(k - 1) is the distance from the first tap to the last; the kernel covers both end taps, "
            "so it spans d(k - 1) + 1 pixels."
        ),
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, d * (k - 1)),
    ),
    Mistake(
        "padding_once",
        N_("padding on one side only"),
        N_("the padding is counted once: p zeros go on both sides of the input, so it grows to i + 2p."),
        lambda i, k, s, p, d: _size_formula(i, s, p, d * (k - 1) + 1),
    ),
    Mistake(
        "padding_ignored",
        N_("padding = 0"),
        N_("the padding is ignored: your sizes match padding = 0. The padded input has i + 2p pixels."),
        lambda i, k, s, p, d: _size_formula(i, s, 0, d * (k - 1) + 1),
    ),
    Mistake(
        "stride_ignored",
        N_("stride = 1"),
        N_("the stride is ignored: your sizes match stride = 1. Windows start s pixels apart, so divide by s."),
        lambda i, k, s, p, d: _size_formula(i, 1, 2 * p, d * (k - 1) + 1),
    ),
    Mistake(
        "no_plus_one",
        N_("the + 1 left out"),
        N_("the + 1 is missing: the division counts the steps after the first window, so add 1 for the first."),
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, d * (k - 1) + 1, plus=0),
    ),
    Mistake(
        "ceil",
        N_("rounding up"),
        N_(
            "you rounded up: a window that runs past the padded input is not computed, so round down "
            "(floor division, // in Python)."
        ),
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, d * (k - 1) + 1, ceil=True),
    ),
]


# (size, kernel_size, stride, padding, dilation): small enough to check by hand, varied enough that
# each mistake above gives a different set of answers.
SIZE_CASES = [
    (7, 3, 1, 0, 1),
    (7, 3, 1, 0, 2),
    (7, 3, 1, 0, 3),
    (10, 3, 2, 1, 1),
    (64, 3, 1, 16, 16),
    (15, 3, 1, 2, 4),
    (11, 2, 3, 1, 4),
    (12, 5, 2, 3, 2),
    (9, 1, 2, 0, 5),
    (20, 4, 3, 2, 3),
]


def check_output_size(fn: Callable[..., Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(size, kernel_size, stride=1, padding=0, dilation=1)`` against ``output_size``.

    The right answer is ``floor((i + 2p - d(k - 1) - 1) / s) + 1``, as an int. ``fn`` is called on
    ten cases with stride, padding and dilation passed by keyword.

    Parameters
    ----------
    fn : the learner's function
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` is one of ``SIZE_MISTAKES``' keys, or ``"not_implemented"``, ``"raised"``,
        ``"not_an_int"``, ``"values"``.

    Examples
    --------
    >>> def no_padding(size, kernel_size, stride=1, padding=0, dilation=1):
    ...     return (size - dilation * (kernel_size - 1) - 1) // stride + 1
    >>> verdict = check_output_size(no_padding)
    ✗ no_padding is not right yet.
      no_padding(10, 3, stride=2, padding=1, dilation=1) returned 4; expected 5.
      Diagnosis: the padding is ignored: your sizes match padding = 0. The padded input has i + 2p pixels.
    >>> verdict.ok, verdict.mistake
    (False, 'padding_ignored')
    """
    return _check_ints(
        fn,
        SIZE_CASES,
        SIZE_MISTAKES,
        right=lambda i, k, s, p, d: output_size(i, k, stride=s, padding=p, dilation=d),
        keywords=("stride", "padding", "dilation"),
        formula=lambda i, k, s, p, d: (
            f"floor((i + 2p - d(k - 1) - 1) / s) + 1 = floor(({i} + {2 * p} - {d * (k - 1)} - 1) / {s}) + 1"
        ),
        success=N_("✓ {name} is right on all {count} cases (dilations 1 to 16, padding and stride)."),
        int_hint=N_("A size is a whole number: use // (floor division), not /, and return an int."),
        quiet=quiet,
    )


KERNEL_MISTAKES = [
    Mistake(
        "dilation_gaps",
        N_("dilation + 1"),
        N_(
            "off by one in the dilation: your answers match dilation + 1, as if dilation counted the gaps between "
            "taps (CS231n and numpy-ml do: 0 = ordinary). Here, as in PyTorch, d is the step between taps."
        ),
        lambda k, d: (d + 1) * (k - 1) + 1,
    ),
    Mistake(
        "kernel_no_plus_one",
        N_("d(k - 1)"),
        N_(
            "one pixel short: d(k - 1) is the distance from the first tap to the last; the kernel covers both "
            "end taps, so it spans d(k - 1) + 1 pixels."
        ),
        lambda k, d: d * (k - 1),
    ),
    Mistake(
        "kernel_times_dilation",
        N_("k*d"),
        N_(
            "not k*d: k taps have k - 1 steps of d between them, plus the last tap, so the kernel spans "
            "d(k - 1) + 1 pixels (k*d counts one step too many)."
        ),
        lambda k, d: k * d,
    ),
    Mistake(
        "dilation_ignored",
        N_("k"),
        N_(
            "the dilation is ignored: your answers are k. The taps are d apart, so the kernel spans "
            "d(k - 1) + 1 pixels."
        ),
        lambda k, d: k,
    ),
]


# (kernel_size, dilation)
KERNEL_CASES = [(3, 1), (3, 2), (3, 3), (3, 4), (5, 2), (2, 8), (1, 5), (7, 3), (3, 16)]


def check_effective_kernel_size(fn: Callable[..., Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(kernel_size, dilation)``: the pixels ``k`` taps ``d`` apart span, ``d(k - 1) + 1``.

    Parameters
    ----------
    fn : the learner's function, called with two ints
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` is one of ``KERNEL_MISTAKES``' keys, or ``"not_implemented"``, ``"raised"``,
        ``"not_an_int"``, ``"values"``.

    Examples
    --------
    >>> verdict = check_effective_kernel_size(lambda kernel_size, dilation: dilation * (kernel_size - 1) + 1)
    ✓ <lambda> is right on all 9 cases (kernels of 1 to 7 taps, dilations 1 to 16).
    >>> def my_span(kernel_size, dilation):
    ...     return dilation * (kernel_size - 1)  # the distance between the end taps
    >>> check_effective_kernel_size(my_span, quiet=True).mistake
    'kernel_no_plus_one'
    """
    return _check_ints(
        fn,
        KERNEL_CASES,
        KERNEL_MISTAKES,
        right=lambda k, d: d * (k - 1) + 1,
        formula=lambda k, d: f"d(k - 1) + 1 = {d}·({k} - 1) + 1",
        success=N_("✓ {name} is right on all {count} cases (kernels of 1 to 7 taps, dilations 1 to 16)."),
        quiet=quiet,
    )
