"""Notebook 03: the backward pass by hand: bias, output padding, the 1-D gradients, a numerical check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dilconv_lib import naive
from dilconv_lib.exercises.harness import (
    Verdict,
    advise,
    call_learner,
    checked_array,
    failure,
    finish,
    first_suspect,
    is_int,
    name_of,
    passed,
)
from dilconv_lib.i18n import N_, tr

__all__ = [
    "check_conv1d_grad_input",
    "check_conv1d_grad_weight",
    "check_grad_bias",
    "check_numerical_gradient",
    "check_output_padding",
]


def check_grad_bias(fn: Callable[[np.ndarray], Any], *, quiet: bool = False) -> Verdict:
    """Check ``fn(grad_output)``: the bias gradient, (N, C_out, H_out, W_out) -> (C_out,), against autograd (03).

    Examples
    --------
    >>> verdict = check_grad_bias(lambda g: g.sum(axis=(0, 2, 3)))
    ✓ <lambda> is right: b[o] is added at every (n, i, j), so its gradient sums grad_output over them.
    >>> check_grad_bias(lambda g: g[0].sum(axis=(1, 2)), quiet=True).mistake
    'batch'
    """
    import torch
    import torch.nn.functional as F

    name = name_of(fn)
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.standard_normal((2, 2, 6, 7)))
    w = torch.from_numpy(rng.standard_normal((3, 2, 2, 2)))
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, w, b, dilation=2)
    g = rng.standard_normal(tuple(y.shape))
    y.backward(torch.from_numpy(g))
    assert b.grad is not None
    expected = b.grad.numpy()
    got, stop = call_learner(fn, name, quiet, g.copy())
    if stop is not None:
        return stop
    got, stop = checked_array(got, name, expected.shape, quiet)
    if stop is not None:
        if got is not None and got.shape == (2, 3):
            lines = [
                tr(
                    "Expected shape {expected}, got {got}: one number per output channel.",
                    expected=expected.shape,
                    got=got.shape,
                ),
                advise(N_("sum over the batch too: axes 0, 2 and 3, keeping axis 1.")),
            ]
            return finish(failure(name, lines, "batch"), quiet)
        return stop
    if np.allclose(got, expected):
        success = N_("✓ {name} is right: b[o] is added at every (n, i, j), so its gradient sums grad_output over them.")
        return finish(passed(success, name=name), quiet)
    lines = [tr("Values {got}, expected {expected}.", got=got.round(3), expected=expected.round(3))]
    suspects = [
        (
            "batch",
            np.allclose(got, g[0].sum(axis=(1, 2))),
            N_("the sum leaves out the batch: sum over axes 0, 2 and 3."),
        ),
        (
            "mean",
            np.allclose(got, g.mean(axis=(0, 2, 3))),
            N_("a mean, not a sum: every (n, i, j) adds its full gradient."),
        ),
    ]
    return first_suspect(name, lines, suspects, [], quiet)


def check_output_padding(fn: Callable[[int, int, int, int, int], Any], *, quiet: bool = False) -> Verdict:
    """Check ``fn(size, kernel_size, stride, padding, dilation)``: ``F.conv_transpose2d``'s ``output_padding`` (03).

    The answer, ``(size + 2p - d(k - 1) - 1) mod s``, is the number of padded pixels after the forward
    pass's last window; with it the transposed convolution gives back ``size`` pixels and autograd's
    input gradient.

    Examples
    --------
    >>> verdict = check_output_padding(lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) % s)
    ✓ <lambda> is right: r = (size + 2p - d(k - 1) - 1) mod s, the pixels after the last window.
    >>> check_output_padding(lambda n, k, s, p, d: (n + 2 * p - k) % s, quiet=True).mistake
    'no_dilation'
    """
    import torch
    import torch.nn.functional as F

    name = name_of(fn)
    cases = [(11, 3, 2, 2, 2), (10, 3, 2, 2, 2), (9, 3, 3, 0, 1), (16, 2, 3, 1, 4), (7, 3, 1, 1, 2), (12, 3, 4, 1, 2)]
    rng = np.random.default_rng(2)
    for size, k, s, p, d in cases:
        r = (size + 2 * p - d * (k - 1) - 1) % s
        got, stop = call_learner(fn, name, quiet, size, k, s, p, d)
        if stop is not None:
            return stop
        where = f"size={size}, kernel_size={k}, stride={s}, padding={p}, dilation={d}"
        if not is_int(got):
            lines = [
                tr(
                    "{where}: got {got}; output_padding is an int from 0 to stride - 1 = {top}.",
                    where=where,
                    got=repr(got),
                    top=s - 1,
                )
            ]
            return finish(failure(name, lines, "not_an_int"), quiet)
        if got == r:
            continue
        lines = [tr("{where}: got {got}, expected {expected}.", where=where, got=got, expected=r)]
        suspects = [
            ("no_dilation", got == (size + 2 * p - k) % s, N_("the window spans d(k - 1) + 1 pixels, not k.")),
            (
                "no_mod",
                got == size + 2 * p - d * (k - 1) - 1,
                N_("take it modulo the stride: only the rows after the last window."),
            ),
            ("one_side", got == (size + p - d * (k - 1) - 1) % s, N_("the padding is on both sides: 2p.")),
        ]
        otherwise = []
        if 0 <= got < s:
            x = torch.from_numpy(rng.standard_normal((1, 1, size, size))).requires_grad_()
            w = torch.from_numpy(rng.standard_normal((1, 1, k, k)))
            y = F.conv2d(x, w, stride=s, padding=p, dilation=d)
            back = F.conv_transpose2d(torch.ones_like(y), w, None, stride=s, padding=p, output_padding=got, dilation=d)
            otherwise.append(
                tr("With it F.conv_transpose2d gives back {got} pixels, not {size}.", got=back.shape[-1], size=size)
            )
        otherwise.append(
            tr("Count the padded pixels after the last window: (size + 2p) minus where it ends, modulo s.")
        )
        return first_suspect(name, lines, suspects, otherwise, quiet)
    success = N_("✓ {name} is right: r = (size + 2p - d(k - 1) - 1) mod s, the pixels after the last window.")
    return finish(passed(success, name=name), quiet)


# (N, C_in, L_in, C_out, k, dilation): the 1-D backward cases, small enough for a learner's loops
_GRAD_1D_CASES = [(1, 1, 5, 1, 2, 2), (2, 2, 11, 3, 3, 2), (1, 3, 13, 2, 3, 3), (2, 2, 9, 2, 2, 1)]


def _conv1d_autograd(n: int, c_in: int, length: int, c_out: int, k: int, d: int, seed: int) -> dict[str, np.ndarray]:
    """x, w, g and autograd's gradients for ``y = conv1d(x, w, dilation=d)`` (stride 1, no padding)."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.standard_normal((n, c_in, length))).requires_grad_()
    w = torch.from_numpy(rng.standard_normal((c_out, c_in, k))).requires_grad_()
    y = F.conv1d(x, w, dilation=d)
    g = torch.from_numpy(rng.standard_normal(tuple(y.shape)))
    y.backward(g)
    assert x.grad is not None and w.grad is not None
    return {
        "x": x.detach().numpy(),
        "w": w.detach().numpy(),
        "g": g.numpy(),
        "dx": x.grad.numpy(),
        "dw": w.grad.numpy(),
    }


