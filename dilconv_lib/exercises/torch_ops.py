"""Notebook 03: a learner's dilated convolution from ``F.unfold`` and one matrix product, against ``F.conv2d``.

The checker runs the learner's ``fn(x, w, b, stride, padding, dilation)`` on small float64 cases and compares
it with ``torch.nn.functional.conv2d``. When an answer is wrong it tries the usual mistakes of the unfold
version (the dilation not passed to ``F.unfold``, the weight flattened in another order than the unfolded
rows, the columns not folded back to an image, the bias dropped) and names the first that explains every
answer. torch is imported when the checker runs, so that ``dilconv_lib.exercises`` loads without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dilconv_lib.exercises.harness import Verdict, advise, call_learner, failure, finish, name_of, passed
from dilconv_lib.i18n import N_, tr

__all__ = ["check_conv2d_unfold"]

# (input shape, weight shape, bias, stride, padding, dilation): the first is the notebook's 5 x 5 example
_CASES: list[tuple[tuple[int, ...], tuple[int, ...], bool, int, int, int]] = [
    ((1, 1, 5, 5), (1, 1, 2, 2), False, 1, 0, 2),
    ((2, 3, 9, 8), (4, 3, 3, 3), True, 1, 2, 2),
    ((1, 2, 11, 10), (3, 2, 3, 2), True, 2, 1, 3),
    ((2, 2, 7, 6), (2, 2, 3, 3), False, 1, 1, 1),
]

# A wrong answer: (x, w, b, stride, padding, dilation) -> the output that mistake gives
Answer = Callable[[Any, Any, Any, int, int, int], Any]


def _mistakes() -> list[tuple[str, str, Answer]]:
    """The usual mistakes, each with its advice (marked with ``N_``) and the answer it gives (float64 tensors)."""
    import torch.nn.functional as F

    def undilated(x: Any, w: Any, b: Any, s: int, p: int, d: int) -> Any:
        return F.conv2d(x, w, b, stride=s, padding=p)  # F.unfold called without dilation=d

    def reordered(order: tuple[int, ...]) -> Answer:
        def answer(x: Any, w: Any, b: Any, s: int, p: int, d: int) -> Any:
            n, (c_out, _, kh, kw) = x.shape[0], w.shape
            cols = F.unfold(x, (kh, kw), dilation=d, padding=p, stride=s)  # rows in the order (ci, ki, kj)
            rows = w.permute(0, *order).reshape(c_out, -1)  # the weight flattened in another order
            h_out = (x.shape[2] + 2 * p - d * (kh - 1) - 1) // s + 1
            y = (rows @ cols).reshape(n, c_out, h_out, -1)
            return y if b is None else y + b.view(1, -1, 1, 1)

        return answer

    def no_bias(x: Any, w: Any, b: Any, s: int, p: int, d: int) -> Any:
        return F.conv2d(x, w, None, stride=s, padding=p, dilation=d)

    return [
        (
            "dilation_not_passed",
            N_("pass dilation=dilation to F.unfold: without it each column holds a dense k x k window."),
            undilated,
        ),
        (
            "weight_order",
            N_(
                "flatten the weight in the order of F.unfold's rows, (C_in, k_h, k_w): w.reshape(C_out, -1), "
                "without permuting its axes first."
            ),
            reordered((2, 3, 1)),
        ),
        (
            "weight_order",
            N_(
                "flatten the weight in the order of F.unfold's rows, (C_in, k_h, k_w): w.reshape(C_out, -1), "
                "without permuting its axes first."
            ),
            reordered((1, 3, 2)),
        ),
        ("bias_dropped", N_("add the bias to every pixel of its channel: b.view(1, -1, 1, 1)."), no_bias),
    ]


def _as_array(got: Any) -> np.ndarray | None:
    """The learner's answer as a float64 array, or None when it is not a tensor or an array of numbers."""
    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "biuf":
        return None
    return got.astype(np.float64)


def _shown(case: tuple[tuple[int, ...], tuple[int, ...], bool, int, int, int]) -> str:
    x_shape, w_shape, bias, s, p, d = case
    return tr(
        "input shape {input}, weight shape {weight}, bias {bias}, stride={stride}, padding={padding}, "
        "dilation={dilation}",
        input=x_shape,
        weight=w_shape,
        bias=tr("yes") if bias else tr("no"),
        stride=s,
        padding=p,
        dilation=d,
    )


