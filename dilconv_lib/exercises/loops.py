"""Notebooks 01 and 02: a learner's 1-D and 2-D dilated convolution, against :mod:`dilconv_lib.naive`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dilconv_lib import naive
from dilconv_lib.checks import check_tuple
from dilconv_lib.exercises.harness import (
    ConvFunction,
    IntOrPair,
    Mistake,
    Verdict,
    exception_lines,
    failure,
    finish,
    name_of,
    not_an_array,
    not_implemented,
    passed,
)
from dilconv_lib.i18n import N_, tr

__all__ = ["CONV1D_CASES", "CONV2D_CASES", "ConvCase", "check_conv1d", "check_conv2d"]


@dataclass(frozen=True)
class ConvCase:
    """One call of a learner's ``conv1d`` / ``conv2d``: shapes (torch's layout) and keyword arguments."""

    input_shape: tuple[int, ...]  # (N, C_in, *spatial)
    weight_shape: tuple[int, ...]  # (C_out, C_in, *kernel)
    bias: bool = False
    stride: IntOrPair = 1
    padding: IntOrPair = 0
    dilation: IntOrPair = 1

    @property
    def n_spatial(self) -> int:
        return len(self.weight_shape) - 2

    def per_axis(self, name: str) -> tuple[int, ...]:
        """``stride``, ``padding`` or ``dilation`` as one int per spatial axis."""
        return check_tuple(getattr(self, name), name, self.n_spatial)

    def operands(self, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Input, weight and bias of small non-zero integers (as float64), so every sum is exact."""
        rng = np.random.default_rng(seed)

        def draw(shape: tuple[int, ...]) -> np.ndarray:
            values: np.ndarray = (rng.integers(1, 5, shape) * rng.choice([-1, 1], shape)).astype(np.float64)
            return values

        return draw(self.input_shape), draw(self.weight_shape), draw(self.weight_shape[:1]) if self.bias else None

    def describe(self, number: int, total: int) -> str:
        """The line that says which case a message is about, in the learner's language."""
        fields = dict(
            number=number,
            total=total,
            input=self.input_shape,
            weight=self.weight_shape,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
        )
        # Two whole sentences rather than a "with"/"no" word put in: the word order differs between languages.
        if self.bias:
            return tr(
                "Case {number} of {total}: input shape {input}, weight shape {weight}, with bias, "
                "stride={stride}, padding={padding}, dilation={dilation}.",
                **fields,
            )
        return tr(
            "Case {number} of {total}: input shape {input}, weight shape {weight}, no bias, "
            "stride={stride}, padding={padding}, dilation={dilation}.",
            **fields,
        )

    def reference(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **changes: Any) -> np.ndarray:
        """The library's answer, with some of stride/padding/dilation changed."""
        conv = naive.conv1d if self.n_spatial == 1 else naive.conv2d
        kwargs = dict(stride=self.stride, padding=self.padding, dilation=self.dilation) | changes
        return conv(x, w, b, **kwargs)


