"""Notebook 07: a causal stack without holes, the share of valid taps, DeepLab v2's ASPP by hand."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from dilconv_lib.exercises.harness import (
    Mistake,
    Verdict,
    advise,
    call_learner,
    diagnosis,
    exception_lines,
    failure,
    finish,
    is_int,
    name_of,
    not_implemented,
    passed,
)
from dilconv_lib.i18n import N_, tr

__all__ = [
    "CAUSAL_LAYERS",
    "CAUSAL_TAPS",
    "SHARE_CASES",
    "SHARE_MISTAKES",
    "check_aspp_v2",
    "check_causal_dilations",
    "check_valid_share",
]


CAUSAL_TAPS = 3  # the exercise's kernel: each causal layer reads t, t - d and t - 2d


CAUSAL_LAYERS = range(1, 8)


def _causal_offsets(dilations: list[int], taps: int = CAUSAL_TAPS) -> set[int]:
    """How far back one output reads through a causal stack: the sums ``sum_l j_l d_l``, ``0 <= j_l < taps``."""
    offsets = {0}
    for d in dilations:
        offsets = {o + j * d for o in offsets for j in range(taps)}
    return offsets


def check_causal_dilations(fn: Callable[[int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(layers)``: dilations for a causal stack of 3-tap layers, widest field without holes.

    Each layer reads ``t``, ``t - d`` and ``t - 2d``, so the field is ``1 + 2 (d_1 + ... + d_n)`` steps, and a
    step is read when it is ``sum_l j_l d_l`` back for some ``j_l`` in 0, 1, 2. Those sums take at most
    ``3^n`` values, so ``3^n`` is the widest field without holes; the dilations 1, 3, 9, ..., ``3^(n-1)``
    (in any order) reach it, and only they. ``fn`` is called for 1 to 7 layers.

    Parameters
    ----------
    fn : the learner's function: layers (an int) -> a list of that many ints >= 1
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` is ``"holes"`` (some step of the field is never read), ``"doubling"`` (WaveNet's
        1, 2, 4, ...: no holes, but a 3-tap layer can triple the field), ``"too_narrow"`` (no holes, field
        below ``3^n``), ``"wrong_length"``, ``"not_a_list"``, ``"not_implemented"`` or ``"raised"``.

    Examples
    --------
    >>> verdict = check_causal_dilations(lambda layers: [3**i for i in range(layers)])
    ✓ <lambda> gives a causal field of 3^n steps without holes for 1 to 7 layers (2187 with 7).
    >>> check_causal_dilations(lambda layers: [4**i for i in range(layers)], quiet=True).mistake
    'holes'
    """
    name = name_of(fn)
    for n in CAUSAL_LAYERS:
        call = f"{name}({n})"
        got, stop = call_learner(fn, name, quiet, n, show_call=True)
        if stop is not None:
            return stop
        if not isinstance(got, list | tuple) or not all(is_int(d) and d >= 1 for d in got):
            lines = [
                tr(
                    "{call} returned {got}; expected a list of {n} ints >= 1, one dilation per layer.",
                    call=call,
                    got=repr(got),
                    n=n,
                )
            ]
            return finish(failure(name, lines, "not_a_list"), quiet)
        dilations = [int(d) for d in got]
        if len(dilations) != n:
            lines = [
                tr(
                    "{call} returned {count} dilations, {dilations}; expected one per layer, {n}.",
                    call=call,
                    count=len(dilations),
                    dilations=dilations,
                    n=n,
                )
            ]
            return finish(failure(name, lines, "wrong_length"), quiet)
        field = 1 + (CAUSAL_TAPS - 1) * sum(dilations)
        reached = _causal_offsets(dilations)
        missing = sorted(set(range(field)) - reached)
        if missing:
            lines = [
                tr(
                    "{call} = {dilations}: a field of {field} steps, but output t never reads {missing} of them, "
                    "e.g. t - {first}.",
                    call=call,
                    dilations=dilations,
                    field=field,
                    missing=len(missing),
                    first=missing[0],
                ),
                advise(
                    N_(
                        "holes. Sorted from small to large, each dilation may be at most the field of the layers "
                        "before it (1 + 2 x their sum), so that its three copies of that field leave no gap."
                    )
                ),
            ]
            return finish(failure(name, lines, "holes"), quiet)
        if field != CAUSAL_TAPS**n:
            lines = [
                tr(
                    "{call} = {dilations}: a field of {field} steps without holes; {n} layers can read {most}.",
                    call=call,
                    dilations=dilations,
                    field=field,
                    n=n,
                    most=3**n,
                )
            ]
            if sorted(dilations) == [2**i for i in range(n)]:
                advice = N_(
                    "WaveNet's doubling dilations suit its two taps. With three taps a layer can triple "
                    "the steps reached: make each dilation the field of the layers before it."
                )
                lines.append(advise(advice))
                return finish(failure(name, lines, "doubling"), quiet)
            advice = N_(
                "too narrow. The steps reached are sums of j_l d_l with j_l in 0, 1, 2: at most 3^{n} = {most} of "
                "them. To reach them all, make each dilation as large as the field of the layers before it."
            )
            lines.append(advise(advice, n=n, most=3**n))
            return finish(failure(name, lines, "too_narrow"), quiet)
    return finish(
        passed(
            "✓ {name} gives a causal field of 3^n steps without holes for 1 to {layers} layers ({most} with {last}).",
            name=name,
            layers=CAUSAL_LAYERS[-1],
            most=3 ** CAUSAL_LAYERS[-1],
            last=CAUSAL_LAYERS[-1],
        ),
        quiet,
    )


