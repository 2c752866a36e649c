"""Notebook 04: receptive fields, layers to reach a field, a plain stack's gradient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dilconv_lib.exercises.harness import Mistake, Verdict, float_array, int_list, is_int, run_cases, same_array
from dilconv_lib.i18n import N_, tr

__all__ = ["RF_CASES", "check_layers_to_reach", "check_plain_gradient", "check_receptive_fields"]


def _fields_with(kernel_sizes: list[int], dilations: list[int], strides: list[int] | None, rule: str) -> list[int]:
    """The usual slips in the receptive-field loop."""
    ss = [1] * len(kernel_sizes) if strides is None else strides
    out, field, jump = [], 1, 1
    for k, d, s in zip(kernel_sizes, dilations, ss):
        if rule == "own_stride":
            jump *= s
        field += (k if rule == "k_times_d" else k - 1) * d * jump
        if rule != "own_stride":
            jump *= s
        out.append(field - 1 if rule == "start_zero" else field)
    return out


RF_CASES: list[tuple[list[int], list[int], list[int] | None]] = [
    ([3] * 7 + [1], [1, 1, 2, 4, 8, 16, 1, 1], None),
    ([3, 3, 3], [1, 2, 4], None),
    ([5, 3], [2, 3], None),
    ([3, 2, 3, 2, 3], [1] * 5, [1, 2, 1, 2, 1]),
    ([3, 3, 3], [2, 1, 2], [2, 1, 2]),
]


def check_receptive_fields(fn: Callable[..., Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(kernel_sizes, dilations, strides=None)``: ``R_1 .. R_M`` as a list (notebook 04).

    The right answer is :func:`dilconv_lib.geometry.receptive_fields`,
    ``R_l = R_{l-1} + (k_l - 1) d_l prod_{j<l} s_j`` from ``R_0 = 1``.

    Examples
    --------
    >>> from dilconv_lib import receptive_fields
    >>> verdict = check_receptive_fields(receptive_fields)
    ✓ receptive_fields is right on all 5 stacks (the context module, dilations, strides).
    >>> def own(kernel_sizes, dilations, strides=None):  # each layer multiplied by its own stride too
    ...     return _fields_with(kernel_sizes, dilations, strides, "own_stride")
    >>> check_receptive_fields(own, quiet=True).mistake
    'own_stride'
    """
    from dilconv_lib.geometry import receptive_fields

    mistakes = [
        Mistake(
            "start_zero",
            N_("R_0 = 0"),
            N_("start from R_0 = 1: with no layer a pixel sees itself."),
            lambda k, d, s: _fields_with(k, d, s, "start_zero"),
        ),
        Mistake(
            "k_times_d",
            N_("k * d per layer"),
            N_("a kernel of k taps has k - 1 steps between its first and last tap: (k - 1) * d."),
            lambda k, d, s: _fields_with(k, d, s, "k_times_d"),
        ),
        Mistake(
            "own_stride",
            N_("each layer's own stride in its jump"),
            N_("a layer's stride widens the steps of the layers above it, not its own: J_l = prod_(j<l) s_j."),
            lambda k, d, s: _fields_with(k, d, s, "own_stride"),
        ),
    ]
    return run_cases(
        fn,
        [tuple(c) for c in RF_CASES],
        receptive_fields,
        lambda a, b: a == b,
        mistakes,
        N_("Add (k_l - 1) * d_l * J_l per layer, then multiply the jump J by the layer's stride."),
        N_("✓ {name} is right on all {count} stacks (the context module, dilations, strides)."),
        quiet,
        int_list,
    )