def check_conv2d_unfold(fn: Callable[..., Any], *, quiet: bool = False) -> Verdict:
    """Check ``fn(x, w, b, stride, padding, dilation)``: a 2-D dilated convolution by ``F.unfold`` and ``@`` (03).

    ``x`` is a float64 tensor (N, C_in, H, W), ``w`` (C_out, C_in, k_h, k_w), ``b`` (C_out,) or None; the
    answer must be (N, C_out, H_out, W_out) and agree with ``F.conv2d`` to 1e-9.

    Examples
    --------
    >>> import torch.nn.functional as F
    >>> def unfold_conv(x, w, b=None, stride=1, padding=0, dilation=1):
    ...     (n, _, h, _), (c_out, _, kh, kw) = x.shape, w.shape
    ...     cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    ...     h_out = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    ...     y = (w.reshape(c_out, -1) @ cols).reshape(n, c_out, h_out, -1)
    ...     return y if b is None else y + b.view(1, -1, 1, 1)
    >>> verdict = check_conv2d_unfold(unfold_conv)
    ✓ unfold_conv agrees with F.conv2d on all 4 cases (stride, padding, dilation, bias).
    >>> def no_bias(x, w, b=None, stride=1, padding=0, dilation=1):
    ...     return unfold_conv(x, w, None, stride, padding, dilation)
    >>> check_conv2d_unfold(no_bias, quiet=True).mistake
    'bias_dropped'
    """
    import torch
    import torch.nn.functional as F

    name = name_of(fn)
    rng = np.random.default_rng(3)
    answers: list[np.ndarray] = []
    operands = []
    for number, case in enumerate(_CASES, start=1):
        x_shape, w_shape, bias, s, p, d = case
        x = torch.from_numpy(rng.standard_normal(x_shape))
        w = torch.from_numpy(rng.standard_normal(w_shape))
        b = torch.from_numpy(rng.standard_normal(w_shape[0])) if bias else None
        operands.append((x, w, b, s, p, d))
        where = tr("Case {number} of {total}: {case}.", number=number, total=len(_CASES), case=_shown(case))
        got, stop = call_learner(fn, name, True, x.clone(), w.clone(), b, s, p, d)
        if stop is not None:
            if stop.mistake == "not_implemented":
                return finish(stop, quiet)
            lines = [where, *stop.message.splitlines()[1:]]
            if "invalid for input of size" in stop.message and d > 1:
                lines.append(
                    advise(N_("pass dilation=dilation to F.unfold: without it each column holds a dense k x k window."))
                )
                return finish(failure(name, [line.strip() for line in lines], "dilation_not_passed"), quiet)
            return finish(failure(name, [line.strip() for line in lines], stop.mistake or "raised"), quiet)
        array = _as_array(got)
        if array is None:
            kind = type(got).__name__
            return finish(
                failure(name, [where, tr("It returned a {kind}, not a tensor.", kind=kind)], "not_a_tensor"), quiet
            )
        expected = F.conv2d(x, w, b, stride=s, padding=p, dilation=d).numpy()
        if array.shape != expected.shape:
            lines = [where, tr("Expected shape {expected}, got {got}.", expected=expected.shape, got=array.shape)]
            n, c_out, h_out, w_out = expected.shape
            if array.shape == (n, c_out, h_out * w_out):
                lines.append(
                    advise(
                        N_(
                            "fold the columns back into an image: reshape (N, C_out, H_out * W_out) "
                            "to (N, C_out, H_out, W_out)."
                        )
                    )
                )
                return finish(failure(name, lines, "not_folded"), quiet)
            if d > 1 and array.size > expected.size:
                lines.append(
                    advise(N_("pass dilation=dilation to F.unfold: without it each column holds a dense k x k window."))
                )
                return finish(failure(name, lines, "dilation_not_passed"), quiet)
            return finish(failure(name, lines, "shape"), quiet)
        answers.append(array)
    wrong = []
    for n, ((x, w, b, s, p, d), got) in enumerate(zip(operands, answers)):
        if not np.allclose(got, F.conv2d(x, w, b, stride=s, padding=p, dilation=d).numpy(), rtol=1e-9, atol=1e-9):
            wrong.append(n)
    if not wrong:
        success = N_("✓ {name} agrees with F.conv2d on all {count} cases (stride, padding, dilation, bias).")
        return finish(passed(success, name=name, count=len(_CASES)), quiet)
    first = wrong[0]
    lines = [
        tr("Case {number} of {total}: {case}.", number=first + 1, total=len(_CASES), case=_shown(_CASES[first])),
        tr("Right shape, wrong values."),
    ]
    for key, advice, answer in _mistakes():
        explains = True
        for (x, w, b, s, p, d), got in zip(operands, answers):
            try:
                guess = answer(x, w, b, s, p, d).numpy()
            except RuntimeError:  # the mistaken computation does not fit this case
                explains = False
            else:
                explains = guess.shape == got.shape and bool(np.allclose(got, guess, rtol=1e-9, atol=1e-9))
            if not explains:
                break
        if explains:
            return finish(failure(name, [*lines, advise(advice)], key), quiet)
    lines.append(
        tr(
            "Column l of F.unfold lists the C_in * k_h * k_w pixels output pixel l reads; "
            "w.reshape(C_out, -1) @ cols sums them with their weights."
        )
    )
    return finish(failure(name, lines, "values"), quiet)
