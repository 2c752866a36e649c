"""Notebook 07: a causal stack without holes and one step of the queue generator; notebook 08: the share of valid
taps and DeepLab v2's ASPP by hand."""

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
    "check_queue_step",
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


def _queue_cases() -> list[tuple[Any, Any]]:
    """Two gated, residual stacks in float64 and an input sequence for each: (stack, x (1, C, L))."""
    import torch

    from dilconv_lib.beyond import WaveNetStack  # here: importing torch is the notebook's choice, not ours

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        first = WaveNetStack(3, (1, 2, 4)).double()
        second = WaveNetStack(2, (1, 3), kernel_size=3).double()
        return [(stack, torch.randn(1, stack.channels, 12, dtype=torch.float64)) for stack in (first, second)]


def _wrong_step(stack: Any, x: Any, queues: list[Any], mistake: str) -> tuple[Any, list[Any]]:
    """One queue step with a usual mistake: ``"front"``, ``"no_dilation"``, ``"same_input"`` or ``"no_residual"``."""
    import torch
    import torch.nn.functional as F

    new, inp = [], x
    for conv, mix, d, queue in zip(stack.dilated, stack.mix, stack.dilations, queues):
        source = x if mistake == "same_input" else inp
        if mistake == "front":
            queue = torch.cat([source[..., None], queue[..., :-1]], dim=-1)  # newest first
        else:
            queue = torch.cat([queue[..., 1:], source[..., None]], dim=-1)
        new.append(queue)
        h = F.conv1d(queue, conv.weight, conv.bias, dilation=1 if mistake == "no_dilation" else d)[..., 0]
        f, g = h.chunk(2, dim=1)
        y = mix((torch.tanh(f) * torch.sigmoid(g))[..., None])[..., 0]
        inp = y if mistake == "no_residual" else inp + y
    return inp, new


def _run_steps(step: Callable[..., Any], stack: Any, x: Any) -> tuple[list[Any], Any]:
    """Feed ``x`` (1, C, L) column by column through ``step``; the outputs, or what went wrong (a string)."""
    import torch

    queues = [torch.zeros(1, stack.channels, d * (stack.kernel_size - 1) + 1, dtype=x.dtype) for d in stack.dilations]
    outputs: list[Any] = []
    for t in range(x.shape[-1]):
        got = step(stack, x[..., t].clone(), [q.clone() for q in queues])
        if not isinstance(got, tuple) or len(got) != 2:
            return outputs, "not_a_pair"
        out, queues = got
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != (1, stack.channels):
            return outputs, "shape"
        queues = list(queues)
        if len(queues) != len(stack.dilations) or any(
            not isinstance(q, torch.Tensor) or q.shape[-1] != d * (stack.kernel_size - 1) + 1
            for q, d in zip(queues, stack.dilations)
        ):
            return outputs, "queue_length"
        outputs.append(out.detach())
    return outputs, None


QUEUE_MISTAKES = [
    ("front", N_("the new input went to the front of the queue: push it at the end, the oldest is queue[..., 0].")),
    (
        "no_dilation",
        N_("the convolution reads neighbouring slots: on a queue of d (k - 1) + 1 slots, its taps are d apart."),
    ),
    ("same_input", N_("every layer got the step's input: a layer's new input is the output of the layer below.")),
    ("no_residual", N_("the residual sum is missing: the next input is x + mix(z), not mix(z).")),
]


def check_queue_step(fn: Callable[..., Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(stack, x, queues) -> (output, new_queues)``: one step of the queue generator.

    The checker feeds two random sequences column by column through ``fn``, starting from zero queues and
    passing back the queues ``fn`` returned, for a :class:`dilconv_lib.beyond.WaveNetStack` with dilations
    (1, 2, 4) and kernel 2, and one with dilations (1, 3) and kernel 3 (float64); output ``t`` must equal
    ``stack(x)[..., t]``. It names the mistake that explains the outputs.

    Parameters
    ----------
    fn : the learner's function
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` is ``"front"``, ``"no_dilation"``, ``"same_input"``, ``"no_residual"``, ``"not_a_pair"``,
        ``"shape"``, ``"queue_length"``, ``"values"``, ``"not_implemented"`` or ``"raised"``.

    Examples
    --------
    >>> from dilconv_lib.beyond import queue_step
    >>> verdict = check_queue_step(queue_step)
    ✓ queue_step gives a full pass's output at every step, for kernels 2 and 3.
    >>> check_queue_step(lambda s, x, q: _wrong_step(s, x, q, "front"), quiet=True).mistake
    'front'
    """
    import torch

    name = name_of(fn)
    for stack, x in _queue_cases():
        with torch.no_grad():
            expected = stack(x)  # (1, C, L)
            try:
                outputs, problem = _run_steps(fn, stack, x)
            except NotImplementedError:
                return finish(not_implemented(name), quiet)
            except Exception as error:  # anything the learner's code raises is reported, not re-raised
                return finish(failure(name, exception_lines(error), "raised"), quiet)
        setting = tr("dilations {dilations}, kernel {k}", dilations=stack.dilations, k=stack.kernel_size)
        if problem == "not_a_pair":
            lines = [tr("It must return a pair: the output (N, C) and the list of new queues.")]
            return finish(failure(name, lines, problem), quiet)
        if problem == "shape":
            lines = [tr("The output must have shape (N, C) = {shape}.", shape=(1, stack.channels))]
            return finish(failure(name, lines, problem), quiet)
        if problem == "queue_length":
            lines = [
                tr(
                    "{setting}: each new queue must keep d (k - 1) + 1 slots, one per layer: drop the oldest.",
                    setting=setting,
                )
            ]
            return finish(failure(name, lines, problem), quiet)
        got = torch.stack(outputs, dim=-1)
        if torch.allclose(got, expected, rtol=0, atol=1e-10):
            continue
        t = int(((got - expected).abs().amax(dim=1)[0] > 1e-10).nonzero()[0])
        lines = [tr("{setting}: the output at step {t} differs from stack(x)[..., {t}].", setting=setting, t=t)]
        with torch.no_grad():
            for key, advice in QUEUE_MISTAKES:
                wrong, _ = _run_steps(lambda s, c, q, key=key: _wrong_step(s, c, q, key), stack, x)
                if torch.allclose(got, torch.stack(wrong, dim=-1), rtol=0, atol=1e-10):
                    return finish(failure(name, [*lines, advise(advice)], key), quiet)
        lines.append(
            tr(
                "Push each layer's input at the end of its queue, read the taps d apart, gate, mix, "
                "and add the input back."
            )
        )
        return finish(failure(name, lines, "values"), quiet)
    return finish(passed("✓ {name} gives a full pass's output at every step, for kernels 2 and 3.", name=name), quiet)