def _layers_to_reach(field: int, *, doubling_short: bool = False) -> tuple[int, int]:
    plain = max(0, -(-(field - 1) // 2))  # the fewest M with 2M + 1 >= field
    doubling = 0
    while 2 ** (doubling + 1) - 1 < field:
        doubling += 1
    if doubling_short and 2 ** (doubling + 1) - 1 > field:
        doubling -= 1
    return plain, doubling


def _int_pair(value: Any) -> tuple[int, int]:
    items = list(value) if isinstance(value, (tuple, list)) else None
    if items is None or len(items) != 2 or not all(is_int(v) for v in items):
        raise TypeError(tr("expected a pair of ints (plain_layers, doubling_layers)"))
    return int(items[0]), int(items[1])


def check_layers_to_reach(fn: Callable[[int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(field)``: the fewest plain 3x3 layers and the fewest doubling layers
    (dilations 1, 2, 4, ...) whose receptive field is at least ``field`` (notebook 04).

    Examples
    --------
    >>> verdict = check_layers_to_reach(lambda field: _layers_to_reach(field))
    ✓ <lambda> is right for fields 3 to 200 (plain 2M + 1, doubling 2^(M+1) - 1).
    >>> check_layers_to_reach(lambda f: _layers_to_reach(f, doubling_short=True), quiet=True).mistake
    'doubling_short'
    """
    cases = [(f,) for f in (3, 5, 15, 33, 64, 67, 100, 127, 200)]
    mistakes = [
        Mistake(
            "doubling_short",
            N_("the most doubling layers that stay below or at the field"),
            N_("the question asks for a field of at least that size: take the fewest layers that reach it."),
            lambda f: _layers_to_reach(f, doubling_short=True),
        ),
        Mistake(
            "plain_k",
            N_("3 pixels per plain layer"),
            N_("a 3x3 layer adds k - 1 = 2 pixels: R_M = 2M + 1."),
            lambda f: (-(-f // 3), _layers_to_reach(f)[1]),
        ),
    ]
    return run_cases(
        fn,
        cases,
        lambda f: _layers_to_reach(f),
        lambda a, b: a == b,
        mistakes,
        N_("Plain: R_M = 2M + 1; doubling: R_M = 2^(M+1) - 1; take the fewest M with R_M >= field."),
        N_("✓ {name} is right for fields 3 to 200 (plain 2M + 1, doubling 2^(M+1) - 1)."),
        quiet,
        _int_pair,
    )


def _plain_gradient(n: int, *, convolutions: int | None = None, outer: bool = True) -> np.ndarray:
    profile = np.array([1])
    for _ in range(n if convolutions is None else convolutions):
        profile = np.convolve(profile, [1, 1, 1])
    return np.outer(profile, profile) if outer else profile


def check_plain_gradient(fn: Callable[[int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(n)``: the 2-D input gradient, (2n + 1, 2n + 1), of one output pixel of
    ``n`` plain all-ones 3x3 layers (notebook 04): the outer product of ``[1, 1, 1]`` convolved ``n`` times.

    Examples
    --------
    >>> verdict = check_plain_gradient(lambda n: _plain_gradient(n))
    ✓ <lambda> is right for 1 to 6 layers (the path counts, an outer product of two profiles).
    >>> check_plain_gradient(lambda n: _plain_gradient(n, outer=False), quiet=True).mistake
    'profile_only'
    """
    from dilconv_lib.receptive import impulse_response

    mistakes = [
        Mistake(
            "profile_only",
            N_("the 1-D profile"),
            N_("the 2-D gradient is np.outer(profile, profile)."),
            lambda n: _plain_gradient(n, outer=False),
        ),
        Mistake(
            "one_short",
            N_("one convolution fewer"),
            N_("n layers: convolve [1] with [1, 1, 1] n times, giving 2n + 1 entries."),
            lambda n: _plain_gradient(n, convolutions=n - 1),
        ),
        Mistake(
            "sum",
            N_("a sum of the profiles"),
            N_(
                "chains of taps combine one row step and one column step: the counts multiply (np.outer), they do not "
                "add."
            ),
            lambda n: _plain_gradient(n, outer=False)[:, None] + _plain_gradient(n, outer=False)[None, :],
        ),
    ]
    return run_cases(
        fn,
        [(n,) for n in range(1, 7)],
        lambda n: impulse_response([1] * n).astype(np.float64),
        same_array,
        mistakes,
        N_("Convolve [1] with [1, 1, 1] n times for the profile, then take np.outer(profile, profile)."),
        N_("✓ {name} is right for 1 to 6 layers (the path counts, an outer product of two profiles)."),
        quiet,
        float_array,
    )
