"""Notebook 02: a learner's tap loop, dilated im2col and space-to-batch, against :mod:`dilconv_lib.naive`.

Each checker runs the learner's function on small integer cases (exact in float64), compares it with the
naive loops, and when an answer is wrong, tries the usual mistakes of that strategy (a stride put on the
tap instead of the output, the ``::d`` forgotten, a window of ``k`` instead of ``d(k - 1) + 1`` pixels,
phases interleaved in the wrong order, ...) and names the first that explains every answer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import numpy as np

from dilconv_lib import naive
from dilconv_lib.exercises.harness import (
    Verdict,
    advise,
    call_learner,
    failure,
    finish,
    name_of,
    not_an_array,
    passed,
)
from dilconv_lib.exercises.loops import ConvCase
from dilconv_lib.i18n import N_, tr

__all__ = ["check_im2col", "check_space_to_batch", "check_tap_loop", "line_events"]

Answer = Callable[[ConvCase, np.ndarray, np.ndarray], np.ndarray]


def _pad(x: np.ndarray, p: int) -> np.ndarray:
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))  # (N, C, H + 2p, W + 2p)


def _arguments(case: ConvCase) -> tuple[int, int, int]:
    return int(case.stride), int(case.padding), int(case.dilation)  # type: ignore[arg-type]


def _shown(case: ConvCase) -> str:
    s, p, d = _arguments(case)
    return tr(
        "input shape {input}, weight shape {weight}, stride={stride}, padding={padding}, dilation={dilation}",
        input=case.input_shape,
        weight=case.weight_shape,
        stride=s,
        padding=p,
        dilation=d,
    )


def _same(got: Any, expected: np.ndarray | None) -> bool:
    return (
        expected is not None
        and isinstance(got, np.ndarray)
        and got.shape == expected.shape
        and bool(np.allclose(got, expected, rtol=1e-9, atol=1e-9))
    )


def _guess(answer: Answer, case: ConvCase, x: np.ndarray, w: np.ndarray) -> np.ndarray | None:
    try:
        return answer(case, x, w)
    except (ValueError, TypeError, IndexError):  # the mistaken computation does not fit this case
        return None


def _diagnose(
    name: str,
    cases: list[ConvCase],
    operands: list[tuple[np.ndarray, np.ndarray]],
    answers: list[Any],
    expected: list[np.ndarray],
    mistakes: list[tuple[str, str, Answer]],
    otherwise: str,
    quiet: bool,
) -> Verdict | None:
    """None when every answer is right; otherwise the verdict naming the first mistake that explains them all."""
    wrong = [n for n, (got, exp) in enumerate(zip(answers, expected)) if not _same(got, exp)]
    if not wrong:
        return None
    first = wrong[0]
    got, exp = answers[first], expected[first]
    lines = [tr("Case {number} of {total}: {case}.", number=first + 1, total=len(cases), case=_shown(cases[first]))]
    if got.shape != exp.shape:
        lines.append(tr("Expected shape {expected}, got {got}.", expected=exp.shape, got=got.shape))
    else:
        differ = ~np.isclose(got, exp, rtol=1e-9, atol=1e-9)
        index = tuple(int(v) for v in np.argwhere(differ)[0])
        lines.append(
            tr(
                "Right shape, but {count} of {size} values differ; the first at index {index}: "
                "expected {expected}, got {got}.",
                count=int(differ.sum()),
                size=exp.size,
                index=index,
                expected=f"{exp[index]:g}",
                got=f"{got[index]:g}",
            )
        )
    for key, advice, answer in mistakes:
        guesses = [_guess(answer, c, x, w) for c, (x, w) in zip(cases, operands)]
        # The mistake must explain every wrong answer and contradict no right one.
        if all(_same(a, g) or (g is None and n not in wrong) for n, (a, g) in enumerate(zip(answers, guesses))):
            return finish(failure(name, [*lines, advise(advice)], key), quiet)
    return finish(failure(name, [*lines, tr(otherwise)], "shape" if got.shape != exp.shape else "values"), quiet)


def _run(
    fn: Callable[..., Any],
    cases: list[ConvCase],
    call: Callable[[Callable[..., Any], ConvCase, np.ndarray, np.ndarray], Any],
    quiet: bool,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[Any], Verdict | None]:
    """Call the learner on every case (copies of the operands); a stub, an exception or a non-array stops.

    The verdict that stops it is returned unprinted: the caller may add a diagnosis, then prints it."""
    name = name_of(fn)
    operands: list[tuple[np.ndarray, np.ndarray]] = []
    answers: list[Any] = []
    for seed, case in enumerate(cases):
        x, w, _ = case.operands(seed)
        operands.append((x, w))
        got, stop = call_learner(call, name, True, fn, case, x.copy(), w.copy())
        if stop is not None:
            lines = stop.message.splitlines()
            if stop.mistake == "raised":
                where = tr("Case {number} of {total}: {case}.", number=seed + 1, total=len(cases), case=_shown(case))
                lines.insert(1, f"  {where}")
                stop = Verdict(ok=False, message="\n".join(lines), mistake="raised")
            return operands, answers, stop
        problem = not_an_array(got)
        if problem is not None:
            return operands, answers, failure(name, [problem], "not_an_array")
        answers.append(np.asarray(got, dtype=np.float64))
    return operands, answers, None


def line_events(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """How many lines of Python ``fn`` (and the functions written beside it, in the same file or cell) ran.

    A loop over pixels runs more lines on a bigger input; a vectorized function runs as many.

    >>> def per_pixel(x):
    ...     total = 0
    ...     for v in x:
    ...         total += v
    ...     return total
    >>> line_events(per_pixel, range(10)) - line_events(per_pixel, range(5))  # two lines per item
    10
    """
    filename = fn.__code__.co_filename
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename == filename else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        fn(*args, **kwargs)
    finally:
        sys.settrace(previous)
    return count


# --- the tap loop --------------------------------------------------------------------------------------------

TAP_CASES = [
    ConvCase((1, 1, 6, 7), (1, 1, 3, 3)),
    ConvCase((1, 1, 9, 8), (1, 1, 3, 3), dilation=2),
    ConvCase((1, 1, 9, 10), (1, 1, 2, 3), padding=1, dilation=3),
    ConvCase((1, 2, 12, 11), (2, 2, 3, 3), stride=2, padding=2, dilation=3),
    ConvCase((2, 2, 13, 10), (3, 2, 3, 2), stride=3, padding=1, dilation=2),
]


def _taps(
    case: ConvCase, x: np.ndarray, w: np.ndarray, offset: Callable[[int, int, int], int], step: str
) -> np.ndarray:
    """A tap loop whose tap ``ki`` starts at ``offset(ki, s, d)`` and whose slice steps by ``step`` (s, d or 1)."""
    s, p, d = _arguments(case)
    xp = _pad(x, p)
    c_out, _, kh, kw = w.shape
    h_out, w_out = ((size - d * (k - 1) - 1) // s + 1 for size, k in zip(xp.shape[2:], (kh, kw)))
    by = {"s": s, "d": d, "1": 1}[step]
    out = np.zeros((x.shape[0], c_out, h_out, w_out))
    for ki in range(kh):
        for kj in range(kw):
            r, c = offset(ki, s, d), offset(kj, s, d)
            patch = xp[:, :, r : r + by * (h_out - 1) + 1 : by, c : c + by * (w_out - 1) + 1 : by]
            out += np.einsum("oc,nchw->nohw", w[:, :, ki, kj], patch)  # raises where a slice runs short
    return out


def _tap_mistakes() -> list[tuple[str, str, Answer]]:
    def reference(**changes: int) -> Answer:
        return lambda c, x, w: c.reference(x, w, None, **changes)

    return [
        (
            "stride_on_tap",
            N_(
                "the stride is on the tap: tap ki starts at ki*d*s. The stride moves from one OUTPUT to the "
                "next (the step of the slice); tap ki starts at ki*d: x_p[..., ki*d : ki*d + s*(o - 1) + 1 : s]."
            ),
            lambda c, x, w: _taps(c, x, w, lambda k, s, d: k * d * s, "s"),
        ),
        (
            "swapped",
            N_(
                "stride and dilation are swapped: tap ki starts at ki*s and the slice steps by d. Tap ki starts "
                "at ki*d, and the slice steps by the stride: x_p[..., ki*d : ki*d + s*(o - 1) + 1 : s]."
            ),
            lambda c, x, w: _taps(c, x, w, lambda k, s, d: k * s, "d"),
        ),
        (
            "dilation_not_in_offset",
            N_("tap ki starts at ki instead of ki*d: the taps are d pixels apart, so the shift of tap ki is ki*d."),
            lambda c, x, w: _taps(c, x, w, lambda k, s, d: k, "s"),
        ),
        (
            "no_step",
            N_(
                "the slice has no step: with a stride s the outputs read every s-th position, "
                "x_p[..., ki*d : ki*d + s*(o - 1) + 1 : s]."
            ),
            lambda c, x, w: _taps(c, x, w, lambda k, s, d: k * d, "1"),
        ),
        (
            "padding_ignored",
            N_("the padding is ignored: pad the input first, np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))."),
            reference(padding=0),
        ),
        (
            "kernel_flipped",
            N_("the kernel is flipped: tap (ki, kj) multiplies by w[:, :, ki, kj], with no flip (cross-correlation)."),
            lambda c, x, w: c.reference(x, w[:, :, ::-1, ::-1], None),
        ),
    ]


def _probe(
    fn: Callable[..., Any], call: Callable[..., Any], mistakes: list[tuple[str, str, Answer]]
) -> tuple[str, str] | None:
    """The mistake that explains the learner's first outputs on every tap case with zeros appended, or None."""
    answers: list[np.ndarray] = []
    guesses: list[list[np.ndarray | None]] = []
    for seed, case in enumerate(TAP_CASES):
        x, w, _ = case.operands(seed)
        _, _, d = _arguments(case)
        h_out, w_out = case.reference(x, w, None).shape[2:]
        extra = 3 * d * max(w.shape[2:]) * _arguments(case)[0]  # room for a tap that starts at ki*d*s
        x_long = np.pad(x, ((0, 0), (0, 0), (0, extra), (0, extra)))
        try:
            got = np.asarray(call(fn, case, x_long.copy(), w.copy()), dtype=np.float64)[..., :h_out, :w_out]
        except Exception:  # still raising: no diagnosis from here
            return None
        answers.append(got)
        guesses.append([_guess(answer, case, x_long, w) for _, _, answer in mistakes])
        guesses[-1] = [None if g is None else g[..., :h_out, :w_out] for g in guesses[-1]]
    for m, (key, advice, _) in enumerate(mistakes):
        if all(_same(a, g[m]) for a, g in zip(answers, guesses)):
            return key, advice
    return None