def check_conv1d_grad_input(fn: Callable[[np.ndarray, np.ndarray, int], Any], *, quiet: bool = False) -> Verdict:
    """Check ``fn(grad_output, weight, dilation)``: the input gradient of a 1-D dilated convolution (03).

    For ``y = conv1d(x, w, dilation=d)`` (stride 1, no padding), grad_output (N, C_out, L_out) and weight
    (C_out, C_in, k) give the gradient with respect to x, (N, C_in, L_out + d(k - 1)): grad_output padded
    with d(k - 1) zeros on each side, correlated at dilation d with the kernel flipped and its channels
    swapped. Compared with autograd in float64.

    Examples
    --------
    >>> from dilconv_lib import naive
    >>> def grad_input(g, w, d):
    ...     return naive.conv1d(g, w[:, :, ::-1].transpose(1, 0, 2), padding=d * (w.shape[2] - 1), dilation=d)
    >>> verdict = check_conv1d_grad_input(grad_input)
    ✓ grad_input agrees with autograd on all 4 cases: pad by d(k-1), flip the kernel, swap its channels.
    >>> def not_flipped(g, w, d):
    ...     return naive.conv1d(g, w.transpose(1, 0, 2), padding=d * (w.shape[2] - 1), dilation=d)
    >>> check_conv1d_grad_input(not_flipped, quiet=True).mistake
    'not_flipped'
    """
    name = name_of(fn)
    for i, (n, c_in, length, c_out, k, d) in enumerate(_GRAD_1D_CASES):
        case = _conv1d_autograd(n, c_in, length, c_out, k, d, seed=10 + i)
        got, stop = call_learner(fn, name, quiet, case["g"].copy(), case["w"].copy(), d)
        if stop is not None:
            return stop
        where = f"N={n}, C_in={c_in}, L_in={length}, C_out={c_out}, k={k}, dilation={d}"
        got, stop = checked_array(got, name, case["dx"].shape, quiet)
        if stop is not None:
            if got is not None and got.shape[:2] == (n, c_in) and got.shape[2] != length:
                lines = [
                    tr(
                        "{where}: length {length}, expected L_in = {expected}.",
                        where=where,
                        length=got.shape[2],
                        expected=length,
                    )
                ]
                l_out = case["g"].shape[2]
                if d > 1 and got.shape[2] in (l_out + (2 * d - 1) * (k - 1), l_out + k - 1):
                    lines.append(advise(N_("correlate at the same dilation d as the forward pass, not at 1.")))
                    return finish(failure(name, lines, "dilation"), quiet)
                lines.append(
                    tr("Pad grad_output with d(k - 1) zeros on each side: every input pixel then gets k taps.")
                )
                return finish(failure(name, lines, "padding"), quiet)
            if got is not None and got.shape[:2] == (n, c_out):
                lines = [
                    tr(
                        "{where}: {channels} channels, expected C_in = {expected}.",
                        where=where,
                        channels=got.shape[1],
                        expected=c_in,
                    ),
                    tr("Swap the kernel's channels, w.transpose(1, 0, 2): it carries C_out back to C_in."),
                ]
                return finish(failure(name, lines, "channels"), quiet)
            return stop
        if np.allclose(got, case["dx"], rtol=1e-9, atol=1e-9):
            continue

        w_t, pad = case["w"].transpose(1, 0, 2), d * (k - 1)
        lines = [
            tr(
                "{where}: right shape, wrong values (autograd's first row {row}, ...).",
                where=where,
                row=case["dx"][0, 0, :6].round(3),
            )
        ]
        not_flipped = naive.conv1d(case["g"], w_t, padding=pad, dilation=d)
        undilated = naive.conv1d(case["g"], w_t[:, :, ::-1], padding=pad, dilation=1)
        suspects = [
            (key, guess.shape == got.shape and np.allclose(got, guess), advice)
            for key, guess, advice in [
                ("not_flipped", not_flipped, N_("flip the kernel: w[:, :, ::-1].")),
                ("dilation", undilated, N_("correlate at the same dilation d as the forward pass.")),
            ]
        ]
        otherwise = [tr("Input pixel u collects g[i] * w[ki] from every output i = u - d*ki that read it.")]
        return first_suspect(name, lines, suspects, otherwise, quiet)
    success = N_(
        "✓ {name} agrees with autograd on all {count} cases: pad by d(k-1), flip the kernel, swap its channels."
    )
    return finish(passed(success, name=name, count=len(_GRAD_1D_CASES)), quiet)


