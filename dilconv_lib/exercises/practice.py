"""Notebook 08: dilation instead of stride by hand, a separable convolution's cost, where a field is centred."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dilconv_lib.exercises.harness import Verdict, call_learner, failure, finish, name_of, passed
from dilconv_lib.i18n import N_, tr

# dilconv_lib.practice and torch are imported by the checkers that use them: `from dilconv_lib.exercises import
# check_conv1d` in notebook 00 must not load torch (a second of every notebook's first cell).

__all__ = ["check_field_centre", "check_output_stride_plan", "check_separable_cost"]


def check_output_stride_plan(fn: Callable[[Sequence[int], int], Any], *, quiet: bool = False) -> Verdict:
    """Check ``fn(strides, output_stride) -> (strides, dilations)``: dilation instead of stride, by hand.

    ``strides`` are the strides of a chain of 3x3 convolutions; the answer keeps the first strides while their
    product stays within ``output_stride``, sets the others to 1 and dilates every later convolution by the
    product of the strides removed before (and at) it. Each case is also run as a network of random 1-D
    convolutions: the answer's output, subsampled, must equal the strided network's.

    Examples
    --------
    >>> def plan(strides, output_stride):
    ...     new, dilations, kept, removed = [], [], 1, 1
    ...     for s in strides:
    ...         dilations.append(removed)
    ...         if kept * s <= output_stride:
    ...             kept *= s
    ...             new.append(s)
    ...         else:
    ...             removed *= s
    ...             new.append(1)
    ...     return new, dilations
    >>> bool(check_output_stride_plan(plan, quiet=True))
    True
    >>> check_output_stride_plan(lambda strides, os_: ([1] * len(strides), [1] * len(strides)), quiet=True).mistake
    'output_stride'
    """
    cases = [([2, 2, 2, 2, 2], 8), ([2, 1, 2, 1, 2, 1], 2), ([2, 2, 1, 2], 4), ([2, 2, 2], 8), ([2, 3, 1, 2], 2)]
    name = name_of(fn)
    for strides, target in cases:
        answer, stop = call_learner(fn, name, quiet, list(strides), target)
        if stop is not None:
            return stop
        call = f"{name}({strides}, {target})"
        try:
            new, dilations = (list(map(int, a)) for a in answer)
        except (TypeError, ValueError):
            lines = [tr("return two lists (strides, dilations), got {got}", got=repr(answer))]
            return finish(failure(name, lines, "shape"), quiet)
        if len(new) != len(strides) or len(dilations) != len(strides):
            lines = [tr("{call}: give one stride and one dilation per layer, got {got}", call=call, got=repr(answer))]
            return finish(failure(name, lines, "shape"), quiet)
        if math.prod(new) != target:
            lines = [
                tr(
                    "{call}: the strides you keep multiply to {product}, not {target}.",
                    call=call,
                    product=math.prod(new),
                    target=target,
                ),
                tr("Keep the first strides while their product stays within the output stride; set the rest to 1."),
            ]
            return finish(failure(name, lines, "output_stride"), quiet)
        expected = _plan(strides, target)
        if (new, dilations) != expected:
            lines = [
                tr("{call} gave dilations {got}, expected {expected}.", call=call, got=dilations, expected=expected[1]),
                tr(
                    "A layer's dilation is the product of the strides removed before it (a layer whose own stride "
                    "was removed keeps the dilation it had: the stride acted on its output, not on its taps)."
                ),
            ]
            return finish(failure(name, lines, "dilations"), quiet)
        if not _same_after_subsampling(strides, new, dilations):  # pragma: no cover - holds when the plan matches
            lines = [tr("the dilated network does not reproduce the strided one")]
            return finish(failure(name, lines, "values"), quiet)
    return finish(
        passed(
            "✓ {name} is right on all {count} cases: subsampled, each dilated chain equals the strided one.",
            name=name,
            count=len(cases),
        ),
        quiet,
    )


def _plan(strides: Sequence[int], output_stride: int) -> tuple[list[int], list[int]]:
    new, dilations, kept, removed = [], [], 1, 1
    for s in strides:
        dilations.append(removed)
        if kept * s <= output_stride:
            kept *= s
            new.append(s)
        else:
            removed *= s
            new.append(1)
    return new, dilations


def _same_after_subsampling(strides: Sequence[int], new: Sequence[int], dilations: Sequence[int]) -> bool:
    """Random 3-tap 1-D convolutions with ReLU: the planned chain, subsampled, against the strided one."""
    import torch
    import torch.nn.functional as F

    generator = torch.Generator().manual_seed(0)
    weights = [torch.randn(2, 2, 3, generator=generator, dtype=torch.float64) for _ in strides]
    x = torch.randn(1, 2, 4 * math.prod(strides) + 1, generator=generator, dtype=torch.float64)
    a, b = x, x
    for w, s, s_new, d in zip(weights, strides, new, dilations):
        a = F.relu(F.conv1d(a, w, stride=s, padding=1))
        b = F.relu(F.conv1d(b, w, stride=s_new, padding=d, dilation=d))
    factor = math.prod(strides) // math.prod(new)
    return bool(torch.allclose(b[..., ::factor], a, rtol=0, atol=1e-12))


def check_separable_cost(fn: Callable[[int, int, int, int], Any], *, quiet: bool = False) -> Verdict:
    """Check ``fn(c_in, c_out, k, size) -> (weights, multiply_adds)`` of a depthwise-separable convolution.

    Compared with :func:`conv_cost` (``separable=True``) on an ``size x size`` output, biases excluded.

    Examples
    --------
    >>> from dilconv_lib.practice import conv_cost
    >>> bool(check_separable_cost(lambda c_in, c_out, k, n: conv_cost(c_in, c_out, k, n, separable=True), quiet=True))
    True
    >>> check_separable_cost(lambda c_in, c_out, k, n: conv_cost(c_in, c_out, k, n), quiet=True).mistake
    'ordinary'
    """
    from dilconv_lib.practice import conv_cost

    cases = [(256, 256, 3, 33), (2048, 256, 3, 65), (8, 16, 5, 7), (3, 1, 1, 1)]
    name = name_of(fn)
    for c_in, c_out, k, n in cases:
        answer, stop = call_learner(fn, name, quiet, c_in, c_out, k, n)
        if stop is not None:
            return stop
        expected = conv_cost(c_in, c_out, k, n, separable=True)
        try:
            got = tuple(int(a) for a in answer)
        except (TypeError, ValueError):
            lines = [tr("return (weights, multiply_adds), got {got}", got=repr(answer))]
            return finish(failure(name, lines, "shape"), quiet)
        if got == expected:
            continue
        hints: dict[tuple[int, ...], tuple[str, str]] = {
            conv_cost(c_in, c_out, k, n): (
                N_(
                    "that is an ordinary convolution's cost: split it into a depthwise "
                    "k x k (one filter per input channel) and a pointwise 1 x 1"
                ),
                "ordinary",
            ),
            (c_in * k * k, c_in * k * k * n * n): (
                N_("you counted the depthwise part only: add the 1 x 1 convolution's C_in C_out weights"),
                "depthwise_only",
            ),
            (expected[0], expected[0]): (
                N_("each weight is used once per output position: multiply by size^2"),
                "positions",
            ),
        }
        hint, mistake = hints.get(
            got, (N_("weights: C_in k^2 + C_in C_out; multiply-adds: weights x size^2"), "values")
        )
        lines = [
            tr(
                "{call} gave {got}, expected {expected}:",
                call=f"{name}({c_in}, {c_out}, {k}, {n})",
                got=got,
                expected=expected,
            ),
            tr(hint),
        ]
        return finish(failure(name, lines, mistake), quiet)
    return finish(passed("✓ {name} is right on all {count} cases.", name=name, count=len(cases)), quiet)


def check_field_centre(
    fn: Callable[[Sequence[int], Sequence[int], Sequence[int], int], Any], *, quiet: bool = False
) -> Verdict:
    """Check ``fn(kernel_sizes, strides, paddings, f) -> centre``: where output f's field is centred.

    The answer is compared with :meth:`FieldGeometry.centre` and, for outputs whose field lies inside the
    input, with the middle of the inputs that the gradient reaches (:func:`input_support`).

    Examples
    --------
    >>> from dilconv_lib.practice import field_geometry
    >>> bool(check_field_centre(lambda k, s, p, f: field_geometry(k, s, p).centre(f), quiet=True))
    True
    >>> check_field_centre(lambda k, s, p, f: f * math.prod(s), quiet=True).mistake
    'padding'
    """
    from dilconv_lib import practice

    stacks = [
        ([3, 3, 3], [2, 2, 1], [0, 1, 1]),
        ([7, 3, 3], [2, 2, 1], [3, 1, 1]),
        ([4, 4], [2, 2], [1, 1]),
        ([5, 2], [1, 2], [0, 0]),
    ]
    name = name_of(fn)
    for ks, ss, ps in stacks:
        geometry = practice.field_geometry(ks, ss, ps)
        model = practice.conv1d_stack(ks, ss, ps)
        inside = -(-geometry.effective_padding // geometry.effective_stride)  # the first field with no padding
        for f in (inside, inside + 3):
            answer, stop = call_learner(fn, name, quiet, list(ks), list(ss), list(ps), f)
            if stop is not None:
                return stop
            expected = geometry.centre(f)
            support = practice.input_support(
                model, 2 * geometry.receptive_field + (f + 4) * geometry.effective_stride, f
            )
            assert (support.min() + support.max()) / 2 == expected  # the closed form, checked by gradient
            if isinstance(answer, (int, float, np.integer, np.floating)) and math.isclose(float(answer), expected):
                continue
            j, r = geometry.effective_stride, geometry.receptive_field
            if isinstance(answer, (int, float)) and math.isclose(float(answer), f * j + (r - 1) / 2):
                hint, mistake = (
                    N_("the padding shifts the field to the left: subtract P_eff = sum_l p_l J_l."),
                    "padding",
                )
            elif isinstance(answer, (int, float)) and math.isclose(float(answer), f * j):
                hint, mistake = N_("i S_eff is where the field would start without padding, not its centre."), "padding"
            else:
                hint, mistake = (
                    N_("centre = i S_eff - P_eff + (R - 1) / 2, with S_eff, P_eff and R as in notebook 04."),
                    "values",
                )
            lines = [
                tr(
                    "{call} gave {got}, expected {expected}:",
                    call=f"{name}({ks}, {ss}, {ps}, {f})",
                    got=repr(answer),
                    expected=expected,
                ),
                tr(hint),
            ]
            return finish(failure(name, lines, mistake), quiet)
    return finish(
        passed("✓ {name} is right on {count} stacks, as the gradients confirm.", name=name, count=len(stacks)), quiet
    )