def _dilation_minus_one(case: ConvCase, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    # Where d - 1 = 0 every tap reads the same pixel: the same as one tap holding the kernel's sum.
    dilation = case.per_axis("dilation")
    flat = tuple(2 + axis for axis, d in enumerate(dilation) if d == 1)
    w = w.sum(axis=flat, keepdims=True) if flat else w
    return case.reference(x, w, b, dilation=tuple(max(d - 1, 1) for d in dilation))


def _padding_one_side(case: ConvCase, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, before: bool) -> np.ndarray:
    pads = [(p, 0) if before else (0, p) for p in case.per_axis("padding")]
    return case.reference(np.pad(x, [(0, 0), (0, 0), *pads]), w, b, padding=0)


def _first_outputs(case: ConvCase, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **changes: Any) -> np.ndarray:
    # The right number of outputs, each computed with ``changes``: a stride or dilation used in the output
    # size but not in the index (output i starting at i, not i*s; tap ki at offset ki, not ki*d).
    size = case.reference(x, w, b).shape[2:]
    first: tuple[slice, ...] = (slice(None), slice(None), *(slice(0, n) for n in size))
    answer: np.ndarray = case.reference(x, w, b, **changes)[first]
    return answer


def _bias_per_term(case: ConvCase, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    # bias[co] added inside the loops over ci and the taps: C_in * (taps per kernel) times.
    return case.reference(x, w, None if b is None else b * w[0].size)


def _pad_hint(n_spatial: int) -> str:
    return (
        "np.pad(x, ((0, 0), (0, 0), (p, p)))" if n_spatial == 1 else "np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))"
    )


def _tap_hint(n_spatial: int) -> str:
    if n_spatial == 1:
        return tr("{weight} multiplies {pixel}", weight="w[co, ci, ki]", pixel="x[n, ci, i*s + ki*d]")
    return tr("{weight} multiplies {pixel}", weight="w[co, ci, ki, kj]", pixel="x[n, ci, i*sh + ki*dh, j*sw + kj*dw]")


def _advice(mistake: Mistake, n_spatial: int) -> str:
    """A mistake's diagnosis line: its advice, with the tap and padding hints of 1-D or 2-D filled in."""
    advice = tr(mistake.advice, tap=_tap_hint(n_spatial), pad=_pad_hint(n_spatial))
    return tr("Diagnosis: {advice}", advice=advice)


def _conv_mistakes(n_spatial: int) -> list[Mistake]:
    """The usual mistakes, in the order they are tried; each gives the answers it would produce.

    An advice may hold the fields ``{tap}`` (which input pixel a weight multiplies) and ``{pad}`` (the
    ``np.pad`` call): :func:`_advice` fills them in for 1-D or 2-D.
    """
    mistakes = [
        Mistake(
            "dilation_gaps",
            N_("dilation + 1"),
            N_(
                "off by one in the dilation: your answers match dilation + 1, so your taps are one pixel too far "
                "apart, as if dilation counted the gaps between taps (CS231n and numpy-ml do: 0 = ordinary). "
                "Here, as in PyTorch, dilation is the step between taps (1 = ordinary): {tap}."
            ),
            lambda c, x, w, b: c.reference(x, w, b, dilation=tuple(d + 1 for d in c.per_axis("dilation"))),
        ),
        Mistake(
            "dilation_minus_one",
            N_("dilation - 1"),
            N_(
                "off by one in the dilation: your answers match dilation - 1, so your taps are one pixel too close. "
                "d - 1 is the number of skipped pixels between taps; the step is d: {tap}."
            ),
            _dilation_minus_one,
        ),
        Mistake(
            "dilation_ignored",
            N_("dilation = 1"),
            N_("the dilation is ignored: your answers match dilation = 1. Spread the taps d apart: {tap}."),
            lambda c, x, w, b: c.reference(x, w, b, dilation=1),
        ),
        Mistake(
            "padding_ignored",
            N_("padding = 0"),
            N_("the padding is ignored: your answers match padding = 0. Add p zeros on both sides first: {pad}."),
            lambda c, x, w, b: c.reference(x, w, b, padding=0),
        ),
        Mistake(
            "padding_before_only",
            N_("padding before the input only"),
            N_(
                "the padding is on one side only: your answers match p zeros before the input and none after. "
                "Pad both sides: {pad}."
            ),
            lambda c, x, w, b: _padding_one_side(c, x, w, b, before=True),
        ),
        Mistake(
            "padding_after_only",
            N_("padding after the input only"),
            N_(
                "the padding is on one side only: your answers match p zeros after the input and none before. "
                "Pad both sides: {pad}."
            ),
            lambda c, x, w, b: _padding_one_side(c, x, w, b, before=False),
        ),
        Mistake(
            "stride_ignored",
            N_("stride = 1"),
            N_(
                "the stride is ignored: your answers match stride = 1. Output i starts at input position i*s, "
                "and there are floor((L + 2p - d(k - 1) - 1) / s) + 1 outputs along each axis."
            ),
            lambda c, x, w, b: c.reference(x, w, b, stride=1),
        ),
        Mistake(
            "kernel_flipped",
            N_("a flipped kernel"),
            N_(
                "the kernel is flipped: your answers match the reversed kernel, a true (mathematical) convolution. "
                "Deep learning's 'convolution' is cross-correlation, with no flip: {tap}."
            ),
            lambda c, x, w, b: c.reference(x, np.flip(w, axis=tuple(range(2, w.ndim))), b),
        ),
        Mistake(
            "bias_ignored",
            N_("bias = None"),
            N_("the bias is missing: your answers match bias = None. Add bias[co] to every output of channel co."),
            lambda c, x, w, b: c.reference(x, w, None),
        ),
        Mistake(
            "stride_not_in_index",
            N_("the first outputs of stride = 1"),
            N_(
                "the stride is in the output size but not in the index: your answers are the first outputs of "
                "stride = 1. Output i starts at input position i*s: {tap}."
            ),
            lambda c, x, w, b: _first_outputs(c, x, w, b, stride=1),
        ),
        Mistake(
            "dilation_not_in_index",
            N_("tap offset ki instead of ki*d"),
            N_(
                "the dilation is in the output size but not in the index: your answers match tap ki read at "
                "offset ki instead of ki*d. {tap}."
            ),
            lambda c, x, w, b: _first_outputs(c, x, w, b, dilation=1),
        ),
        Mistake(
            "channels_first_only",
            N_("input channel 0 alone"),
            N_(
                "the loop over input channels is missing: your answers match input channel 0 alone. Output channel "
                "co sums over every input channel ci: {tap}, for each ci."
            ),
            lambda c, x, w, b: c.reference(x[:, :1], w[:, :1], b),
        ),
        Mistake(
            "channels_last_only",
            N_("the last input channel alone"),
            N_(
                "only the last input channel counts: your answers match it alone (with the bias), as if the sum "
                "started again for each ci. Set the total once, before the loop over ci, and add every channel to it."
            ),
            lambda c, x, w, b: c.reference(x[:, -1:], w[:, -1:], b),
        ),
        Mistake(
            "batch_first_only",
            N_("the first item of the batch alone"),
            N_(
                "the loop over the batch is missing: your answers hold the first item of the batch alone. Loop over "
                "n as well: the output has one row per item, shape (N, C_out, ...)."
            ),
            lambda c, x, w, b: c.reference(x[:1], w, b),
        ),
        Mistake(
            "bias_per_term",
            N_("the bias added to every term"),
            N_(
                "the bias is added once per term of the sum: your answers match bias[co] times C_in times the "
                "kernel's taps. Add bias[co] once to each output, outside the loops over ci and the taps."
            ),
            _bias_per_term,
        ),
    ]
    if n_spatial == 2:
        mistakes += [
            Mistake(
                "dilation_swapped",
                N_("the two dilations swapped"),
                N_(
                    "rows and columns are swapped: your answers match dilation = (dw, dh). dilation=(dh, dw) puts "
                    "rows dh apart and columns dw apart: {tap}."
                ),
                lambda c, x, w, b: c.reference(x, w, b, dilation=c.per_axis("dilation")[::-1]),
            ),
            Mistake(
                "dilation_first_only",
                N_("the first dilation on both axes"),
                N_(
                    "only the first dilation is used: your answers match dilation = (dh, dh). Use dh along rows "
                    "(ki) and dw along columns (kj): {tap}."
                ),
                lambda c, x, w, b: c.reference(x, w, b, dilation=(c.per_axis("dilation")[0],) * 2),
            ),
            Mistake(
                "dilation_rows_only",
                N_("column offset kj instead of kj*dw"),
                N_(
                    "the columns ignore the dilation: your answers match kernel column kj read at offset kj "
                    "instead of kj*dw. Spread the kernel's columns dw apart too: {tap}."
                ),
                lambda c, x, w, b: _first_outputs(c, x, w, b, dilation=(c.per_axis("dilation")[0], 1)),
            ),
            Mistake(
                "dilation_columns_only",
                N_("row offset ki instead of ki*dh"),
                N_(
                    "the rows ignore the dilation: your answers match kernel row ki read at offset ki instead of "
                    "ki*dh. Spread the kernel's rows dh apart too: {tap}."
                ),
                lambda c, x, w, b: _first_outputs(c, x, w, b, dilation=(1, c.per_axis("dilation")[1])),
            ),
            Mistake(
                "stride_swapped",
                N_("the two strides swapped"),
                N_(
                    "the strides are swapped: your answers match stride = (sw, sh). stride=(sh, sw) moves sh rows "
                    "and sw columns from one output to the next: {tap}."
                ),
                lambda c, x, w, b: c.reference(x, w, b, stride=c.per_axis("stride")[::-1]),
            ),
            Mistake(
                "padding_swapped",
                N_("the two paddings swapped"),
                N_(
                    "the paddings are swapped: your answers match padding = (pw, ph). padding=(ph, pw) adds ph zero "
                    "rows above and below and pw zero columns left and right: {pad}."
                ),
                lambda c, x, w, b: c.reference(x, w, b, padding=c.per_axis("padding")[::-1]),
            ),
        ]
    return mistakes


CONV1D_CASES = [
    ConvCase((1, 1, 7), (1, 1, 3)),
    ConvCase((1, 1, 9), (1, 1, 3), dilation=2),
    ConvCase((1, 1, 10), (1, 1, 3), dilation=3),
    ConvCase((1, 1, 6), (1, 1, 3), padding=2, dilation=2),
    ConvCase((1, 1, 11), (1, 1, 3), stride=2, padding=1, dilation=2),
    ConvCase((2, 2, 10), (3, 2, 3), bias=True, stride=2, padding=3, dilation=3),
    ConvCase((1, 2, 13), (2, 2, 2), bias=True, stride=3, padding=1, dilation=4),
]


CONV2D_CASES = [
    ConvCase((1, 1, 5, 5), (1, 1, 3, 3)),
    ConvCase((1, 1, 7, 7), (1, 1, 3, 3), dilation=2),
    ConvCase((1, 1, 10, 7), (1, 1, 3, 2), dilation=(3, 2)),
    ConvCase((1, 1, 6, 7), (1, 1, 3, 3), padding=(2, 1), dilation=(2, 1)),
    ConvCase((1, 1, 9, 8), (1, 1, 2, 3), stride=(2, 1), padding=1, dilation=(1, 3)),
    ConvCase((2, 2, 7, 9), (3, 2, 3, 2), bias=True, stride=2, padding=(1, 2), dilation=(2, 3)),
    ConvCase((1, 2, 8, 8), (2, 2, 3, 3), bias=True, stride=2, padding=2, dilation=2),
]


def _same(got: np.ndarray, expected: np.ndarray | None) -> bool:
    return expected is not None and got.shape == expected.shape and np.allclose(got, expected, rtol=1e-9, atol=1e-9)


def _try(
    mistake: Mistake, case: ConvCase, operands: tuple[np.ndarray, np.ndarray, np.ndarray | None]
) -> np.ndarray | None:
    try:
        answer: np.ndarray = mistake.answer(case, *operands)
        return answer
    except (ValueError, TypeError):  # the mistaken call does not fit this case (e.g. a kernel too large)
        return None


def _either(options: list[str]) -> str:
    """``"a or b or c"`` in the learner's language (each option already translated)."""
    text = options[-1]
    for option in reversed(options[:-1]):
        text = tr("{first} or {rest}", first=option, rest=text)
    return text


def _sizes(case: ConvCase, expected: np.ndarray) -> str:
    """The line that counts the output positions along each spatial axis of ``case``, numbers filled in."""
    sizes = [
        f"floor(({size} + 2*{p} - {d}*({k} - 1) - 1) / {s}) + 1 = {o}"
        for size, k, s, p, d, o in zip(
            case.input_shape[2:],
            case.weight_shape[2:],
            case.per_axis("stride"),
            case.per_axis("padding"),
            case.per_axis("dilation"),
            expected.shape[2:],
        )
    ]
    return tr(
        "Along each spatial axis (input size L) the output has o = floor((L + 2p - d(k - 1) - 1) / s) + 1 "
        "positions: {sizes}.",
        sizes="; ".join(sizes),
    )


def _check_conv(fn: ConvFunction, cases: list[ConvCase], success: str, quiet: bool) -> Verdict:
    """``success`` is a template marked with ``N_``, with the fields ``name`` and ``count``."""
    name = name_of(fn)
    n_spatial = cases[0].n_spatial
    operands = [case.operands(seed) for seed, case in enumerate(cases)]
    expected = [case.reference(*ops) for case, ops in zip(cases, operands)]
    answers = []
    for number, (case, (x, w, b)) in enumerate(zip(cases, operands), start=1):
        where = case.describe(number, len(cases))
        try:
            # Copies, so that a function that writes into its input cannot spoil the next case.
            got = fn(
                x.copy(),
                w.copy(),
                None if b is None else b.copy(),
                stride=case.stride,
                padding=case.padding,
                dilation=case.dilation,
            )
        except NotImplementedError:
            return finish(not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            lines = [where, *exception_lines(error)]
            if isinstance(error, TypeError) and any(
                isinstance(v, tuple) for v in (case.stride, case.padding, case.dilation)
            ):
                lines.append(tr("Stride, padding and dilation may each be an int or a (rows, columns) pair."))
            return finish(failure(name, lines, "raised"), quiet)
        problem = not_an_array(got)
        if problem:
            shape = expected[number - 1].shape
            lines = [where, problem, tr("Expected an array of shape {shape}.", shape=shape)]
            return finish(failure(name, lines, "not_an_array"), quiet)
        answers.append(got)

    wrong = [n for n, (got, exp) in enumerate(zip(answers, expected)) if not _same(got, exp)]
    if not wrong:
        return finish(passed(success, name=name, count=len(cases)), quiet)

    first = wrong[0]
    case, got, exp = cases[first], answers[first], expected[first]
    lines = [case.describe(first + 1, len(cases))]
    if got.shape != exp.shape:
        lines.append(tr("Expected output shape {expected}, got {got}.", expected=exp.shape, got=got.shape))
    for mistake in _conv_mistakes(n_spatial):
        guesses = [_try(mistake, c, ops) for c, ops in zip(cases, operands)]
        # The mistake must explain every wrong answer and contradict no right one.
        if all(_same(a, g) or (g is None and n not in wrong) for n, (a, g) in enumerate(zip(answers, guesses))):
            lines.append(_advice(mistake, n_spatial))
            return finish(failure(name, lines, mistake.key), quiet)

    if got.shape != exp.shape:
        spatial = list(zip(got.shape[2:], exp.shape[2:]))
        fewer = got.shape[:2] == exp.shape[:2] and len(spatial) == exp.ndim - 2 == got.ndim - 2
        if fewer and all(g <= e for g, e in spatial) and _same(got, exp[tuple(slice(0, n) for n in got.shape)]):
            # Every value right, but too few of them: the loop over output positions stops early.
            lines += [tr("Your values are right as far as they go, but there are too few of them."), _sizes(case, exp)]
            return finish(failure(name, lines, "output_short"), quiet)
        lines.append(_sizes(case, exp))
        alike = [
            tr(m.looks_like)
            for m in _conv_mistakes(n_spatial)
            if (g := _try(m, case, operands[first])) is not None and g.shape == got.shape
        ]
        if alike:
            lines.append(tr("Your shape is what you get with {alike}.", alike=_either(alike)))
        return finish(failure(name, lines, "shape"), quiet)

    differ = ~np.isclose(got, exp, rtol=1e-9, atol=1e-9)
    index = tuple(int(v) for v in np.argwhere(differ)[0])
    lines.append(
        tr(
            "Right shape {shape}, but {count} of {size} values differ; the first at index {index}: "
            "expected {expected}, got {got}.",
            shape=exp.shape,
            count=int(differ.sum()),
            size=exp.size,
            index=index,
            expected=f"{exp[index]:g}",
            got=f"{got[index]:g}",
        )
    )
    return finish(failure(name, lines, "values"), quiet)


def check_conv1d(fn: ConvFunction, *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(input, weight, bias=None, stride=1, padding=0, dilation=1)`` against ``naive.conv1d``.

    ``fn`` gets NumPy arrays, input (N, C_in, L) and weight (C_out, C_in, k), a bias (C_out,) or
    None, and ints stride, padding and dilation by keyword. It must return a NumPy array
    (N, C_out, o) with ``o = output_size(L, k, stride, padding, dilation)``.

    Parameters
    ----------
    fn : the learner's function
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` names the diagnosis, e.g. ``"dilation_gaps"``, ``"dilation_ignored"``,
        ``"dilation_not_in_index"`` (tap offset ``ki`` instead of ``ki*d``), ``"padding_ignored"``,
        ``"padding_before_only"``, ``"stride_ignored"``, ``"stride_not_in_index"``, ``"kernel_flipped"``,
        ``"bias_ignored"``, ``"bias_per_term"``, ``"channels_first_only"``, ``"channels_last_only"``,
        ``"batch_first_only"``; or ``"output_short"`` (right values, too few of them), ``"not_implemented"``,
        ``"raised"``, ``"not_an_array"``, ``"shape"``, ``"values"``.

    Examples
    --------
    >>> from dilconv_lib import naive
    >>> verdict = check_conv1d(naive.conv1d)
    ✓ conv1d is right on all 7 cases (dilations 1 to 4, padding, stride, channels, a batch and a bias).
    >>> def no_stride(input, weight, bias=None, stride=1, padding=0, dilation=1):
    ...     return naive.conv1d(input, weight, bias, 1, padding, dilation)
    >>> check_conv1d(no_stride, quiet=True).mistake
    'stride_ignored'
    >>> def channel_zero(input, weight, bias=None, stride=1, padding=0, dilation=1):
    ...     return naive.conv1d(input[:, :1], weight[:, :1], bias, stride, padding, dilation)  # no loop over ci
    >>> check_conv1d(channel_zero, quiet=True).mistake
    'channels_first_only'
    """
    success = N_(
        "✓ {name} is right on all {count} cases (dilations 1 to 4, padding, stride, channels, a batch and a bias)."
    )
    return _check_conv(fn, CONV1D_CASES, success, quiet)


def check_conv2d(fn: ConvFunction, *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(input, weight, bias=None, stride=1, padding=0, dilation=1)`` against ``naive.conv2d``.

    ``fn`` gets NumPy arrays, input (N, C_in, H, W) and weight (C_out, C_in, kH, kW), a bias
    (C_out,) or None, and stride, padding and dilation by keyword, each an int or a (rows, columns)
    pair. It must return a NumPy array (N, C_out, H_out, W_out), each size given by
    :func:`~dilconv_lib.geometry.output_size` along its axis.

    Parameters
    ----------
    fn : the learner's function
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` names the diagnosis, as for :func:`check_conv1d`, plus ``"dilation_swapped"``,
        ``"dilation_first_only"``, ``"dilation_rows_only"``, ``"dilation_columns_only"``,
        ``"stride_swapped"`` and ``"padding_swapped"`` for per-axis arguments.

    Examples
    --------
    >>> from dilconv_lib import naive
    >>> verdict = check_conv2d(naive.conv2d)
    ✓ conv2d is right on all 7 cases (square and per-axis stride, padding and dilation, channels, a batch and a bias).
    >>> def rows_only(input, weight, bias=None, stride=1, padding=0, dilation=1):
    ...     dh = dilation if isinstance(dilation, int) else dilation[0]
    ...     return naive.conv2d(input, weight, bias, stride, padding, dh)  # dh used for columns too
    >>> check_conv2d(rows_only, quiet=True).mistake
    'dilation_first_only'
    """
    success = N_(
        "✓ {name} is right on all {count} cases "
        "(square and per-axis stride, padding and dilation, channels, a batch and a bias)."
    )
    return _check_conv(fn, CONV2D_CASES, success, quiet)