def check_conv1d_grad_weight(fn: Callable[[np.ndarray, np.ndarray, int, int], Any], *, quiet: bool = False) -> Verdict:
    """Check ``fn(input, grad_output, kernel_size, dilation)``: the weight gradient of a 1-D dilated convolution (03).

    For ``y = conv1d(x, w, dilation=d)`` (stride 1, no padding), ``dL/dw[o, c, ki] = sum_n sum_i
    g[n, o, i] x[n, c, i + d ki]``, shape (C_out, C_in, k): a correlation of x with g as the kernel, whose
    outputs are d apart (the forward dilation has become a stride). Compared with autograd in float64.

    Examples
    --------
    >>> def grad_weight(x, g, k, d):
    ...     return np.stack([np.einsum("noi,nci->oc", g, x[:, :, d * ki : d * ki + g.shape[2]]) for ki in range(k)], -1)
    >>> verdict = check_conv1d_grad_weight(grad_weight)
    ✓ grad_weight agrees with autograd on all 4 cases: each tap sums g times the pixels it read, over the batch.
    >>> check_conv1d_grad_weight(lambda x, g, k, d: grad_weight(x[:1], g[:1], k, d), quiet=True).mistake
    'batch'
    """
    name = name_of(fn)

    def formula(x: np.ndarray, g: np.ndarray, k: int, d: int) -> np.ndarray:
        return np.stack([np.einsum("noi,nci->oc", g, x[:, :, d * ki : d * ki + g.shape[2]]) for ki in range(k)], -1)

    for i, (n, c_in, length, c_out, k, d) in enumerate(_GRAD_1D_CASES):
        case = _conv1d_autograd(n, c_in, length, c_out, k, d, seed=20 + i)
        got, stop = call_learner(fn, name, quiet, case["x"].copy(), case["g"].copy(), k, d)
        if stop is not None:
            return stop
        where = f"N={n}, C_in={c_in}, L_in={length}, C_out={c_out}, k={k}, dilation={d}"
        got, stop = checked_array(got, name, case["dw"].shape, quiet)
        if stop is not None:
            if got is not None and got.shape == (c_in, c_out, k):
                lines = [
                    tr(
                        "{where}: shape {got}, expected (C_out, C_in, k) = {expected}.",
                        where=where,
                        got=got.shape,
                        expected=case["dw"].shape,
                    ),
                    advise(N_("the channel axes are swapped: transpose the first two.")),
                ]
                return finish(failure(name, lines, "channels"), quiet)
            return stop
        if np.allclose(got, case["dw"], rtol=1e-9, atol=1e-9):
            continue
        lines = [tr("{where}: right shape, wrong values.", where=where)]
        suspects = [
            (
                "batch",
                n > 1 and np.allclose(got, formula(case["x"][:1], case["g"][:1], k, d)),
                N_("sum over the batch too: every image adds its share to the same weight."),
            ),
            (
                "dilation",
                d > 1
                and length - (k - 1) >= case["g"].shape[2]
                and np.allclose(got, formula(case["x"], case["g"], k, 1)),
                N_("tap ki reads x from d * ki on, not ki: the taps are d apart."),
            ),
        ]
        otherwise = [tr("dL/dw[o, c, ki] = sum over n and i of g[n, o, i] * x[n, c, i + d * ki].")]
        return first_suspect(name, lines, suspects, otherwise, quiet)
    success = N_(
        "✓ {name} agrees with autograd on all {count} cases: each tap sums g times the pixels it read, over the batch."
    )
    return finish(passed(success, name=name, count=len(_GRAD_1D_CASES)), quiet)


