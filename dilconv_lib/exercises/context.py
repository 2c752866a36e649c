"""Notebook 06: the context module: Eq. 4's kernel, Eq. 5's centre, the hidden share, the weight count."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from dilconv_lib.exercises.harness import Mistake, Verdict, float_array, one_int, run_cases, same_array
from dilconv_lib.i18n import N_, tr

__all__ = ["check_conv_weights", "check_eq4_kernel", "check_eq5_centre", "check_hidden_share"]


def _eq4(c: int, k: int, rule: str = "") -> np.ndarray:
    """Eq. 4's (C, C, k, k) kernel, or one of the mistakes ``rule`` names."""
    weight = np.zeros((c, c, k, k))
    centre = 0 if rule == "corner" else k // 2
    if rule == "every_tap":
        weight[np.arange(c), np.arange(c)] = 1.0
    elif rule == "every_channel":
        weight[:, :, centre, centre] = 1.0
    else:
        weight[np.arange(c), np.arange(c), centre, centre] = 1.0
    return weight


def check_eq4_kernel(fn: Callable[[int, int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(C, k)``: Eq. 4's identity kernel, a (C, C, k, k) weight in torch's OIHW layout
    with ``w[b, a, ki, kj] = 1`` where the tap is the centre (``ki = kj = (k - 1) / 2``) and ``a = b``, else 0
    (notebook 06).

    Examples
    --------
    >>> verdict = check_eq4_kernel(lambda C, k: _eq4(C, k))
    ✓ <lambda> matches Eq. 4 on all 5 sizes.
    >>> check_eq4_kernel(lambda C, k: _eq4(C, k, "every_tap"), quiet=True).mistake
    'every_tap'
    """
    cases = [(1, 3), (2, 3), (3, 3), (4, 1), (3, 5)]
    mistakes = [
        Mistake(
            rule,
            looks_like,
            advice,
            lambda c, k, rule=rule: _eq4(c, k, rule),
        )
        for rule, looks_like, advice in [
            (
                "every_tap",
                N_("1 on every tap of channel a to channel a"),
                N_("only the centre tap, t = 0, carries the 1; the other taps start at 0."),
            ),
            (
                "every_channel",
                N_("1 from every input channel at the centre"),
                N_("output channel b reads input channel a = b only: 1[a = b]."),
            ),
            (
                "corner",
                N_("the 1 on the first tap, not the centre"),
                N_("t = 0 is the kernel's centre: index (k - 1) // 2 along both axes."),
            ),
        ]
    ]

    def convert(value: Any) -> np.ndarray:
        return float_array(value.detach().numpy() if hasattr(value, "detach") else value)

    return run_cases(
        fn,
        cases,
        lambda c, k: _eq4(c, k),
        same_array,
        mistakes,
        N_("A (C, C, k, k) array of zeros with w[b, b, (k - 1) // 2, (k - 1) // 2] = 1 for every channel b."),
        N_("✓ {name} matches Eq. 4 on all {count} sizes."),
        quiet,
        convert,
    )


def _eq5(c_in: int, c_out: int, c: int, scale: str = "out") -> np.ndarray:
    a, b = np.arange(c_in), np.arange(c_out)
    same = (b[:, None] * c // c_out) == (a[None, :] * c // c_in)
    value = {"out": c / c_out, "in": c / c_in, "one": 1.0}[scale]
    result: np.ndarray = same * value
    return result


def check_eq5_centre(fn: Callable[[int, int, int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(c_in, c_out, C)``: Eq. 5's (c_out, c_in) centre taps without noise (notebook 06).

    Examples
    --------
    >>> verdict = check_eq5_centre(lambda c_in, c_out, C: _eq5(c_in, c_out, C))
    ✓ <lambda> matches Eq. 5 on all 7 widths.
    >>> check_eq5_centre(lambda c_in, c_out, C: _eq5(c_in, c_out, C, "one"), quiet=True).mistake
    'unscaled'
    """
    cases = [(3, 3, 3), (3, 6, 3), (6, 12, 3), (12, 12, 3), (96, 3, 3), (2, 4, 2), (8, 2, 2)]
    mistakes = [
        Mistake(
            "transposed",
            N_("(c_in, c_out) instead of (c_out, c_in)"),
            N_("rows are output channels b, columns input channels a."),
            lambda i, o, c: _eq5(i, o, c).T,
        ),
        Mistake(
            "unscaled",
            N_("1 on every centre tap"),
            N_("scale by C / c_(i+1) so that the sum over a group keeps the size of the signal."),
            lambda i, o, c: _eq5(i, o, c, "one"),
        ),
        Mistake(
            "scale_in",
            N_("C / c_i as the scale"),
            N_("the scale is C / c_(i+1), the output width."),
            lambda i, o, c: _eq5(i, o, c, "in"),
        ),
    ]

    def convert(value: Any) -> np.ndarray:
        return float_array(value.detach().numpy() if hasattr(value, "detach") else value)

    return run_cases(
        fn,
        cases,
        lambda i, o, c: _eq5(i, o, c),
        same_array,
        mistakes,
        N_("Channel a is in group floor(a C / c_in), channel b in floor(b C / c_out); C / c_out where they agree."),
        N_("✓ {name} matches Eq. 5 on all {count} widths."),
        quiet,
        convert,
    )


def check_hidden_share(fn: Callable[[Any, Any, int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(distance, labels, field)``: the share of object pixels (label > 0) with no marker
    within a receptive field of ``field`` pixels, i.e. ``distance > (field - 1) // 2`` (notebook 06).

    ``distance`` is :func:`dilconv_lib.tasks.marker_distance` of some scenes, ``labels`` their labels.

    Examples
    --------
    >>> verdict = check_hidden_share(lambda d, y, f: float(((d > (f - 1) // 2) & (y > 0)).sum() / (y > 0).sum()))
    ✓ <lambda> is right for fields 15, 31 and 67.
    >>> check_hidden_share(lambda d, y, f: float(((d > f) & (y > 0)).sum() / (y > 0).sum()), quiet=True).mistake
    'reach_is_field'
    """
    from dilconv_lib.tasks import marked_discs, marker_distance

    scenes = marked_discs(16, classes=4, seed=7)
    distance, labels = marker_distance(scenes), scenes.labels

    def share(field: int, reach: int | None = None, among_objects: bool = True, at_least: bool = False) -> float:
        r = (field - 1) // 2 if reach is None else reach
        mask = labels > 0 if among_objects else labels >= 0
        hidden = (distance >= r) if at_least else (distance > r)
        return float((hidden & mask).sum()) / float(mask.sum())

    def number(value: Any) -> float:
        try:
            value = value.item() if hasattr(value, "item") else value
        except (RuntimeError, ValueError):  # a tensor or array of more than one element
            raise TypeError(tr("expected a number between 0 and 1")) from None
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(tr("expected a number between 0 and 1"))
        return float(value)

    mistakes = [
        Mistake(
            "reach_is_field",
            N_("the whole field as the reach"),
            N_("a field of 2r + 1 pixels reaches r = (field - 1) // 2 pixels each way."),
            lambda d, y, f: share(f, reach=f),
        ),
        Mistake(
            "all_pixels",
            N_("every pixel counted"),
            N_("count object pixels only (labels > 0), in the numerator and the denominator."),
            lambda d, y, f: share(f, among_objects=False),
        ),
        Mistake(
            "at_least",
            N_("distance >= r"),
            N_("a marker at distance exactly r is inside the field: out of sight means distance > r."),
            lambda d, y, f: share(f, at_least=True),
        ),
    ]
    return run_cases(
        fn,
        [(distance, labels, f) for f in (15, 31, 67)],
        lambda d, y, f: share(f),
        lambda a, b: abs(a - b) < 1e-6,
        mistakes,
        N_("Out of sight: distance > (field - 1) // 2, among the pixels with label > 0."),
        N_("✓ {name} is right for fields 15, 31 and 67."),
        quiet,
        number,
        lambda case: f"distance, labels, {case[2]}",
    )


def _conv_weights(widths: list[int], c: int, *, rule: str = "") -> int:
    ins = [c, *widths[:-1]]
    kernels = [3] * 8 if rule == "all_3x3" else [3] * 7 + [1]
    if rule == "own_width":
        ins = list(widths)
    total = sum(k * k * a * b for k, a, b in zip(kernels, ins, widths))
    return total + (sum(widths) if rule == "biases" else 0)


def check_conv_weights(fn: Callable[[list[int], int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(widths, C)``: the weights of Table 1's eight layers (seven 3x3, one 1x1) with
    ``widths[l - 1]`` output channels in layer ``l`` and a ``C``-channel input (notebook 06).

    Examples
    --------
    >>> verdict = check_conv_weights(lambda widths, C: _conv_weights(widths, C))
    ✓ <lambda> is right on all 5 width lists (64 C^2 for Basic, 15422 C^2 for Large).
    >>> check_conv_weights(lambda w, C: _conv_weights(w, C, rule="all_3x3"), quiet=True).mistake
    'all_3x3'
    """
    cases = [
        ([4] * 8, 4),
        ([8, 8, 16, 32, 64, 128, 128, 4], 4),
        ([5, 6, 7, 8, 9, 10, 11, 3], 3),
        ([21] * 8, 21),
        ([f * 2 for f in (2, 2, 4, 8, 16, 32, 32, 1)], 2),
    ]
    mistakes = [
        Mistake(rule, looks_like, advice, lambda w, c, rule=rule: _conv_weights(w, c, rule=rule))
        for rule, looks_like, advice in [
            ("all_3x3", N_("eight 3x3 layers"), N_("the last layer is 1x1: k^2 = 1 there, not 9.")),
            (
                "own_width",
                N_("each layer's own width as its input"),
                N_("layer l reads the previous layer's channels (the input's C for layer 1)."),
            ),
            (
                "biases",
                N_("the biases added"),
                N_("count the weights only; the biases (one per output channel) come on top."),
            ),
        ]
    ]
    return run_cases(
        fn,
        [tuple(c) for c in cases],
        lambda w, c: _conv_weights(w, c),
        lambda a, b: a == b,
        mistakes,
        N_("Sum k^2 c_in c_out over the layers, c_in the previous layer's width (C for layer 1)."),
        N_("✓ {name} is right on all {count} width lists (64 C^2 for Basic, 15422 C^2 for Large)."),
        quiet,
        one_int,
    )
