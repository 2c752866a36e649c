"""Checkers for the course's exercises: is a learner's function right, and if not, what is wrong with it?

Each checker calls the learner's function on a handful of small cases and compares the answers with
the library (:func:`dilconv_lib.geometry.output_size`, :mod:`dilconv_lib.naive`). When an answer is
wrong, it tries the usual mistakes one by one (the dilation read as the number of gaps, padding on
one side only, the stride ignored, a flipped kernel, ...) and names the first one that explains
every answer. Otherwise it shows the first wrong answer next to the right one.

Every checker prints its verdict and returns a :class:`Verdict`, which is true exactly when the
function is right, so that a notebook can stop at a wrong answer with ``assert check_conv1d(f)``.

The checkers, by notebook: :func:`check_effective_kernel_size` (00); :func:`check_output_size`,
:func:`check_conv1d`, :func:`check_conv2d` (01); :func:`check_causal_dilations`,
:func:`check_valid_share`, :func:`check_aspp_v2` (07). Checkers for the other notebooks follow them.

Examples
--------
>>> from dilconv_lib import naive, output_size
>>> verdict = check_output_size(output_size)
✓ output_size is right on all 10 cases (dilations 1 to 16, padding and stride).
>>> bool(verdict)
True
>>> def gaps_conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1):
...     return naive.conv1d(input, weight, bias, stride, padding, dilation + 1)  # dilation read as gaps
>>> check_conv1d(gaps_conv1d, quiet=True).mistake
'dilation_gaps'

A function that still raises ``NotImplementedError``, as the student edition's stubs do, is not
diagnosed: the verdict says what to do.

>>> def my_conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1):
...     raise NotImplementedError("Exercise: write the body of my_conv1d")
>>> verdict = check_conv1d(my_conv1d)
✗ my_conv1d is not implemented yet: fill in its body in place of `raise NotImplementedError(...)`,
run that cell, then run this check again.
>>> verdict.mistake
'not_implemented'
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from dilconv_lib import naive
from dilconv_lib.checks import check_tuple
from dilconv_lib.geometry import output_size
from dilconv_lib.messages import language, translate

__all__ = [
    "Verdict",
    "check_aspp_v2",
    "check_causal_dilations",
    "check_conv1d",
    "check_conv2d",
    "check_effective_kernel_size",
    "check_output_size",
    "check_valid_share",
]

IntOrPair = int | tuple[int, ...]
ConvFunction = Callable[..., Any]


@dataclass(frozen=True)
class Verdict:
    """What a checker found.

    Attributes
    ----------
    ok : True when every case was answered right.
    message : the text the checker prints, success line or diagnosis.
    mistake : None when right; otherwise the name of the mistake that explains every answer
        (e.g. ``"dilation_gaps"``, ``"padding_ignored"``, ``"kernel_flipped"``), or the kind of
        failure when none does: ``"not_implemented"`` (it raised ``NotImplementedError``, as the
        student edition's stubs do), ``"raised"``, ``"not_an_array"``, ``"not_an_int"``, ``"shape"``,
        ``"values"``.

    A verdict is truthy exactly when ``ok``.

    >>> bool(Verdict(ok=False, message="✗ f is not right yet.", mistake="shape"))
    False
    """

    ok: bool
    message: str
    mistake: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def _name(fn: Callable[..., Any]) -> str:
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")
    return getattr(fn, "__name__", type(fn).__name__)


def _finish(verdict: Verdict, quiet: bool) -> Verdict:
    # In the learner's language, read now (the Chinese edition sets DILCONV_LANG in its first cell).
    lang = language()
    if lang != "en":
        verdict = Verdict(ok=verdict.ok, message=translate(verdict.message, lang), mistake=verdict.mistake)
    if not quiet:
        print(verdict.message)
    return verdict


def _failure(name: str, lines: list[str], mistake: str) -> Verdict:
    text = "\n".join([f"✗ {name} is not right yet.", *(f"  {line}" for line in lines)])
    return Verdict(ok=False, message=text, mistake=mistake)


def _not_implemented(name: str) -> Verdict:
    # The student edition's stub: the learner has not written the function yet.
    message = (
        f"✗ {name} is not implemented yet: fill in its body in place of `raise NotImplementedError(...)`, "
        "run that cell, then run this check again."
    )
    return Verdict(ok=False, message=message, mistake="not_implemented")


def _exception_lines(error: Exception) -> list[str]:
    lines = [f"It raised {type(error).__name__}: {error}"]
    if isinstance(error, IndexError):
        lines.append(
            "An IndexError usually means a loop runs past the end of the (padded) input: check the "
            "output length and the index i*s + ki*d."
        )
    return lines


class _Mistake(NamedTuple):
    """A usual mistake: its name, what it looks like, and the wrong answer it gives."""

    key: str
    looks_like: str  # finishes "that is what you get with ..."
    advice: str
    answer: Callable[..., Any]


def _size_formula(i: int, s: int, p_total: int, k_eff: int, *, plus: int = 1, ceil: bool = False) -> int:
    # i + p_total - k_eff is the room left for the window to move; floor((room) / s) + plus windows fit.
    top = i + p_total - k_eff
    return (-(-top // s) if ceil else top // s) + plus


# --- output size --------------------------------------------------------------------------------------

SIZE_MISTAKES = [
    _Mistake(
        "dilation_gaps",
        "dilation + 1",
        "off by one in the dilation: your sizes match dilation + 1, as if dilation counted the gaps "
        "between taps (CS231n and numpy-ml do: 0 = ordinary). This course, like PyTorch, counts the step "
        "between taps (1 = ordinary), so the kernel spans d(k - 1) + 1 pixels.",
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, (d + 1) * (k - 1) + 1),
    ),
    _Mistake(
        "dilation_minus_one",
        "dilation - 1",
        "off by one in the dilation: your sizes match dilation - 1. d - 1 is the number of skipped pixels "
        "between taps; the step is d, so the kernel spans d(k - 1) + 1 pixels.",
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, (d - 1) * (k - 1) + 1),
    ),
    _Mistake(
        "dilation_ignored",
        "dilation = 1",
        "the dilation is ignored: your sizes match dilation = 1. A dilated kernel spans d(k - 1) + 1 pixels, not k.",
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, k),
    ),
    _Mistake(
        "kernel_times_dilation",
        "an effective kernel of k*d",
        "the effective kernel is not k*d: k taps have k - 1 steps of d between them, plus the last tap, "
        "so the kernel spans d(k - 1) + 1 pixels.",
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, k * d),
    ),
    _Mistake(
        "kernel_no_plus_one",
        "an effective kernel of d(k - 1)",
        "the effective kernel is one pixel short: your sizes match a kernel spanning d(k - 1) pixels. "
        "d(k - 1) is the distance from the first tap to the last; the kernel covers both end taps, "
        "so it spans d(k - 1) + 1 pixels.",
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, d * (k - 1)),
    ),
    _Mistake(
        "padding_once",
        "padding on one side only",
        "the padding is counted once: p zeros go on both sides of the input, so it grows to i + 2p.",
        lambda i, k, s, p, d: _size_formula(i, s, p, d * (k - 1) + 1),
    ),
    _Mistake(
        "padding_ignored",
        "padding = 0",
        "the padding is ignored: your sizes match padding = 0. The padded input has i + 2p pixels.",
        lambda i, k, s, p, d: _size_formula(i, s, 0, d * (k - 1) + 1),
    ),
    _Mistake(
        "stride_ignored",
        "stride = 1",
        "the stride is ignored: your sizes match stride = 1. Windows start s pixels apart, so divide by s.",
        lambda i, k, s, p, d: _size_formula(i, 1, 2 * p, d * (k - 1) + 1),
    ),
    _Mistake(
        "no_plus_one",
        "the + 1 left out",
        "the + 1 is missing: the division counts the steps after the first window, so add 1 for the first.",
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, d * (k - 1) + 1, plus=0),
    ),
    _Mistake(
        "ceil",
        "rounding up",
        "you rounded up: a window that runs past the padded input is not computed, so round down "
        "(floor division, // in Python).",
        lambda i, k, s, p, d: _size_formula(i, s, 2 * p, d * (k - 1) + 1, ceil=True),
    ),
]

# (size, kernel_size, stride, padding, dilation): small enough to check by hand, varied enough that
# each mistake above gives a different set of answers.
SIZE_CASES = [
    (7, 3, 1, 0, 1),
    (7, 3, 1, 0, 2),
    (7, 3, 1, 0, 3),
    (10, 3, 2, 1, 1),
    (64, 3, 1, 16, 16),
    (15, 3, 1, 2, 4),
    (11, 2, 3, 1, 4),
    (12, 5, 2, 3, 2),
    (9, 1, 2, 0, 5),
    (20, 4, 3, 2, 3),
]


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_output_size(fn: Callable[..., Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(size, kernel_size, stride=1, padding=0, dilation=1)`` against ``output_size``.

    The right answer is ``floor((i + 2p - d(k - 1) - 1) / s) + 1``, as an int. ``fn`` is called on
    ten cases with stride, padding and dilation passed by keyword.

    Parameters
    ----------
    fn : the learner's function
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` is one of ``SIZE_MISTAKES``' keys, or ``"not_implemented"``, ``"raised"``,
        ``"not_an_int"``, ``"values"``.

    Examples
    --------
    >>> def no_padding(size, kernel_size, stride=1, padding=0, dilation=1):
    ...     return (size - dilation * (kernel_size - 1) - 1) // stride + 1
    >>> verdict = check_output_size(no_padding)
    ✗ no_padding is not right yet.
      no_padding(10, 3, stride=2, padding=1, dilation=1) returned 4; expected 5.
      Diagnosis: the padding is ignored: your sizes match padding = 0. The padded input has i + 2p pixels.
    >>> verdict.ok, verdict.mistake
    (False, 'padding_ignored')
    """
    name = _name(fn)
    answers, expected = [], []
    for i, k, s, p, d in SIZE_CASES:
        call = f"{name}({i}, {k}, stride={s}, padding={p}, dilation={d})"
        right = output_size(i, k, stride=s, padding=p, dilation=d)
        try:
            got = fn(i, k, stride=s, padding=p, dilation=d)
        except NotImplementedError:
            return _finish(_not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            lines = [f"{call}:", *_exception_lines(error)]
            return _finish(_failure(name, lines, "raised"), quiet)
        if not _is_int(got):
            lines = [
                f"{call} returned {got!r} ({type(got).__name__}); expected the int {right}.",
                "A size is a whole number: use // (floor division), not /, and return an int.",
            ]
            return _finish(_failure(name, lines, "not_an_int"), quiet)
        answers.append(int(got))
        expected.append(right)
    if answers == expected:
        message = f"✓ {name} is right on all {len(SIZE_CASES)} cases (dilations 1 to 16, padding and stride)."
        return _finish(Verdict(ok=True, message=message), quiet)

    first = next(n for n, (a, e) in enumerate(zip(answers, expected)) if a != e)
    i, k, s, p, d = SIZE_CASES[first]
    call = f"{name}({i}, {k}, stride={s}, padding={p}, dilation={d})"
    lines = [f"{call} returned {answers[first]}; expected {expected[first]}."]
    for mistake in SIZE_MISTAKES:
        if all(mistake.answer(*case) == got for case, got in zip(SIZE_CASES, answers)):
            lines.append(f"Diagnosis: {mistake.advice}")
            return _finish(_failure(name, lines, mistake.key), quiet)
    lines.append(
        f"The formula: floor((i + 2p - d(k - 1) - 1) / s) + 1 = floor(({i} + {2 * p} - {d * (k - 1)} - 1) / {s}) + 1 "
        f"= {expected[first]}."
    )
    return _finish(_failure(name, lines, "values"), quiet)


# --- 1-D and 2-D convolution --------------------------------------------------------------------------


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

    def describe(self) -> str:
        return (
            f"input shape {self.input_shape}, weight shape {self.weight_shape}, "
            f"{'with' if self.bias else 'no'} bias, "
            f"stride={self.stride}, padding={self.padding}, dilation={self.dilation}"
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


def _pad_hint(n_spatial: int) -> str:
    return (
        "np.pad(x, ((0, 0), (0, 0), (p, p)))" if n_spatial == 1 else "np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))"
    )


def _tap_hint(n_spatial: int) -> str:
    if n_spatial == 1:
        return "w[co, ci, ki] multiplies x[n, ci, i*s + ki*d]"
    return "w[co, ci, ki, kj] multiplies x[n, ci, i*sh + ki*dh, j*sw + kj*dw]"


def _conv_mistakes(n_spatial: int) -> list[_Mistake]:
    """The usual mistakes, in the order they are tried; each gives the answers it would produce."""
    tap, pad = _tap_hint(n_spatial), _pad_hint(n_spatial)
    mistakes = [
        _Mistake(
            "dilation_gaps",
            "dilation + 1",
            "off by one in the dilation: your answers match dilation + 1, so your taps are one pixel too far "
            "apart, as if dilation counted the gaps between taps (CS231n and numpy-ml do: 0 = ordinary). "
            f"Here, as in PyTorch, dilation is the step between taps (1 = ordinary): {tap}.",
            lambda c, x, w, b: c.reference(x, w, b, dilation=tuple(d + 1 for d in c.per_axis("dilation"))),
        ),
        _Mistake(
            "dilation_minus_one",
            "dilation - 1",
            "off by one in the dilation: your answers match dilation - 1, so your taps are one pixel too close. "
            f"d - 1 is the number of skipped pixels between taps; the step is d: {tap}.",
            _dilation_minus_one,
        ),
        _Mistake(
            "dilation_ignored",
            "dilation = 1",
            f"the dilation is ignored: your answers match dilation = 1. Spread the taps d apart: {tap}.",
            lambda c, x, w, b: c.reference(x, w, b, dilation=1),
        ),
        _Mistake(
            "padding_ignored",
            "padding = 0",
            f"the padding is ignored: your answers match padding = 0. Add p zeros on both sides first: {pad}.",
            lambda c, x, w, b: c.reference(x, w, b, padding=0),
        ),
        _Mistake(
            "padding_before_only",
            "padding before the input only",
            f"the padding is on one side only: your answers match p zeros before the input and none after. "
            f"Pad both sides: {pad}.",
            lambda c, x, w, b: _padding_one_side(c, x, w, b, before=True),
        ),
        _Mistake(
            "padding_after_only",
            "padding after the input only",
            f"the padding is on one side only: your answers match p zeros after the input and none before. "
            f"Pad both sides: {pad}.",
            lambda c, x, w, b: _padding_one_side(c, x, w, b, before=False),
        ),
        _Mistake(
            "stride_ignored",
            "stride = 1",
            "the stride is ignored: your answers match stride = 1. Output i starts at input position i*s, "
            "and there are floor((L + 2p - d(k - 1) - 1) / s) + 1 outputs along each axis.",
            lambda c, x, w, b: c.reference(x, w, b, stride=1),
        ),
        _Mistake(
            "kernel_flipped",
            "a flipped kernel",
            "the kernel is flipped: your answers match the reversed kernel, a true (mathematical) convolution. "
            f"Deep learning's 'convolution' is cross-correlation, with no flip: {tap}.",
            lambda c, x, w, b: c.reference(x, np.flip(w, axis=tuple(range(2, w.ndim))), b),
        ),
        _Mistake(
            "bias_ignored",
            "bias = None",
            "the bias is missing: your answers match bias = None. Add bias[co] to every output of channel co.",
            lambda c, x, w, b: c.reference(x, w, None),
        ),
    ]
    if n_spatial == 2:
        mistakes += [
            _Mistake(
                "dilation_swapped",
                "the two dilations swapped",
                "rows and columns are swapped: your answers match dilation = (dw, dh). dilation=(dh, dw) puts "
                f"rows dh apart and columns dw apart: {tap}.",
                lambda c, x, w, b: c.reference(x, w, b, dilation=c.per_axis("dilation")[::-1]),
            ),
            _Mistake(
                "dilation_first_only",
                "the first dilation on both axes",
                "only the first dilation is used: your answers match dilation = (dh, dh). Use dh along rows "
                f"(ki) and dw along columns (kj): {tap}.",
                lambda c, x, w, b: c.reference(x, w, b, dilation=(c.per_axis("dilation")[0],) * 2),
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
    mistake: _Mistake, case: ConvCase, operands: tuple[np.ndarray, np.ndarray, np.ndarray | None]
) -> np.ndarray | None:
    try:
        answer: np.ndarray = mistake.answer(case, *operands)
        return answer
    except (ValueError, TypeError):  # the mistaken call does not fit this case (e.g. a kernel too large)
        return None


def _not_an_array(got: Any) -> str | None:
    """Why ``got`` is not an array of numbers, or None when it is one."""
    if got is None:
        return "It returned None: did you forget `return out`?"
    if not isinstance(got, np.ndarray):
        return f"It returned a {type(got).__name__}, not a NumPy array (np.ndarray)."
    if got.dtype.kind not in "biuf":
        return f"It returned an array of {got.dtype}, not of numbers."
    return None


def _check_conv(fn: ConvFunction, cases: list[ConvCase], covers: str, quiet: bool) -> Verdict:
    name = _name(fn)
    n_spatial = cases[0].n_spatial
    operands = [case.operands(seed) for seed, case in enumerate(cases)]
    expected = [case.reference(*ops) for case, ops in zip(cases, operands)]
    answers = []
    for number, (case, (x, w, b)) in enumerate(zip(cases, operands), start=1):
        where = f"Case {number} of {len(cases)}: {case.describe()}."
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
            return _finish(_not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            lines = [where, *_exception_lines(error)]
            if isinstance(error, TypeError) and any(
                isinstance(v, tuple) for v in (case.stride, case.padding, case.dilation)
            ):
                lines.append("Stride, padding and dilation may each be an int or a (rows, columns) pair.")
            return _finish(_failure(name, lines, "raised"), quiet)
        problem = _not_an_array(got)
        if problem:
            shape = expected[number - 1].shape
            return _finish(
                _failure(name, [where, problem, f"Expected an array of shape {shape}."], "not_an_array"), quiet
            )
        answers.append(got)

    wrong = [n for n, (got, exp) in enumerate(zip(answers, expected)) if not _same(got, exp)]
    if not wrong:
        return _finish(Verdict(ok=True, message=f"✓ {name} is right on all {len(cases)} cases ({covers})."), quiet)

    first = wrong[0]
    case, got, exp = cases[first], answers[first], expected[first]
    lines = [f"Case {first + 1} of {len(cases)}: {case.describe()}."]
    if got.shape != exp.shape:
        lines.append(f"Expected output shape {exp.shape}, got {got.shape}.")
    for mistake in _conv_mistakes(n_spatial):
        guesses = [_try(mistake, c, ops) for c, ops in zip(cases, operands)]
        # The mistake must explain every wrong answer and contradict no right one.
        if all(_same(a, g) or (g is None and n not in wrong) for n, (a, g) in enumerate(zip(answers, guesses))):
            lines.append(f"Diagnosis: {mistake.advice}")
            return _finish(_failure(name, lines, mistake.key), quiet)

    if got.shape != exp.shape:
        sizes = [
            f"floor(({i} + 2*{p} - {d}*({k} - 1) - 1) / {s}) + 1 = {o}"
            for i, k, s, p, d, o in zip(
                case.input_shape[2:],
                case.weight_shape[2:],
                case.per_axis("stride"),
                case.per_axis("padding"),
                case.per_axis("dilation"),
                exp.shape[2:],
            )
        ]
        lines.append(
            "Along each spatial axis the output has floor((i + 2p - d(k - 1) - 1) / s) + 1 positions: "
            + "; ".join(sizes)
            + "."
        )
        alike = [
            m.looks_like
            for m in _conv_mistakes(n_spatial)
            if (g := _try(m, case, operands[first])) is not None and g.shape == got.shape
        ]
        if alike:
            lines.append(f"Your shape is what you get with {' or '.join(alike)}.")
        return _finish(_failure(name, lines, "shape"), quiet)

    differ = ~np.isclose(got, exp, rtol=1e-9, atol=1e-9)
    index = tuple(int(v) for v in np.argwhere(differ)[0])
    lines.append(
        f"Right shape {exp.shape}, but {int(differ.sum())} of {exp.size} values differ; the first at index {index}: "
        f"expected {exp[index]:g}, got {got[index]:g}."
    )
    return _finish(_failure(name, lines, "values"), quiet)


def check_conv1d(fn: ConvFunction, *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(input, weight, bias=None, stride=1, padding=0, dilation=1)`` against ``naive.conv1d``.

    ``fn`` gets NumPy arrays, input (N, C_in, L) and weight (C_out, C_in, k), a bias (C_out,) or
    None, and ints stride, padding and dilation by keyword. It must return a NumPy array
    (N, C_out, L_out) with ``L_out = output_size(L, k, stride, padding, dilation)``.

    Parameters
    ----------
    fn : the learner's function
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` names the diagnosis, e.g. ``"dilation_gaps"``, ``"padding_before_only"``,
        ``"stride_ignored"``, ``"kernel_flipped"``; or ``"not_implemented"``, ``"raised"``, ``"not_an_array"``,
        ``"shape"``, ``"values"``.

    Examples
    --------
    >>> from dilconv_lib import naive
    >>> verdict = check_conv1d(naive.conv1d)
    ✓ conv1d is right on all 7 cases (dilations 1 to 4, padding, stride, channels, a batch and a bias).
    >>> def no_stride(input, weight, bias=None, stride=1, padding=0, dilation=1):
    ...     return naive.conv1d(input, weight, bias, 1, padding, dilation)
    >>> check_conv1d(no_stride, quiet=True).mistake
    'stride_ignored'
    """
    return _check_conv(fn, CONV1D_CASES, "dilations 1 to 4, padding, stride, channels, a batch and a bias", quiet)


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
        Its ``mistake`` names the diagnosis, as for :func:`check_conv1d`, plus ``"dilation_swapped"``
        and ``"dilation_first_only"`` for per-axis dilation.

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
    covers = "square and per-axis stride, padding and dilation, channels, a batch and a bias"
    return _check_conv(fn, CONV2D_CASES, covers, quiet)


# --- 00: the effective kernel size --------------------------------------------------------------------------

KERNEL_MISTAKES = [
    _Mistake(
        "dilation_gaps",
        "dilation + 1",
        "off by one in the dilation: your answers match dilation + 1, as if dilation counted the gaps between "
        "taps (CS231n and numpy-ml do: 0 = ordinary). Here, as in PyTorch, d is the step between taps.",
        lambda k, d: (d + 1) * (k - 1) + 1,
    ),
    _Mistake(
        "kernel_no_plus_one",
        "d(k - 1)",
        "one pixel short: d(k - 1) is the distance from the first tap to the last; the kernel covers both "
        "end taps, so it spans d(k - 1) + 1 pixels.",
        lambda k, d: d * (k - 1),
    ),
    _Mistake(
        "kernel_times_dilation",
        "k*d",
        "not k*d: k taps have k - 1 steps of d between them, plus the last tap, so the kernel spans "
        "d(k - 1) + 1 pixels (k*d counts one step too many).",
        lambda k, d: k * d,
    ),
    _Mistake(
        "dilation_ignored",
        "k",
        "the dilation is ignored: your answers are k. The taps are d apart, so the kernel spans d(k - 1) + 1 pixels.",
        lambda k, d: k,
    ),
]

# (kernel_size, dilation)
KERNEL_CASES = [(3, 1), (3, 2), (3, 3), (3, 4), (5, 2), (2, 8), (1, 5), (7, 3), (3, 16)]


def _first_wrong(answers: list[Any], expected: list[Any]) -> int:
    return next(n for n, (a, e) in enumerate(zip(answers, expected)) if a != e)


def check_effective_kernel_size(fn: Callable[..., Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(kernel_size, dilation)``: the pixels ``k`` taps ``d`` apart span, ``d(k - 1) + 1``.

    Parameters
    ----------
    fn : the learner's function, called with two ints
    quiet : when True, return the verdict without printing it

    Returns
    -------
    Verdict
        Its ``mistake`` is one of ``KERNEL_MISTAKES``' keys, or ``"not_implemented"``, ``"raised"``,
        ``"not_an_int"``, ``"values"``.

    Examples
    --------
    >>> verdict = check_effective_kernel_size(lambda kernel_size, dilation: dilation * (kernel_size - 1) + 1)
    ✓ <lambda> is right on all 9 cases (kernels of 1 to 7 taps, dilations 1 to 16).
    >>> def my_span(kernel_size, dilation):
    ...     return dilation * (kernel_size - 1)  # the distance between the end taps
    >>> check_effective_kernel_size(my_span, quiet=True).mistake
    'kernel_no_plus_one'
    """
    name = _name(fn)
    answers, expected = [], []
    for k, d in KERNEL_CASES:
        right = d * (k - 1) + 1
        try:
            got = fn(k, d)
        except NotImplementedError:
            return _finish(_not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            return _finish(_failure(name, [f"{name}({k}, {d}):", *_exception_lines(error)], "raised"), quiet)
        if not _is_int(got):
            lines = [f"{name}({k}, {d}) returned {got!r} ({type(got).__name__}); expected the int {right}."]
            return _finish(_failure(name, lines, "not_an_int"), quiet)
        answers.append(int(got))
        expected.append(right)
    if answers == expected:
        message = f"✓ {name} is right on all {len(KERNEL_CASES)} cases (kernels of 1 to 7 taps, dilations 1 to 16)."
        return _finish(Verdict(ok=True, message=message), quiet)
    first = _first_wrong(answers, expected)
    k, d = KERNEL_CASES[first]
    lines = [f"{name}({k}, {d}) returned {answers[first]}; expected {expected[first]}."]
    for mistake in KERNEL_MISTAKES:
        if all(mistake.answer(*case) == got for case, got in zip(KERNEL_CASES, answers)):
            lines.append(f"Diagnosis: {mistake.advice}")
            return _finish(_failure(name, lines, mistake.key), quiet)
    lines.append(f"The formula: d(k - 1) + 1 = {d}·({k} - 1) + 1 = {expected[first]}.")
    return _finish(_failure(name, lines, "values"), quiet)


# --- 07: a causal stack without holes -----------------------------------------------------------------------

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
    name = _name(fn)
    for n in CAUSAL_LAYERS:
        call = f"{name}({n})"
        try:
            got = fn(n)
        except NotImplementedError:
            return _finish(_not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            return _finish(_failure(name, [f"{call}:", *_exception_lines(error)], "raised"), quiet)
        if not isinstance(got, list | tuple) or not all(_is_int(d) and d >= 1 for d in got):
            lines = [f"{call} returned {got!r}; expected a list of {n} ints >= 1, one dilation per layer."]
            return _finish(_failure(name, lines, "not_a_list"), quiet)
        dilations = [int(d) for d in got]
        if len(dilations) != n:
            lines = [f"{call} returned {len(dilations)} dilations, {dilations}; expected one per layer, {n}."]
            return _finish(_failure(name, lines, "wrong_length"), quiet)
        field = 1 + (CAUSAL_TAPS - 1) * sum(dilations)
        reached = _causal_offsets(dilations)
        missing = sorted(set(range(field)) - reached)
        if missing:
            lines = [
                f"{call} = {dilations}: a field of {field} steps, but output t never reads {len(missing)} of them, "
                f"e.g. t - {missing[0]}.",
                "Diagnosis: holes. Sorted from small to large, each dilation may be at most the field of the layers "
                "before it (1 + 2 x their sum), so that its three copies of that field leave no gap.",
            ]
            return _finish(_failure(name, lines, "holes"), quiet)
        if field != CAUSAL_TAPS**n:
            lines = [f"{call} = {dilations}: a field of {field} steps without holes; {n} layers can read {3**n}."]
            if sorted(dilations) == [2**i for i in range(n)]:
                lines.append(
                    "Diagnosis: WaveNet's doubling dilations suit its two taps. With three taps a layer can triple "
                    "the steps reached: make each dilation the field of the layers before it."
                )
                return _finish(_failure(name, lines, "doubling"), quiet)
            lines.append(
                f"Diagnosis: too narrow. The steps reached are sums of j_l d_l with j_l in 0, 1, 2: at most 3^{n} = "
                f"{3**n} of them. To reach them all, make each dilation as large as the field of the layers before it."
            )
            return _finish(_failure(name, lines, "too_narrow"), quiet)
    message = (
        f"✓ {name} gives a causal field of 3^n steps without holes for 1 to {CAUSAL_LAYERS[-1]} layers "
        f"({3 ** CAUSAL_LAYERS[-1]} with {CAUSAL_LAYERS[-1]})."
    )
    return _finish(Verdict(ok=True, message=message), quiet)


# --- 07: the share of valid taps ------------------------------------------------------------------------------

SHARE_MISTAKES = [
    _Mistake(
        "negative_taps",
        "n - r below zero",
        "an outer tap is valid on max(n - r, 0) positions: never fewer than 0 (from r = n on, only the centre "
        "tap is left).",
        lambda n, r: ((1 + 2 * (n - r) / n) / 3) ** 2,
    ),
    _Mistake(
        "centre_missing",
        "no centre tap",
        "the centre tap is always valid: per axis the count is 1 + 2 max(n - r, 0) / n.",
        lambda n, r: (2 * max(n - r, 0) / n / 3) ** 2,
    ),
    _Mistake(
        "not_squared",
        "one axis only",
        "rows and columns are independent: square the share of one axis.",
        lambda n, r: (1 + 2 * max(n - r, 0) / n) / 3,
    ),
    _Mistake(
        "one_outer_tap",
        "one outer tap per axis",
        "there are two outer taps per axis, at -r and +r, each valid on n - r of the n positions.",
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

    name = _name(fn)
    answers = []
    for n, r in SHARE_CASES:
        try:
            got = fn(n, r)
        except NotImplementedError:
            return _finish(_not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            return _finish(_failure(name, [f"{name}({n}, {r}):", *_exception_lines(error)], "raised"), quiet)
        if not isinstance(got, numbers.Real) or isinstance(got, bool):
            lines = [f"{name}({n}, {r}) returned {got!r}; expected a number between 0 and 1."]
            return _finish(_failure(name, lines, "not_a_number"), quiet)
        answers.append(float(got))
    expected = [valid_tap_fraction(n, r) for n, r in SHARE_CASES]
    wrong = [m for m, (a, e) in enumerate(zip(answers, expected)) if not math.isclose(a, e)]
    if not wrong:
        message = f"✓ {name} is right on all {len(SHARE_CASES)} cases (maps of 1 to 65 pixels, rates 1 to 100)."
        return _finish(Verdict(ok=True, message=message), quiet)
    n, r = SHARE_CASES[wrong[0]]
    lines = [f"{name}({n}, {r}) returned {answers[wrong[0]]:.4f}; expected {expected[wrong[0]]:.4f}."]
    for mistake in SHARE_MISTAKES:
        if all(math.isclose(mistake.answer(*case), got) for case, got in zip(SHARE_CASES, answers)):
            lines.append(f"Diagnosis: {mistake.advice}")
            return _finish(_failure(name, lines, mistake.key), quiet)
    lines.append("Count the valid taps of one axis first: the centre tap, and each outer tap on max(n - r, 0) of n.")
    return _finish(_failure(name, lines, "values"), quiet)


# --- 07: DeepLab v2's ASPP by hand ----------------------------------------------------------------------------


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

    name = _name(fn)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        module = ASPP(3, 5, variant="v2").double()
        x = torch.randn(2, 3, 33, 33, dtype=torch.float64)
    try:
        got = fn(x.clone(), module)
    except NotImplementedError:
        return _finish(_not_implemented(name), quiet)
    except Exception as error:  # anything the learner's code raises is reported, not re-raised
        lines = _exception_lines(error)
        if isinstance(error, RuntimeError):
            lines.append("Each branch must keep the 33 x 33 size: pad it by its own rate.")
        return _finish(_failure(name, lines, "raised"), quiet)
    convs: list[torch.nn.Conv2d] = [c for c in module.branches if isinstance(c, torch.nn.Conv2d)]
    r0 = module.rates[0]
    with torch.no_grad():
        expected = module(x)  # (2, 5, 33, 33)
        branches = [F.conv2d(x, c.weight, c.bias, padding=r, dilation=r) for c, r in zip(convs, module.rates)]
        one_rate = torch.stack([F.conv2d(x, c.weight, c.bias, padding=r0, dilation=r0) for c in convs]).sum(dim=0)
        relu_sum = torch.stack([F.relu(b) for b in branches]).sum(dim=0)
    if not isinstance(got, torch.Tensor):
        lines = [f"It returned a {type(got).__name__}; expected a tensor of shape {tuple(expected.shape)}."]
        return _finish(_failure(name, lines, "not_a_tensor"), quiet)
    got = got.detach()
    if got.shape != expected.shape:
        lines = [f"Expected shape {tuple(expected.shape)}, got {tuple(got.shape)}."]
        if got.ndim == 4 and got.shape[1] == len(branches) * 5:
            lines.append("Diagnosis: v2 sums its four branches; concatenating them gives 4 x C_out channels.")
            return _finish(_failure(name, lines, "concatenated"), quiet)
        return _finish(_failure(name, lines, "shape"), quiet)
    if torch.allclose(got, expected, rtol=0, atol=1e-10):
        message = f"✓ {name} matches ASPP(variant='v2'): four rates, each its own padding, summed."
        return _finish(Verdict(ok=True, message=message), quiet)
    lines = [f"Right shape {tuple(got.shape)}, wrong values."]
    for key, guess, advice in [
        ("relu", relu_sum, "v2's branches give class scores: sum them without a ReLU."),
        ("one_rate", one_rate, f"every branch used rate {r0}: give each branch its own rate (module.rates)."),
    ]:
        if torch.allclose(got, guess, rtol=0, atol=1e-10):
            lines.append(f"Diagnosis: {advice}")
            return _finish(_failure(name, lines, key), quiet)
    lines.append("Use each branch's own rate as its dilation and padding, its weight and bias, and sum the four.")
    return _finish(_failure(name, lines, "values"), quiet)


# --- notebooks 02 and 03: the zero-inserted kernel, and the backward pass --------------------------


def _call(fn: Callable[..., Any], name: str, quiet: bool, *args: Any) -> tuple[Any, Verdict | None]:
    """Call the learner's function; a stub or an exception becomes the verdict to return."""
    try:
        return fn(*args), None
    except NotImplementedError:
        return None, _finish(_not_implemented(name), quiet)
    except Exception as error:  # anything the learner's code raises is reported, not re-raised
        return None, _finish(_failure(name, _exception_lines(error), "raised"), quiet)


def _as_array(got: Any, name: str, expected_shape: tuple[int, ...], quiet: bool) -> tuple[Any, Verdict | None]:
    problem = _not_an_array(got)
    if problem is not None:
        return None, _finish(_failure(name, [problem], "not_an_array"), quiet)
    got = np.asarray(got, dtype=float)
    if got.shape != expected_shape:
        return got, _finish(_failure(name, [f"Expected shape {expected_shape}, got {got.shape}."], "shape"), quiet)
    return got, None


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

    name = _name(fn)
    cases: list[tuple[tuple[int, int, int, int], IntOrPair]] = [
        ((1, 1, 3, 3), 1),
        ((1, 1, 3, 3), 2),
        ((2, 3, 3, 3), 4),
        ((1, 2, 2, 3), (3, 2)),
    ]
    for shape, d in cases:
        w = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
        expected = dilate_kernel(w, d)
        got, stop = _call(fn, name, quiet, w.copy(), d)
        if stop is not None:
            return stop
        case = f"weight {shape}, dilation {d}"
        problem = _not_an_array(got)
        if problem is not None:
            return _finish(_failure(name, [f"{case}: {problem}"], "not_an_array"), quiet)
        got = np.asarray(got)
        if got.shape != expected.shape:
            dh, dw = (d, d) if isinstance(d, int) else d
            lines = [f"{case}: shape {got.shape}, expected {expected.shape}."]
            if got.shape[2:] == (dh * (shape[2] - 1), dw * (shape[3] - 1)):
                lines.append("Diagnosis: the extent is d * (k - 1) + 1: the last tap needs its own pixel.")
                return _finish(_failure(name, lines, "extent"), quiet)
            if got.shape[2:] == (dh * shape[2], dw * shape[3]):
                lines.append("Diagnosis: d * k is one gap too many: k taps have k - 1 gaps of d, so d * (k - 1) + 1.")
                return _finish(_failure(name, lines, "extent"), quiet)
            lines.append("The dense kernel is d * (k - 1) + 1 pixels along each axis.")
            return _finish(_failure(name, lines, "shape"), quiet)
        if not np.array_equal(got, expected):
            first = np.argwhere(got != expected)[0].tolist()
            lines = [f"{case}: right shape, but the values at {first} differ (and maybe more)."]
            lines.append("The taps belong at rows 0, d, 2d, ... and columns 0, d, 2d, ...; zeros everywhere else.")
            return _finish(_failure(name, lines, "values"), quiet)
    message = f"✓ {name} is right on all {len(cases)} cases (square and per-axis dilations, channels)."
    return _finish(Verdict(ok=True, message=message), quiet)


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
    name = _name(fn)

    def grid(ki: int, kj: int, n: int, s: int, d: int) -> set[tuple[int, int]]:
        return {(i * s + ki * d, j * s + kj * d) for i in range(n) for j in range(n)}

    for k, d, s, n_out in [(3, 3, 2, 4), (3, 1, 1, 4), (2, 4, 3, 3), (3, 2, 2, 3)]:
        for ki in range(k):
            for kj in range(k):
                got, stop = _call(fn, name, quiet, ki, kj, n_out, s, d)
                if stop is not None:
                    return stop
                expected = grid(ki, kj, n_out, s, d)
                try:
                    got = {(int(r), int(c)) for r, c in got}
                except (TypeError, ValueError):
                    lines = [f"It returned {type(got).__name__}; expected a set of (row, column) pairs."]
                    return _finish(_failure(name, lines, "values"), quiet)
                if got == expected:
                    continue
                where = f"k={k}, dilation={d}, stride={s}, tap ({ki}, {kj}), {n_out}x{n_out} outputs"
                lines = [f"{where}: missing {sorted(expected - got)[:4]}, extra {sorted(got - expected)[:4]}."]
                if got == grid(ki, kj, n_out, d, s):
                    lines.append(
                        "Diagnosis: stride and dilation are swapped: output i moves by the stride, tap ki by d."
                    )
                    return _finish(_failure(name, lines, "swapped"), quiet)
                lines.append("Output (i, j) reads tap (ki, kj) at (i*stride + ki*dilation, j*stride + kj*dilation).")
                return _finish(_failure(name, lines, "values"), quiet)
    message = (
        f"✓ {name} is right: tap (ki, kj) reads a grid of step `stride` that starts at (ki*dilation, kj*dilation)."
    )
    return _finish(Verdict(ok=True, message=message), quiet)


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

    name = _name(fn)
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.standard_normal((2, 2, 6, 7)))
    w = torch.from_numpy(rng.standard_normal((3, 2, 2, 2)))
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, w, b, dilation=2)
    g = rng.standard_normal(tuple(y.shape))
    y.backward(torch.from_numpy(g))
    assert b.grad is not None
    expected = b.grad.numpy()
    got, stop = _call(fn, name, quiet, g.copy())
    if stop is not None:
        return stop
    got, stop = _as_array(got, name, expected.shape, quiet)
    if stop is not None:
        if got is not None and got.shape == (2, 3):
            lines = [f"Expected shape {expected.shape}, got {got.shape}: one number per output channel."]
            lines.append("Diagnosis: sum over the batch too: axes 0, 2 and 3, keeping axis 1.")
            return _finish(_failure(name, lines, "batch"), quiet)
        return stop
    if np.allclose(got, expected):
        message = f"✓ {name} is right: b[o] is added at every (n, i, j), so its gradient sums grad_output over them."
        return _finish(Verdict(ok=True, message=message), quiet)
    lines = [f"Values {got.round(3)}, expected {expected.round(3)}."]
    for key, guess, advice in [
        ("batch", g[0].sum(axis=(1, 2)), "the sum leaves out the batch: sum over axes 0, 2 and 3."),
        ("mean", g.mean(axis=(0, 2, 3)), "a mean, not a sum: every (n, i, j) adds its full gradient."),
    ]:
        if np.allclose(got, guess):
            lines.append(f"Diagnosis: {advice}")
            return _finish(_failure(name, lines, key), quiet)
    return _finish(_failure(name, lines, "values"), quiet)


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

    name = _name(fn)
    cases = [(11, 3, 2, 2, 2), (10, 3, 2, 2, 2), (9, 3, 3, 0, 1), (16, 2, 3, 1, 4), (7, 3, 1, 1, 2), (12, 3, 4, 1, 2)]
    rng = np.random.default_rng(2)
    for size, k, s, p, d in cases:
        r = (size + 2 * p - d * (k - 1) - 1) % s
        got, stop = _call(fn, name, quiet, size, k, s, p, d)
        if stop is not None:
            return stop
        where = f"size={size}, kernel_size={k}, stride={s}, padding={p}, dilation={d}"
        if not _is_int(got):
            lines = [f"{where}: got {got!r}; output_padding is an int from 0 to stride - 1 = {s - 1}."]
            return _finish(_failure(name, lines, "not_an_int"), quiet)
        if got == r:
            continue
        lines = [f"{where}: got {got}, expected {r}."]
        for key, guess, advice in [
            ("no_dilation", (size + 2 * p - k) % s, "the window spans d(k - 1) + 1 pixels, not k."),
            (
                "no_mod",
                size + 2 * p - d * (k - 1) - 1,
                "take it modulo the stride: only the rows after the last window.",
            ),
            ("one_side", (size + p - d * (k - 1) - 1) % s, "the padding is on both sides: 2p."),
        ]:
            if got == guess:
                lines.append(f"Diagnosis: {advice}")
                return _finish(_failure(name, lines, key), quiet)
        if 0 <= got < s:
            x = torch.from_numpy(rng.standard_normal((1, 1, size, size))).requires_grad_()
            w = torch.from_numpy(rng.standard_normal((1, 1, k, k)))
            y = F.conv2d(x, w, stride=s, padding=p, dilation=d)
            back = F.conv_transpose2d(torch.ones_like(y), w, None, stride=s, padding=p, output_padding=got, dilation=d)
            lines.append(f"With it F.conv_transpose2d gives back {back.shape[-1]} pixels, not {size}.")
        lines.append("Count the padded pixels after the last window: (size + 2p) minus where it ends, modulo s.")
        return _finish(_failure(name, lines, "values"), quiet)
    message = f"✓ {name} is right: r = (size + 2p - d(k - 1) - 1) mod s, the pixels after the last window."
    return _finish(Verdict(ok=True, message=message), quiet)


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
    name = _name(fn)
    for i, (n, c_in, length, c_out, k, d) in enumerate(_GRAD_1D_CASES):
        case = _conv1d_autograd(n, c_in, length, c_out, k, d, seed=10 + i)
        got, stop = _call(fn, name, quiet, case["g"].copy(), case["w"].copy(), d)
        if stop is not None:
            return stop
        where = f"N={n}, C_in={c_in}, L_in={length}, C_out={c_out}, k={k}, dilation={d}"
        got, stop = _as_array(got, name, case["dx"].shape, quiet)
        if stop is not None:
            if got is not None and got.shape[:2] == (n, c_in) and got.shape[2] != length:
                lines = [f"{where}: length {got.shape[2]}, expected L_in = {length}."]
                l_out = case["g"].shape[2]
                if d > 1 and got.shape[2] in (l_out + (2 * d - 1) * (k - 1), l_out + k - 1):
                    lines.append("Diagnosis: correlate at the same dilation d as the forward pass, not at 1.")
                    return _finish(_failure(name, lines, "dilation"), quiet)
                lines.append("Pad grad_output with d(k - 1) zeros on each side: every input pixel then gets k taps.")
                return _finish(_failure(name, lines, "padding"), quiet)
            if got is not None and got.shape[:2] == (n, c_out):
                lines = [f"{where}: {got.shape[1]} channels, expected C_in = {c_in}."]
                lines.append("Swap the kernel's channels, w.transpose(1, 0, 2): it carries C_out back to C_in.")
                return _finish(_failure(name, lines, "channels"), quiet)
            return stop
        if np.allclose(got, case["dx"], rtol=1e-9, atol=1e-9):
            continue
        from dilconv_lib import naive

        w_t, pad = case["w"].transpose(1, 0, 2), d * (k - 1)
        lines = [f"{where}: right shape, wrong values (autograd's first row {case['dx'][0, 0, :6].round(3)}, ...)."]
        for key, guess, advice in [
            ("not_flipped", naive.conv1d(case["g"], w_t, padding=pad, dilation=d), "flip the kernel: w[:, :, ::-1]."),
            (
                "dilation",
                naive.conv1d(case["g"], w_t[:, :, ::-1], padding=pad, dilation=1),
                "correlate at the same dilation d as the forward pass.",
            ),
        ]:
            if guess.shape == got.shape and np.allclose(got, guess):
                lines.append(f"Diagnosis: {advice}")
                return _finish(_failure(name, lines, key), quiet)
        lines.append("Input pixel u collects g[i] * w[ki] from every output i = u - d*ki that read it.")
        return _finish(_failure(name, lines, "values"), quiet)
    message = (
        f"✓ {name} agrees with autograd on all {len(_GRAD_1D_CASES)} cases: "
        "pad by d(k-1), flip the kernel, swap its channels."
    )
    return _finish(Verdict(ok=True, message=message), quiet)


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
    name = _name(fn)

    def formula(x: np.ndarray, g: np.ndarray, k: int, d: int) -> np.ndarray:
        return np.stack([np.einsum("noi,nci->oc", g, x[:, :, d * ki : d * ki + g.shape[2]]) for ki in range(k)], -1)

    for i, (n, c_in, length, c_out, k, d) in enumerate(_GRAD_1D_CASES):
        case = _conv1d_autograd(n, c_in, length, c_out, k, d, seed=20 + i)
        got, stop = _call(fn, name, quiet, case["x"].copy(), case["g"].copy(), k, d)
        if stop is not None:
            return stop
        where = f"N={n}, C_in={c_in}, L_in={length}, C_out={c_out}, k={k}, dilation={d}"
        got, stop = _as_array(got, name, case["dw"].shape, quiet)
        if stop is not None:
            if got is not None and got.shape == (c_in, c_out, k):
                lines = [f"{where}: shape {got.shape}, expected (C_out, C_in, k) = {case['dw'].shape}."]
                lines.append("Diagnosis: the channel axes are swapped: transpose the first two.")
                return _finish(_failure(name, lines, "channels"), quiet)
            return stop
        if np.allclose(got, case["dw"], rtol=1e-9, atol=1e-9):
            continue
        lines = [f"{where}: right shape, wrong values."]
        if n > 1 and np.allclose(got, formula(case["x"][:1], case["g"][:1], k, d)):
            lines.append("Diagnosis: sum over the batch too: every image adds its share to the same weight.")
            return _finish(_failure(name, lines, "batch"), quiet)
        if d > 1 and length - (k - 1) >= case["g"].shape[2] and np.allclose(got, formula(case["x"], case["g"], k, 1)):
            lines.append("Diagnosis: tap ki reads x from d * ki on, not ki: the taps are d apart.")
            return _finish(_failure(name, lines, "dilation"), quiet)
        lines.append("dL/dw[o, c, ki] = sum over n and i of g[n, o, i] * x[n, c, i + d * ki].")
        return _finish(_failure(name, lines, "values"), quiet)
    message = (
        f"✓ {name} agrees with autograd on all {len(_GRAD_1D_CASES)} cases: "
        "each tap sums g times the pixels it read, over the batch."
    )
    return _finish(Verdict(ok=True, message=message), quiet)


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
    name = _name(fn)
    x0 = np.random.default_rng(3).standard_normal((2, 3))

    def f(x: np.ndarray) -> float:
        return float(np.sum(np.sin(x) * x**2))

    exact = np.cos(x0) * x0**2 + 2 * x0 * np.sin(x0)
    eps = 1e-2  # large enough that a one-sided difference is visibly off, central is within 1e-4
    x = x0.copy()
    got, stop = _call(fn, name, quiet, f, x, eps)
    if stop is not None:
        return stop
    got, stop = _as_array(got, name, x0.shape, quiet)
    if stop is not None:
        return stop
    if not np.array_equal(x, x0):
        lines = ["x holds other values after the call: put each entry back after perturbing it."]
        return _finish(_failure(name, lines, "x_changed"), quiet)
    if np.allclose(got, exact, rtol=0, atol=1e-3):
        return _finish(
            Verdict(ok=True, message=f"✓ {name} is right: central differences, every entry, x left as it was."), quiet
        )
    lines = [f"Got {got.ravel()[:3].round(4)}, ..., expected about {exact.ravel()[:3].round(4)}, ..."]
    forward = np.array([(f(x0 + eps * e) - f(x0)) / eps for e in np.eye(x0.size).reshape(-1, *x0.shape)])
    for key, guess, advice in [
        ("half", exact * 2, "divide by 2 * eps: the two points are 2 * eps apart."),
        ("one_sided", forward.reshape(x0.shape), "a one-sided difference: use f(x + eps) - f(x - eps), over 2 * eps."),
    ]:
        if np.allclose(got, guess, rtol=0, atol=1e-3 * max(1.0, float(np.abs(guess).max()))):
            lines.append(f"Diagnosis: {advice}")
            return _finish(_failure(name, lines, key), quiet)
    lines.append("Perturb one entry at a time, by +eps and by -eps, and divide the difference of f by 2 * eps.")
    return _finish(_failure(name, lines, "values"), quiet)


__all__ += [
    "check_conv1d_grad_input",
    "check_conv1d_grad_weight",
    "check_dilate_kernel",
    "check_grad_bias",
    "check_numerical_gradient",
    "check_output_padding",
    "check_pixels_read",
]
# --- 04-06: receptive fields, gridding and the context module ---------------------------------------------------


def _run_cases(
    fn: Callable[..., Any],
    cases: list[tuple[Any, ...]],
    expected: Callable[..., Any],
    same: Callable[[Any, Any], bool],
    mistakes: list[_Mistake],
    fallback: str,
    success: str,
    quiet: bool,
    convert: Callable[[Any], Any] = lambda value: value,
    shown: Callable[[tuple[Any, ...]], str] | None = None,
) -> Verdict:
    """Call ``fn(*case)`` on every case; compare with ``expected(*case)``; name a mistake that explains all answers.

    ``convert`` turns an answer into the form ``same`` compares (it may raise TypeError or ValueError with
    a message for the learner). ``success`` is the message after the function's name; ``shown`` writes a
    case's arguments.
    """
    name = _name(fn)
    shown = shown or (lambda case: ", ".join(map(repr, case)))
    answers = []
    for case in cases:
        call = f"{name}({shown(case)})"
        try:
            raw = fn(*case)
        except NotImplementedError:
            return _finish(_not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            return _finish(_failure(name, [f"{call}:", *_exception_lines(error)], "raised"), quiet)
        try:
            answers.append(convert(raw))
        except (TypeError, ValueError) as error:
            return _finish(_failure(name, [f"{call} returned {raw!r}: {error}"], "wrong_type"), quiet)
    wrong = [n for n, (case, got) in enumerate(zip(cases, answers)) if not same(got, expected(*case))]
    if not wrong:
        return _finish(Verdict(ok=True, message=f"✓ {name} {success}"), quiet)
    case = cases[wrong[0]]
    call = f"{name}({shown(case)})"
    lines = [f"{call} returned {answers[wrong[0]]!r}; expected {expected(*case)!r}."]
    for mistake in mistakes:
        explains = True
        for c, got in zip(cases, answers):
            try:
                explains = same(got, mistake.answer(*c))
            except Exception:  # a mistake's formula may not apply to every case
                explains = False
            if not explains:
                break
        if explains:
            lines.append(f"Diagnosis: that is what you get with {mistake.looks_like}: {mistake.advice}")
            return _finish(_failure(name, lines, mistake.key), quiet)
    lines.append(fallback)
    return _finish(_failure(name, lines, "values"), quiet)


def _one_int(value: Any) -> int:
    if not _is_int(value):
        raise TypeError("expected an int")
    return int(value)


def _int_list(value: Any) -> list[int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError("expected a list of ints")
    items = list(value)
    if not all(_is_int(v) for v in items):
        raise TypeError("expected a list of ints")
    return [int(v) for v in items]


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
    """Check a learner's ``fn(kernel_sizes, dilations, strides=None)``: ``R_1 .. R_L`` as a list (notebook 04).

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
        _Mistake(
            "start_zero",
            "R_0 = 0",
            "start from R_0 = 1: with no layer a pixel sees itself.",
            lambda k, d, s: _fields_with(k, d, s, "start_zero"),
        ),
        _Mistake(
            "k_times_d",
            "k * d per layer",
            "a kernel of k taps has k - 1 steps between its first and last tap: (k - 1) * d.",
            lambda k, d, s: _fields_with(k, d, s, "k_times_d"),
        ),
        _Mistake(
            "own_stride",
            "each layer's own stride in its jump",
            "a layer's stride widens the steps of the layers above it, not its own: J_l = prod_(j<l) s_j.",
            lambda k, d, s: _fields_with(k, d, s, "own_stride"),
        ),
    ]
    return _run_cases(
        fn,
        [tuple(c) for c in RF_CASES],
        receptive_fields,
        lambda a, b: a == b,
        mistakes,
        "Add (k_l - 1) * d_l * J_l per layer, then multiply the jump J by the layer's stride.",
        f"is right on all {len(RF_CASES)} stacks (the context module, dilations, strides).",
        quiet,
        _int_list,
    )


def _layers_to_reach(field: int, *, doubling_short: bool = False) -> tuple[int, int]:
    plain = max(0, -(-(field - 1) // 2))  # the fewest L with 2L + 1 >= field
    doubling = 0
    while 2 ** (doubling + 1) - 1 < field:
        doubling += 1
    if doubling_short and 2 ** (doubling + 1) - 1 > field:
        doubling -= 1
    return plain, doubling


def _int_pair(value: Any) -> tuple[int, int]:
    items = list(value) if isinstance(value, (tuple, list)) else None
    if items is None or len(items) != 2 or not all(_is_int(v) for v in items):
        raise TypeError("expected a pair of ints (plain_layers, doubling_layers)")
    return int(items[0]), int(items[1])


def check_layers_to_reach(fn: Callable[[int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(field)``: the fewest plain 3x3 layers and the fewest doubling layers
    (dilations 1, 2, 4, ...) whose receptive field is at least ``field`` (notebook 04).

    Examples
    --------
    >>> verdict = check_layers_to_reach(lambda field: _layers_to_reach(field))
    ✓ <lambda> is right for fields 3 to 200 (plain 2L + 1, doubling 2^(L+1) - 1).
    >>> check_layers_to_reach(lambda f: _layers_to_reach(f, doubling_short=True), quiet=True).mistake
    'doubling_short'
    """
    cases = [(f,) for f in (3, 5, 15, 33, 64, 67, 100, 127, 200)]
    mistakes = [
        _Mistake(
            "doubling_short",
            "the most doubling layers that stay below or at the field",
            "the question asks for a field of at least that size: take the fewest layers that reach it.",
            lambda f: _layers_to_reach(f, doubling_short=True),
        ),
        _Mistake(
            "plain_k",
            "3 pixels per plain layer",
            "a 3x3 layer adds k - 1 = 2 pixels: R_L = 2L + 1.",
            lambda f: (-(-f // 3), _layers_to_reach(f)[1]),
        ),
    ]
    return _run_cases(
        fn,
        cases,
        lambda f: _layers_to_reach(f),
        lambda a, b: a == b,
        mistakes,
        "Plain: R_L = 2L + 1; doubling: R_L = 2^(L+1) - 1; take the fewest L with R_L >= field.",
        "is right for fields 3 to 200 (plain 2L + 1, doubling 2^(L+1) - 1).",
        quiet,
        _int_pair,
    )


def _plain_gradient(n: int, *, convolutions: int | None = None, outer: bool = True) -> np.ndarray:
    profile = np.array([1])
    for _ in range(n if convolutions is None else convolutions):
        profile = np.convolve(profile, [1, 1, 1])
    return np.outer(profile, profile) if outer else profile


def _array(value: Any) -> np.ndarray:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError("expected an array of numbers") from error


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a.shape == np.shape(b) and np.allclose(a, b))


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
        _Mistake(
            "profile_only",
            "the 1-D profile",
            "the 2-D gradient is np.outer(profile, profile).",
            lambda n: _plain_gradient(n, outer=False),
        ),
        _Mistake(
            "one_short",
            "one convolution fewer",
            "n layers: convolve [1] with [1, 1, 1] n times, giving 2n + 1 entries.",
            lambda n: _plain_gradient(n, convolutions=n - 1),
        ),
        _Mistake(
            "sum",
            "a sum of the profiles",
            "chains of taps combine one row step and one column step: the counts multiply (np.outer), they do not add.",
            lambda n: _plain_gradient(n, outer=False)[:, None] + _plain_gradient(n, outer=False)[None, :],
        ),
    ]
    return _run_cases(
        fn,
        [(n,) for n in range(1, 7)],
        lambda n: impulse_response([1] * n).astype(np.float64),
        _same_array,
        mistakes,
        "Convolve [1] with [1, 1, 1] n times for the profile, then take np.outer(profile, profile).",
        "is right for 1 to 6 layers (the path counts, an outer product of two profiles).",
        quiet,
        _array,
    )


def check_gap_free_rates(fn: Callable[[int], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(min_field)``: rates ``[1, r_2, r_3]`` of three 3x3 layers with no holes and a
    receptive field of at least ``min_field``, for ``min_field`` from 3 to 27 (the widest such field; notebook 05).

    Examples
    --------
    >>> verdict = check_gap_free_rates(lambda min_field: [1, 3, 9])
    ✓ <lambda> is right for every field from 3 to 27: no holes, wide enough.
    >>> check_gap_free_rates(lambda min_field: [1, 2, 9], quiet=True).mistake
    'holes'
    """
    from dilconv_lib.geometry import receptive_fields
    from dilconv_lib.receptive import count_holes, hdc_max_distances

    name = _name(fn)
    for min_field in (3, 9, 15, 21, 25, 27):
        call = f"{name}({min_field})"
        try:
            raw = fn(min_field)
        except NotImplementedError:
            return _finish(_not_implemented(name), quiet)
        except Exception as error:  # anything the learner's code raises is reported, not re-raised
            return _finish(_failure(name, [f"{call}:", *_exception_lines(error)], "raised"), quiet)
        try:
            rates = _int_list(raw)
        except TypeError:
            rates = []
        if len(rates) != 3 or min(rates) < 1:
            lines = [f"{call} returned {raw!r}; expected a list of three rates [1, r2, r3], each an int >= 1."]
            return _finish(_failure(name, lines, "wrong_type"), quiet)
        field = receptive_fields([3, 3, 3], rates)[-1]
        if rates[0] != 1:
            lines = [f"{call} returned {rates}: start with rate 1; a dilated first layer leaves holes."]
            return _finish(_failure(name, lines, "r1"), quiet)
        if field < min_field:
            lines = [f"{call} returned {rates}, whose field is {field} < {min_field}: R = 1 + 2 (1 + r2 + r3)."]
            return _finish(_failure(name, lines, "too_small"), quiet)
        holes = count_holes(rates)
        if holes:
            lines = [
                f"{call} returned {rates}, which leaves {holes} holes: M_2 = {hdc_max_distances(rates)[1]} > 3.",
                "Layer 1 fills gaps of up to 3; layers 2 and 3 leave gaps of r2 and (for r3 >= 2 r2) r3 - 2 r2.",
            ]
            return _finish(_failure(name, lines, "holes"), quiet)
    return _finish(
        Verdict(ok=True, message=f"✓ {name} is right for every field from 3 to 27: no holes, wide enough."), quiet
    )


def _max_distances_upward(rates: list[int]) -> list[int]:
    m = [rates[0]]
    for r in rates[1:]:
        m.append(max(m[-1] - 2 * r, m[-1] - 2 * (m[-1] - r), r))
    return m


def check_max_distances(fn: Callable[[list[int]], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(rates)``: Wang et al.'s ``[M_1, ..., M_n]`` (notebook 05).

    Examples
    --------
    >>> from dilconv_lib.receptive import hdc_max_distances
    >>> verdict = check_max_distances(hdc_max_distances)
    ✓ hdc_max_distances is right on all 7 groups.
    >>> check_max_distances(_max_distances_upward, quiet=True).mistake
    'upward'
    """
    from dilconv_lib.receptive import hdc_max_distances

    cases = [
        ([1, 2, 5],),
        ([1, 2, 9],),
        ([2, 2, 2],),
        ([1, 1, 2, 4, 8, 16, 1],),
        ([1, 3, 1],),
        ([5],),
        ([1, 2, 5, 1, 2, 5],),
    ]
    mistakes = [
        _Mistake(
            "upward",
            "the recursion run from layer 1 up",
            "start from M_n = r_n and go down, i = n - 1 .. 1.",
            _max_distances_upward,
        ),
        _Mistake(
            "two_terms",
            "the third term r_i left out",
            "M_i is the largest of three terms, the last one r_i.",
            lambda r: [*[max(m - 2 * ri, m - 2 * (m - ri)) for ri, m in zip(r[:-1], hdc_max_distances(r)[1:])], r[-1]],
        ),
    ]
    return _run_cases(
        fn,
        cases,
        lambda r: hdc_max_distances(r),
        lambda a, b: a == b,
        mistakes,
        "M_n = r_n; going down, M_i = max(M_(i+1) - 2 r_i, M_(i+1) - 2 (M_(i+1) - r_i), r_i).",
        f"is right on all {len(cases)} groups.",
        quiet,
        _int_list,
    )


def check_holes_1d(fn: Callable[[list[int]], Any], *, quiet: bool = False) -> Verdict:
    """Check a learner's ``fn(rates)``: the offsets between the smallest and the largest reached offset of a
    stack of 3-tap layers that no sum of taps reaches (notebook 05). The 2-D count is ``R^2 - (R - h)^2``.

    Examples
    --------
    >>> from dilconv_lib.receptive import reached_offsets
    >>> verdict = check_holes_1d(lambda r: 2 * sum(r) + 1 - len(reached_offsets(r)))
    ✓ <lambda> is right on all 6 stacks, and R^2 - (R - h)^2 is the 2-D hole count.
    >>> check_holes_1d(lambda r: len(reached_offsets(r)), quiet=True).mistake
    'reached'
    """
    from dilconv_lib.receptive import reached_offsets

    cases = [([2, 2, 2],), ([1, 2, 9],), ([1, 2, 5],), ([3, 3],), ([1, 4, 4, 12],), ([2, 3, 5],)]
    mistakes = [
        _Mistake(
            "reached",
            "the number of offsets reached",
            "count those that are NOT reached: the span max - min + 1, less the reached ones.",
            lambda r: len(reached_offsets(r)),
        ),
        _Mistake(
            "span",
            "the span less the reached offsets, without the + 1",
            "from min to max there are max - min + 1 offsets.",
            lambda r: 2 * sum(r) - len(reached_offsets(r)),
        ),
    ]
    return _run_cases(
        fn,
        cases,
        lambda r: 2 * sum(r) + 1 - len(reached_offsets(r)),
        lambda a, b: a == b,
        mistakes,
        "Build the set of sums {a + t for a in reached for t in (-r, 0, r)} layer by layer, then count the gaps.",
        f"is right on all {len(cases)} stacks, and R^2 - (R - h)^2 is the 2-D hole count.",
        quiet,
        _one_int,
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
        _Mistake(
            "transposed",
            "(c_in, c_out) instead of (c_out, c_in)",
            "rows are output channels b, columns input channels a.",
            lambda i, o, c: _eq5(i, o, c).T,
        ),
        _Mistake(
            "unscaled",
            "1 on every centre tap",
            "scale by C / c_(i+1) so that the sum over a group keeps the size of the signal.",
            lambda i, o, c: _eq5(i, o, c, "one"),
        ),
        _Mistake(
            "scale_in",
            "C / c_i as the scale",
            "the scale is C / c_(i+1), the output width.",
            lambda i, o, c: _eq5(i, o, c, "in"),
        ),
    ]

    def convert(value: Any) -> np.ndarray:
        return _array(value.detach().numpy() if hasattr(value, "detach") else value)

    return _run_cases(
        fn,
        cases,
        lambda i, o, c: _eq5(i, o, c),
        _same_array,
        mistakes,
        "Channel a is in group floor(a C / c_in), channel b in floor(b C / c_out); C / c_out where they agree.",
        f"matches Eq. 5 on all {len(cases)} widths.",
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
            raise TypeError("expected a number between 0 and 1") from None
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError("expected a number between 0 and 1")
        return float(value)

    mistakes = [
        _Mistake(
            "reach_is_field",
            "the whole field as the reach",
            "a field of 2r + 1 pixels reaches r = (field - 1) // 2 pixels each way.",
            lambda d, y, f: share(f, reach=f),
        ),
        _Mistake(
            "all_pixels",
            "every pixel counted",
            "count object pixels only (labels > 0), in the numerator and the denominator.",
            lambda d, y, f: share(f, among_objects=False),
        ),
        _Mistake(
            "at_least",
            "distance >= r",
            "a marker at distance exactly r is inside the field: out of sight means distance > r.",
            lambda d, y, f: share(f, at_least=True),
        ),
    ]
    return _run_cases(
        fn,
        [(distance, labels, f) for f in (15, 31, 67)],
        lambda d, y, f: share(f),
        lambda a, b: abs(a - b) < 1e-6,
        mistakes,
        "Out of sight: distance > (field - 1) // 2, among the pixels with label > 0.",
        "is right for fields 15, 31 and 67.",
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
        _Mistake(rule, looks_like, advice, lambda w, c, rule=rule: _conv_weights(w, c, rule=rule))
        for rule, looks_like, advice in [
            ("all_3x3", "eight 3x3 layers", "the last layer is 1x1: k^2 = 1 there, not 9."),
            (
                "own_width",
                "each layer's own width as its input",
                "layer l reads the previous layer's channels (the input's C for layer 1).",
            ),
            ("biases", "the biases added", "count the weights only; the biases (one per output channel) come on top."),
        ]
    ]
    return _run_cases(
        fn,
        [tuple(c) for c in cases],
        lambda w, c: _conv_weights(w, c),
        lambda a, b: a == b,
        mistakes,
        "Sum k^2 c_in c_out over the layers, c_in the previous layer's width (C for layer 1).",
        f"is right on all {len(cases)} width lists (64 C^2 for Basic, 15422 C^2 for Large).",
        quiet,
        _one_int,
    )


__all__ += [
    "check_conv_weights",
    "check_eq5_centre",
    "check_gap_free_rates",
    "check_hidden_share",
    "check_holes_1d",
    "check_layers_to_reach",
    "check_max_distances",
    "check_plain_gradient",
    "check_receptive_fields",
]


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
    if not _is_int(value) and not (isinstance(value, float) and value.is_integer()):
        lines = [f"It is {value!r}; expected a whole number of bytes (an int)."]
        return _finish(_failure(name, lines, "not_an_int"), quiet)
    if value == expected:
        message = (
            f"✓ {expected} bytes ({expected // 2**20} MiB) is right: N * C_in * kH * kW * H_out * W_out items "
            "of 4 bytes, at any dilation."
        )
        return _finish(Verdict(ok=True, message=message), quiet)
    lines = [f"{value!r} bytes; expected {expected} ({expected // 2**20} MiB)."]
    window = d * (k - 1) + 1
    for key, guess, advice in [
        ("itemsize", expected // itemsize, "that counts items: a float32 takes 4 bytes."),
        ("batch", expected // n, "that is one image: the batch has N = 8."),
        ("padded", n * c_in * k * k * (size + 2 * d) ** 2 * itemsize, "one column per OUTPUT pixel, 64 x 64 here."),
        (
            "window",
            n * c_in * window * window * size * size * itemsize,
            "a column holds the kH * kW taps, not the window.",
        ),
        ("input", expected // (k * k), "that is the input; the matrix holds each pixel up to kH * kW times."),
    ]:
        if value == guess:
            lines.append(f"Diagnosis: {advice}")
            return _finish(_failure(name, lines, key), quiet)
    lines.append("Count C_in * kH * kW items per output pixel, H_out * W_out output pixels per image, N images.")
    return _finish(_failure(name, lines, "values"), quiet)


__all__ += ["check_im2col_bytes"]