SHARE_MISTAKES = [
    Mistake(
        "negative_taps",
        N_("n - r below zero"),
        N_(
            "an outer tap is valid on max(n - r, 0) positions: never fewer than 0 (from r = n on, only the centre "
            "tap is left)."
        ),
        lambda n, r: ((1 + 2 * (n - r) / n) / 3) ** 2,
    ),
    Mistake(
        "centre_missing",
        N_("no centre tap"),
        N_("the centre tap is always valid: per axis the count is 1 + 2 max(n - r, 0) / n."),
        lambda n, r: (2 * max(n - r, 0) / n / 3) ** 2,
    ),
    Mistake(
        "not_squared",
        N_("one axis only"),
        N_("rows and columns are independent: square the share of one axis."),
        lambda n, r: (1 + 2 * max(n - r, 0) / n) / 3,
    ),
    Mistake(
        "one_outer_tap",
        N_("one outer tap per axis"),
        N_("there are two outer taps per axis, at -r and +r, each valid on n - r of the n positions."),
        lambda n, r: ((1 + max(n - r, 0) / n) / 3) ** 2,
    ),
]


# (n, r): maps from 1 to 65 pixels, rates from 1 to beyond the map
SHARE_CASES = [(n, r) for n in (1, 2, 5, 33, 65) for r in (1, 2, 3, 6, 12, 18, 24, 36, 64, 65, 100)]