def check_numerical_gradient(
    fn: Callable[[Callable[[np.ndarray], float], np.ndarray, float], Any], *, quiet: bool = False
) -> Verdict:
    """Check ``fn(f, x, eps)``: the gradient of a scalar function ``f`` at ``x`` by central differences (03).

    The answer has x's shape; entry ``j`` is ``(f(x + eps e_j) - f(x - eps e_j)) / (2 eps)``, and ``x``
    holds its own values again afterwards. CS231n's ``eval_numerical_gradient`` is the model.

    Examples
    --------
    >>> def numerical_gradient(f, x, eps=1e-6):
    ...     grad = np.zeros_like(x)
    ...     for j in np.ndindex(x.shape):
    ...         old = x[j]
    ...         x[j] = old + eps
    ...         plus = f(x)
    ...         x[j] = old - eps
    ...         minus = f(x)
    ...         x[j] = old
    ...         grad[j] = (plus - minus) / (2 * eps)
    ...     return grad
    >>> verdict = check_numerical_gradient(numerical_gradient)
    ✓ numerical_gradient is right: central differences, every entry, x left as it was.
    """
    name = name_of(fn)
    x0 = np.random.default_rng(3).standard_normal((2, 3))

    def f(x: np.ndarray) -> float:
        return float(np.sum(np.sin(x) * x**2))

    exact = np.cos(x0) * x0**2 + 2 * x0 * np.sin(x0)
    eps = 1e-2  # large enough that a one-sided difference is visibly off, central is within 1e-4
    x = x0.copy()
    got, stop = call_learner(fn, name, quiet, f, x, eps)
    if stop is not None:
        return stop
    got, stop = checked_array(got, name, x0.shape, quiet)
    if stop is not None:
        return stop
    if not np.array_equal(x, x0):
        lines = [tr("x holds other values after the call: put each entry back after perturbing it.")]
        return finish(failure(name, lines, "x_changed"), quiet)
    if np.allclose(got, exact, rtol=0, atol=1e-3):
        return finish(
            passed("✓ {name} is right: central differences, every entry, x left as it was.", name=name), quiet
        )
    lines = [
        tr(
            "Got {got}, ..., expected about {expected}, ...",
            got=got.ravel()[:3].round(4),
            expected=exact.ravel()[:3].round(4),
        )
    ]
    forward = np.array([(f(x0 + eps * e) - f(x0)) / eps for e in np.eye(x0.size).reshape(-1, *x0.shape)])
    suspects = [
        (key, np.allclose(got, guess, rtol=0, atol=1e-3 * max(1.0, float(np.abs(guess).max()))), advice)
        for key, guess, advice in [
            ("half", exact * 2, N_("divide by 2 * eps: the two points are 2 * eps apart.")),
            (
                "one_sided",
                forward.reshape(x0.shape),
                N_("a one-sided difference: use f(x + eps) - f(x - eps), over 2 * eps."),
            ),
        ]
    ]
    otherwise = [tr("Perturb one entry at a time, by +eps and by -eps, and divide the difference of f by 2 * eps.")]
    return first_suspect(name, lines, suspects, otherwise, quiet)