def check_tap_loop(fn: Callable[..., Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(x, w, *, stride=1, padding=0, dilation=1)``: 2-D, one product per tap, no pixel loop.

    ``x`` is (N, C_in, H, W), ``w`` (C_out, C_in, kH, kW); stride, padding and dilation are ints. The answer is
    (N, C_out, H_out, W_out), as :func:`dilconv_lib.naive.conv2d`. Then the function must run as many lines
    of Python on a 40 x 40 input as on an 8 x 8 one (:func:`line_events`): a loop over taps, not over pixels.

    Returns
    -------
    Verdict
        Its ``mistake`` names the diagnosis: ``"stride_on_tap"``, ``"swapped"``, ``"dilation_not_in_offset"``,
        ``"no_step"``, ``"padding_ignored"``, ``"kernel_flipped"``, ``"pixel_loop"``, ``"slice_short"`` (a
        slice that starts too far or steps too wide runs short: the stride on the tap, or stride and dilation
        swapped); or ``"not_implemented"``,
        ``"raised"``, ``"not_an_array"``, ``"shape"``, ``"values"``.

    Examples
    --------
    >>> from dilconv_lib import vectorized
    >>> def taps(x, w, *, stride=1, padding=0, dilation=1):
    ...     return vectorized.conv2d_taps(x, w, stride=stride, padding=padding, dilation=dilation)
    >>> verdict = check_tap_loop(taps)
    ✓ taps is right on all 5 cases and loops over the taps, not the pixels.
    >>> def per_row(x, w, *, stride=1, padding=0, dilation=1):
    ...     y = taps(x, w, stride=stride, padding=padding, dilation=dilation)
    ...     for i in range(y.shape[2]):  # right, but a loop over output rows
    ...         y[:, :, i] += 0
    ...     return y
    >>> check_tap_loop(per_row, quiet=True).mistake
    'pixel_loop'
    """
    name = name_of(fn)

    def call(f: Callable[..., Any], case: ConvCase, x: np.ndarray, w: np.ndarray) -> Any:
        s, p, d = _arguments(case)
        return f(x, w, stride=s, padding=p, dilation=d)

    operands, answers, stop = _run(fn, TAP_CASES, call, quiet)
    if stop is not None and stop.mistake == "raised":
        # A slice that starts too far runs short of the padded input and the sum fails to broadcast: run the
        # learner again on inputs with zeros appended (the first outputs do not change) to name the mistake.
        found = _probe(fn, call, _tap_mistakes())
        if found is not None:
            key, advice = found
            return finish(failure(name, [*stop.message.splitlines()[1:], advise(advice)], key), quiet)
        if "broadcast" in stop.message or "mismatch" in stop.message:
            advice = N_(
                "a slice ran short of the padded input, so its shape does not match the output's: a tap that "
                "starts too far or steps too wide. Tap ki starts at ki*d (not ki*d*s, not ki*s) and the slice "
                "steps by the stride s (not d): x_p[..., ki*d : ki*d + s*(o - 1) + 1 : s]."
            )
            return finish(failure(name, [*stop.message.splitlines()[1:], advise(advice)], "slice_short"), quiet)
    if stop is not None:
        return finish(stop, quiet)
    expected = [case.reference(x, w, None) for case, (x, w) in zip(TAP_CASES, operands)]
    otherwise = N_(
        "Tap (ki, kj) reads x_p[:, :, ki*d : ki*d + s*(H_out - 1) + 1 : s, kj*d : kj*d + s*(W_out - 1) + 1 : s]."
    )
    verdict = _diagnose(name, TAP_CASES, operands, answers, expected, _tap_mistakes(), otherwise, quiet)
    if verdict is not None:
        return verdict
    rng = np.random.default_rng(0)
    w = rng.standard_normal((2, 2, 3, 3))
    try:
        small, big = (
            line_events(fn, rng.standard_normal((1, 2, size, size)), w, padding=2, dilation=2) for size in (8, 40)
        )
    except Exception:  # it ran on every case above; a failure here is the tracer's, not the learner's
        small = big = 0
    if big > 2 * small + 20:
        lines = [
            tr(
                "Right values, but it ran {small} lines of Python on an 8x8 input and {big} on a 40x40 one.",
                small=small,
                big=big,
            ),
            advise(
                N_(
                    "a loop over output pixels is left. Loop over the kH * kW taps only: each tap is one slice "
                    "of the padded input and one product over the channels, for all pixels at once."
                )
            ),
        ]
        return finish(failure(name, lines, "pixel_loop"), quiet)
    success = N_("✓ {name} is right on all {count} cases and loops over the taps, not the pixels.")
    return finish(passed(success, name=name, count=len(TAP_CASES)), quiet)


# --- dilated im2col ------------------------------------------------------------------------------------------

IM2COL_CASES = [
    ConvCase((1, 1, 5, 6), (1, 1, 3, 3)),
    ConvCase((1, 1, 8, 7), (1, 1, 3, 2), dilation=2),
    ConvCase((1, 2, 9, 10), (1, 2, 2, 3), dilation=3),
    ConvCase((2, 2, 7, 9), (1, 2, 3, 3), dilation=2),
]

IM2COL_CONV_CASES = [
    ConvCase((1, 1, 6, 7), (1, 1, 3, 3), padding=1),
    ConvCase((1, 2, 8, 9), (3, 2, 3, 2), padding=2, dilation=2),
    ConvCase((2, 2, 9, 7), (2, 2, 2, 3), padding=3, dilation=3),
]


def _columns(xp: np.ndarray, kh: int, kw: int, d: int) -> np.ndarray:
    """The im2col matrix by loops: row (ci, ki, kj), column (i, j) holds xp[n, ci, i + ki*d, j + kj*d]."""
    n, c_in, hp, wp = xp.shape
    h_out, w_out = hp - d * (kh - 1), wp - d * (kw - 1)
    cols = np.zeros((n, c_in, kh, kw, h_out, w_out))
    for ki in range(kh):
        for kj in range(kw):
            cols[:, :, ki, kj] = xp[:, :, ki * d : ki * d + h_out, kj * d : kj * d + w_out]
    return cols.reshape(n, c_in * kh * kw, h_out * w_out)


def _reordered(case: ConvCase, x: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """The im2col matrix with its axes (N, C_in, kH, kW, H_out, W_out) put in ``order`` before the reshape."""
    _, _, d = _arguments(case)
    kh, kw = case.weight_shape[2:]
    n, c_in = x.shape[:2]
    h_out, w_out = x.shape[2] - d * (kh - 1), x.shape[3] - d * (kw - 1)
    full = _columns(x, kh, kw, d).reshape(n, c_in, kh, kw, h_out, w_out).transpose(order)
    return full.reshape(n, c_in * kh * kw, h_out * w_out)


def _im2col_mistakes() -> list[tuple[str, str, Answer]]:
    return [
        (
            "no_transpose",
            N_(
                "the windows were reshaped without a transpose: sliding_window_view gives (N, C_in, H_out, W_out, "
                "kH, kW), the matrix needs (N, C_in, kH, kW, H_out, W_out). Transpose with (0, 1, 4, 5, 2, 3), "
                "then reshape."
            ),
            lambda c, x, w: _reordered(c, x, (0, 1, 4, 5, 2, 3)),
        ),
        (
            "rows_order",
            N_(
                "the rows are in the order (ki, kj, ci): weight.reshape(C_out, C_in * kH * kW) reads them as "
                "(ci, ki, kj). Transpose the windows to (N, C_in, kH, kW, H_out, W_out) before the reshape."
            ),
            lambda c, x, w: _reordered(c, x, (0, 2, 3, 1, 4, 5)),
        ),
        (
            "taps_order",
            N_("kernel rows and columns are swapped: the rows of the matrix go (ci, ki, kj), ki the kernel row."),
            lambda c, x, w: _reordered(c, x, (0, 1, 3, 2, 4, 5)),
        ),
        (
            "pixels_order",
            N_(
                "the columns go down the image first: output pixel (i, j) is column i * W_out + j, row by row, "
                "so that the product reshapes to (N, C_out, H_out, W_out)."
            ),
            lambda c, x, w: _reordered(c, x, (0, 1, 2, 3, 5, 4)),
        ),
        (
            "dilation_ignored",
            N_(
                "the window is k pixels and all of it is kept: that is dilation 1. Take windows of d*(k - 1) + 1, "
                "then [..., ::d, ::d]."
            ),
            lambda c, x, w: _reordered(ConvCase(c.input_shape, c.weight_shape), x, (0, 1, 2, 3, 4, 5)),
        ),
    ]


def _im2col_shape_advice(case: ConvCase, got: tuple[int, ...]) -> tuple[str, str] | None:
    """Advice when the matrix has the shape of a known mistake (window, step or output positions)."""
    _, _, d = _arguments(case)
    n, c_in, h, w = case.input_shape
    kh, kw = case.weight_shape[2:]
    eh, ew = d * (kh - 1) + 1, d * (kw - 1) + 1
    right_cols = (h - eh + 1) * (w - ew + 1)
    if got == (n, c_in * eh * ew, right_cols):
        return "no_step", N_(
            "each column holds the whole window, d*(k - 1) + 1 pixels a side: the ::d is missing. Keep every d-th "
            "pixel of each window, [..., ::d, ::d] on the window's two axes (the last two)."
        )
    if len(got) == 3 and got[2] == (h - kh + 1) * (w - kw + 1) and d > 1:
        return "window_k", N_(
            "the windows are k pixels, not the dilated kernel's extent: a window of a dilated kernel is "
            "d*(k - 1) + 1 pixels a side; sliding_window_view(xp, (d*(kH - 1) + 1, d*(kW - 1) + 1), axis=(2, 3))."
        )
    strided = len(range(0, h - eh + 1, d)) * len(range(0, w - ew + 1, d))
    if len(got) == 3 and got[2] == strided and d > 1:
        return "step_on_windows", N_(
            "the ::d steps over the windows (the output positions) instead of inside each window: put it on the "
            "last two axes, [..., ::d, ::d], which index the pixels of a window."
        )
    return None


def check_im2col(im2col: Callable[..., Any], conv: Callable[..., Any] | None = None, *, quiet: bool = False) -> Verdict:
    """Check a learner's ``im2col(xp, kh, kw, dilation=1)`` and, when given, ``conv(x, w, *, padding=0, dilation=1)``.

    ``im2col`` gets a padded input ``xp`` (N, C_in, Hp, Wp) and returns the matrix
    (N, C_in * kH * kW, H_out * W_out): row ``(ci, ki, kj)``, column ``i * W_out + j`` holds
    ``xp[n, ci, i + ki*d, j + kj*d]`` (stride 1). ``conv`` pads ``x``, builds that matrix and multiplies it by
    the (C_out, C_in * kH * kW) weight once: (N, C_out, H_out, W_out), as :func:`dilconv_lib.naive.conv2d`.

    Returns
    -------
    Verdict
        Its ``mistake``: ``"no_step"`` (the ``::d`` forgotten), ``"window_k"`` (a window of k pixels),
        ``"step_on_windows"`` (``::d`` on the output positions), ``"no_transpose"``, ``"rows_order"``, ``"taps_order"``,
        ``"pixels_order"``, ``"dilation_ignored"``, ``"conv_padding_ignored"``, ``"conv_weight_order"``; or
        ``"not_implemented"``, ``"raised"``, ``"not_an_array"``, ``"shape"``, ``"values"``.

    Examples
    --------
    >>> from numpy.lib.stride_tricks import sliding_window_view
    >>> def im2col(xp, kh, kw, dilation=1):
    ...     window = (dilation * (kh - 1) + 1, dilation * (kw - 1) + 1)
    ...     patches = sliding_window_view(xp, window, axis=(2, 3))  # (N, C_in, H_out, W_out, *window)
    ...     n, c, h, w = patches.shape[:4]
    ...     return patches.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * window[0] * window[1], h * w)  # no ::d
    >>> check_im2col(im2col, quiet=True).mistake
    'no_step'
    """
    name = name_of(im2col)

    def call(f: Callable[..., Any], case: ConvCase, x: np.ndarray, w: np.ndarray) -> Any:
        return f(x, w.shape[2], w.shape[3], _arguments(case)[2])

    operands, answers, stop = _run(im2col, IM2COL_CASES, call, quiet)
    if stop is not None and stop.mistake == "not_implemented" and conv is not None:
        # Say so of the second function too, so that a learner who starts from the top is told of both.
        x, w, _ = IM2COL_CONV_CASES[0].operands(0)
        _, conv_stop = call_learner(conv, name_of(conv), True, x, w)
        if conv_stop is not None and conv_stop.mistake == "not_implemented":
            stop = Verdict(False, f"{stop.message}\n{conv_stop.message}", "not_implemented")
    if stop is not None:
        return finish(stop, quiet)
    expected = [_columns(x, w.shape[2], w.shape[3], _arguments(c)[2]) for c, (x, w) in zip(IM2COL_CASES, operands)]
    for number, (case, got, exp) in enumerate(zip(IM2COL_CASES, answers, expected), start=1):
        if got.shape != exp.shape:
            found = _im2col_shape_advice(case, got.shape)
            if found is not None:
                key, advice = found
                where = tr(
                    "Case {number} of {total}: {case}.", number=number, total=len(IM2COL_CASES), case=_shown(case)
                )
                shape = tr("Expected shape {expected}, got {got}.", expected=exp.shape, got=got.shape)
                return finish(failure(name, [where, shape, advise(advice)], key), quiet)
            break
    otherwise = N_("Row (ci, ki, kj), column i * W_out + j of the matrix holds xp[n, ci, i + ki*d, j + kj*d].")
    verdict = _diagnose(name, IM2COL_CASES, operands, answers, expected, _im2col_mistakes(), otherwise, quiet)
    if verdict is not None:
        return verdict
    if conv is None:
        success = N_("✓ {name} is right on all {count} cases (dilations 1 to 3, channels, a batch).")
        return finish(passed(success, name=name, count=len(IM2COL_CASES)), quiet)
    return _check_im2col_conv(conv, name, quiet)


def _check_im2col_conv(conv: Callable[..., Any], im2col_name: str, quiet: bool) -> Verdict:
    name = name_of(conv)

    def call(f: Callable[..., Any], case: ConvCase, x: np.ndarray, w: np.ndarray) -> Any:
        _, p, d = _arguments(case)
        return f(x, w, padding=p, dilation=d)

    operands, answers, stop = _run(conv, IM2COL_CONV_CASES, call, quiet)
    if stop is not None:
        return finish(stop, quiet)
    expected = [c.reference(x, w, None) for c, (x, w) in zip(IM2COL_CONV_CASES, operands)]

    def weight_order(c: ConvCase, x: np.ndarray, w: np.ndarray) -> np.ndarray:
        # the weight flattened as (kH, kW, C_in) against rows in the order (C_in, kH, kW)
        c_out, c_in, kh, kw = w.shape
        scrambled = w.transpose(0, 2, 3, 1).reshape(c_out, c_in, kh, kw)
        return c.reference(x, scrambled, None)

    mistakes: list[tuple[str, str, Answer]] = [
        (
            "conv_padding_ignored",
            N_("the padding is ignored: pad x first, then build the matrix from the padded input."),
            lambda c, x, w: c.reference(x, w, None, padding=0),
        ),
        (
            "conv_weight_order",
            N_(
                "the weight is flattened in another order than the matrix's rows: "
                "weight.reshape(C_out, C_in * kH * kW) "
                "goes (ci, ki, kj), as the rows do."
            ),
            weight_order,
        ),
    ]
    otherwise = N_(
        "Pad x, build the matrix, multiply: weight.reshape(C_out, -1) @ cols, then reshape to (N, C_out, H_out, W_out)."
    )
    verdict = _diagnose(name, IM2COL_CONV_CASES, operands, answers, expected, mistakes, otherwise, quiet)
    if verdict is not None:
        return verdict
    success = N_(
        "✓ {im2col} is right on all {first} cases and {name} on all {count} (padding, dilations 1 to 3, channels, "
        "a batch): one matrix product per image."
    )
    return finish(
        passed(success, im2col=im2col_name, first=len(IM2COL_CASES), name=name, count=len(IM2COL_CONV_CASES)), quiet
    )


# --- space-to-batch ------------------------------------------------------------------------------------------

# Outputs a multiple of d along both axes: every phase has as many outputs, so that a learner who puts the
# phases back in the wrong order gets an answer (to diagnose) rather than a broadcasting error.
S2B_CASES = [
    ConvCase((1, 1, 7, 7), (1, 1, 3, 3), padding=1),
    ConvCase((1, 1, 8, 8), (1, 1, 3, 3), padding=2, dilation=2),
    ConvCase((1, 1, 10, 10), (1, 1, 3, 2), padding=1, dilation=2),
    ConvCase((1, 2, 12, 12), (2, 2, 3, 3), padding=3, dilation=3),
    ConvCase((2, 2, 8, 10), (3, 2, 2, 3), padding=2, dilation=2),
]


def _phases(
    case: ConvCase, x: np.ndarray, w: np.ndarray, place: Callable[[int, int], tuple[int, int]], only_first: bool = False
) -> np.ndarray:
    """Space-to-batch by phases; the output of phase (r, q) goes to the phase ``place(r, q)``."""
    _, p, d = _arguments(case)
    xp = _pad(x, p)
    kh, kw = w.shape[2:]
    h_out, w_out = xp.shape[2] - d * (kh - 1), xp.shape[3] - d * (kw - 1)
    y = np.zeros((x.shape[0], w.shape[0], h_out, w_out))
    for r in range(1 if only_first else d):
        for q in range(1 if only_first else d):
            a, b = place(r, q)
            y[:, :, a::d, b::d] = naive.conv2d(xp[:, :, r::d, q::d], w)
    return y


def check_space_to_batch(fn: Callable[..., Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(x, w, *, padding=0, dilation=1)``: a dilated convolution as ``d * d`` ordinary ones.

    ``x`` is (N, C_in, H, W), ``w`` (C_out, C_in, kH, kW), stride 1. Phase ``(r, q)`` of the padded input,
    ``xp[:, :, r::d, q::d]``, convolved with ``w`` at dilation 1, gives the outputs ``y[:, :, r::d, q::d]``.
    The answer is (N, C_out, H_out, W_out), as :func:`dilconv_lib.naive.conv2d`.

    Returns
    -------
    Verdict
        Its ``mistake``: ``"phases_swapped"`` (phase (r, q) put back at (q, r)), ``"one_phase"`` (only phase
        (0, 0) computed), ``"one_phase_output"`` (only phase (0, 0)'s output returned),
        ``"padding_ignored"``; or ``"not_implemented"``,
        ``"raised"``, ``"not_an_array"``, ``"shape"``, ``"values"``.

    Examples
    --------
    >>> from dilconv_lib import vectorized
    >>> verdict = check_space_to_batch(vectorized.conv2d_space_to_batch)
    ✓ conv2d_space_to_batch is right on all 5 cases (dilations 1 to 3, padding, channels, a batch).
    >>> def swapped(x, w, *, padding=0, dilation=1):
    ...     d, xp = dilation, np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ...     kh, kw = w.shape[2:]
    ...     y = np.zeros((x.shape[0], w.shape[0], xp.shape[2] - d * (kh - 1), xp.shape[3] - d * (kw - 1)))
    ...     for r in range(d):
    ...         for q in range(d):
    ...             y[:, :, q::d, r::d] = vectorized.conv2d(xp[:, :, r::d, q::d], w)  # (q, r): wrong place
    ...     return y
    >>> check_space_to_batch(swapped, quiet=True).mistake
    'phases_swapped'
    """
    name = name_of(fn)

    def call(f: Callable[..., Any], case: ConvCase, x: np.ndarray, w: np.ndarray) -> Any:
        _, p, d = _arguments(case)
        return f(x, w, padding=p, dilation=d)

    operands, answers, stop = _run(fn, S2B_CASES, call, quiet)
    if stop is not None and stop.mistake == "raised":
        hint = tr(
            "Phase (r, q), xp[:, :, r::d, q::d], convolved at dilation 1 (its taps are neighbours), gives exactly "
            "the outputs y[:, :, r::d, q::d]: as many rows and columns as that slice of y has."
        )
        return finish(Verdict(ok=False, message=f"{stop.message}\n  {hint}", mistake="raised"), quiet)
    if stop is not None:
        return finish(stop, quiet)
    expected = [c.reference(x, w, None) for c, (x, w) in zip(S2B_CASES, operands)]
    mistakes: list[tuple[str, str, Answer]] = [
        (
            "phases_swapped",
            N_(
                "the phases are interleaved in the wrong order: the output of phase (r, q), rows r, r + d, ... and "
                "columns q, q + d, ..., goes back to y[:, :, r::d, q::d], not to (q, r)."
            ),
            lambda c, x, w: _phases(c, x, w, lambda r, q: (q, r)),
        ),
        (
            "one_phase",
            N_("only phase (0, 0) is computed: loop over all d * d phases (r, q), r and q from 0 to d - 1."),
            lambda c, x, w: _phases(c, x, w, lambda r, q: (r, q), only_first=True),
        ),
        (
            "one_phase_output",
            N_(
                "that is the output of phase (0, 0) alone: every one of the d * d phases gives the outputs "
                "y[:, :, r::d, q::d]; interleave them all back into one (N, C_out, H_out, W_out) array."
            ),
            lambda c, x, w: c.reference(x, w, None)[..., :: _arguments(c)[2], :: _arguments(c)[2]],
        ),
        (
            "padding_ignored",
            N_("the padding is ignored: pad the input first, then split the PADDED input into its phases."),
            lambda c, x, w: c.reference(x, w, None, padding=0),
        ),
    ]
    otherwise = N_("Phase (r, q) is xp[:, :, r::d, q::d]; its ordinary convolution with w gives y[:, :, r::d, q::d].")
    verdict = _diagnose(name, S2B_CASES, operands, answers, expected, mistakes, otherwise, quiet)
    if verdict is not None:
        return verdict
    success = N_("✓ {name} is right on all {count} cases (dilations 1 to 3, padding, channels, a batch).")
    return finish(passed(success, name=name, count=len(S2B_CASES)), quiet)