def check_valid_share(fn: Callable[[int, int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(n, r)``: the share of a 3x3 kernel's taps at rate ``r`` that land on an ``n x n`` map.

    The right answer is :func:`dilconv_lib.beyond.valid_tap_fraction`, ``((1 + 2 max(n - r, 0) / n) / 3)^2``,
    averaged over the map's pixels with "same" padding ``r``.

    Parameters
    ----------
    fn : the learner's function, called with two ints
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` is one of ``SHARE_MISTAKES``' keys, or ``"not_implemented"``, ``"raised"``,
        ``"not_a_number"``, ``"values"``.

    Examples
    --------
    >>> verdict = check_valid_share(lambda n, r: ((1 + 2 * max(n - r, 0) / n) / 3) ** 2)
    ✓ <lambda> is right on all 55 cases (maps of 1 to 65 pixels, rates 1 to 100).
    >>> check_valid_share(lambda n, r: (1 + 2 * max(n - r, 0) / n) / 3, quiet=True).mistake
    'not_squared'
    """
    import math

    from dilconv_lib.beyond import valid_tap_fraction  # here: importing torch is the notebook's choice, not ours

    name = name_of(fn)
    answers = []
    for n, r in SHARE_CASES:
        got, stop = call_learner(fn, name, quiet, n, r, show_call=True)
        if stop is not None:
            return stop
        if not isinstance(got, numbers.Real) or isinstance(got, bool):
            lines = [
                tr(
                    "{call} returned {got}; expected a number between 0 and 1.",
                    call=f"{name}({n}, {r})",
                    got=repr(got),
                )
            ]
            return finish(failure(name, lines, "not_a_number"), quiet)
        answers.append(float(got))
    expected = [valid_tap_fraction(n, r) for n, r in SHARE_CASES]
    wrong = [m for m, (a, e) in enumerate(zip(answers, expected)) if not math.isclose(a, e)]
    if not wrong:
        success = N_("✓ {name} is right on all {count} cases (maps of 1 to 65 pixels, rates 1 to 100).")
        return finish(passed(success, name=name, count=len(SHARE_CASES)), quiet)
    n, r = SHARE_CASES[wrong[0]]
    lines = [
        tr(
            "{call} returned {got}; expected {right}.",
            call=f"{name}({n}, {r})",
            got=f"{answers[wrong[0]]:.4f}",
            right=f"{expected[wrong[0]]:.4f}",
        )
    ]
    for mistake in SHARE_MISTAKES:
        if all(math.isclose(mistake.answer(*case), got) for case, got in zip(SHARE_CASES, answers)):
            lines.append(diagnosis(mistake))
            return finish(failure(name, lines, mistake.key), quiet)
    lines.append(
        tr("Count the valid taps of one axis first: the centre tap, and each outer tap on max(n - r, 0) of n.")
    )
    return finish(failure(name, lines, "values"), quiet)


def check_aspp_v2(fn: Callable[..., Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(x, module)`` against :class:`dilconv_lib.beyond.ASPP` with ``variant="v2"``.

    ``fn`` gets a (2, 3, 33, 33) float64 tensor and an ``ASPP(3, 5, variant="v2")`` in float64 (rates 6, 12, 18,
    24) and must return its output, (2, 5, 33, 33): each branch a 3x3 convolution with dilation and padding
    its own rate, the four summed. The checker's random weights come from its own generator; the global
    random state is left as it was.

    Parameters
    ----------
    fn : the learner's function
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` is ``"concatenated"``, ``"relu"``, ``"one_rate"``, ``"shape"``, ``"values"``,
        ``"not_a_tensor"``, ``"not_implemented"`` or ``"raised"``.

    Examples
    --------
    >>> verdict = check_aspp_v2(lambda x, module: module(x))
    ✓ <lambda> matches ASPP(variant='v2'): four rates, each its own padding, summed.
    """
    import torch
    import torch.nn.functional as F

    from dilconv_lib.beyond import ASPP  # here: importing torch is the notebook's choice, not ours

    name = name_of(fn)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        module = ASPP(3, 5, variant="v2").double()
        x = torch.randn(2, 3, 33, 33, dtype=torch.float64)
    try:
        got = fn(x.clone(), module)
    except NotImplementedError:
        return finish(not_implemented(name), quiet)
    except Exception as error:  # anything the learner's code raises is reported, not re-raised
        lines = exception_lines(error)
        if isinstance(error, RuntimeError):
            lines.append(tr("Each branch must keep the 33 x 33 size: pad it by its own rate."))
        return finish(failure(name, lines, "raised"), quiet)
    convs: list[torch.nn.Conv2d] = [c for c in module.branches if isinstance(c, torch.nn.Conv2d)]
    r0 = module.rates[0]
    with torch.no_grad():
        expected = module(x)  # (2, 5, 33, 33)
        branches = [F.conv2d(x, c.weight, c.bias, padding=r, dilation=r) for c, r in zip(convs, module.rates)]
        one_rate = torch.stack([F.conv2d(x, c.weight, c.bias, padding=r0, dilation=r0) for c in convs]).sum(dim=0)
        relu_sum = torch.stack([F.relu(b) for b in branches]).sum(dim=0)
    if not isinstance(got, torch.Tensor):
        lines = [
            tr(
                "It returned a {kind}; expected a tensor of shape {shape}.",
                kind=type(got).__name__,
                shape=tuple(expected.shape),
            )
        ]
        return finish(failure(name, lines, "not_a_tensor"), quiet)
    got = got.detach()
    if got.shape != expected.shape:
        lines = [tr("Expected shape {expected}, got {got}.", expected=tuple(expected.shape), got=tuple(got.shape))]
        if got.ndim == 4 and got.shape[1] == len(branches) * 5:
            lines.append(advise(N_("v2 sums its four branches; concatenating them gives 4 x C_out channels.")))
            return finish(failure(name, lines, "concatenated"), quiet)
        return finish(failure(name, lines, "shape"), quiet)
    if torch.allclose(got, expected, rtol=0, atol=1e-10):
        return finish(
            passed("✓ {name} matches ASPP(variant='v2'): four rates, each its own padding, summed.", name=name), quiet
        )
    lines = [tr("Right shape {shape}, wrong values.", shape=tuple(got.shape))]
    for key, guess, advice, fields in [
        ("relu", relu_sum, N_("v2's branches give class scores: sum them without a ReLU."), {}),
        (
            "one_rate",
            one_rate,
            N_("every branch used rate {rate}: give each branch its own rate (module.rates)."),
            {"rate": r0},
        ),
    ]:
        if torch.allclose(got, guess, rtol=0, atol=1e-10):
            lines.append(advise(advice, **fields))
            return finish(failure(name, lines, key), quiet)
    lines.append(tr("Use each branch's own rate as its dilation and padding, its weight and bias, and sum the four."))
    return finish(failure(name, lines, "values"), quiet)
