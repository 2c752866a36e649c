"""Notebooks 02 and 03: the zero-inserted kernel, the pixels a tap loop reads, im2col's memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dilconv_lib.exercises.harness import (
    IntOrPair,
    Verdict,
    advise,
    call_learner,
    failure,
    finish,
    is_int,
    name_of,
    not_an_array,
    passed,
)
from dilconv_lib.i18n import N_, tr

__all__ = ["check_dilate_kernel", "check_im2col_bytes", "check_pixels_read"]


def check_dilate_kernel(fn: Callable[[np.ndarray, IntOrPair], Any], *, quiet: bool = False) -> Verdict:
    """Check ``fn(w, dilation)``: the dense kernel with ``d - 1`` zeros between the taps of ``w`` (02).

    ``w`` is (C_out, C_in, kH, kW) and ``dilation`` an int or a (rows, columns) pair; the answer is
    (C_out, C_in, d_h (kH - 1) + 1, d_w (kW - 1) + 1), ``w`` at every d-th position and zeros elsewhere.

    Examples
    --------
    >>> from dilconv_lib import vectorized
    >>> verdict = check_dilate_kernel(vectorized.dilate_kernel)
    ✓ dilate_kernel is right on all 4 cases (square and per-axis dilations, channels).
    >>> def no_plus_one(w, d):
    ...     d = (d, d) if isinstance(d, int) else d
    ...     dense = np.zeros((*w.shape[:2], d[0] * (w.shape[2] - 1), d[1] * (w.shape[3] - 1)))
    ...     return dense
    >>> check_dilate_kernel(no_plus_one, quiet=True).mistake
    'extent'
    """
    from dilconv_lib.vectorized import dilate_kernel

    name = name_of(fn)
    cases: list[tuple[tuple[int, int, int, int], IntOrPair]] = [
        ((1, 1, 3, 3), 1),
        ((1, 1, 3, 3), 2),
        ((2, 3, 3, 3), 4),
        ((1, 2, 2, 3), (3, 2)),
    ]
    for shape, d in cases:
        w = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
        expected = dilate_kernel(w, d)
        got, stop = call_learner(fn, name, quiet, w.copy(), d)
        if stop is not None:
            return stop
        problem = not_an_array(got)
        if problem is not None:
            line = tr("weight {shape}, dilation {dilation}: {problem}", shape=shape, dilation=d, problem=problem)
            return finish(failure(name, [line], "not_an_array"), quiet)
        got = np.asarray(got)
        if got.shape != expected.shape:
            dh, dw = (d, d) if isinstance(d, int) else d
            lines = [
                tr(
                    "weight {shape}, dilation {dilation}: shape {got}, expected {expected}.",
                    shape=shape,
                    dilation=d,
                    got=got.shape,
                    expected=expected.shape,
                )
            ]
            if got.shape[2:] == (dh * (shape[2] - 1), dw * (shape[3] - 1)):
                lines.append(advise(N_("the extent is d * (k - 1) + 1: the last tap needs its own pixel.")))
                return finish(failure(name, lines, "extent"), quiet)
            if got.shape[2:] == (dh * shape[2], dw * shape[3]):
                advice = N_("d * k is one gap too many: k taps have k - 1 gaps of d, so d * (k - 1) + 1.")
                lines.append(advise(advice))
                return finish(failure(name, lines, "extent"), quiet)
            lines.append(tr("The dense kernel is d * (k - 1) + 1 pixels along each axis."))
            return finish(failure(name, lines, "shape"), quiet)
        if not np.array_equal(got, expected):
            first = np.argwhere(got != expected)[0].tolist()
            lines = [
                tr(
                    "weight {shape}, dilation {dilation}: right shape, but the values at {index} differ "
                    "(and maybe more).",
                    shape=shape,
                    dilation=d,
                    index=first,
                ),
                tr("The taps belong at rows 0, d, 2d, ... and columns 0, d, 2d, ...; zeros everywhere else."),
            ]
            return finish(failure(name, lines, "values"), quiet)
    success = N_("✓ {name} is right on all {count} cases (square and per-axis dilations, channels).")
    return finish(passed(success, name=name, count=len(cases)), quiet)


def check_pixels_read(fn: Callable[[int, int, int, int, int], Any], *, quiet: bool = False) -> Verdict:
    """Check ``fn(ki, kj, n_out, stride, dilation)``: the padded-input pixels whose sum is tap (ki, kj)'s gradient (03).

    The answer is the set of (row, column) pairs ``(i s + ki d, j s + kj d)`` for ``0 <= i, j < n_out``.

    Examples
    --------
    >>> verdict = check_pixels_read(lambda ki, kj, n, s, d: {(i * s + ki * d, j * s + kj * d)
    ...                                                      for i in range(n) for j in range(n)})
    ✓ <lambda> is right: tap (ki, kj) reads a grid of step `stride` that starts at (ki*dilation, kj*dilation).
    >>> swapped = lambda ki, kj, n, s, d: {(i * d + ki * s, j * d + kj * s) for i in range(n) for j in range(n)}
    >>> check_pixels_read(swapped, quiet=True).mistake
    'swapped'
    """
    name = name_of(fn)

    def grid(ki: int, kj: int, n: int, s: int, d: int) -> set[tuple[int, int]]:
        return {(i * s + ki * d, j * s + kj * d) for i in range(n) for j in range(n)}

    for k, d, s, n_out in [(3, 3, 2, 4), (3, 1, 1, 4), (2, 4, 3, 3), (3, 2, 2, 3)]:
        for ki in range(k):
            for kj in range(k):
                got, stop = call_learner(fn, name, quiet, ki, kj, n_out, s, d)
                if stop is not None:
                    return stop
                expected = grid(ki, kj, n_out, s, d)
                try:
                    got = {(int(r), int(c)) for r, c in got}
                except (TypeError, ValueError):
                    lines = [
                        tr(
                            "It returned {kind}; expected a set of (row, column) pairs.",
                            kind=type(got).__name__,
                        )
                    ]
                    return finish(failure(name, lines, "values"), quiet)
                if got == expected:
                    continue
                lines = [
                    tr(
                        "k={k}, dilation={dilation}, stride={stride}, tap ({ki}, {kj}), {n}x{n} outputs: "
                        "missing {missing}, extra {extra}.",
                        k=k,
                        dilation=d,
                        stride=s,
                        ki=ki,
                        kj=kj,
                        n=n_out,
                        missing=sorted(expected - got)[:4],
                        extra=sorted(got - expected)[:4],
                    )
                ]
                if got == grid(ki, kj, n_out, d, s):
                    advice = N_("stride and dilation are swapped: output i moves by the stride, tap ki by d.")
                    lines.append(advise(advice))
                    return finish(failure(name, lines, "swapped"), quiet)
                lines.append(
                    tr("Output (i, j) reads tap (ki, kj) at (i*stride + ki*dilation, j*stride + kj*dilation).")
                )
                return finish(failure(name, lines, "values"), quiet)
    success = N_(
        "✓ {name} is right: tap (ki, kj) reads a grid of step `stride` that starts at (ki*dilation, kj*dilation)."
    )
    return finish(passed(success, name=name), quiet)


def check_im2col_bytes(value: Any, *, quiet: bool = False) -> Verdict:
    """Check a number: the bytes of the im2col matrix for N = 8, C_in = 64, 64 x 64, 3 x 3, d = p = 16, float32 (02).

    One column of ``C_in kH kW`` items per output pixel, ``H_out W_out = 64 * 64`` ("same" padding) per
    image: ``8 * 64 * 9 * 64 * 64 * 4`` bytes, 72 MiB, whatever the dilation.

    >>> verdict = check_im2col_bytes(8 * 64 * 9 * 64 * 64 * 4)
    ✓ 75497472 bytes (72 MiB) is right: N * C_in * kH * kW * H_out * W_out items of 4 bytes, at any dilation.
    >>> check_im2col_bytes(8 * 64 * 9 * 64 * 64, quiet=True).mistake
    'itemsize'
    """
    n, c_in, k, size, itemsize, d = 8, 64, 3, 64, 4, 16
    expected = n * c_in * k * k * size * size * itemsize
    name = "my_im2col_bytes"
    if not is_int(value) and not (isinstance(value, float) and value.is_integer()):
        lines = [tr("It is {got}; expected a whole number of bytes (an int).", got=repr(value))]
        return finish(failure(name, lines, "not_an_int"), quiet)
    mib = expected // 2**20
    if value == expected:
        success = N_(
            "✓ {expected} bytes ({mib} MiB) is right: N * C_in * kH * kW * H_out * W_out items of 4 bytes, "
            "at any dilation."
        )
        return finish(passed(success, expected=expected, mib=mib), quiet)
    lines = [tr("{got} bytes; expected {expected} ({mib} MiB).", got=repr(value), expected=expected, mib=mib)]
    window = d * (k - 1) + 1
    for key, guess, advice in [
        ("itemsize", expected // itemsize, N_("that counts items: a float32 takes 4 bytes.")),
        ("batch", expected // n, N_("that is one image: the batch has N = 8.")),
        (
            "padded",
            n * c_in * k * k * (size + 2 * d) ** 2 * itemsize,
            N_("one column per OUTPUT pixel, 64 x 64 here."),
        ),
        (
            "window",
            n * c_in * window * window * size * size * itemsize,
            N_("a column holds the kH * kW taps, not the window."),
        ),
        ("input", expected // (k * k), N_("that is the input; the matrix holds each pixel up to kH * kW times.")),
    ]:
        if value == guess:
            lines.append(advise(advice))
            return finish(failure(name, lines, key), quiet)
    lines.append(tr("Count C_in * kH * kW items per output pixel, H_out * W_out output pixels per image, N images."))
    return finish(failure(name, lines, "values"), quiet)
